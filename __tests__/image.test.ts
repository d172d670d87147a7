// The det image with a real Docker engine and real debootstrap (slow: a clean build takes
// 1-3 minutes; the base layer is cached in $DET_CACHE_DIR or ~/.cache/dettrace/images, so a
// second run of this file skips debootstrap except in the one test that proves two clean
// builds give the same image). Needs dockerd: when it is not running these tests FAIL with
// a message saying so, they do not skip.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DetError } from '../src/errors.js';
import {
  DOCKER_PRIVILEGES, buildImage, dockerRunArgs, imageCacheKey, imageCachePlan, imageInputs, localImageId,
  parsePackages, requireDocker, runInImage, type BuiltImage,
} from '../src/image.js';
import type { RunOptions } from '../src/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIN = 60_000;
const quiet = () => undefined;

function runOpts(workdir: string, command: string[], extra: Partial<RunOptions> = {}): RunOptions {
  return { command, workdir, epoch: 744847200, seed: 0, env: [], strict: false, debug: 0, image: 'build', ...extra };
}

/** runInImage with stdout/stderr captured in files. */
async function runCaptured(opts: RunOptions): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'det-image-out-'));
  const out = openSync(join(dir, 'out'), 'w');
  const err = openSync(join(dir, 'err'), 'w');
  try {
    const r = await runInImage(opts, { stdio: ['ignore', out, err], forwardSignals: false });
    return { exitCode: r.exitCode, stdout: readFileSync(join(dir, 'out'), 'utf8'), stderr: readFileSync(join(dir, 'err'), 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('inputs and arguments (no Docker)', () => {
  test('packages: split on spaces and commas, sorted, unique; bad names refused', () => {
    expect(parsePackages('make, cmake meson,make')).toEqual(['cmake', 'make', 'meson']);
    expect(parsePackages(['libfoo-dev g++'])).toEqual(['g++', 'libfoo-dev']);
    expect(() => parsePackages('rm -rf')).toThrow(DetError);
  });

  test('the cache key depends on every input and on nothing else', () => {
    const a = imageInputs({ mirror: 'http://mirror.invalid/debian' });
    expect(imageCacheKey(a)).toBe(imageCacheKey(imageInputs({ mirror: 'http://mirror.invalid/debian' })));
    const keys = new Set([
      imageCacheKey(a),
      imageCacheKey(imageInputs({ mirror: 'http://mirror.invalid/debian', suite: 'trixie' })),
      imageCacheKey(imageInputs({ mirror: 'http://mirror.invalid/debian', packages: 'cmake' })),
      imageCacheKey(imageInputs({ mirror: 'http://mirror.invalid/debian', variant: 'buildd' })),
      imageCacheKey(imageInputs({ mirror: 'http://mirror.invalid/debian', epoch: 1 })),
      imageCacheKey(imageInputs({ mirror: 'http://other.invalid/debian' })),
    ]);
    expect(keys.size).toBe(6);
    // The det files are inputs: the tracer, the CLI and the image scripts are all in the list.
    const names = a.files.map((f) => f[0]);
    for (const n of ['prebuilds/linux-x64/dettrace-tracer', 'prebuilds/linux-x64/dettrace.node', 'lib/src/cli.js', 'bin/dettrace.js', 'image/entrypoint.sh', 'package.json']) {
      expect(names).toContain(n);
    }
    const plan = imageCachePlan({ mirror: 'http://mirror.invalid/debian', cacheDir: '/x' });
    expect(plan.ref).toBe(`det/build:${plan.key.slice(0, 16)}`);
    expect(plan.paths).toEqual([`/x/base-${plan.baseKey}.tar`, `/x/base-${plan.baseKey}.json`]);
  });

  test('docker run arguments: privileges, no network, work dir and report mounted, options passed on', () => {
    const args = dockerRunArgs(runOpts('/home/u/proj', ['make', '-j2'], {
      env: ['FOO=1'], report: '/tmp/r/report.json', timeout: 30, strict: true, seedText: '18446744073709551615',
    }), 'det/build:x');
    const line = args.join(' ');
    expect(line).toContain(DOCKER_PRIVILEGES.join(' '));
    expect(line).toContain('--network none');
    expect(line).toContain('-v /home/u/proj:/build');
    expect(line).toContain('-v /tmp/r:/var/lib/det/out');
    expect(line).toContain('--entrypoint /opt/det/image/entrypoint.sh det/build:x run --workdir /build --chroot /var/lib/det/root');
    expect(line).toContain('--seed 18446744073709551615 --env FOO=1 --report /var/lib/det/out/report.json --timeout 30 --strict');
    expect(args.slice(-3)).toEqual(['--', 'make', '-j2']);
    expect(line).not.toContain('--privileged');
  });

  test('an unreachable engine is one clear error', () => {
    const environment = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    expect(() => requireDocker(environment)).toThrow(/^docker: the Docker engine is not reachable \(.*\); start it/);
  });
});

describe('with Docker', () => {
  let first: BuiltImage;
  let work: string;

  beforeAll(() => {
    // Fails (does not skip) when the engine is down: "docker: the Docker engine is not reachable ...".
    requireDocker();
    work = mkdtempSync(join(tmpdir(), 'det-image-work-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('builds the image (from the cache when the base layer is there)', async () => {
    first = await buildImage({ log: quiet });
    expect(first.ref).toMatch(/^det\/build:[0-9a-f]{16}$/);
    expect(first.digest).toBe(first.configDigest);
    expect(first.diffIds).toHaveLength(2);
    expect(localImageId(first.ref)).toBe(first.digest);
    const inspect = JSON.parse(spawnSync('docker', ['image', 'inspect', first.ref], { encoding: 'utf8' }).stdout)[0];
    expect(inspect.Created).toBe('1993-08-08T22:00:00Z');
    expect(inspect.Config.WorkingDir).toBe('/build');
  }, 10 * MIN);

  test('a second build is a cache hit: no debootstrap, same digest', async () => {
    const t0 = Date.now();
    const again = await buildImage({ log: quiet });
    expect(again).toMatchObject({ cached: true, source: 'image', digest: first.digest });
    expect(Date.now() - t0).toBeLessThan(10_000);
    // Without the image in the engine: loaded from the cached base layer.
    spawnSync('docker', ['rmi', first.ref], { encoding: 'utf8' });
    expect(localImageId(first.ref)).toBeNull();
    const lines: string[] = [];
    const loaded = await buildImage({ log: (l) => lines.push(l) });
    expect(loaded).toMatchObject({ cached: true, source: 'cache', digest: first.digest });
    expect(lines.join('\n')).not.toMatch(/debootstrap/i);
    expect(loaded.durationMs).toBeLessThan(60_000);
  }, 5 * MIN);

  test('dettrace runs in the image: Debian of the image, the logical clock, status and files pass through', async () => {
    writeFileSync(join(work, 'input.txt'), 'in\n');
    const r = await runCaptured(runOpts(work, ['sh', '-c', 'cat /etc/debian_version; date; hostname; pwd; cat input.txt; echo made > made.txt; echo to-stderr >&2; exit 7']));
    expect(r.stderr).toContain('to-stderr');
    expect(r.exitCode).toBe(7);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^\d+\.\d+$/); // bookworm: 12.x
    expect(lines[1]).toBe('Sun Aug  8 22:00:00 UTC 1993');
    expect(lines.slice(2, 5)).toEqual(['det', '/build', 'in']);
    expect(readFileSync(join(work, 'made.txt'), 'utf8')).toBe('made\n');
  }, 5 * MIN);

  test('the run report is written to the host path', async () => {
    const report = join(work, 'reports', 'run.json');
    spawnSync('mkdir', ['-p', join(work, 'reports')]);
    const r = await runCaptured(runOpts(work, ['true'], { report }));
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ version: 1, exitCode: 0 });
  }, 5 * MIN);

  test('two clean builds (no cache) give the same image digest', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'det-image-clean-'));
    try {
      const clean = await buildImage({ noCache: true, cacheDir, log: quiet });
      expect(clean.cached).toBe(false);
      // The clean build leaves its cache dir empty and tags the same ref.
      expect(readdirSync(cacheDir)).toEqual([]);
      if (clean.key === first.key) {
        expect(clean.diffIds).toEqual(first.diffIds);
        expect(clean.digest).toBe(first.digest);
      } else {
        // The package changed since the first test (a shared work tree being rebuilt):
        // a second clean build is the comparison.
        const clean2 = await buildImage({ noCache: true, cacheDir, log: quiet });
        expect({ key: clean2.key, diffIds: clean2.diffIds, digest: clean2.digest })
          .toEqual({ key: clean.key, diffIds: clean.diffIds, digest: clean.digest });
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 12 * MIN);

  test('debian-build.sh: hello built twice natively in the image gives identical .debs', () => {
    const out = mkdtempSync(join(tmpdir(), 'det-debian-build-'));
    try {
      const r = spawnSync('sh', [join(ROOT, 'image', 'debian-build.sh'), '--modes', 'native', '--out', out, 'hello'], { encoding: 'utf8', timeout: 10 * MIN });
      expect({ status: r.status, tail: r.stderr.split('\n').slice(-12).join('\n') }).toMatchObject({ status: 0 });
      const sums = [1, 2].map((i) => readFileSync(join(out, 'hello', `native-${i}`, 'sha256'), 'utf8'));
      expect(sums[0]).toMatch(/hello_.*_amd64\.deb/);
      expect(sums[1]).toBe(sums[0]);
      expect(existsSync(join(out, 'hello', 'summary.tsv'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 10 * MIN);
});
