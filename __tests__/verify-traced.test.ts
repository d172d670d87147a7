// End-to-end verify under the tracer (needs build/Release/dettrace-tracer: npm run
// build:native). The three examples say the right thing: timestamp and cproject are
// identical, cpuid differs and the cause comes from the run reports (no CPUID faulting on
// this host); the varied host (path, host name, HOME, TZ, umask) does not leak into a
// traced build; run reports are attached and passed through --report.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { verify } from '../src/verify/index.js';
import { capture, cleanupTemps, EXAMPLES, tempDir, verifyOptions } from './verify-util.js';

afterAll(cleanupTemps);

const traced = (workdir: string, command: string[], extra = {}) => verifyOptions(workdir, command, { trace: true, ...extra });

describe('verify (traced)', () => {
  test('examples/timestamp: identical under the tracer (exit 0)', async () => {
    const c = capture();
    const { exitStatus, report } = await verify(traced(join(EXAMPLES, 'timestamp'), ['make']), c.io);
    expect(report.artifacts.filter((a) => !a.same).map((a) => `${a.path}: ${a.cause}`)).toEqual([]);
    expect(exitStatus).toBe(0);
    expect(report.artifacts.map((a) => a.path)).toEqual(['out/buildinfo.txt', 'out/buildinfo.txt.gz', 'out/release.tar.gz', 'out/stamp']);
    for (const run of report.runs) {
      expect(run.report?.version).toBe(1);
      expect(run.report?.exitCode).toBe(0);
    }
    expect(c.out()).toMatch(/REPRODUCIBLE: 4 artifacts identical across 2 runs/);
  });

  test('examples/cpuid: differs under the tracer, and the cause is the host (exit 1)', async () => {
    const { exitStatus, report } = await verify(traced(join(EXAMPLES, 'cpuid'), ['make']), capture().io);
    expect(exitStatus).toBe(1);
    const cpu = report.artifacts.find((a) => a.path === 'out/cpu.txt')!;
    expect(cpu.same).toBe(false);
    expect(cpu.firstDifference?.context?.[0]).toMatch(/rdrand: +[0-9a-f]/);
    expect(report.artifacts.find((a) => a.path === 'out/cpuinfo')?.same).toBe(true);
    // the run reports say what this host cannot hide, and the cause says it
    const g = report.runs[0].report?.guarantees ?? {};
    expect(g.rdrand).toBe('unavailable-on-host');
    expect(g.cpuid).toBe('unavailable-on-host');
    expect(cpu.cause).toMatch(/RDRAND\/RDSEED cannot be hidden on this host/);
    expect(cpu.causes?.map((x) => x.cause).join('\n')).toMatch(/CPUID faulting unavailable on this host: the build may embed CPU features/);
    expect(report.hostLimits.map((h) => h.source)).toEqual(expect.arrayContaining(['cpuid', 'rdrand']));
  });

  test('examples/cproject: the reproducible one (exit 0)', async () => {
    const { exitStatus, report } = await verify(traced(join(EXAMPLES, 'cproject'), ['make', '-j4']), capture().io);
    expect(report.artifacts.filter((a) => !a.same).map((a) => a.path)).toEqual([]);
    expect(exitStatus).toBe(0);
    expect(report.artifacts.length).toBeGreaterThan(10);
  });

  test('the varied host does not leak into a traced build; --report gets each run report', async () => {
    const w = tempDir();
    const out = tempDir();
    const cmd = ['sh', '-c', 'pwd > pwd.txt; hostname > host.txt; echo "$HOME $TZ $LANG" > env.txt; umask > umask.txt; date > date.txt; ls -f / > root.txt'];
    const { exitStatus, report } = await verify(traced(w, cmd, { report: join(out, 'run.json') }), capture().io);
    expect(report.artifacts.filter((a) => !a.same).map((a) => `${a.path}: ${a.cause}`)).toEqual([]);
    expect(exitStatus).toBe(0);
    expect(report.artifacts).toHaveLength(6);
    const r1 = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    const r2 = JSON.parse(readFileSync(join(out, 'run.run2.json'), 'utf8'));
    expect(r1.version).toBe(1);
    expect(r2.version).toBe(1);
    expect(report.runs[0].report).toEqual(r1);
  });

  test('a traced build that fails in every run: exit 2 with the exit statuses', async () => {
    const w = tempDir();
    const { exitStatus, report } = await verify(traced(w, ['sh', '-c', 'echo broken >&2; exit 3']), capture().io);
    expect(exitStatus).toBe(2);
    expect(report.runs.map((r) => r.exitCode)).toEqual([3, 3]);
    expect(report.runs[0].logTail).toContain('broken');
    expect(existsSync(join(w, 'out'))).toBe(false);
  });
});
