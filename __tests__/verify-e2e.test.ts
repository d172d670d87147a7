// End-to-end verify without the tracer (--no-trace): real copies, real runs, real hashes.
// examples/timestamp differs (exit 1), a reproducible command is identical (exit 0), a
// command that fails in one run only is a failed run (exit 2); globs, --no-vary, timeouts,
// the CLI itself, interrupts and cleanup.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DetError } from '../src/errors.js';
import { which } from '../src/verify/diffoscope.js';
import { runVerify, verify } from '../src/verify/index.js';
import type { FullVerifyReport } from '../src/verify/report-json.js';
import { capture, cleanupTemps, EXAMPLES, ROOT, sh, tempDir, verifyOptions } from './verify-util.js';

afterAll(cleanupTemps);

const BIN = join(ROOT, 'bin', 'dettrace.js');

function tmpLeftovers(report: FullVerifyReport): string[] {
  return report.runs.map((r) => r.varied.buildPath).filter((p): p is string => typeof p === 'string' && existsSync(p));
}

describe('verify --no-trace', () => {
  test('examples/timestamp differs natively: exit 1, with members, offsets and causes', async () => {
    const c = capture();
    const { exitStatus, report } = await verify(verifyOptions(join(EXAMPLES, 'timestamp'), ['make']), c.io);
    expect(exitStatus).toBe(1);
    expect(report.reproducible).toBe(false);
    const byPath = Object.fromEntries(report.artifacts.map((a) => [a.path, a]));
    expect(Object.keys(byPath).sort()).toEqual(['out/buildinfo.txt', 'out/buildinfo.txt.gz', 'out/release.tar.gz', 'out/stamp']);
    const info = byPath['out/buildinfo.txt'];
    expect(info.same).toBe(false);
    // the first line holds the time: "built at:    YYYY-MM-DD HH:MM:SS UTC (...)"
    expect(info.firstDifference?.offset).toBeGreaterThanOrEqual('built at:    '.length);
    expect(info.firstDifference?.offset).toBeLessThan(info.firstDifference!.context![0].length + 200);
    expect(info.firstDifference?.context?.[0]).toMatch(/\d\d:\d\d/);
    expect(info.causes?.map((x) => x.kind)).toContain('timestamp');
    const tgz = byPath['out/release.tar.gz'];
    expect(tgz.archive?.format).toBe('gzip');
    expect(tgz.members).toContain('out/buildinfo.txt');
    expect(tgz.where?.join('\n')).toMatch(/tar member out\/buildinfo.txt: content differs at byte \d+/);
    const gz = byPath['out/buildinfo.txt.gz'];
    expect(gz.where?.join('\n')).toMatch(/gzip header: mtime \d+ vs \d+/);
    expect(report.findings.some((f) => /run without the tracer/.test(f.cause))).toBe(true);
    expect(c.out()).toMatch(/NOT REPRODUCIBLE: 4 of 4 artifacts differ across 2 runs \(exit 1\)/);
    expect(c.err()).toMatch(/run 1\/2: running \(no tracer\) make/);
    expect(c.err()).toMatch(/run 2\/2: exit 0 in \d+\.\ds/);
    // the example itself was not touched, the copies are gone
    expect(existsSync(join(EXAMPLES, 'timestamp', 'out'))).toBe(false);
    expect(tmpLeftovers(report)).toEqual([]);
  });

  test('a reproducible command: exit 0 and the digest of the sha256sum manifest', async () => {
    const w = tempDir();
    mkdirSync(join(w, 'src'));
    writeFileSync(join(w, 'src/in.txt'), 'input\n');
    const cmd = ['sh', '-c', 'mkdir -p out/sub && tr a-z A-Z < src/in.txt > out/UP && printf x > out/sub/x && ln -sf UP out/link'];
    const c = capture();
    const status = await runVerify(verifyOptions(w, cmd), c.io);
    expect(status).toBe(0);
    // the same build by hand, and sha256sum over its manifest
    sh(cmd[0], cmd.slice(1), { cwd: w });
    const { report } = await verify(verifyOptions(w, ['true'], { artifacts: ['out/**'] }), capture().io);
    const expected = sh('sh', ['-c', `cd "${w}" && sha256sum out/UP out/sub/x && printf '%s  out/link\\n' "$(printf 'symlink\\0UP' | sha256sum | cut -c1-64)"`]);
    const sortedLines = expected.trim().split('\n').sort((x, y) => (x.slice(66) < y.slice(66) ? -1 : 1)).join('\n') + '\n';
    const digest = sh('sh', ['-c', 'sha256sum | cut -c1-64'], { input: sortedLines }).trim();
    expect(report.digest).toBe(digest);
    expect(report.artifacts.map((a) => a.path)).toEqual(['out/UP', 'out/link', 'out/sub/x']);
    expect(c.out()).toMatch(/REPRODUCIBLE: 3 artifacts identical across 2 runs/);
  });

  test('a command that fails in run 2 only: exit 2, and the verdict says so', async () => {
    const w = tempDir();
    const state = join(tempDir(), 'ran-once');
    const cmd = ['sh', '-c', 'if [ -e "$1" ]; then echo "second time: failing" >&2; exit 3; fi; touch "$1"; echo ok > built', 'sh', state];
    const c = capture();
    const { exitStatus, report } = await verify(verifyOptions(w, cmd), c.io);
    expect(exitStatus).toBe(2);
    expect(report.runs.map((r) => r.exitCode)).toEqual([0, 3]);
    expect(report.runs[1].logTail).toContain('second time: failing');
    expect(report.verdict).toMatch(/run 2 \(exit 3\) failed while run 1 succeeded/);
    expect(report.summary.failedRuns).toEqual([2]);
    const built = report.artifacts.find((a) => a.path === 'built')!;
    expect(built.status).toBe('missing');
    expect(built.hashes[1]).toBeNull();
    expect(built.cause).toBe('run 2 failed (exit 3): its artifacts may be missing or incomplete');
    expect(c.err()).toContain('second time: failing');
  });

  test('every run fails; a command that does not exist is exit 127 in each run', async () => {
    const w = tempDir();
    const { exitStatus, report } = await verify(verifyOptions(w, ['definitely-not-a-command-xyz']), capture().io);
    expect(exitStatus).toBe(2);
    expect(report.runs.map((r) => r.exitCode)).toEqual([127, 127]);
    expect(report.verdict).toMatch(/every run failed/);
    const novary = await verify(verifyOptions(w, ['definitely-not-a-command-xyz'], { vary: false }), capture().io);
    expect(novary.report.runs.map((r) => r.exitCode)).toEqual([127, 127]);
  });

  test('--vary puts the copies at different paths; --no-vary builds every run at the same path', async () => {
    const w = tempDir();
    const cmd = ['sh', '-c', 'pwd > where.txt; umask > umask.txt'];
    const varied = await verify(verifyOptions(w, cmd), capture().io);
    expect(varied.exitStatus).toBe(1);
    const where = varied.report.artifacts.find((a) => a.path === 'where.txt')!;
    expect(where.cause).toMatch(/^embeds the build path, which --vary changed between runs/);
    expect(varied.report.artifacts.find((a) => a.path === 'umask.txt')?.same).toBe(false);
    const same = await verify(verifyOptions(w, cmd, { vary: false, runs: 3 }), capture().io);
    expect(same.exitStatus).toBe(0);
    expect(same.report.runs).toHaveLength(3);
    expect(same.report.runs[2].varied).toEqual({});
  });

  test('--artifacts: only what the globs select; an empty glob is reported; missing in one run differs', async () => {
    const w = tempDir();
    const state = join(tempDir(), 'ran-once');
    const cmd = ['sh', '-c', 'mkdir -p out; echo same > out/a.txt; echo noise > out/b.log; [ -e "$1" ] || { echo first > out/first-only.txt; touch "$1"; }', 'sh', state];
    const { exitStatus, report } = await verify(verifyOptions(w, cmd, { artifacts: ['out/*.txt', 'nothing/*.bin'] }), capture().io);
    expect(exitStatus).toBe(1);
    expect(report.artifacts.map((a) => [a.path, a.status])).toEqual([['out/a.txt', 'same'], ['out/first-only.txt', 'missing']]);
    expect(report.warnings).toContain('--artifacts nothing/*.bin matched no file in any run');
    expect(report.globs).toEqual([{ pattern: 'out/*.txt', matches: [2, 1] }, { pattern: 'nothing/*.bin', matches: [0, 0] }]);
    const only = await verify(verifyOptions(w, ['true'], { artifacts: ['nothing/**'] }), capture().io);
    expect(only.exitStatus).toBe(0);
    expect(only.report.artifacts).toEqual([]);
    expect(only.report.warnings).toEqual(expect.arrayContaining(['no artifacts: the globs matched nothing']));
  });

  test('--timeout without the tracer: the run is killed (124), a failed run', async () => {
    const w = tempDir();
    const t0 = Date.now();
    const { exitStatus, report } = await verify(verifyOptions(w, ['sh', '-c', 'sleep 30 & sleep 30'], { timeout: 0.5, runs: 1 }), capture().io);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(exitStatus).toBe(2);
    expect(report.runs[0]).toMatchObject({ exitCode: 124, timedOut: true });
  });

  test('diffoscope, when installed, adds its text diff with the run directories named run-N', async () => {
    const w = tempDir();
    const c = capture({ diffoscope: true });
    const { report } = await verify(verifyOptions(w, ['sh', '-c', 'printf "line one\\nrandom %s\\n" "$(od -An -N8 -tx8 /dev/urandom)" > out.txt']), c.io);
    const a = report.artifacts[0];
    expect(a.same).toBe(false);
    if (which('diffoscope') !== null) {
      expect(a.diffoscope?.text).toContain('--- run-1/out.txt');
      expect(a.diffoscope?.text).toContain('+++ run-2/out.txt');
      expect(a.diffoscope?.text).toMatch(/^-random +[0-9a-f]+$/m);
      expect(c.out()).toContain('  diffoscope:');
    } else {
      expect(a.diffoscope).toBeUndefined();
    }
  });

  test('tool errors are DetErrors: a bad work dir, a malformed glob', async () => {
    await expect(runVerify(verifyOptions('/nonexistent/dir', ['true']), capture().io)).rejects.toThrow(DetError);
    await expect(runVerify(verifyOptions(tempDir(), ['true'], { artifacts: ['out\\'] }), capture().io)).rejects.toThrow(/--artifacts: .*trailing backslash/);
  });
});

