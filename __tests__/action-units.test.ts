// Units of the Action (src/action/*), compiled by tsc into lib/: input checks, the annotation
// budget and ranking, manifests, the summary's escaping and cap, and the guards that keep
// build output from being read as workflow commands.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { annotationPath, artifactAnnotation, Budget, rankDiffering } from '../src/action/annotations.js';
import { captureAnnotations } from '../src/action/cache.js';
import { envInput, InputError, inputVariable, lines, parseBoolean, readInputs } from '../src/action/inputs.js';
import { safeLine } from '../src/action/log.js';
import { compareManifests, crossMachineCauses, findManifests, labelManifests, loadManifests, manifestOf, parseManifest, type MachineInfo } from '../src/action/manifest.js';
import { outputValues } from '../src/action/outputs.js';
import { capSummary, esc } from '../src/action/summary.js';
import { buildCommand, GroupedProgress, verifyArgv, verifyOptions } from '../src/action/verify.js';
import type { ArtifactEntry } from '../src/verify/report-json.js';
import { cleanupTemps, ROOT, tempDir } from './action-util.js';

afterAll(cleanupTemps);

const H = (c: string) => c.repeat(64);

function art(path: string, extra: Partial<ArtifactEntry> = {}): ArtifactEntry {
  return { path, hashes: [H('a'), H('b')], same: false, status: 'differs', kind: 'file', sizes: [1, 1], ...extra };
}

