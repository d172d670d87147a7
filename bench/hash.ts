// Hashing benchmark: verify's hasher (src/verify/hash.ts) against coreutils' sha256sum on the
// same files, in the same run. Creates about 1 GiB in a temporary directory (8 files of 128
// MiB and 1000 small ones of 1-64 KiB), hashes it with each, checks that the hashes agree,
// prints throughput in MB/s and the ratio, and removes the files.
//
//   npm run build:ts && node lib/bench/hash.js [--big N] [--big-mb M] [--small N]
//
// The files were just written, so both read them from the page cache: this measures the
// hashing and reading machinery, not the disk. Each hasher runs twice, alternating; the
// better time counts.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { defaultHashWorkers, hashFiles } from '../src/verify/hash.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const BIG = arg('--big', 8);
const BIG_MB = arg('--big-mb', 128);
const SMALL = arg('--small', 1000);

const dir = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'det-bench-hash-'));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

async function main(): Promise<void> {
  const files: string[] = [];
  let total = 0;
  process.stderr.write(`writing ${BIG} × ${BIG_MB} MiB + ${SMALL} small files to ${dir} …\n`);
  const block = randomBytes(BIG_MB * 1024 * 1024);
  for (let i = 0; i < BIG; i++) {
    block.writeUInt32LE(i, 0); // every file different
    const f = join(dir, `big-${i}.bin`);
    writeFileSync(f, block);
    files.push(f);
    total += block.length;
  }
  for (let i = 0; i < SMALL; i++) {
    const n = 1024 + ((i * 7919) % (63 * 1024));
    const f = join(dir, `small-${String(i).padStart(4, '0')}.bin`);
    writeFileSync(f, block.subarray(i * 64, i * 64 + n));
    files.push(f);
    total += n;
  }

  const runSha256sum = (): { ms: number; hashes: string[] } => {
    const t0 = performance.now();
    const r = spawnSync('sha256sum', ['--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
    return { ms, hashes: r.stdout.trim().split('\n').map((l) => l.slice(0, 64)) };
  };
  const runOurs = async (workers: number): Promise<{ ms: number; hashes: string[] }> => {
    const t0 = performance.now();
    const out = await hashFiles(files, { workers });
    const ms = performance.now() - t0;
    return { ms, hashes: out.map((o) => o.sha256 ?? 'unreadable') };
  };

  const pool = defaultHashWorkers();
  const best = { sha256sum: Infinity, ours: Infinity, ours1: Infinity };
  let reference: string[] = [];
  for (let round = 0; round < 2; round++) {
    const s = runSha256sum();
    reference = s.hashes;
    best.sha256sum = Math.min(best.sha256sum, s.ms);
    const o = await runOurs(pool);
    if (o.hashes.join() !== reference.join()) throw new Error('the hashes differ from sha256sum!');
    best.ours = Math.min(best.ours, o.ms);
    const o1 = await runOurs(1);
    if (o1.hashes.join() !== reference.join()) throw new Error('the hashes (1 worker) differ from sha256sum!');
    best.ours1 = Math.min(best.ours1, o1.ms);
  }

  const rate = (ms: number) => `${(total / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
  const line = (name: string, ms: number) => `${name.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${rate(ms).padStart(10)}`;
  console.log(`hashing ${files.length} files, ${mb(total)} MB (page cache), ${availableParallelism()} CPUs; best of 2`);
  console.log(line('sha256sum (coreutils, 1 process)', best.sha256sum));
  console.log(line(`dettrace verify hasher (${pool} workers)`, best.ours));
  console.log(line('dettrace verify hasher (1 worker)', best.ours1));
  console.log(`ratio: ours/sha256sum throughput = ${(best.sha256sum / best.ours).toFixed(2)}× (${pool} workers), ${(best.sha256sum / best.ours1).toFixed(2)}× (1 worker); hashes identical`);
}

main()
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  })
  .finally(cleanup);
