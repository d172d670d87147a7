// Helpers of the reliability suite (__tests__/reliability.test.ts): build the C programs of
// tests/reliability/, count what was tried (the figures line printed at the end), find
// processes left behind by a unique marker, and check that no report was half written.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { ROOT, runCli, type RunResult } from './cli.js';
import { requireTool, tempDir } from './programs.js';

export const RELIABILITY_SRC = join(ROOT, 'tests', 'reliability');

/** What the suite tried; printed as one line in afterAll. */
export const figures = {
  inputs: 0,
  faults: 0,
  escapes: 0,
  fuzzSyscalls: 0,
  processes: 0,
  crashes: 0,
  hangs: 0,
  escaped: 0,
};

export function figuresLine(): string {
  const f = figures;
  return (
    `reliability figures: inputs tried ${f.inputs}, faults injected ${f.faults}, escapes tried ${f.escapes}, ` +
    `fuzz syscalls issued ${f.fuzzSyscalls}, processes run ${f.processes} — ` +
    `crashes ${f.crashes}, hangs ${f.hangs}, escapes ${f.escaped}`
  );
}

/**
 * Account for one det run: a tracer crash (a signal on the CLI or the tracer, an "internal
 * error", a 125 where the command's status was due) or a hang (our time limit, or det's own
 * backstop "did not end the run in time") is counted.
 */
export function account(r: RunResult, opts: { processes?: number; expectToolError?: boolean } = {}): void {
  figures.processes += opts.processes ?? 1;
  if (r.timedOut || /did not end the run in time/.test(r.stderr)) figures.hangs++;
  else if (r.signal || /internal error|tracer (crashed|died)|\n\s+at /.test(r.stderr)) figures.crashes++;
  else if (r.code === 125 && !opts.expectToolError) figures.crashes++;
}

let built: string | undefined;

/** cc every tests/reliability/*.c once into a temp dir; returns that dir. */
export function buildReliabilityPrograms(): string {
  if (built) return built;
  requireTool('cc');
  const out = tempDir('det-rel-programs-');
  for (const f of readdirSync(RELIABILITY_SRC).filter((n) => n.endsWith('.c'))) {
    const name = basename(f, '.c');
    execFileSync('cc', ['-O1', '-pthread', '-Wall', '-o', join(out, name), join(RELIABILITY_SRC, f)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  built = out;
  return out;
}

/** A unique marker to put in command lines so pgrep -f finds exactly this run's processes. */
let seq = 0;
export function marker(tag: string): string {
  return `detrel_${tag}_${process.pid}_${++seq}`;
}

/** pids (with command lines) of host processes whose command line holds `m`. */
export function processesWith(m: string): string[] {
  const r = spawnSync('pgrep', ['-af', m], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() && !l.includes('pgrep'))
    .map((l) => l.trim());
}

/** Poll until no process holds marker `m` (or `ms` passed); returns what is left. */
export async function waitNoProcesses(m: string, ms = 5000): Promise<string[]> {
  const end = Date.now() + ms;
  let left = processesWith(m);
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesWith(m);
  }
  return left;
}

/** Lines of /proc/mounts that mention `path`. */
export function mountsOf(path: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(path));
}

/** Temp files a write-then-rename left behind next to `file` (`.NAME.*.tmp`, `*.tmp.*`). */
export function tempLeftovers(file: string): string[] {
  const d = dirname(file);
  if (!existsSync(d)) return [];
  const b = basename(file);
  return readdirSync(d).filter((n) => n !== b && (n.includes('.tmp.') || n.endsWith('.tmp')) && n.includes(b.split('.')[0]));
}

/** Either absent or a complete JSON document: returns an error text, or '' when fine. */
export function reportWholeOrAbsent(file: string): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  try {
    const j = JSON.parse(text) as { version?: number };
    return j.version === 1 ? '' : `report without version 1: ${text.slice(0, 200)}`;
  } catch (e) {
    return `half-written report (${text.length} bytes): ${(e as Error).message}`;
  }
}

/**
 * Run the CLI with an extra host descriptor `fd` placed at descriptor `at` of the CLI (not
 * close-on-exec), as a CI runner or a calling script may leave one open.
 */
export function runCliWithFd(args: string[], fd: number, at: number, limitMs = 30_000): Promise<RunResult> {
  return runCli(args, { limitMs, passFd: { fd, at } });
}
