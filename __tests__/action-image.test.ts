// The Action with image: build — the det image built (or its base layer taken from the local
// cache) by src/image.ts, the runs traced inside it with `docker run` — as a runner runs it,
// without GitHub's cache service: one warning says so and the job still verifies. Needs a
// Docker engine (.ci/run starts one) and, on a cold machine, debootstrap and a Debian mirror
// (2-3 minutes).
import { spawnSync } from 'node:child_process';

import { cpSync } from 'node:fs';
import { join } from 'node:path';

import { cleanupTemps, expectExit, makeCheckout, node24, ROOT, runAction, tempDir } from './action-util.js';

afterAll(cleanupTemps);

function dockerUp(): string | null {
  const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? null : (r.stderr || r.error?.message || 'no answer').trim();
}

describe('image: build', () => {
  let builtRef: string | undefined;

  test('examples/shell is reproducible in the det image; no cache service is a warning', async () => {
    const down = dockerUp();
    if (down !== null) throw new Error(`the Docker engine is not reachable (${down}): start it (dockerd &) to test image: build`);
    const r = await runAction({ run: 'sh build.sh', 'working-directory': 'examples/shell', image: 'build', diffoscope: 'false' }, { limitMs: 590_000 });
    expectExit(r, 0);
    expect(r.outputs.reproducible).toBe('true');
    expect(r.errors).toEqual([]);
    const cacheWarnings = r.warnings.filter((w) => w.props.title === 'dettrace: no cache service');
    expect(cacheWarnings).toHaveLength(1);
    expect(r.commands.some((c) => c.command === 'group' && c.message === 'Image: det bookworm')).toBe(true);
    const report = JSON.parse((await import('node:fs')).readFileSync(r.outputs.report, 'utf8'));
    // the runs were traced inside the image: its kernel is the host's, its tree Debian's
    expect(report.runs[0].report).not.toBeNull();
    expect(r.summary).toMatch(/<tr><td>Ref<\/td><td><code>det\/build:[0-9a-f]{16}<\/code><\/td><\/tr>/);
    expect(r.summary).toMatch(/<tr><td>Digest<\/td><td><code>sha256:[0-9a-f]{64}<\/code><\/td><\/tr>/);
    expect(r.summary).toContain("GitHub&#39;s cache service is not available in this job".replace('&#39;', "'"));
    const ref = /--image (det\/build:[0-9a-f]{16})/.exec(r.stdout);
    expect(ref).not.toBeNull();
    builtRef = ref![1];
  }, 600_000);

  test('image: REF runs in that image (pulled, or the engine\'s own when the pull fails)', async () => {
    if (builtRef === undefined) throw new Error('needs the image of the previous test');
    const r = await runAction({ run: 'sh build.sh', 'working-directory': 'examples/shell', image: builtRef, diffoscope: 'false' });
    expectExit(r, 0);
    expect(r.outputs.reproducible).toBe('true');
    expect(r.commands.some((c) => c.command === 'group' && c.message === `Image: docker pull ${builtRef}`)).toBe(true);
    expect(r.stdout).toContain(`--image ${builtRef}`);
    expect(r.summary).toContain(`<code>${builtRef}</code>`);
    // det/build:* is not in any registry: the pull fails and the local image is used
    expect(r.summary).toMatch(/pulled in \d+ s|local image \(docker pull failed\)/);
    expect(r.warnings.some((w) => /cache/.test(w.props.title ?? ''))).toBe(false);
  }, 300_000);

  test('an image that can be neither pulled nor found: one failure line', async () => {
    const r = await runAction({ run: 'true', 'working-directory': 'examples/shell', image: 'det-test.invalid/none:1' });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/^dettrace: image: det-test\.invalid\/none:1: docker pull failed \(exit \d+\) and the Docker engine has no such image$/);
    expect(r.outputs).toEqual({});
  }, 120_000);

  test('a cache service that fails: one warning, the job still verifies', async () => {
    const r = await runAction({ run: 'sh build.sh', 'working-directory': 'examples/shell', image: 'build', diffoscope: 'false' },
      { env: { ACTIONS_CACHE_URL: 'http://127.0.0.1:9/', ACTIONS_RUNTIME_TOKEN: 'not-a-token' }, limitMs: 590_000 });
    expectExit(r, 0);
    expect(r.outputs.reproducible).toBe('true');
    expect(r.errors).toEqual([]);
    const cache = r.warnings.filter((w) => w.props.title === 'dettrace: image cache');
    expect(cache).toHaveLength(1);
    expect(cache[0].message).toMatch(/^restore: Failed to restore: .*ECONNREFUSED.*\(the job goes on without the cache\)$/);
    expect(r.warnings.some((w) => w.props.title === 'dettrace: no cache service')).toBe(false);
    expect(r.summary).toContain('not saved: the cache service failed on restore');
  }, 600_000);

  test('from a checkout of the Action (no lib/, no node_modules/), under node 24', async () => {
    const down = dockerUp();
    if (down !== null) throw new Error(`the Docker engine is not reachable (${down})`);
    const checkout = makeCheckout();
    const ws = tempDir('det-action-ws-');
    cpSync(join(ROOT, 'examples', 'shell'), join(ws, 'shell'), { recursive: true });
    const r = await runAction({ run: 'sh build.sh', 'working-directory': 'shell', image: 'build', diffoscope: 'false' },
      { node: node24(), entry: join(checkout, 'dist', 'index.js'), workspace: ws, limitMs: 590_000 });
    expectExit(r, 0);
    expect(r.outputs.reproducible).toBe('true');
  }, 600_000);
});