describe('the CLI: dettrace verify --no-trace', () => {
  test('exit statuses, --json and --markdown, progress on stderr, summary on stdout', () => {
    const w = tempDir();
    const out = tempDir();
    const r = spawnSync(process.execPath, [BIN, 'verify', '--no-trace', '--workdir', w, '--json', join(out, 'v.json'), '--markdown', join(out, 'v.md'), '--', 'sh', '-c', 'date +%s%N > stamp'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/stamp +[0-9a-f]{12} +[0-9a-f]{12} +DIFFERS at byte \d+/);
    expect(r.stderr).toMatch(/run 1\/2: running \(no tracer\) sh -c/);
    const json = JSON.parse(readFileSync(join(out, 'v.json'), 'utf8'));
    expect(json).toMatchObject({ version: 1, reproducible: false, exitStatus: 1 });
    expect(readFileSync(join(out, 'v.md'), 'utf8')).toMatch(/\| `stamp` \| `[0-9a-f]{12}` \| `[0-9a-f]{12}` \| \*\*differs\*\*/);
    expect(readdirSync(out).sort()).toEqual(['v.json', 'v.md']); // no temporary files left beside them

    const ok = spawnSync(process.execPath, [BIN, 'verify', '--no-trace', '--workdir', w, '--', 'sh', '-c', 'echo hi > f'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const bad = spawnSync(process.execPath, [BIN, 'verify', '--no-trace', '--workdir', w, '--artifacts', 'x\\', '--', 'true'], { encoding: 'utf8' });
    expect(bad.status).toBe(125);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^dettrace: --artifacts: /);
  });

  test('SIGINT stops the run, removes the temporary copies and exits 130', async () => {
    const w = tempDir();
    const marker = join(tempDir(), 'pwd');
    const child = spawn(process.execPath, [BIN, 'verify', '--no-trace', '--workdir', w, '--', 'sh', '-c', `pwd > ${marker}; sleep 60`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    const copy = readFileSync(marker, 'utf8').trim();
    expect(existsSync(copy)).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/dettrace: verify: interrupted by SIGINT; temporary files removed/);
    expect(existsSync(copy)).toBe(false);
  });
});

describe('the other examples without the tracer', () => {
  test('examples/cpuid differs natively too (exit 1): the built program executes RDRAND', async () => {
    const { exitStatus, report } = await verify(verifyOptions(join(EXAMPLES, 'cpuid'), ['make']), capture().io);
    expect(exitStatus).toBe(1);
    const cpu = report.artifacts.find((a) => a.path === 'out/cpu.txt')!;
    expect(cpu.causes?.map((c) => c.cause).join('\n')).toMatch(/out\/cpuinfo executes RDRAND\/RDSEED/);
  });

  test('examples/cproject is reproducible even natively (exit 0)', async () => {
    const { exitStatus, report } = await verify(verifyOptions(join(EXAMPLES, 'cproject'), ['make', '-j4']), capture().io);
    expect(report.artifacts.filter((a) => !a.same).map((a) => a.path)).toEqual([]);
    expect(exitStatus).toBe(0);
  });
});
