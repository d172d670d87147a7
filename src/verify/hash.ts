// SHA-256 of artifact files: streaming (a fixed 1 MiB buffer per file, never the whole file
// in memory) and in parallel on a small pool of worker threads, so that hashing a large tree
// takes about the time to read it. The worker's code is inline (eval), so the same module
// works compiled to lib/ and bundled into dist/.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Read size of the hashing loop. */
export const HASH_CHUNK = 1 << 20;

/** Largest default pool: beyond 4 parallel readers a disk gains nothing. */
export const MAX_HASH_WORKERS = 4;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const buf = Buffer.allocUnsafe(${HASH_CHUNK});
parentPort.on('message', (task) => {
  let fd = -1;
  try {
    const h = createHash('sha256');
    fd = openSync(task.path, 'r');
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      bytes += n;
    }
    parentPort.postMessage({ id: task.id, sha256: h.digest('hex'), bytes });
  } catch (e) {
    parentPort.postMessage({ id: task.id, error: String(e && e.message || e), code: e && e.code });
  } finally {
    if (fd >= 0) { try { closeSync(fd); } catch {} }
  }
});
`;

/** sha256 (hex) of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 (hex) of one file, streamed on the main thread. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    const s = createReadStream(path, { highWaterMark: HASH_CHUNK });
    s.on('data', (chunk) => h.update(chunk));
    s.on('error', reject);
    s.on('end', () => resolve(h.digest('hex')));
  });
}

export interface HashOutcome {
  /** Lowercase hex sha256, or null when the file could not be read. */
  sha256: string | null;
  bytes: number;
  /** Why it could not be read. */
  error?: string;
}

export interface HashOptions {
  /** Worker threads; default min(4, available CPUs). 0: hash on the main thread. */
  workers?: number;
  /** Called after each file. */
  onProgress?: (doneFiles: number, totalFiles: number, doneBytes: number) => void;
}

interface Reply {
  id: number;
  sha256?: string;
  bytes?: number;
  error?: string;
  code?: string;
}

/** Default pool size on this machine. */
export function defaultHashWorkers(): number {
  return Math.max(1, Math.min(MAX_HASH_WORKERS, availableParallelism()));
}

/**
 * Hash regular files; resolves to one outcome per input path (same order). Unreadable
 * files get sha256 null and an error text; the call itself fails only on a broken pool.
 */
export async function hashFiles(paths: readonly string[], opts: HashOptions = {}): Promise<HashOutcome[]> {
  const results: HashOutcome[] = new Array(paths.length);
  if (paths.length === 0) return results;
  let workers = opts.workers ?? defaultHashWorkers();
  workers = Math.min(workers, paths.length);
  let doneFiles = 0;
  let doneBytes = 0;
  const progress = (o: HashOutcome) => {
    doneFiles++;
    doneBytes += o.bytes;
    opts.onProgress?.(doneFiles, paths.length, doneBytes);
  };

  if (workers <= 0) {
    for (let i = 0; i < paths.length; i++) {
      try {
        const sha256 = await sha256File(paths[i]);
        results[i] = { sha256, bytes: 0 };
      } catch (err) {
        results[i] = { sha256: null, bytes: 0, error: (err as Error).message };
      }
      progress(results[i]);
    }
    return results;
  }

  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let outstanding = 0;
      const send = (w: Worker) => {
        if (next >= paths.length) return;
        const id = next++;
        outstanding++;
        w.postMessage({ id, path: paths[id] });
      };
      for (let k = 0; k < workers; k++) {
        // execArgv: [] so that flags of this process (--input-type, --experimental-vm-modules)
        // do not turn the inline CommonJS source into a module.
        const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
        pool.push(w);
        w.on('message', (r: Reply) => {
          outstanding--;
          results[r.id] =
            r.sha256 !== undefined
              ? { sha256: r.sha256, bytes: r.bytes ?? 0 }
              : { sha256: null, bytes: 0, error: r.error ?? 'unreadable' };
          progress(results[r.id]);
          if (next < paths.length) send(w);
          else if (outstanding === 0) resolve();
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (outstanding > 0 || next < paths.length) reject(new Error(`hash worker exited (${code}) before finishing`));
        });
        // two tasks in flight per worker: it never waits for the next message
        send(w);
        send(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
