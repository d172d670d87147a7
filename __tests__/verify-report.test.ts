// Reports: the verify report's JSON shape (SPEC §3: version, reproducible, runs[{exitCode,
// durationMs, report}], artifacts[{path, hashes, same}], digest), the Markdown summary,
// the terminal summary, the digest, and atomic writes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { perRunFile, verify } from '../src/verify/index.js';
import { Progress } from '../src/verify/progress.js';
import { manifestDigest, manifestLine, writeAtomic, type FullVerifyReport } from '../src/verify/report-json.js';
import { cell, code, renderMarkdown } from '../src/verify/report-markdown.js';
import { renderSummary } from '../src/verify/summary.js';
import { capture, cleanupTemps, sh, tempDir, verifyOptions } from './verify-util.js';

afterAll(cleanupTemps);

const HEX64 = /^[0-9a-f]{64}$/;

describe('verify report JSON (SPEC §3)', () => {
  let report: FullVerifyReport;
  let jsonText: string;
  let markdown: string;
  let summary: string;

  beforeAll(async () => {
    const w = tempDir();
    writeFileSync(join(w, 'input'), 'in\n');
    const out = tempDir();
    const c = capture();
    const cmd = ['sh', '-c', 'mkdir -p out && cp input out/copy && head -c 16 /dev/urandom > out/random.bin && echo "a|b" > "out/pipe|name"'];
    const r = await verify(verifyOptions(w, cmd, { json: join(out, 'report.json'), markdown: join(out, 'report.md') }), c.io);
    report = r.report;
    jsonText = readFileSync(join(out, 'report.json'), 'utf8');
    markdown = readFileSync(join(out, 'report.md'), 'utf8');
    summary = c.out();
    expect(r.exitStatus).toBe(1);
  });

  test('the fixed fields, with their types', () => {
    const j = JSON.parse(jsonText);
    expect(j.version).toBe(1);
    expect(j.reproducible).toBe(false);
    expect(j.digest).toMatch(HEX64);
    expect(j.runs).toHaveLength(2);
    for (const run of j.runs) {
      expect(typeof run.exitCode).toBe('number');
      expect(typeof run.durationMs).toBe('number');
      expect(run).toHaveProperty('report');
      expect(run.report).toBeNull(); // --no-trace: no run report
    }
    expect(j.artifacts.map((a: { path: string }) => a.path)).toEqual(['out/copy', 'out/pipe|name', 'out/random.bin']);
    for (const a of j.artifacts) {
      expect(typeof a.path).toBe('string');
      expect(a.hashes).toHaveLength(2);
      for (const h of a.hashes) expect(h).toMatch(HEX64);
      expect(typeof a.same).toBe('boolean');
    }
    expect(j.artifacts.map((a: { same: boolean }) => a.same)).toEqual([true, true, false]);
    expect(jsonText.endsWith('\n')).toBe(true);
    expect(JSON.parse(jsonText)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  test('added fields: what differs, where, why, what was varied', () => {
    const rnd = report.artifacts.find((a) => a.path === 'out/random.bin')!;
    expect(rnd.status).toBe('differs');
    expect(rnd.firstDifference?.runs).toEqual([1, 2]);
    expect(rnd.firstDifference?.sizes).toEqual([16, 16]);
    expect(rnd.cause).toBeDefined();
    expect(rnd.causes!.length).toBeGreaterThan(0);
    expect(report.runs[1].varied).toMatchObject({ umask: '0002', tz: 'DET-14' });
    expect(report.runs[0].changes).toEqual({ created: 3, changed: 0, deleted: 0 });
    expect(report.summary).toEqual({ artifacts: 3, same: 2, differing: 1, missing: 0, failedRuns: [] });
    expect(report.exitStatus).toBe(1);
    expect(report.trace).toBe(false);
    expect(report.findings[0].artifacts).toEqual(['out/random.bin']);
  });

  test('digest: sha256 over run 1\'s sorted manifest, as sha256sum would print it', () => {
    const lines = report.artifacts.map((a) => manifestLine(a.hashes[0]!, a.path)).join('');
    expect(report.digest).toBe(sh('sha256sum', [], { input: lines }).slice(0, 64));
    expect(manifestDigest([{ path: 'b', sha256: 'x' }, { path: 'a', sha256: 'y' }, { path: 'c', sha256: null }]))
      .toBe(sh('sha256sum', [], { input: 'y  a\nx  b\n' }).slice(0, 64));
  });

  test('Markdown: verdict, runs, one row per artifact (escaped), differences', () => {
    expect(markdown).toMatch(/^# ❌ dettrace verify: NOT REPRODUCIBLE: 1 of 3 artifacts differ/);
    expect(markdown).toContain('| run | exit | duration | host setup |');
    expect(markdown).toContain('| artifact | run 1 | run 2 |  |');
    const h = (p: string, i: number) => report.artifacts.find((a) => a.path === p)!.hashes[i]!.slice(0, 12);
    expect(markdown).toContain(`| \`out/copy\` | \`${h('out/copy', 0)}\` | \`${h('out/copy', 1)}\` | same |`);
    expect(markdown).toContain(`| \`out/pipe\\|name\` | `);
    expect(markdown).toMatch(/\| `out\/random.bin` \| `[0-9a-f]{12}` \| `[0-9a-f]{12}` \| \*\*differs\*\* at byte \d+ \|/);
    expect(markdown).toContain('### `out/random.bin`');
    expect(markdown).toContain('- **Likely cause:** ');
    expect(markdown).toContain(`Digest of run 1's artifacts: \`${report.digest}\``);
  });

  test('terminal summary: a table and the verdict', () => {
    expect(summary).toMatch(/^run 1\/2: exit 0 in \d+\.\ds/);
    expect(summary).toMatch(/ARTIFACT +RUN 1 +RUN 2 +RESULT/);
    expect(summary).toMatch(/out\/copy +[0-9a-f]{12} +[0-9a-f]{12} +same/);
    expect(summary).toMatch(/out\/random.bin +[0-9a-f]{12} +[0-9a-f]{12} +DIFFERS at byte \d+/);
    expect(summary).toMatch(/likely cause: /);
    expect(summary.trimEnd().split('\n').pop()).toBe('NOT REPRODUCIBLE: 1 of 3 artifacts differ across 2 runs (exit 1)');
  });

  test('summary and Markdown of a synthetic reproducible report with many artifacts', () => {
    const many: FullVerifyReport = {
      ...report,
      reproducible: true, exitStatus: 0, verdict: 'REPRODUCIBLE: 300 artifacts identical across 2 runs, digest x (exit 0)',
      artifacts: Array.from({ length: 300 }, (_, i) => ({
        path: `f${String(i).padStart(3, '0')}`, hashes: ['a'.repeat(64), 'a'.repeat(64)], same: true, status: 'same' as const, kind: 'file' as const, sizes: [1, 1],
      })),
      findings: [], warnings: ['a warning'],
    };
    const s = renderSummary(many);
    expect(s).toContain('… and 250 more identical artifacts');
    expect(s).toContain('warning: a warning');
    const md = renderMarkdown(many);
    expect(md).toMatch(/^# ✅ /);
    expect(md).toContain('| … 100 more identical artifacts |');
    expect(md).toContain('> **Warning:** a warning');
  });
});

describe('helpers', () => {
  test('writeAtomic replaces the file and leaves no temporary file', async () => {
    const d = tempDir();
    const f = join(d, 'r.json');
    writeFileSync(f, 'old');
    await writeAtomic(f, 'new\n');
    expect(readFileSync(f, 'utf8')).toBe('new\n');
    expect(readdirSync(d)).toEqual(['r.json']);
    await expect(writeAtomic(join(d, 'no/such/dir/r.json'), 'x')).rejects.toThrow();
    expect(existsSync(join(d, 'no'))).toBe(false);
  });

  test('per-run file names', () => {
    expect(perRunFile('/x/report.json', 1)).toBe('/x/report.json');
    expect(perRunFile('/x/report.json', 2)).toBe('/x/report.run2.json');
    expect(perRunFile('/x/log', 3)).toBe('/x/log.run3');
    expect(perRunFile('/x.d/log', 2)).toBe('/x.d/log.run2');
  });

  test('Markdown escaping', () => {
    expect(cell('a|b\nc')).toBe('a\\|b<br>c');
    expect(code('a`b')).toBe('``a`b``');
    expect(code('x')).toBe('`x`');
  });
});

describe('progress', () => {
  test('off a terminal: one plain line per step start and end', () => {
    let text = '';
    const p = new Progress({ write: (t: string) => (text += t), isTTY: false });
    p.step('run 1/2: running make');
    p.note('  | some output');
    p.done('run 1/2: exit 0 in 0.1s');
    p.stop();
    expect(text).toBe('run 1/2: running make …\n  | some output\nrun 1/2: exit 0 in 0.1s\n');
  });

  test('on a terminal: a live line with the elapsed time, redrawn, then replaced by the result', async () => {
    let text = '';
    const p = new Progress({ write: (t: string) => (text += t), isTTY: true, columns: 60 });
    p.step('run 1/2: tracing make');
    await new Promise((r) => setTimeout(r, 450));
    p.done('run 1/2: exit 0 in 0.4s');
    p.stop();
    const draws = text.split('\r\x1b[K').filter((x) => x.startsWith('run 1/2: tracing make … '));
    expect(draws.length).toBeGreaterThanOrEqual(2);
    expect(draws[draws.length - 1]).toMatch(/… 0\.[3-9]s \(total \d\.\ds\)$/);
    expect(text.endsWith('\r\x1b[Krun 1/2: exit 0 in 0.4s\n')).toBe(true);
  });
});
