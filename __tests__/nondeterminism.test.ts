// The nondeterminism suite (issue 3): every program in tests/nondet/manifest.json
//   1. natively, on two (up to four) differently set-up hosts in fresh work dirs: it must
//      exit 0, have the expected shape, and print something different at least once -- a
//      case that is deterministic natively proves nothing and is a bug in the suite;
//   2. under `dettrace` twice, the second time on a host that differs in everything a
//      build must not depend on: work-dir path (short vs. long), environment (extra
//      variables, HOME, LANG, TZ, USER), umask (022 vs. 077), hostname (a UTS namespace),
//      supplementary groups, CPU affinity (`taskset -c 0`), PIDs in use (processes started
//      before), wall time (at least a second later) and the creation order of the inputs
//      (forward vs. reverse; work dirs are on tmpfs, where that order is readdir's order).
//      Both runs must exit 0, print byte-identical stdout, and have the native shape (plus
//      the case's `traced` checks: what det promises beyond a native run, e.g. cwd /build).
//
// Cases run two at a time in the background from beforeAll; each case's two tests wait for
// its outcome. A missing tool fails its case (or the whole suite, for cc and the variation
// tools); nothing is skipped. DET_NONDET_ONLY=<regex> restricts the suite to matching ids;
// DET_NONDET_SUMMARY=<file> writes a Markdown table of the results there.
import { writeFileSync } from 'node:fs';

import { describeResult } from './helpers/cli.js';
import {
  cleanupNondet,
  compileAll,
  firstDifference,
  hosts,
  limiter,
  loadManifest,
  removeWorkDirs,
  requireCaseTools,
  requireVariationTools,
  runNativeOn,
  runTracedOn,
  shapeProblems,
  sleep,
  type CaseRun,
  type NondetCase,
} from './helpers/nondet.js';

const manifest = loadManifest();
const only = process.env.DET_NONDET_ONLY ? new RegExp(process.env.DET_NONDET_ONLY) : undefined;
const CASES = manifest.cases.filter((c) => !only || only.test(c.id));

const CONCURRENCY = 2;
/** how much later than the first traced run the second one starts, at least */
const WALL_GAP_MS = 1100;
/** per test: a case may wait behind others in the queue */
const TEST_TIMEOUT_MS = 400_000;

interface Outcome {
  /** set when the case could not run at all (missing tool, setup failure) */
  error?: string;
  native: CaseRun[];
  traced: CaseRun[];
}

const outcomes = new Map<string, Promise<Outcome>>();
let binDir = '';

/**
 * Native runs on hosts A, B, C, then A', B', C', A'', B'' until two outputs differ; from the
 * third on, each starts in a later second. The later ones only run when the first ones
 * agree: a race decided the same way several times on a loaded machine.
 */
async function runNative(c: NondetCase): Promise<CaseRun[]> {
  const h = hosts();
  const h2 = hosts();
  const h3 = hosts();
  const order = [h.A, h.B, h.C, h2.A, h2.B, h2.C, h3.A, h3.B];
  const runs: CaseRun[] = [];
  for (const host of order) {
    if (runs.length >= 2) await sleep(runs[runs.length - 1].startedAt + WALL_GAP_MS - Date.now());
    runs.push(await runNativeOn(c, host, binDir, manifest.tree));
    if (runs.length >= 2 && new Set(runs.map((r) => r.stdout)).size > 1) break;
  }
  return runs;
}

async function runCase(c: NondetCase): Promise<Outcome> {
  try {
    requireCaseTools(c);
    const native = await runNative(c);
    const h = hosts();
    const first = await runTracedOn(c, h.A, binDir, manifest.tree);
    await sleep(first.startedAt + WALL_GAP_MS - Date.now());
    const second = await runTracedOn(c, h.B, binDir, manifest.tree);
    removeWorkDirs([...native, first, second]);
    return { native, traced: [first, second] };
  } catch (e) {
    return { error: (e as Error).stack ?? String(e), native: [], traced: [] };
  }
}

function guaranteeStatus(c: NondetCase, runs: CaseRun[]): string {
  const g = runs.find((r) => r.report?.guarantees)?.report?.guarantees;
  return c.guarantees.map((name) => `${name}: ${g ? (g[name] ?? 'not in the run report') : '(no run report)'}`).join(', ');
}

const summary = new Map<string, { native: string; traced: string }>();

beforeAll(() => {
  requireVariationTools(); // taskset, unshare (with privilege), setpriv, ...: the suite cannot vary the host without them
  binDir = compileAll(CASES); // cc, once, natively
  const limit = limiter(CONCURRENCY);
  for (const c of CASES) outcomes.set(c.id, limit(() => runCase(c)));
}, 120_000);

