// The GitHub Action end to end: `node dist/index.js` run exactly as a runner runs it (see
// action-util.ts), image: none, on the repository's examples. examples/shell is reproducible
// under the tracer; examples/cpuid stays nondeterministic on a host without CPUID faulting
// (it runs RDRAND), so it differs in every verify here.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { cleanupTemps, expectExit, node24, ROOT, runAction, tempDir, type ActionResult } from './action-util.js';

afterAll(cleanupTemps);

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const base = { image: 'none', diffoscope: 'false' };
const shell = { ...base, run: 'sh build.sh', 'working-directory': 'examples/shell' };
const cpuid = { ...base, run: 'make', 'working-directory': 'examples/cpuid' };

function reportOf(r: ActionResult): { version: number; reproducible: boolean; digest: string; artifacts: { path: string; same: boolean; hashes: string[] }[]; runs: { report: { guarantees: Record<string, string> } | null }[] } {
  return JSON.parse(readFileSync(r.outputs.report, 'utf8'));
}

function unavailableOnHost(r: ActionResult): string[] {
  const g = reportOf(r).runs[0].report?.guarantees ?? {};
  return Object.entries(g).filter(([, s]) => s === 'unavailable-on-host').map(([k]) => k);
}

describe('mode: verify, image: none', () => {
  let shellRun: ActionResult;
  beforeAll(async () => {
    shellRun = await runAction(shell);
  });

  test('examples/shell is reproducible: outputs, no error, summary', () => {
    const r = shellRun;
    expect(r.code).toBe(0);
    expect(r.errors).toEqual([]);
    expect(r.outputs.reproducible).toBe('true');
    expect(r.outputs.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(r.outputs.differing)).toEqual([]);
    const report = reportOf(r);
    expect(report.version).toBe(1);
    expect(report.reproducible).toBe(true);
    expect(report.digest).toBe(r.outputs.digest);
    expect(report.artifacts.map((a) => a.path)).toContain('out/release.tar.gz');
    // the manifest: sorted "sha256  path" lines whose sha256 is the digest
    const manifest = readFileSync(r.outputs.manifest);
    expect(sha256(manifest)).toBe(r.outputs.digest);
    expect(manifest.toString()).toMatch(/^[0-9a-f]{64} {2}out\/BUILDINFO\n/);
    expect(existsSync(join(dirname(r.outputs.manifest), 'machine.json'))).toBe(true);
    // the report lives in RUNNER_TEMP, not in the work dir
    expect(r.outputs.report.startsWith(r.runnerTemp)).toBe(true);
    expect(existsSync(join(ROOT, 'examples', 'shell', 'out'))).toBe(false);
  });

  test('log groups per run, the engine summary shown verbatim (commands off)', () => {
    const groups = shellRun.commands.filter((c) => c.command === 'group').map((c) => c.message);
    expect(groups).toEqual(['Run 1 of 2', 'Run 2 of 2', 'Compare artifacts']);
    expect(shellRun.stdout).toMatch(/::stop-commands::(\S+)\n[\s\S]*REPRODUCIBLE: 6 artifacts identical across 2 runs[\s\S]*\n::\1::\n/);
  });

  test('the job summary: verdict, artifacts with hashes per run, guarantees, timings, image', () => {
    const s = shellRun.summary;
    expect(s).toMatch(/reproducible — 6 artifacts identical in 2 runs/);
    expect(s).toContain('<th>Artifact</th><th>Run 1</th><th>Run 2</th><th>Result</th>');
    const row = /<tr><td><code>out\/release\.tar\.gz<\/code><\/td><td><code>([0-9a-f]{12})<\/code><\/td><td><code>([0-9a-f]{12})<\/code><\/td><td>same<\/td><\/tr>/.exec(s);
    expect(row).not.toBeNull();
    expect(row![1]).toBe(row![2]);
    expect(s).toContain('### What this runner determinized');
    expect(s).toMatch(/<code>time<\/code><\/td><td>✅ determinized/);
    expect(s).toContain('### Runs');
    expect(s).toContain('### Image');
    expect(s).toContain(shellRun.outputs.digest);
  });

  test('one warning per source this runner cannot hide, and no more than 10', () => {
    const hidden = unavailableOnHost(shellRun);
    expect(shellRun.warnings.length).toBe(Math.min(10, hidden.length));
    for (const src of hidden.slice(0, 10)) {
      expect(shellRun.warnings.some((w) => w.props.title === `dettrace: ${src} cannot be determinized on this runner`)).toBe(true);
    }
    // no cache warning: image none caches nothing
    expect(shellRun.warnings.some((w) => /cache/i.test(w.props.title ?? ''))).toBe(false);
  });

  test('examples/cpuid differs: one ::error file= per differing artifact, step failed', async () => {
    const r = await runAction(cpuid);
    expect(r.code).toBe(1);
    expect(r.outputs.reproducible).toBe('false');
    const differing = JSON.parse(r.outputs.differing) as string[];
    expect(differing).toContain('out/cpu.txt');
    expect(differing).not.toContain('out/cpuinfo'); // the program itself is the same
    const withFile = r.errors.filter((e) => e.props.file !== undefined);
    expect(withFile.map((e) => e.props.file).sort()).toEqual(differing.map((p) => `examples/cpuid/${p}`).sort());
    const cpu = withFile.find((e) => e.props.file === 'examples/cpuid/out/cpu.txt')!;
    expect(cpu.props.title).toBe('Not reproducible: out/cpu.txt differs between runs');
    expect(cpu.message).toMatch(/first differ at byte \d+/);
    expect(cpu.message).toMatch(/Likely cause: .*RDRAND/);
    // the failure itself: one more error, without a file
    const failure = r.errors.filter((e) => e.props.file === undefined);
    expect(failure).toHaveLength(1);
    expect(failure[0].message).toMatch(/^dettrace: not reproducible: 1 of 2 artifacts differ across 2 runs \(out\/cpu\.txt\)/);
    expect(r.errors.length).toBeLessThanOrEqual(10);
    expect(r.summary).toMatch(/not reproducible — 1 of 2 artifacts differ in 2 runs/);
    expect(r.summary).toContain('### Why they differ');
    expect(r.summary).toMatch(/<b>likely cause<\/b>: RDRAND/);
    expect(r.summary).toMatch(/<code>cpuid<\/code><\/td><td>⚠️ unavailable on this host/);
  }, 60_000);

  test('fail-on-nondeterminism: false annotates the same and the step succeeds', async () => {
    const r = await runAction({ ...cpuid, 'fail-on-nondeterminism': 'false', runs: '3' });
    expect(r.code).toBe(0);
    expect(r.outputs.reproducible).toBe('false');
    expect(r.errors.map((e) => e.props.file)).toEqual(['examples/cpuid/out/cpu.txt']);
    expect(r.summary).toContain('<th>Run 1</th><th>Run 2</th><th>Run 3</th>');
  }, 60_000);

  test('artifacts globs select what is compared', async () => {
    const r = await runAction({ ...cpuid, artifacts: 'out/cpuinfo\n# the program only' });
    expectExit(r, 0);
    expect(r.outputs.reproducible).toBe('true');
    expect(reportOf(r).artifacts.map((a) => a.path)).toEqual(['out/cpuinfo']);
  }, 60_000);

  test('a build that fails in every run fails the step, whatever fail-on-nondeterminism says', async () => {
    const r = await runAction({ ...base, run: 'echo boom >&2; exit 3', 'working-directory': 'examples/shell', 'fail-on-nondeterminism': 'false' });
    expect(r.code).toBe(1);
    const runErrors = r.errors.filter((e) => /^Run \d of 2 failed \(exit 3\)$/.test(e.props.title ?? ''));
    expect(runErrors).toHaveLength(2);
    expect(runErrors[0].message).toContain('boom');
    expect(r.errors.at(-1)!.message).toMatch(/^dettrace: the build failed in every run/);
  }, 60_000);
});

