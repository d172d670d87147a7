// The shipped Action: action.yml's contract (SPEC §2), dist/ rebuilt from src/ byte for byte
// (a stale bundle fails here: run `npm run bundle` and commit dist/), and the Action run from
// what a runner downloads — the repository's files without lib/, node_modules/ or build/,
// with the native pieces in prebuilds/linux-x64/ — under node 24.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { cleanupTemps, expectExit, makeCheckout, node24, readActionYml, ROOT, runAction, tempDir } from './action-util.js';

afterAll(cleanupTemps);

const SPEC_INPUTS = ['run', 'artifacts', 'runs', 'working-directory', 'image', 'suite', 'packages', 'epoch', 'seed', 'vary', 'fail-on-nondeterminism', 'diffoscope'];

describe('action.yml', () => {
  const yml = readActionYml();

  test('node24, dist/index.js', () => {
    expect(yml.using).toBe('node24');
    expect(yml.main).toBe('dist/index.js');
  });

  test('the inputs of SPEC §2 with their defaults, plus mode and manifests', () => {
    expect(Object.keys(yml.inputs).sort()).toEqual([...SPEC_INPUTS, 'mode', 'manifests'].sort());
    expect(yml.inputs.run.required).toBe(true);
    expect(Object.entries(yml.inputs).filter(([, v]) => v.required).map(([k]) => k)).toEqual(['run']);
    expect(Object.fromEntries(Object.entries(yml.inputs).map(([k, v]) => [k, v.default]))).toMatchObject({
      runs: '2', 'working-directory': '.', image: 'build', suite: 'bookworm', vary: 'true', 'fail-on-nondeterminism': 'true',
      diffoscope: 'true', mode: 'verify', artifacts: '', packages: '', epoch: '', seed: '0', manifests: '',
    });
  });

  test('the outputs of SPEC §2, plus manifest and directory', () => {
    expect(yml.outputs.sort()).toEqual(['differing', 'digest', 'directory', 'manifest', 'report', 'reproducible']);
  });
});

describe('examples/workflows', () => {
  const yml = readActionYml();
  const dir = join(ROOT, 'examples', 'workflows');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();

  test('the four common uses are there', () => {
    expect(files).toEqual(['debian-package.yml', 'matrix-cross-machine.yml', 'npm-pack.yml', 'verify-make.yml']);
  });

  test.each(files)('%s uses only inputs and outputs action.yml declares, and node24 actions', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const lines = text.split('\n');
    let steps = 0;
    lines.forEach((line, i) => {
      const m = /^(\s*)(?:- )?uses: det\/reproducible-build@v1\s*$/.exec(line);
      if (!m) return;
      steps++;
      const withLine = lines.findIndex((l, j) => j > i && /^\s+with:\s*$/.test(l));
      const indent = lines[withLine].search(/\S/);
      for (let j = withLine + 1; j < lines.length; j++) {
        const l = lines[j];
        if (l.trim() === '' || l.trim().startsWith('#')) continue;
        const ind = l.search(/\S/);
        if (ind <= indent) break;
        const key = /^\s*([\w-]+):/.exec(l);
        if (key && ind === indent + 2) expect(Object.keys(yml.inputs)).toContain(key[1]);
      }
    });
    expect(steps).toBeGreaterThan(0);
    for (const out of text.matchAll(/steps\.det\.outputs\.([\w-]+)/g)) expect(yml.outputs).toContain(out[1]);
    // actions that run on node24 (GitHub's runners no longer have node20)
    for (const u of text.matchAll(/uses: (actions\/[\w-]+)@v(\d+)/g)) {
      const min: Record<string, number> = { 'actions/checkout': 5, 'actions/upload-artifact': 6, 'actions/download-artifact': 7 };
      expect([u[1], Number(u[2]) >= (min[u[1]] ?? 0)]).toEqual([u[1], true]);
    }
    expect(text).toMatch(/^permissions:\n {2}contents: read$/m);
  });
});

function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

describe('dist/', () => {
  test('is what scripts/bundle.js makes from src/ now (else: npm run bundle, commit dist/)', () => {
    const out = tempDir('det-action-bundle-');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.js'), '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const built = filesBelow(out);
    expect(built).toEqual(['cli.js', 'index.js', 'verify/index.js']);
    expect(filesBelow(join(ROOT, 'dist'))).toEqual(built);
    const stale = built.filter((f) => !readFileSync(join(out, f)).equals(readFileSync(join(ROOT, 'dist', f))));
    expect(stale).toEqual([]);
  }, 60_000);

  test('dist/ and prebuilds/ are not ignored by git (a runner only gets committed files)', () => {
    const r = spawnSync('git', ['check-ignore', 'dist/index.js', 'dist/cli.js', 'prebuilds/linux-x64/dettrace-tracer', 'prebuilds/linux-x64/dettrace.node'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1); // 1: none of them is ignored
  });
});

describe('run from a checkout of the Action (no lib/, node_modules/, build/), under node 24', () => {
  let checkout: string;
  beforeAll(() => {
    checkout = makeCheckout();
  });

  test('bin/dettrace.js runs without lib/ (each traced run starts it)', () => {
    const r = spawnSync(node24(), [join(checkout, 'bin', 'dettrace.js'), '--version'], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`bin/dettrace.js cannot start in a checkout of the Action (no lib/): it must fall back to dist/cli.js when lib/src/cli.js is absent\n${r.stderr.split('\n').slice(0, 6).join('\n')}`);
    }
    expect(r.stdout).toMatch(/^dettrace \d/);
  });

  test('examples/shell: reproducible, with the tracer and the CLI found from dist/', async () => {
    const ws = tempDir('det-action-ws-');
    cpSync(join(ROOT, 'examples', 'shell'), join(ws, 'shell'), { recursive: true });
    const r = await runAction({ run: 'sh build.sh', 'working-directory': 'shell', image: 'none', diffoscope: 'false' },
      { node: node24(), entry: join(checkout, 'dist', 'index.js'), workspace: ws });
    expectExit(r, 0);
    expect(r.outputs.reproducible).toBe('true');
    expect(r.errors).toEqual([]);
    // the same digest as from this repository's own build
    const ref = await runAction({ run: 'sh build.sh', 'working-directory': 'examples/shell', image: 'none', diffoscope: 'false' });
    expect(r.outputs.digest).toBe(ref.outputs.digest);
  }, 90_000);

  test('examples/cpuid: the ::error file= line on its path', async () => {
    const ws = tempDir('det-action-ws-');
    cpSync(join(ROOT, 'examples', 'cpuid'), join(ws, 'cpuid'), { recursive: true });
    const r = await runAction({ run: 'make', 'working-directory': 'cpuid', image: 'none', diffoscope: 'false' },
      { node: node24(), entry: join(checkout, 'dist', 'index.js'), workspace: ws });
    expect(r.code).toBe(1);
    expect(r.errors.filter((e) => e.props.file).map((e) => e.props.file)).toEqual(['cpuid/out/cpu.txt']);
  }, 90_000);
});
