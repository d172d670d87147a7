// Work-dir copies (contents, modes, times, symlinks, hard links, creation order, exclusion,
// removal of read-only trees) and artifact discovery (snapshots before/after a "build",
// created/changed/deleted, ctime catching a rewrite that restores mtime and size, globs).
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { diffSnapshots, selectArtifacts, snapshotTree } from '../src/verify/artifacts.js';
import { creationOrderVisible, planVariation, rawDirOrder, wrapCommand } from '../src/verify/vary.js';
import { copyTree, isInside, makeTempRoot, orderedNames, removeTree } from '../src/verify/workdir.js';
import { cleanupTemps, sh, tempDir } from './verify-util.js';

afterAll(cleanupTemps);

function makeSource(): string {
  const src = tempDir();
  mkdirSync(join(src, 'sub/deeper'), { recursive: true });
  writeFileSync(join(src, 'b.txt'), 'bee\n');
  writeFileSync(join(src, 'a.txt'), 'ay\n');
  writeFileSync(join(src, 'c.sh'), '#!/bin/sh\necho c\n');
  chmodSync(join(src, 'c.sh'), 0o755);
  writeFileSync(join(src, 'sub/ro.txt'), 'read only\n');
  chmodSync(join(src, 'sub/ro.txt'), 0o444);
  writeFileSync(join(src, 'sub/deeper/z'), Buffer.alloc(3 * 1024 * 1024, 7));
  symlinkSync('../a.txt', join(src, 'sub/link'));
  linkSync(join(src, 'b.txt'), join(src, 'sub/hard-b'));
  utimesSync(join(src, 'a.txt'), 1_000_000_000.25, 1_000_000_123.5);
  utimesSync(join(src, 'sub'), 1_200_000_000, 1_200_000_000);
  chmodSync(join(src, 'sub/deeper'), 0o555);
  return src;
}

