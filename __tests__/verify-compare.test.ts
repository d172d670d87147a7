// Comparison: first differing byte offsets (across the 1 MiB read boundary, prefixes,
// empty files), the bytes around a difference, and archive member naming on real archives
// built with tar, gzip, zip, ar, dpkg-deb and xz.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  decompress,
  describeArchiveDiff,
  detectFormat,
  diffArchives,
  firstLeafDifference,
  flattenMemberDiffs,
  listAr,
  listTar,
  listZip,
  parseTarNumber,
} from '../src/verify/archive.js';
import { differenceContext, firstDifference, firstDifferenceOfBuffers, looksText, showBytes } from '../src/verify/compare.js';
import { cleanupTemps, sh, tempDir } from './verify-util.js';

afterAll(cleanupTemps);

describe('firstDifference', () => {
  const dir = tempDir();
  const base = randomBytes(3 * 1024 * 1024 + 100);
  const write = (name: string, data: Buffer) => {
    const f = join(dir, name);
    writeFileSync(f, data);
    return f;
  };
  const a = write('a', base);

  test('identical files: no offset', async () => {
    expect(await firstDifference(a, write('same', Buffer.from(base)))).toEqual({ offset: null, sizes: [base.length, base.length] });
  });

  test.each([0, 1, 65535, 65536, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 5, base.length - 1])('a byte changed at %d', async (at) => {
    const b = Buffer.from(base);
    b[at] ^= 0xff;
    const r = await firstDifference(a, write(`b${at}`, b));
    expect(r.offset).toBe(at);
    // cmp(1) agrees (it counts from 1)
    const cmp = spawnSync('cmp', [a, join(dir, `b${at}`)], { encoding: 'utf8' });
    expect(cmp.stdout).toContain(`byte ${at + 1},`);
  });

  test('one file is a prefix of the other: the shorter size', async () => {
    const r = await firstDifference(a, write('prefix', base.subarray(0, 2 * 1024 * 1024 + 3)));
    expect(r.offset).toBe(2 * 1024 * 1024 + 3);
    expect(r.sizes).toEqual([base.length, 2 * 1024 * 1024 + 3]);
    expect((await firstDifference(write('empty', Buffer.alloc(0)), a)).offset).toBe(0);
  });

  test('buffers', () => {
    expect(firstDifferenceOfBuffers(Buffer.from('abc'), Buffer.from('abc'))).toBeNull();
    expect(firstDifferenceOfBuffers(Buffer.from('abc'), Buffer.from('abd'))).toBe(2);
    expect(firstDifferenceOfBuffers(Buffer.from('ab'), Buffer.from('abc'))).toBe(2);
  });

  test('the bytes around a difference, as text or hex', async () => {
    const t1 = write('t1', Buffer.from('built at: 2024-01-01 10:00:00\nok\n'));
    const t2 = write('t2', Buffer.from('built at: 2024-01-01 10:00:07\nok\n'));
    const r = await firstDifference(t1, t2);
    expect(r.offset).toBe(28);
    const ctx = await differenceContext(t1, t2, 28, 8, 4);
    expect(ctx.start).toBe(20);
    expect(ctx.shown).toEqual(['" 10:00:00\\nok"', '" 10:00:07\\nok"']);
    expect(looksText(Buffer.from([0, 1]))).toBe(false);
    expect(showBytes(Buffer.from([0, 1, 255]))).toBe('00 01 ff');
    expect(showBytes(Buffer.from('abc\0def\0ghi'))).toBe('"abc\\x00def\\x00ghi"');
  });
});

// ---- archives ----

interface Pair {
  a: Buffer;
  b: Buffer;
}

/** Two versions of a small tree: v2 changes one file's bytes, one file's mtime only, and (with umask) a mode. */
function trees(): { v1: string; v2: string } {
  const root = tempDir();
  const v1 = join(root, 'v1');
  const v2 = join(root, 'v2');
  for (const v of [v1, v2]) {
    mkdirSync(join(v, 'pkg/bin'), { recursive: true });
    writeFileSync(join(v, 'pkg/README'), 'readme\n');
    writeFileSync(join(v, 'pkg/bin/tool'), '#!/bin/sh\necho tool\n');
    chmodSync(join(v, 'pkg/bin/tool'), 0o755);
    writeFileSync(join(v, 'pkg/stamp.txt'), 'built at 1700000000\n');
  }
  writeFileSync(join(v2, 'pkg/stamp.txt'), 'built at 1700000042\n');
  for (const v of [v1, v2]) {
    for (const f of ['pkg', 'pkg/README', 'pkg/bin', 'pkg/bin/tool', 'pkg/stamp.txt']) utimesSync(join(v, f), 1_600_000_000, 1_600_000_000);
  }
  utimesSync(join(v2, 'pkg/README'), 1_600_000_000, 1_600_000_099); // metadata only
  return { v1, v2 };
}

