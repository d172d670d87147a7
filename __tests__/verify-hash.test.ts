// Hashing: streaming sha256 in a worker pool, checked against coreutils' sha256sum on
// real files (empty, tiny, around the 1 MiB read size, several MiB of random bytes).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { HASH_CHUNK, hashFiles, sha256File, sha256Hex } from '../src/verify/hash.js';
import { cleanupTemps, sh, tempDir } from './verify-util.js';

afterAll(cleanupTemps);

function sha256sum(files: string[]): string[] {
  return sh('sha256sum', ['--', ...files]).trim().split('\n').map((l) => l.slice(0, 64));
}

describe('hashFiles', () => {
  const dir = tempDir();
  const sizes = [0, 1, 55, 64, HASH_CHUNK - 1, HASH_CHUNK, HASH_CHUNK + 1, 3 * HASH_CHUNK + 17, 5_000_000];
  const files = sizes.map((n, i) => {
    const f = join(dir, `f${i}-${n}.bin`);
    writeFileSync(f, randomBytes(n));
    return f;
  });

  test('matches sha256sum on every file, in input order (worker pool)', async () => {
    const got = await hashFiles(files, { workers: 3 });
    expect(got.map((g) => g.sha256)).toEqual(sha256sum(files));
    expect(got.map((g) => g.bytes)).toEqual(sizes);
  });

  test('matches sha256sum on the main thread too', async () => {
    const got = await hashFiles(files, { workers: 0 });
    expect(got.map((g) => g.sha256)).toEqual(sha256sum(files));
  });

  test('more files than workers and in-flight slots; progress reaches the total', async () => {
    const many = Array.from({ length: 40 }, (_, i) => files[i % files.length]);
    let last = [0, 0, 0];
    const got = await hashFiles(many, { workers: 2, onProgress: (d, t, b) => (last = [d, t, b]) });
    expect(got.map((g) => g.sha256)).toEqual(sha256sum(many));
    expect(last[0]).toBe(40);
    expect(last[1]).toBe(40);
    expect(last[2]).toBe(many.reduce((s, _f, i) => s + sizes[i % sizes.length], 0));
  });

  test('an unreadable file gets null and a reason; the others still hash', async () => {
    const got = await hashFiles([files[1], join(dir, 'does-not-exist'), files[2]]);
    expect(got[0].sha256).toBe(sha256sum([files[1]])[0]);
    expect(got[1].sha256).toBeNull();
    expect(got[1].error).toMatch(/ENOENT|no such file/i);
    expect(got[2].sha256).toBe(sha256sum([files[2]])[0]);
  });

  test('no files: nothing to do', async () => {
    expect(await hashFiles([])).toEqual([]);
  });

  test('sha256File and sha256Hex agree with sha256sum', async () => {
    expect(await sha256File(files[6])).toBe(sha256sum([files[6]])[0]);
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
