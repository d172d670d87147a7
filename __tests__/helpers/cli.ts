// Run the real `dettrace` CLI (node bin/dettrace.js) or a program natively, asynchronously,
// capturing stdout/stderr as bytes, with a hard wall-clock limit after which the whole
// process group is killed (so a hung tracer fails its test instead of the whole run).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from lib/__tests__/helpers/). */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'dettrace.js');
export const TRACER = join(ROOT, 'build', 'Release', 'dettrace-tracer');
export const hasTracer = (): boolean => existsSync(TRACER);

export interface RunResult {
  /** exit status, or null when killed by a signal (see `signal`) or by our time limit */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  durationMs: number;
  /** true when our own wall-clock limit killed it */
  timedOut: boolean;
}

export interface RunOptions {
  cwd?: string;
  /** extra environment for the spawned process (merged over process.env) */
  env?: NodeJS.ProcessEnv;
  /** hard wall-clock limit in ms (default 120 s); the process group is SIGKILLed after it */
  limitMs?: number;
  /** bytes for stdin (default: empty stdin) */
  input?: string | Buffer;
  /** a descriptor of this process to pass on at descriptor `at` (not close-on-exec), as a
   *  CI runner or a calling script may leave one open */
  passFd?: { fd: number; at: number };
}

/** Spawn any command; resolves when it exited and its stdout/stderr are closed. */
export function runProcess(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const stdio: ('pipe' | 'ignore' | number)[] = ['pipe', 'pipe', 'pipe'];
    if (opts.passFd) {
      while (stdio.length < opts.passFd.at) stdio.push('ignore');
      stdio.push(opts.passFd.fd);
    }
    const child = spawn(file, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...(opts.env ?? {}) },
      stdio,
      detached: true, // own process group: the time limit kills everything it started
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.limitMs ?? 120_000);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(limit);
      reject(e);
    });
    child.stdin!.on('error', () => undefined); // EPIPE when the command does not read stdin
    child.stdin!.end(opts.input ?? '');
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
        durationMs: Date.now() - started,
        timedOut,
      });
    });
  });
}

/**
 * `node bin/dettrace.js ARGS...` — the CLI exactly as a user runs it. SOURCE_DATE_EPOCH is
 * cleared so the host's value cannot leak into the defaults unless a test sets it.
 */
export function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [BIN, ...args], {
    ...opts,
    env: { SOURCE_DATE_EPOCH: '', ...(opts.env ?? {}) },
  });
}

/** `dettrace --workdir WORKDIR [OPTIONS] -- CMD...` */
export function runTraced(workdir: string, cmd: string[], options: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  return runCli(['--workdir', workdir, ...options, '--', ...cmd], opts);
}

/** A one-paragraph description of a result, for assertion messages. */
export function describeResult(r: RunResult, maxChars = 1500): string {
  const cut = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars)}... (${s.length} chars)` : s);
  return (
    `exit ${r.code} signal ${r.signal}${r.timedOut ? ' (killed by the test time limit)' : ''} ` +
    `after ${r.durationMs} ms\n--- stdout ---\n${cut(r.stdout)}\n--- stderr ---\n${cut(r.stderr)}`
  );
}