function build(cmd: string, args: (dir: string) => string[], out: string, cwdOf: (v: string) => string = (v) => v): Pair {
  const { v1, v2 } = trees();
  const files = [v1, v2].map((v) => {
    sh(cmd, args(join(v, out)), { cwd: cwdOf(v), env: { ...process.env, SOURCE_DATE_EPOCH: '' } });
    return readFileSync(join(v, out));
  });
  return { a: files[0], b: files[1] };
}

const names = (d: ReturnType<typeof diffArchives>) =>
  d === null ? null : Object.fromEntries(flattenMemberDiffs(d).map((m) => [m.diff.name, m.diff.change]));

describe('archive member diffs', () => {
  test('tar: the member whose bytes differ, the one whose mtime differs, and where', () => {
    const { a, b } = build('tar', (o) => ['-cf', o, '--sort=name', 'pkg'], 'x.tar');
    expect(detectFormat(a)).toBe('tar');
    const d = diffArchives(a, b, 'x.tar');
    expect(names(d)).toEqual({ 'pkg/README': 'metadata', 'pkg/stamp.txt': 'content' });
    const stamp = d?.members.find((m) => m.name === 'pkg/stamp.txt');
    expect(stamp?.offset).toBe('built at 17000000'.length);
    const readme = d?.members.find((m) => m.name === 'pkg/README');
    expect(readme?.fields).toEqual([{ field: 'mtime', values: [1_600_000_000, 1_600_000_099] }]);
    expect(d?.metadataOnly).toBe(false);
    expect(d?.orderDiffers).toBe(false);
    const text = describeArchiveDiff(d!).join('\n');
    expect(text).toContain('tar member pkg/stamp.txt: content differs at byte 17');
    expect(text).toContain('tar member pkg/README: metadata only (mtime 1600000000 vs 1600000099)');
  });

  test('tar listing agrees with tar -tv (names, modes, sizes)', () => {
    const { a } = build('tar', (o) => ['-cf', o, '--sort=name', 'pkg'], 'x.tar');
    const l = listTar(a);
    const { v1 } = trees();
    writeFileSync(join(v1, 'x.tar'), a);
    const tv = sh('tar', ['--numeric-owner', '-tvf', join(v1, 'x.tar')]).trim().split('\n');
    expect(l.members.map((m) => m.name.replace(/\/$/, ''))).toEqual(tv.map((line) => line.split(/\s+/).pop()!.replace(/\/$/, '')));
    expect(l.members.find((m) => m.name === 'pkg/bin/tool')?.meta.mode).toBe('0755');
    expect(l.members.find((m) => m.name === 'pkg/README')?.size).toBe(7);
  });

  test('tar: member order and long names (GNU and pax)', () => {
    const root = tempDir();
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(120)}.txt`;
    mkdirSync(join(root, long, '..'), { recursive: true });
    writeFileSync(join(root, long), 'long\n');
    writeFileSync(join(root, 'one'), '1');
    writeFileSync(join(root, 'two'), '2');
    for (const fmt of ['gnu', 'pax']) {
      sh('tar', [`--format=${fmt}`, '-cf', `a-${fmt}.tar`, '--mtime=@0', 'one', 'two', long], { cwd: root });
      sh('tar', [`--format=${fmt}`, '-cf', `b-${fmt}.tar`, '--mtime=@0', 'two', long, 'one'], { cwd: root });
      const a = readFileSync(join(root, `a-${fmt}.tar`));
      const b = readFileSync(join(root, `b-${fmt}.tar`));
      expect(listTar(a).members.map((m) => m.name)).toEqual(['one', 'two', long]);
      const d = diffArchives(a, b, 'x.tar')!;
      expect(d.members.filter((m) => m.change !== 'metadata')).toEqual([]);
      expect(d.orderDiffers).toBe(true);
      expect(d.order?.[0]).toEqual(['one', 'two', long]);
      expect(d.metadataOnly).toBe(true);
    }
  });

  test('tar numbers: octal and base-256', () => {
    const h = Buffer.alloc(512);
    h.write('0000644\0', 100, 'latin1');
    expect(parseTarNumber(h, 100, 8)).toBe(0o644);
    h[124] = 0x80;
    h.writeUInt32BE(0x12345678, 124 + 8);
    expect(parseTarNumber(h, 124, 12)).toBe(0x12345678);
  });

  test('tar.gz: the gzip layer is opened and the tar member named', () => {
    const { a, b } = build('tar', (o) => ['-czf', o, '--sort=name', 'pkg'], 'x.tar.gz');
    expect(detectFormat(a)).toBe('gzip');
    const d = diffArchives(a, b, 'x.tar.gz')!;
    expect(d.format).toBe('gzip');
    expect(d.inner?.format).toBe('tar');
    expect(names(d)).toEqual({ 'pkg/README': 'metadata', 'pkg/stamp.txt': 'content' });
    const leaf = firstLeafDifference(d);
    expect(leaf?.where).toBe('x.tar.gz!pkg/stamp.txt');
    expect(leaf?.offset).toBe(17);
    expect(leaf?.context.shown[0]).toContain('1700000000');
  });

  test('gzip: only the header mtime differs → metadata only', () => {
    const root = tempDir();
    writeFileSync(join(root, 'f'), 'same bytes\n');
    utimesSync(join(root, 'f'), 1_700_000_000, 1_700_000_000);
    const a = Buffer.from(sh('sh', ['-c', 'gzip -c f | base64 -w0'], { cwd: root }), 'base64');
    utimesSync(join(root, 'f'), 1_700_000_500, 1_700_000_500);
    const b = Buffer.from(sh('sh', ['-c', 'gzip -c f | base64 -w0'], { cwd: root }), 'base64');
    const d = diffArchives(a, b, 'f.gz')!;
    expect(d.header).toEqual([{ field: 'mtime', values: [1_700_000_000, 1_700_000_500] }]);
    expect(d.metadataOnly).toBe(true);
    expect(describeArchiveDiff(d).join('\n')).toMatch(/gzip header: mtime 1700000000 vs 1700000500[\s\S]*only metadata differs/);
  });

  test('zip: content by crc, timestamps from the extra field, and a jar inside a zip', () => {
    const { a, b } = build('zip', (o) => ['-q', '-r', o, 'pkg'], 'x.zip');
    expect(detectFormat(a)).toBe('zip');
    const la = listZip(a);
    expect(la.members.map((m) => m.name).sort()).toEqual(['pkg/', 'pkg/README', 'pkg/bin/', 'pkg/bin/tool', 'pkg/stamp.txt']);
    expect(la.members.find((m) => m.name === 'pkg/bin/tool')?.meta.mode).toBe('0755');
    const d = diffArchives(a, b, 'x.zip')!;
    const n = names(d)!;
    expect(n['pkg/stamp.txt']).toBe('content');
    expect(n['pkg/README']).toBe('metadata');
    expect(d.members.find((m) => m.name === 'pkg/stamp.txt')?.offset).toBe(17);
    const readme = d.members.find((m) => m.name === 'pkg/README')!;
    expect(readme.fields.map((f) => f.field)).toContain('mtime');

    // nest: outer.zip holds lib.jar, which differs in one class
    const root = tempDir();
    for (const v of ['1', '2']) {
      mkdirSync(join(root, v, 'jar/com/x'), { recursive: true });
      writeFileSync(join(root, v, 'jar/com/x/A.class'), `class A v${v}`);
      writeFileSync(join(root, v, 'jar/com/x/B.class'), 'class B');
      // Fixed times: files written a DOS-time tick (2 s) apart would differ in metadata too.
      for (const f of ['A', 'B']) utimesSync(join(root, v, `jar/com/x/${f}.class`), 1_700_000_000, 1_700_000_000);
      sh('sh', ['-c', 'cd jar && TZ=UTC zip -q -X -D ../lib.jar com/x/A.class com/x/B.class && cd .. && zip -q -X -0 outer.zip lib.jar'], { cwd: join(root, v) });
    }
    const outer = diffArchives(readFileSync(join(root, '1/outer.zip')), readFileSync(join(root, '2/outer.zip')), 'outer.zip')!;
    expect(outer.members[0]).toMatchObject({ name: 'lib.jar', change: 'content' });
    expect(outer.members[0].inner?.members.map((m) => [m.name, m.change])).toEqual([['com/x/A.class', 'content']]);
    expect(describeArchiveDiff(outer).join('\n')).toContain('zip member com/x/A.class: content differs at byte 9');
  });

  test('ar (.a): GNU long names, content and mtimes', () => {
    const root = tempDir();
    for (const v of ['1', '2']) {
      mkdirSync(join(root, v));
      writeFileSync(join(root, v, 'short.o'), 'object one');
      writeFileSync(join(root, v, 'a-rather-long-member-name.o'), v === '1' ? 'object two' : 'object 2!!');
      utimesSync(join(root, v, 'short.o'), 1_600_000_000 + Number(v), 1_600_000_000 + Number(v));
      sh('ar', ['rcU', 'lib.a', 'short.o', 'a-rather-long-member-name.o'], { cwd: join(root, v) });
    }
    const a = readFileSync(join(root, '1/lib.a'));
    const b = readFileSync(join(root, '2/lib.a'));
    expect(detectFormat(a)).toBe('ar');
    // no symbol table: the members are no object files
    expect(listAr(a).members.map((m) => m.name)).toEqual(['short.o', 'a-rather-long-member-name.o']);
    const d = diffArchives(a, b, 'lib.a')!;
    const n = names(d)!;
    expect(n['a-rather-long-member-name.o']).toBe('content');
    expect(n['short.o']).toBe('metadata');
    expect(d.members.find((m) => m.name === 'short.o')?.fields).toEqual([{ field: 'mtime', values: [1_600_000_001, 1_600_000_002] }]);
    expect(d.members.find((m) => m.name === 'a-rather-long-member-name.o')?.offset).toBe(7);
  });

  test('.deb: names data.tar.xz and the file inside it', () => {
    const root = tempDir();
    for (const v of ['1', '2']) {
      const p = join(root, v, 'pkg');
      mkdirSync(join(p, 'DEBIAN'), { recursive: true });
      mkdirSync(join(p, 'usr/share/doc/hello'), { recursive: true });
      writeFileSync(join(p, 'DEBIAN/control'), 'Package: hello\nVersion: 1.0\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: test\n');
      writeFileSync(join(p, 'usr/share/doc/hello/buildinfo'), `built by run ${v}\n`);
      writeFileSync(join(p, 'usr/share/doc/hello/README'), 'same\n');
      sh('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', 'pkg', 'hello.deb'], { cwd: join(root, v), env: { ...process.env, SOURCE_DATE_EPOCH: '1600000000' } });
    }
    const a = readFileSync(join(root, '1/hello.deb'));
    const b = readFileSync(join(root, '2/hello.deb'));
    expect(detectFormat(a)).toBe('deb');
    expect(listAr(a).members.map((m) => m.name)).toEqual(['debian-binary', 'control.tar.xz', 'data.tar.xz']);
    const d = diffArchives(a, b, 'hello.deb')!;
    const data = d.members.find((m) => m.name === 'data.tar.xz')!;
    expect(data.change).toBe('content');
    expect(data.inner?.format).toBe('xz');
    expect(names(data.inner!)).toEqual({ './usr/share/doc/hello/buildinfo': 'content' });
    const text = describeArchiveDiff(d).join('\n');
    expect(text).toContain('deb (ar) member data.tar.xz: content differs');
    expect(text).toContain('tar member ./usr/share/doc/hello/buildinfo: content differs at byte 13');
    expect(firstLeafDifference(d)?.where).toBe('hello.deb!data.tar.xz!./usr/share/doc/hello/buildinfo');
  });

  test('xz and plain files', () => {
    const root = tempDir();
    writeFileSync(join(root, 'p'), 'payload');
    sh('xz', ['-k', 'p'], { cwd: root });
    const xz = readFileSync(join(root, 'p.xz'));
    expect(detectFormat(xz)).toBe('xz');
    expect(decompress('xz', xz)[0]?.toString()).toBe('payload');
    expect(detectFormat(Buffer.from('just text, no archive'))).toBeNull();
    expect(diffArchives(Buffer.from('a'), Buffer.from('b'), 'x.txt')).toBeNull();
    copyFileSync(join(root, 'p.xz'), join(root, 'q.xz'));
  });
});