describe('copyTree', () => {
  test('copies contents, modes, times, symlinks and hard links', async () => {
    const src = makeSource();
    const dst = join(tempDir(), 'copy');
    const stats = await copyTree(src, dst, 'sorted');
    expect(stats.files).toBe(5);
    expect(stats.hardlinks).toBe(1);
    expect(stats.symlinks).toBe(1);
    expect(stats.dirs).toBe(2);
    // the same listing, contents and metadata as `find` + `sha256sum` + `stat` show
    const list = (d: string) => sh('sh', ['-c', 'cd "$1" && find . -print0 | sort -z | xargs -0 stat -c "%n %f %s %Y"', 'sh', d]);
    expect(list(dst)).toBe(list(src));
    const sums = (d: string) => sh('sh', ['-c', 'cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum', 'sh', d]);
    expect(sums(dst)).toBe(sums(src));
    expect(readlinkSync(join(dst, 'sub/link'))).toBe('../a.txt');
    expect(statSync(join(dst, 'sub/hard-b')).ino).toBe(statSync(join(dst, 'b.txt')).ino);
    expect(statSync(join(dst, 'b.txt')).nlink).toBe(2);
    expect(lstatSync(join(dst, 'a.txt')).mtimeMs).toBeCloseTo(1_000_000_123_500, 0);
    expect(statSync(join(dst, 'sub')).mtimeMs).toBe(1_200_000_000_000);
    expect(statSync(join(dst, 'sub/deeper')).mode & 0o777).toBe(0o555);
    await removeTree(dst); // read-only directories inside: still removed
    expect(existsSync(dst)).toBe(false);
    chmodSync(join(src, 'sub/deeper'), 0o755);
  });

  test('creates entries in the order asked (visible where readdir follows creation: tmpfs)', async () => {
    const src = tempDir();
    for (const n of ['kiwi', 'apple', 'zebra', 'mango', 'banana']) writeFileSync(join(src, n), n);
    expect(orderedNames(src, 'sorted')).toEqual(['apple', 'banana', 'kiwi', 'mango', 'zebra']);
    expect(orderedNames(src, 'reverse')).toEqual(['zebra', 'mango', 'kiwi', 'banana', 'apple']);
    // /dev/shm is a tmpfs on Linux: readdir shows creation order there (newest first)
    expect(existsSync('/dev/shm')).toBe(true);
    const base = join('/dev/shm', `det-verify-order-${process.pid}`);
    mkdirSync(base);
    try {
      expect(creationOrderVisible(base)).toBe(true);
      await copyTree(src, join(base, 'sorted'), 'sorted');
      await copyTree(src, join(base, 'reverse'), 'reverse');
      const a = rawDirOrder(join(base, 'sorted'));
      const b = rawDirOrder(join(base, 'reverse'));
      expect([...a].sort()).toEqual([...b].sort());
      expect(a).toEqual([...b].reverse());
      expect(a).not.toEqual(b);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test('leaves out excluded paths (a temp dir inside the work dir)', async () => {
    const src = makeSource();
    mkdirSync(join(src, 'tmp-inside'));
    writeFileSync(join(src, 'tmp-inside/x'), 'x');
    const dst = join(tempDir(), 'copy');
    await copyTree(src, dst, 'reverse', [join(src, 'tmp-inside')]);
    expect(existsSync(join(dst, 'a.txt'))).toBe(true);
    expect(existsSync(join(dst, 'tmp-inside'))).toBe(false);
    chmodSync(join(src, 'sub/deeper'), 0o755);
  });

  test('isInside and makeTempRoot', async () => {
    expect(isInside('/a/b/c', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/bc', '/a/b')).toBe(false);
    expect(isInside('/a', '/a/b')).toBe(false);
    const t = await makeTempRoot();
    expect(statSync(t).isDirectory()).toBe(true);
    await removeTree(t);
    expect(existsSync(t)).toBe(false);
  });
});

describe('artifact discovery', () => {
  test('created, changed (also by a rewrite that restores size and mtime) and deleted files', () => {
    const d = tempDir();
    mkdirSync(join(d, 'src'));
    writeFileSync(join(d, 'src/keep.c'), 'int x;\n');
    writeFileSync(join(d, 'src/rewritten.h'), 'AAAA\n');
    writeFileSync(join(d, 'gone.o'), 'old');
    utimesSync(join(d, 'src/rewritten.h'), 1_500_000_000, 1_500_000_000);
    const before = snapshotTree(d);
    // the "build"
    mkdirSync(join(d, 'out'));
    writeFileSync(join(d, 'out/app'), 'binary');
    symlinkSync('app', join(d, 'out/app-link'));
    writeFileSync(join(d, 'src/rewritten.h'), 'BBBB\n'); // same size
    utimesSync(join(d, 'src/rewritten.h'), 1_500_000_000, 1_500_000_000); // same mtime
    unlinkSync(join(d, 'gone.o'));
    const after = snapshotTree(d);
    const c = diffSnapshots(before, after);
    expect(c.created).toEqual(['out/app', 'out/app-link']);
    expect(c.changed).toEqual(['src/rewritten.h']);
    expect(c.deleted).toEqual(['gone.o']);
    expect(after.get('out/app-link')).toMatchObject({ kind: 'symlink', target: 'app' });
    expect(after.get('out')?.kind).toBe('dir');
  });

  test('selectArtifacts: the union over runs; files deleted by every run are not artifacts', () => {
    const mk = (files: Record<string, string>) => {
      const d = tempDir();
      for (const [p, text] of Object.entries(files)) {
        mkdirSync(join(d, p, '..'), { recursive: true });
        writeFileSync(join(d, p), text);
      }
      return d;
    };
    const r1 = mk({ 'src/a.c': 'a', 'tmp.o': 'o', 'both-deleted': 'x' });
    const r2 = mk({ 'src/a.c': 'a', 'tmp.o': 'o', 'both-deleted': 'x' });
    const b1 = snapshotTree(r1);
    const b2 = snapshotTree(r2);
    writeFileSync(join(r1, 'out-1712345678.log'), 'run 1'); // name with a varying value
    writeFileSync(join(r2, 'out-1712345679.log'), 'run 2');
    writeFileSync(join(r1, 'common.bin'), 'same');
    writeFileSync(join(r2, 'common.bin'), 'same');
    unlinkSync(join(r1, 'tmp.o')); // deleted in run 1 only
    unlinkSync(join(r1, 'both-deleted'));
    unlinkSync(join(r2, 'both-deleted'));
    const sel = selectArtifacts([{ before: b1, after: snapshotTree(r1) }, { before: b2, after: snapshotTree(r2) }], []);
    expect(sel.paths).toEqual(['common.bin', 'out-1712345678.log', 'out-1712345679.log', 'tmp.o']);
    expect(sel.changes?.[0]).toEqual({ created: ['common.bin', 'out-1712345678.log'], changed: [], deleted: ['both-deleted', 'tmp.o'] });
  });

  test('selectArtifacts with globs counts matches per run', () => {
    const r1 = tempDir();
    const r2 = tempDir();
    for (const d of [r1, r2]) {
      mkdirSync(join(d, 'out'));
      writeFileSync(join(d, 'out/a.deb'), 'deb');
      writeFileSync(join(d, 'README'), 'r');
    }
    writeFileSync(join(r1, 'out/extra.deb'), 'only in run 1');
    const sel = selectArtifacts(
      [{ after: snapshotTree(r1) }, { after: snapshotTree(r2) }],
      ['out/*.deb', 'nothing/**', 'out/extra*'],
    );
    expect(sel.paths).toEqual(['out/a.deb', 'out/extra.deb']);
    expect(sel.globs).toEqual([
      { pattern: 'out/*.deb', matches: [2, 1] },
      { pattern: 'nothing/**', matches: [0, 0] },
      { pattern: 'out/extra*', matches: [1, 0] },
    ]);
  });

  test('file contents are read back as written (sanity of the temp helpers)', () => {
    const d = tempDir();
    writeFileSync(join(d, 'x'), 'y');
    expect(readFileSync(join(d, 'x'), 'utf8')).toBe('y');
  });
});

describe('host variation', () => {
  const host = { uts: true, taskset: true, altLocale: null };
  test('run 1 is the control; run 2 changes path, env, umask, host name, order, CPUs and time', () => {
    const v1 = planVariation(1, true, '/tmp/T', host);
    const v2 = planVariation(2, true, '/tmp/T', host);
    expect(v1.dir).not.toBe(v2.dir);
    expect(v1.dir.length).not.toBe(v2.dir.length);
    expect(v1.env.TZ).not.toBe(v2.env.TZ);
    expect(v1.env.HOME).not.toBe(v2.env.HOME);
    expect(v1.umask).not.toBe(v2.umask);
    expect(v1.hostname).not.toBe(v2.hostname);
    expect(v1.order).toBe('sorted');
    expect(v2.order).toBe('reverse');
    expect(v1.cpus).toBeNull();
    expect(v2.cpus).toBe('0');
    expect(v2.minGapMs).toBeGreaterThanOrEqual(1000);
    expect(v2.env.DET_VERIFY_RUN).toBe('2');
    expect(Object.keys(v2.varied)).toEqual(expect.arrayContaining(['buildPath', 'tz', 'umask', 'hostname', 'fileOrder', 'time']));
  });

  test('without --vary every run builds at the same path with the same setup', () => {
    const v1 = planVariation(1, false, '/tmp/T', host);
    const v2 = planVariation(2, false, '/tmp/T', host);
    expect(v1.dir).toBe(v2.dir);
    expect(v1.keepAs).not.toBe(v2.keepAs);
    expect(v2.env).toEqual({});
    expect(wrapCommand(['make', '-j2'], v2)).toEqual(['make', '-j2']);
  });

  test('the wrapper really sets umask and host name', () => {
    const v2 = planVariation(2, true, '/tmp/T', { uts: process.getuid?.() === 0, taskset: false, altLocale: null });
    const argv = wrapCommand(['sh', '-c', 'umask; hostname'], v2);
    const out = sh(argv[0], argv.slice(1)).trim().split('\n');
    expect(out[0]).toBe('0002');
    if (v2.hostnameInNamespace) expect(out[1]).toBe(v2.hostname);
  });
});