afterAll(async () => {
  await Promise.all(outcomes.values()); // nothing still running when the temp dirs go
  cleanupNondet();
  const file = process.env.DET_NONDET_SUMMARY;
  if (file) {
    const rows = CASES.map((c) => {
      const s = summary.get(c.id) ?? { native: '?', traced: '?' };
      return `| ${c.id} | ${c.category} | ${c.lang} | ${s.native} | ${s.traced} | ${c.guarantees.join(', ')} |`;
    });
    writeFileSync(
      file,
      ['| case | category | lang | native nondeterministic | det: identical + sane | depends on |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n',
    );
  }
}, TEST_TIMEOUT_MS);

function note(id: string, key: 'native' | 'traced', value: string): void {
  const s = summary.get(id) ?? { native: '?', traced: '?' };
  s[key] = value;
  summary.set(id, s);
}

test('the manifest lists at least 60 cases over every source and language, with unique ids', () => {
  const all = manifest.cases;
  expect(all.length).toBeGreaterThanOrEqual(60);
  expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  for (const cat of ['time', 'file-metadata', 'directory-order', 'randomness', 'cpu', 'identity', 'scheduling', 'network', 'tools']) {
    expect(all.filter((c) => c.category === cat).length).toBeGreaterThanOrEqual(3);
  }
  for (const lang of ['c', 'sh', 'python', 'perl', 'node']) expect(all.filter((c) => c.lang === lang).length).toBeGreaterThanOrEqual(5);
  for (const named of ['date', 'ls -l --full-time', 'tar czf', 'zip', 'gcc with __DATE__', 'git commit', 'python random/uuid', 'Node Math.random() and os.cpus()']) {
    expect(all.filter((c) => c.named === named).map((c) => c.id)).toHaveLength(1);
  }
});

describe.each(CASES.map((c) => [c.id, c] as const))('%s', (id, c) => {
  test(
    `natively nondeterministic and sane (${c.category}: ${c.what})`,
    async () => {
      const o = await outcomes.get(id)!;
      if (o.error) {
        note(id, 'native', 'ERROR');
        throw new Error(`${id} could not run: ${o.error}`);
      }
      const problems: string[] = [];
      for (const r of o.native) {
        if (r.code !== 0 || r.timedOut) problems.push(`native run on host ${r.host} failed: ${describeResult(r)}`);
        const shape = shapeProblems(r.stdout, c.shape, o.native[0].stdout);
        if (shape.length) problems.push(`native run on host ${r.host} has the wrong shape: ${shape.join('; ')}\n${describeResult(r)}`);
      }
      const distinct = new Set(o.native.map((r) => r.stdout)).size;
      if (distinct < 2) {
        problems.push(
          `${id} printed the same output in ${o.native.length} native runs (hosts ${o.native.map((r) => r.host).join(', ')}): ` +
            `it does not exercise nondeterminism\n${describeResult(o.native[0])}`,
        );
      }
      note(id, 'native', problems.length ? 'FAIL' : `yes (${o.native.length} runs)`);
      if (problems.length) throw new Error(problems.join('\n\n'));
    },
    TEST_TIMEOUT_MS,
  );

  test(
    `identical and sane under det on two different hosts (needs: ${c.guarantees.join(', ')})`,
    async () => {
      const o = await outcomes.get(id)!;
      if (o.error) {
        note(id, 'traced', 'ERROR');
        throw new Error(`${id} could not run: ${o.error}`);
      }
      const [r1, r2] = o.traced;
      const problems: string[] = [];
      for (const r of o.traced) {
        if (r.code !== 0 || r.timedOut) problems.push(`traced run on host ${r.host} did not exit 0: ${describeResult(r)}`);
      }
      if (r1.stdout !== r2.stdout) {
        problems.push(`the two traced runs differ at ${firstDifference(r1.stdout, r2.stdout)}`);
      }
      const nativeRef = o.native[0]?.stdout ?? '';
      for (const r of o.traced) {
        const shape = [...shapeProblems(r.stdout, c.shape, nativeRef), ...(c.traced ? shapeProblems(r.stdout, c.traced, nativeRef, true) : [])];
        if (shape.length) problems.push(`traced run on host ${r.host} is not sane: ${shape.join('; ')}`);
      }
      note(id, 'traced', problems.length ? 'FAIL' : 'PASS');
      if (problems.length) {
        throw new Error(
          `${id} (${c.what}) is not determinized. It depends on: ${guaranteeStatus(c, o.traced)}\n\n` +
            problems.join('\n\n') +
            `\n\n--- traced run A ---\n${describeResult(r1, 2500)}\n\n--- traced run B ---\n${describeResult(r2, 2500)}`,
        );
      }
    },
    TEST_TIMEOUT_MS,
  );
});