describe('inputs', () => {
  const env = { GITHUB_WORKSPACE: ROOT };
  const get = (m: Record<string, string>) => (n: string) => m[n] ?? '';

  test('INPUT_ names as the runner makes them: uppercased, spaces to _, dashes kept', () => {
    expect(inputVariable('fail-on-nondeterminism')).toBe('INPUT_FAIL-ON-NONDETERMINISM');
    expect(inputVariable('working-directory')).toBe('INPUT_WORKING-DIRECTORY');
    expect(inputVariable('a b')).toBe('INPUT_A_B');
    expect(envInput({ 'INPUT_WORKING-DIRECTORY': '  sub  ' })('working-directory')).toBe('sub');
  });

  test('defaults apply when an input is absent (a local run without the runner)', () => {
    const i = readInputs(get({ run: 'make' }), env);
    expect(i).toMatchObject({
      mode: 'verify', run: 'make', artifacts: [], runs: 2, workingDirectory: resolve(ROOT), image: { kind: 'build', suite: 'bookworm', packages: [] },
      epoch: undefined, seed: '0', vary: true, failOnNondeterminism: true, diffoscope: true, manifests: [],
    });
  });

  test('values', () => {
    const i = readInputs(get({
      run: 'make -j4', runs: '3', 'working-directory': 'examples/cpuid', image: 'ghcr.io/org/det-build:1', epoch: '1700000000',
      seed: '18446744073709551615', vary: 'False', 'fail-on-nondeterminism': 'FALSE', diffoscope: 'false', artifacts: 'out/*.tar.gz\n\n# comment\n  dist/**  ',
    }), env);
    expect(i).toMatchObject({
      runs: 3, workingDirectory: join(ROOT, 'examples', 'cpuid'), image: { kind: 'ref', ref: 'ghcr.io/org/det-build:1' }, epoch: 1700000000,
      seed: '18446744073709551615', vary: false, failOnNondeterminism: false, diffoscope: false, artifacts: ['out/*.tar.gz', 'dist/**'],
    });
    expect(readInputs(get({ run: 'x', image: 'build', packages: 'libssl-dev, zlib1g-dev\npkg-config' }), env).image)
      .toEqual({ kind: 'build', suite: 'bookworm', packages: ['libssl-dev', 'pkg-config', 'zlib1g-dev'] });
    expect(readInputs(get({ run: 'x', image: 'none' }), env).image).toEqual({ kind: 'none' });
  });

  test('every problem in one message', () => {
    let err: unknown;
    try {
      readInputs(get({ runs: '0', seed: '-1', artifacts: '/abs\n../up', diffoscope: 'on' }), env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const p = (err as InputError).problems;
    expect(p[0]).toMatch(/^run: required/);
    expect(p.join('\n')).toMatch(/artifacts: \/abs: must be relative/);
    expect(p.join('\n')).toMatch(/runs: "0" is not a whole number >= 1/);
    expect(p.join('\n')).toMatch(/seed: '-1' is not a non-negative integer/);
    expect(p.join('\n')).toMatch(/diffoscope: "on" is not a boolean/);
    expect((err as Error).message).not.toContain('\n');
  });

  test('booleans and lines', () => {
    expect(parseBoolean('x', 'True')).toBe(true);
    expect(() => parseBoolean('x', 'yes')).toThrow('x: "yes" is not a boolean');
    expect(lines(' a \r\n\n#c\nb')).toEqual(['a', 'b']);
  });
});

describe('annotations', () => {
  test('the budget keeps 10 errors and 10 warnings, the rest for the summary', () => {
    const b = new Budget();
    b.reserve('error'); // setFailed
    let emitted = 0;
    for (let i = 0; i < 15; i++) if (b.take({ level: 'error', title: `e${i}`, message: '' })) emitted++;
    expect(emitted).toBe(9);
    expect(b.overflow.map((a) => a.title)).toEqual(['e9', 'e10', 'e11', 'e12', 'e13', 'e14']);
    for (let i = 0; i < 10; i++) expect(b.take({ level: 'warning', title: 'w', message: '' })).toBe(true);
    expect(b.take({ level: 'warning', title: 'w10', message: '' })).toBe(false);
  });

  test('ranking: best-explained first, missing after differing, shallow before deep', () => {
    const ranked = rankDiffering([
      art('out/obj/a.o'),
      art('out/app.tar.gz'),
      art('out/z', { status: 'missing', missingIn: [2] }),
      art('out/same', { same: true, status: 'same' }),
      art('deep/x/y/stamp', { causes: [{ kind: 'time', score: 90, cause: 'time' }] }),
    ]);
    expect(ranked.map((a) => a.path)).toEqual(['deep/x/y/stamp', 'out/app.tar.gz', 'out/obj/a.o', 'out/z']);
  });

  test('paths relative to the repository; the message names where and why', () => {
    expect(annotationPath('/ws', '/ws/sub', 'out/a')).toBe('sub/out/a');
    expect(annotationPath('/ws', '/ws', 'out/a')).toBe('out/a');
    expect(annotationPath('/ws', '/elsewhere', 'out/a')).toBe('out/a');
    const a = artifactAnnotation(art('out/a', {
      firstDifference: { runs: [1, 2], offset: 7, sizes: [9, 9], context: ['"x1"', '"x2"'] },
      cause: 'the time', causes: [{ kind: 't', score: 9, cause: 'the time' }, { kind: 'r', score: 5, cause: 'randomness' }],
    }), 'sub/out/a', 2);
    expect(a).toMatchObject({ level: 'error', file: 'sub/out/a', title: 'Not reproducible: out/a differs between runs' });
    expect(a.message).toBe('out/a is not the same in 2 runs: run 1 and run 2 first differ at byte 7: "x1" vs "x2".\nLikely cause: the time\nAlso possible: randomness');
  });
});

describe('manifests', () => {
  test('the manifest of a report: run 1, present files, byte order', () => {
    const text = manifestOf({ artifacts: [art('b'), art('a', { hashes: [null, H('c')] }), art('B')] });
    expect(text).toBe(`${H('a')}  B\n${H('a')}  b\n`);
    expect(parseManifest(text, 'm')).toEqual([{ sha256: H('a'), path: 'B' }, { sha256: H('a'), path: 'b' }]);
    expect(parseManifest(`${H('d')} *bin/x\n`, 'm')).toEqual([{ sha256: H('d'), path: 'bin/x' }]);
    expect(() => parseManifest('abc  x\n', 'm.txt')).toThrow(/^m\.txt:1: not a manifest line/);
    expect(() => parseManifest(`${H('a')}  x\n${H('b')}  x\n`, 'm')).toThrow('m:2: x is listed twice');
  });

  test('finding and labelling manifests: files, directories, globs', () => {
    const ws = tempDir();
    for (const j of ['linux-a', 'linux-b']) {
      mkdirSync(join(ws, 'dl', j), { recursive: true });
      writeFileSync(join(ws, 'dl', j, 'manifest.txt'), `${H('1')}  out/x\n`);
      writeFileSync(join(ws, 'dl', j, 'report.json'), '{}');
    }
    const expected = [join(ws, 'dl', 'linux-a', 'manifest.txt'), join(ws, 'dl', 'linux-b', 'manifest.txt')];
    expect(findManifests(['dl'], ws)).toEqual(expected);
    expect(findManifests(['dl/*/manifest.txt'], ws)).toEqual(expected);
    expect(findManifests(['dl/**'], ws)).toEqual(expected);
    expect(findManifests(['dl/linux-a/manifest.txt', './dl/linux-a/manifest.txt'], ws)).toEqual(expected.slice(0, 1));
    expect(() => findManifests(['nope/*'], ws)).toThrow('manifests: nope/* matches no file');
    expect(labelManifests(expected, ws)).toEqual(['linux-a', 'linux-b']);
    expect(labelManifests([join(ws, 'a.txt'), join(ws, 'b.txt')], ws)).toEqual(['a.txt', 'b.txt']);
  });

  test('comparing: same, differs, missing; digest of the first manifest', () => {
    const ws = tempDir();
    writeFileSync(join(ws, 'm1.txt'), `${H('1')}  a\n${H('2')}  b\n`);
    writeFileSync(join(ws, 'm2.txt'), `${H('2')}  b\n${H('1')}  a\n${H('3')}  c\n`);
    writeFileSync(join(ws, 'm3.txt'), `${H('1')}  a\n${H('9')}  b\n`);
    const ms = loadManifests(findManifests(['m*.txt'], ws), ws);
    expect(ms[0].digest).not.toBe(ms[1].digest);
    const r = compareManifests(ms, '0.0.0');
    expect(r.reproducible).toBe(false);
    expect(r.artifacts.map((a) => [a.path, a.status])).toEqual([['a', 'same'], ['b', 'differs'], ['c', 'missing']]);
    expect(r.artifacts[2].missingIn).toEqual([1, 3]);
    expect(r.artifacts[1].where).toEqual([`m1.txt, m2.txt: ${H('2').slice(0, 12)}; m3.txt: ${H('9').slice(0, 12)}`]);
    expect(r.digest).toBe(ms[0].digest);
    expect(r.summary).toMatchObject({ artifacts: 3, same: 1, differing: 2, missing: 1 });
    const same = compareManifests([ms[0], { ...ms[0], label: 'again' }], '0');
    expect(same.reproducible).toBe(true);
  });

  test('cross-machine causes from machine.json', () => {
    const m = (over: Partial<MachineInfo>): MachineInfo => ({
      version: 1, digest: '', reproducible: true, runs: 2, runner: { imageOS: 'ubuntu24' }, kernel: '6.8', cpu: 'EPYC',
      image: { kind: 'none' }, notDeterminized: [{ source: 'cpuid', status: 'unavailable-on-host' }], createdAt: '', ...over,
    });
    const load = (machine: MachineInfo) => ({ file: 'f', label: 'l', entries: [], digest: '', machine });
    const toolchain = crossMachineCauses([load(m({})), load(m({ runner: { imageOS: 'ubuntu22' } }))]);
    expect(toolchain[0].kind).toBe('toolchain');
    const cpu = crossMachineCauses([load(m({ image: { kind: 'build', digest: 'sha256:1' } })), load(m({ cpu: 'Xeon', image: { kind: 'build', digest: 'sha256:1' } }))]);
    expect(cpu[0]).toMatchObject({ kind: 'cpu' });
    expect(cpu[0].cause).toMatch(/CPUID is not determinized/);
    expect(crossMachineCauses([{ file: 'f', label: 'l', entries: [], digest: '' }])[0].kind).toBe('no-machine-info');
  });
});

describe('output and log safety', () => {
  test('outputs as text', () => {
    expect(outputValues({ reproducible: false, digest: 'd', differing: ['a b', 'c"d'], report: '/r.json', directory: '/' }))
      .toEqual({ reproducible: 'false', digest: 'd', differing: '["a b","c\\"d"]', report: '/r.json', directory: '/' });
  });

  test('lines that look like workflow commands are defused', () => {
    expect(safeLine('  ::error::x')).toBe('|   ::error::x');
    expect(safeLine('run 1/2: ::x')).toBe('run 1/2: ::x');
  });

  test('summary text is escaped and capped', () => {
    expect(esc('<img src=x onerror="a">&')).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&amp;');
    const big = 'x'.repeat(600 * 1024);
    const s = capSummary(['head\n', big, big, 'tail']);
    expect(s.startsWith('head\n')).toBe(true);
    expect(s).toContain('the rest of this summary is cut');
    expect(Buffer.byteLength(s)).toBeLessThan(1024 * 1024);
  });

  test('progress lines become groups per run', () => {
    const log: string[] = [];
    const p = new GroupedProgress({
      info: (l) => log.push(l), startGroup: (n) => log.push(`[${n}]`), endGroup: () => log.push('[/]'), group: async (_n, fn) => fn(),
    });
    p.write('run 1/2: copying …\nrun 1/2: exit 0\nrun 2/2: cop');
    p.write('ying …\n::warning::sneaky\nhashing 3 files …\ncomparing 1/1: a …\n');
    p.end();
    expect(log).toEqual(['[Run 1 of 2]', 'run 1/2: copying …', 'run 1/2: exit 0', '[/]', '[Run 2 of 2]', 'run 2/2: copying …', '| ::warning::sneaky', '[/]',
      '[Compare artifacts]', 'hashing 3 files …', 'comparing 1/1: a …', '[/]']);
  });

  test('annotations printed by @actions/cache are captured, the rest passes', async () => {
    const r = await captureAnnotations(async () => {
      process.stdout.write('::warning::Failed to restore: 503%0Aretry\n');
      process.stdout.write('::error::Failed to save: boom\n');
      return 7;
    });
    expect(r.value).toBe(7);
    expect(r.annotations).toEqual(['Failed to restore: 503\nretry', 'Failed to save: boom']);
    const e = await captureAnnotations(async () => {
      throw new Error('x');
    });
    expect((e.error as Error).message).toBe('x');
  });
});

describe('the verify it runs', () => {
  test('argv and options as the CLI parses them', () => {
    const inp = readInputs((n) => ({ run: 'make && make check', 'working-directory': 'examples/cpuid', runs: '3', vary: 'false', epoch: '5', artifacts: 'out/*', image: 'none' } as Record<string, string>)[n] ?? '', { GITHUB_WORKSPACE: ROOT });
    const argv = verifyArgv(inp, { json: '/tmp/r.json', markdown: '/tmp/r.md' }, 'det/build:x');
    expect(argv).toEqual(['verify', '--workdir', join(ROOT, 'examples/cpuid'), '--runs', '3', '--seed', '0', '--epoch', '5', '--no-vary',
      '--artifacts', 'out/*', '--image', 'det/build:x', '--json', '/tmp/r.json', '--markdown', '/tmp/r.md', '--', 'sh', '-e', '-c', 'make && make check']);
    const o = verifyOptions(argv, {}, ROOT);
    expect(o).toMatchObject({ runs: 3, vary: false, epoch: 5, trace: true, image: 'det/build:x', command: buildCommand('make && make check') });
    // no epoch input: SOURCE_DATE_EPOCH, as in the CLI
    const o2 = verifyOptions(verifyArgv({ ...inp, epoch: undefined }, { json: '/tmp/r.json', markdown: '/tmp/r.md' }), { SOURCE_DATE_EPOCH: '1234' }, ROOT);
    expect(o2.epoch).toBe(1234);
  });
});
