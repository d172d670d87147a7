// Explanations: the ELF scan (RDRAND/CPUID sites, GNU build ID) on programs compiled here,
// evidence from bytes (timestamps, randomness, varied values), archive evidence, and the
// join with run reports (what the tracer could not hide on this host, unsupported syscalls).
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { RunReport } from '../src/types.js';
import { diffArchives } from '../src/verify/archive.js';
import type { DifferenceContext } from '../src/verify/compare.js';
import { elfBuildIdRange, scanElf } from '../src/verify/elf.js';
import {
  contentEvidence,
  explain,
  hasTimestampText,
  hasTimestampWord,
  hostLimits,
  rankFindings,
  scanVariedValues,
  type ExplainInput,
} from '../src/verify/explain.js';
import { planVariation } from '../src/verify/vary.js';
import { cleanupTemps, EXAMPLES, sh, tempDir } from './verify-util.js';

afterAll(cleanupTemps);

const host = { uts: false, taskset: false, altLocale: null };
const variations = [planVariation(1, true, '/tmp/T', host), planVariation(2, true, '/tmp/T', host)];
const NOW = Date.parse('2026-01-02T03:04:05Z');

function ctx(a: string, b: string, start = 0): DifferenceContext {
  return { start, bytes: [Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')], shown: [JSON.stringify(a), JSON.stringify(b)] };
}

function report(guarantees: RunReport['guarantees'], extra: Partial<RunReport> = {}): RunReport {
  return {
    version: 1, exitCode: 0, signal: null, durationMs: 1, host: {}, guarantees, intercepted: {}, unsupported: [], processes: 1, ...extra,
  };
}

function input(extra: Partial<ExplainInput>): ExplainInput {
  return {
    path: 'out/x', trace: true, missingIn: [], failedRuns: [], offset: null, variedHits: [], reports: [], variations,
    programs: [], runStartsMs: [NOW, NOW + 1500], ...extra,
  };
}

describe('ELF scan', () => {
  const dir = tempDir();
  sh('cc', ['-O2', '-o', join(dir, 'cpuinfo'), join(EXAMPLES, 'cpuid', 'cpuinfo.c')]);
  writeFileSync(join(dir, 'plain.c'), '#include <stdio.h>\nint main(void){puts("hi");return 0;}\n');
  sh('cc', ['-O2', '-Wl,--build-id=sha1', '-o', join(dir, 'plain'), join(dir, 'plain.c')]);

  test('finds RDRAND and CPUID in a program that executes them, none in one that does not', () => {
    const s = scanElf(readFileSync(join(dir, 'cpuinfo')))!;
    expect(s.rdrand).toBeGreaterThanOrEqual(1);
    expect(s.cpuid).toBeGreaterThanOrEqual(1);
    // objdump agrees that the instructions are there
    const dis = sh('objdump', ['-d', join(dir, 'cpuinfo')]);
    expect(dis).toMatch(/\brdrand\b/);
    expect(dis).toMatch(/\bcpuid\b/);
    expect(scanElf(readFileSync(join(dir, 'plain')))).toEqual({ rdrand: 0, rdseed: 0, cpuid: 0, rdtsc: 0 });
    expect(scanElf(Buffer.from('not an elf'))).toBeNull();
  });

  test('the GNU build ID range holds the bytes readelf prints', () => {
    const buf = readFileSync(join(dir, 'plain'));
    const range = elfBuildIdRange(buf)!;
    const id = /Build ID: ([0-9a-f]+)/.exec(sh('readelf', ['-n', join(dir, 'plain')]))![1];
    expect(buf.subarray(range[0], range[1]).toString('hex')).toBe(id);
  });
});

describe('evidence from bytes', () => {
  test('timestamps as text or as 32-bit little-endian words near the run time', () => {
    expect(hasTimestampText('built 2026-01-02 03:04:05', [])).toBe(true);
    expect(hasTimestampText('at 03:04:05 today', [])).toBe(true);
    expect(hasTimestampText('compiled Jan  2 2026', [])).toBe(true);
    expect(hasTimestampText(`epoch ${Math.floor(NOW / 1000)}`, [NOW])).toBe(true);
    expect(hasTimestampText('epoch 1000000000', [NOW])).toBe(false);
    expect(hasTimestampText('version 1.2.3', [NOW])).toBe(false);
    const a = Buffer.alloc(16);
    const b = Buffer.alloc(16);
    a.writeUInt32LE(Math.floor(NOW / 1000), 4);
    b.writeUInt32LE(Math.floor(NOW / 1000) + 2, 4);
    expect(hasTimestampWord({ start: 0, bytes: [a, b], shown: ['', ''] }, 4, [NOW])).toBe(true);
    expect(hasTimestampWord({ start: 0, bytes: [Buffer.alloc(16, 1), Buffer.alloc(16, 2)] as [Buffer, Buffer], shown: ['', ''] }, 4, [NOW])).toBe(false);
  });

  test('random hex and random binary, but not a single changed digit', () => {
    expect(contentEvidence(ctx('id: 9f1db0992ecc8d88\n', 'id: cbc2845731c7a6d6\n'), 4, [NOW])).toEqual(['random']);
    expect(contentEvidence(ctx('version 1\n', 'version 2\n'), 8, [NOW])).toEqual([]);
    expect(contentEvidence(ctx('at 03:04:05 ok', 'at 03:04:07 ok'), 10, [NOW])).toEqual(['timestamp']);
  });

  test('varied values found in one run only (build path, host name, time zone)', () => {
    const d = tempDir();
    const f1 = join(d, '1');
    const f2 = join(d, '2');
    writeFileSync(f1, `cwd=${variations[0].dir} host=${variations[0].hostname} zone UTC\n`);
    writeFileSync(f2, `cwd=${variations[1].dir} host=${variations[1].hostname} zone DET\n`);
    const hits = scanVariedValues([f1, f2], variations);
    expect(hits.map((h) => `${h.run}:${h.evidence}`).sort()).toEqual(['1:hostname', '1:path', '1:tz', '2:hostname', '2:path', '2:tz']);
    writeFileSync(f2, 'nothing varied here\n');
    expect(scanVariedValues([f1, f2], variations).map((h) => h.evidence).sort()).toEqual(['hostname', 'path', 'tz']);
  });
});

describe('explain', () => {
  test('traced, random bytes, a program with RDRAND, rdrand unavailable: the run report names the cause', () => {
    const r = report({ time: 'determinized', randomness: 'determinized', rdrand: 'unavailable-on-host', cpuid: 'unavailable-on-host' });
    const causes = explain(input({
      offset: 10, context: ctx('rdrand:   23d18842b2386794', 'rdrand:   62c4fe4aa9db1251'), reports: [r, r],
      programs: [{ path: 'out/cpuinfo', scan: { rdrand: 2, rdseed: 0, cpuid: 3, rdtsc: 0 } }],
    }));
    expect(causes[0].kind).toBe('rdrand');
    expect(causes[0].cause).toMatch(/RDRAND\/RDSEED cannot be hidden on this host/);
    expect(causes.map((c) => c.kind)).toEqual(expect.arrayContaining(['cpuid', 'program-rdrand', 'random']));
    expect(causes.find((c) => c.kind === 'cpuid')?.cause).toMatch(/CPUID faulting unavailable on this host: the build may embed CPU features/);
    // ranked: scores never increase
    for (let i = 1; i < causes.length; i++) expect(causes[i].score).toBeLessThanOrEqual(causes[i - 1].score);
  });

  test('without the tracer: says so, and the specific evidence ranks above it', () => {
    const causes = explain(input({ trace: false, offset: 10, context: ctx('at 03:04:05 ok', 'at 03:04:07 ok') }));
    expect(causes[0].kind).toBe('timestamp');
    expect(causes.some((c) => /run without the tracer/.test(c.cause))).toBe(true);
  });

  test('gzip header mtime only', () => {
    const d = tempDir();
    writeFileSync(join(d, 'f'), 'x');
    const a = Buffer.from(sh('sh', ['-c', 'touch -d @1700000000 f && gzip -c f | base64 -w0'], { cwd: d }), 'base64');
    const b = Buffer.from(sh('sh', ['-c', 'touch -d @1700000009 f && gzip -c f | base64 -w0'], { cwd: d }), 'base64');
    const causes = explain(input({ trace: false, archive: diffArchives(a, b, 'f.gz') }));
    expect(causes[0].cause).toMatch(/gzip header mtime \(1700000000 vs 1700000009\)/);
  });

  test('tar member order → directory order; umask → modes', () => {
    const d = tempDir();
    sh('sh', ['-c', 'echo 1 > a && echo 2 > b && tar --mtime=@0 -cf x.tar a b && tar --mtime=@0 -cf y.tar b a && chmod 664 a && tar --mtime=@0 -cf z.tar a b'], { cwd: d });
    const order = explain(input({ trace: false, archive: diffArchives(readFileSync(join(d, 'x.tar')), readFileSync(join(d, 'y.tar')), 'x.tar') }));
    expect(order[0].kind).toBe('archive-order');
    expect(order[0].cause).toMatch(/directory order/);
    const mode = explain(input({ trace: false, archive: diffArchives(readFileSync(join(d, 'x.tar')), readFileSync(join(d, 'z.tar')), 'x.tar') }));
    expect(mode[0].cause).toMatch(/tar member modes differ .*umask was varied \(0022 vs 0002\)/);
  });

  test('the varied build path embedded: ranked first', () => {
    const causes = explain(input({
      trace: false,
      variedHits: [{ evidence: 'path', run: 2, value: variations[1].dir }, { evidence: 'path', run: 1, value: variations[0].dir }],
    }));
    expect(causes[0].cause).toBe(`embeds the build path, which --vary changed between runs (run 1: ${variations[0].dir}; run 2: ${variations[1].dir})`);
    expect(causes.filter((c) => c.kind === 'varied-path')).toHaveLength(1);
  });

  test('failed runs, missing files, unsupported syscalls and diverging intercept counts', () => {
    const r1 = report({ time: 'determinized' }, { unsupported: [{ syscall: 'io_uring_setup', count: 2, pid: 3 }], intercepted: { time: 5 } });
    const r2 = report({ time: 'determinized' }, { intercepted: { time: 7 } });
    const causes = explain(input({ missingIn: [2], failedRuns: [[2, 1]], reports: [r1, r2] }));
    expect(causes[0].cause).toBe('run 2 failed (exit 1): its artifacts may be missing or incomplete');
    expect(causes[1].cause).toMatch(/^created in run 1 but not in run 2/);
    expect(causes.some((c) => c.cause.startsWith('unsupported syscall io_uring_setup was used (2 times)'))).toBe(true);
    expect(causes.some((c) => c.cause.includes('different numbers of time calls (5 vs 7)'))).toBe(true);
  });

  test('nothing known: a fallback line', () => {
    expect(explain(input({}))[0].kind).toBe('unknown');
  });

  test('rankFindings merges causes over artifacts; hostLimits lists what is not determinized', () => {
    const f = { kind: 'k', score: 5, cause: 'same cause' };
    const ranked = rankFindings([
      { path: 'a', causes: [f, { kind: 'x', score: 50, cause: 'top' }] },
      { path: 'b', causes: [{ ...f, score: 9 }] },
    ]);
    expect(ranked.map((r) => [r.cause, r.score, r.artifacts])).toEqual([['top', 50, ['a']], ['same cause', 9, ['a', 'b']]]);
    const limits = hostLimits(report({ time: 'determinized', cpuid: 'unavailable-on-host' }, { guaranteeDetails: { cpuid: 'no faulting' } }));
    expect(limits).toEqual([{ source: 'cpuid', status: 'unavailable-on-host', detail: 'no faulting' }]);
  });
});