describe('bad inputs: one failure line, nothing run', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['runs: -1', { ...shell, runs: '-1' }, /^dettrace: bad input: runs: "-1" is not a whole number >= 1$/],
    ['run missing', { ...base, 'working-directory': 'examples/shell' }, /^dettrace: bad input: run: required/],
    ['several at once', { ...shell, runs: 'two', vary: 'yes', epoch: '-5', image: 'Not An Image' },
      /^dettrace: bad input: runs: .*; image: .*; epoch: .*; vary: "yes" is not a boolean/],
    ['a working directory that does not exist', { ...shell, 'working-directory': 'examples/nope' }, /working-directory: examples\/nope: no such directory/],
    ['an unknown mode', { ...shell, mode: 'check' }, /mode: "check" is not one of verify, record, compare/],
    ['suite without image: build', { ...shell, suite: 'trixie' }, /suite: only used with image: build/],
    ['a bad package name', { ...shell, image: 'build', packages: 'gcc Bad_Name' }, /package "Bad_Name": not a Debian package name/],
    ['manifests with mode: verify', { ...shell, manifests: 'm/*.txt' }, /manifests: only used with mode: compare/],
    ['compare without manifests', { mode: 'compare' }, /manifests: required with mode: compare/],
    ['compare with a build input', { mode: 'compare', manifests: 'x', run: 'make' }, /run: not used with mode: compare/],
  ];
  test.each(cases)('%s', async (_name, inputs, message) => {
    const r = await runAction(inputs);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toMatch(message);
    expect(r.errors[0].message).not.toContain('\n');
    expect(r.outputs).toEqual({});
    expect(r.stdout).not.toContain('::group::');
  });
});

