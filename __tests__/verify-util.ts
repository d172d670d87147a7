// Shared helpers of the verify test suites (not a test file itself).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { VerifyOptions } from '../src/types.js';
import type { VerifyIO } from '../src/verify/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EXAMPLES = join(ROOT, 'examples');

/** A fresh temporary directory, removed by cleanupTemps(). */
const temps: string[] = [];
export function tempDir(prefix = 'det-verify-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Run a program; throws with its stderr when it fails. */
export function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return String(r.stdout);
}

/** Verify options as the CLI would resolve them. */
export function verifyOptions(workdir: string, command: string[], extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    command, workdir, epoch: 744847200, seed: 0, seedText: '0', env: [], strict: false, debug: 0,
    artifacts: [], runs: 2, vary: true, trace: false, ...extra,
  };
}

/** Captured output of a verify. */
export interface Captured {
  io: Partial<VerifyIO>;
  out: () => string;
  err: () => string;
}
export function capture(extra: Partial<VerifyIO> = {}): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      out: (t) => void (out += t),
      err: { write: (t: string) => void (err += t), isTTY: false },
      handleSignals: false,
      diffoscope: false,
      ...extra,
    },
    out: () => out,
    err: () => err,
  };
}
