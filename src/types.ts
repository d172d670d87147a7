// Shared shapes of the TypeScript side. The CLI (src/cli.ts) parses argv into these; the
// run engine (src/run.ts) and the verify engine (src/verify/) consume them.

/** Options of `dettrace run` (SPEC §1), validated and resolved (absolute paths). */
export interface RunOptions {
  command: string[];
  chroot?: string;
  image?: string;          // --image REF: run the tracer inside this container image
  workdir: string;         // absolute host path
  epoch: number;           // integer seconds
  seed: number;            // non-negative integer (Number(seedText): inexact above 2^53)
  seedText?: string;       // --seed exactly, as decimal (0 .. 2^64-1); run.ts prefers it
  env: string[];           // NAME=VALUE, resolved
  report?: string;         // absolute path
  timeout?: number;        // seconds
  strict: boolean;
  debug: number;
  log?: string;            // absolute path
}

/** Options of `dettrace verify` (SPEC §1): every run option plus these. */
export interface VerifyOptions extends RunOptions {
  artifacts: string[];     // globs relative to the work dir; empty: created or changed files
  runs: number;            // >= 1
  vary: boolean;
  trace: boolean;          // false with --no-trace
  json?: string;           // absolute path
  markdown?: string;       // absolute path
}

/** Run report, SPEC §3 (fields fixed; more may be added). */
export interface RunReport {
  version: 1;
  exitCode: number;
  signal: number | null;
  durationMs: number;
  host: Record<string, unknown>;
  guarantees: Record<string, 'determinized' | 'unavailable-on-host' | 'not-handled'>;
  intercepted: Record<string, number>;
  unsupported: { syscall: string; count: number; pid: number }[];
  processes: number;
  [extra: string]: unknown;
}

/** Verify report, SPEC §3. */
export interface VerifyReport {
  version: 1;
  reproducible: boolean;
  runs: { exitCode: number; durationMs: number; report: RunReport | null; [extra: string]: unknown }[];
  artifacts: { path: string; hashes: (string | null)[]; same: boolean; [extra: string]: unknown }[];
  digest: string;
  [extra: string]: unknown;
}