describe('mode: record, then mode: compare', () => {
  /** Record in `jobs` separate "jobs", then lay the manifests out as download-artifact does. */
  async function recordJobs(inputs: Record<string, string>, jobs: string[]): Promise<{ ws: string; digests: string[] }> {
    const ws = tempDir('det-action-compare-');
    const digests: string[] = [];
    for (const job of jobs) {
      const r = await runAction({ ...inputs, mode: 'record', runs: '1' }, { env: { ImageOS: job } });
      expectExit(r, 0);
      expect(r.outputs.manifest).toBeTruthy();
      const dir = join(ws, 'manifests', `manifest-${job}`);
      mkdirSync(dir, { recursive: true });
      expect(dirname(r.outputs.manifest)).toBe(r.outputs.directory);
      for (const f of ['manifest.txt', 'machine.json', 'report.json', 'report.md']) copyFileSync(join(r.outputs.directory, f), join(dir, f));
      expect(sha256(readFileSync(join(dir, 'manifest.txt')))).toBe(r.outputs.digest);
      digests.push(r.outputs.digest);
    }
    return { ws, digests };
  }

  test('record writes the manifest and machine.json; 1 run records without comparing', async () => {
    const r = await runAction({ ...shell, mode: 'record', runs: '1' });
    expect(r.code).toBe(0);
    const machine = JSON.parse(readFileSync(join(dirname(r.outputs.manifest), 'machine.json'), 'utf8'));
    expect(machine).toMatchObject({ version: 1, digest: r.outputs.digest, runs: 1, image: { kind: 'none' }, workingDirectory: 'examples/shell' });
    expect(r.summary).toMatch(/6 artifacts recorded \(1 run: nothing compared\)/);
    expect(r.commands.filter((c) => c.command === 'group').map((c) => c.message)).toEqual(['Run 1 of 1', 'Compare artifacts']);
  });

  test('identical manifests (examples/shell on two "machines"): reproducible', async () => {
    const { ws, digests } = await recordJobs(shell, ['ubuntu22', 'ubuntu24']);
    expect(digests[0]).toBe(digests[1]);
    for (const manifests of ['manifests', 'manifests/*/manifest.txt', 'manifests/manifest-ubuntu22/manifest.txt\nmanifests/manifest-ubuntu24/manifest.txt']) {
      const r = await runAction({ mode: 'compare', manifests }, { workspace: ws });
      expectExit(r, 0);
      expect(r.errors).toEqual([]);
      expect(r.outputs.reproducible).toBe('true');
      expect(r.outputs.digest).toBe(digests[0]);
      expect(JSON.parse(r.outputs.differing)).toEqual([]);
      expect(r.outputs.manifest).toBeUndefined();
      const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'));
      expect(report).toMatchObject({ version: 1, mode: 'compare', reproducible: true, digest: digests[0] });
      expect(report.runs.map((x: { label: string }) => x.label)).toEqual(['manifest-ubuntu22', 'manifest-ubuntu24']);
      expect(r.summary).toMatch(/reproducible across machines — 6 artifacts identical in 2 manifests/);
      expect(r.summary).toContain('<th>Artifact</th><th>manifest-ubuntu22</th><th>manifest-ubuntu24</th><th>Result</th>');
    }
  }, 90_000);

  test('differing manifests (examples/cpuid): one error per differing artifact, on its path', async () => {
    const { ws } = await recordJobs(cpuid, ['a', 'b']);
    const r = await runAction({ mode: 'compare', manifests: 'manifests/*/manifest.txt' }, { workspace: ws });
    expect(r.code).toBe(1);
    expect(r.outputs.reproducible).toBe('false');
    expect(JSON.parse(r.outputs.differing)).toEqual(['out/cpu.txt']);
    const withFile = r.errors.filter((e) => e.props.file !== undefined);
    expect(withFile).toHaveLength(1);
    expect(withFile[0].props.file).toBe('examples/cpuid/out/cpu.txt');
    expect(withFile[0].props.title).toBe('Not reproducible across machines: out/cpu.txt');
    expect(withFile[0].message).toMatch(/manifest-a: [0-9a-f]{12}; manifest-b: [0-9a-f]{12}/);
    expect(r.errors.filter((e) => e.props.file === undefined)[0].message).toMatch(/^dettrace: not reproducible across machines: 1 of 2 artifacts differ between 2 manifests/);
    expect(r.summary).toContain('### Manifests');
  }, 90_000);

  test('compare: a missing manifest or a broken one is one failure line', async () => {
    const ws = tempDir('det-action-compare-bad-');
    mkdirSync(join(ws, 'm1'));
    mkdirSync(join(ws, 'm2'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(ws, 'm1', 'manifest.txt'), `${'a'.repeat(64)}  out/x\n`);
    writeFileSync(join(ws, 'm2', 'manifest.txt'), 'not a manifest\n');
    let r = await runAction({ mode: 'compare', manifests: 'm1/manifest.txt\nnothing/*.txt' }, { workspace: ws });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/^dettrace: manifests: nothing\/\*\.txt matches no file/);
    expect(r.summary).toMatch(/^## ❌ dettrace could not verify this build\n\n<p>dettrace: manifests: nothing\/\*\.txt matches no file/);
    r = await runAction({ mode: 'compare', manifests: 'm1\nm2' }, { workspace: ws });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/^dettrace: manifests: m2\/manifest\.txt:1: not a manifest line/);
    r = await runAction({ mode: 'compare', manifests: 'm1' }, { workspace: ws });
    expect(r.errors[0].message).toMatch(/found 1 manifest .*comparing needs two or more/);
  });
});

describe('under node 24, as GitHub runs node24 actions', () => {
  test('examples/shell gives the same outputs as under this node', async () => {
    const ref = await runAction(shell);
    const r = await runAction(shell, { node: node24() });
    expectExit(r, 0);
    expect(r.outputs.reproducible).toBe('true');
    expect(r.outputs.digest).toBe(ref.outputs.digest);
    expect(r.stdout).toContain('::group::Run 1 of 2');
  });
});
