// `dettrace run`: spawn the native tracer executable on the command, let the command's
// stdout/stderr pass through unchanged, forward termination signals, and exit with the
// tracer's status (which already is the command's status, 127/126, 128+N, 124 or 125).
import { spawn, type StdioOptions } from 'node:child_process';
import { constants as osc } from 'node:os';
import { performance } from 'node:perf_hooks';

import { DetError } from './errors.js';
import { runInImage } from './image.js';
import { rootSkeleton, tracerPath } from './native.js';
import type { RunOptions } from './types.js';

/** How to run the tracer process; every field is optional. */
export interface RunIO {
  /** stdio of the tracer (and so of the command); default 'inherit'. */
  stdio?: StdioOptions;
  /** Forward SIGINT/SIGTERM/SIGHUP received by this process to the tracer; default true. */
  forwardSignals?: boolean;
  /** Environment of the tracer process itself (not the command's, which is fixed); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Tracer executable; default tracerPath(). */
  tracer?: string;
  /** Root skeleton of the default container; default rootSkeleton(). */
  rootSkel?: string;
}

export interface TracedResult {
  /** What `dettrace run` exits with: the tracer's status, or 128+N when it died by signal N. */
  exitCode: number;
  /** Signal number that killed the tracer process itself; null when it exited. */
  signal: number | null;
  /** Wall-clock time from spawn to exit, in milliseconds. */
  durationMs: number;
}

/** Signals forwarded to the tracer (it cleans up the sandbox and exits with a status). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The tracer's command line (native/tracer_main.cc), options named as in `dettrace run`. */
export function tracerArgs(opts: RunOptions, rootSkel: string): string[] {
  const args = ['--workdir', opts.workdir, '--root-skel', rootSkel];
  if (opts.chroot !== undefined) args.push('--chroot', opts.chroot);
  args.push('--epoch', String(opts.epoch));
  args.push('--seed', opts.seedText ?? BigInt(opts.seed).toString());
  for (const e of opts.env) args.push('--env', e);
  if (opts.report !== undefined) args.push('--report', opts.report);
  if (opts.timeout !== undefined) args.push('--timeout', String(opts.timeout));
  if (opts.strict) args.push('--strict');
  if (opts.debug > 0) args.push('--debug', String(opts.debug));
  if (opts.log !== undefined) args.push('--log', opts.log);
  args.push('--', ...opts.command);
  return args;
}

/** Number of a signal name (SIGKILL → 9); 0 when unknown. */
export function signalNumber(name: NodeJS.Signals | string): number {
  return (osc.signals as Record<string, number>)[name] ?? 0;
}

/** Run the command under the tracer (or, with opts.image, inside that container image). */
export async function runTracedDetailed(opts: RunOptions, io: RunIO = {}): Promise<TracedResult> {
  if (opts.image !== undefined) return runInImage(opts, io);
  const tracer = io.tracer ?? tracerPath();
  const args = tracerArgs(opts, io.rootSkel ?? rootSkeleton());
  const forward = io.forwardSignals ?? true;
  const started = performance.now();

  return new Promise<TracedResult>((resolvePromise, reject) => {
    const child = spawn(tracer, args, { stdio: io.stdio ?? 'inherit', env: io.env ?? process.env });
    const handlers = new Map<NodeJS.Signals, () => void>();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      for (const [sig, h] of handlers) process.removeListener(sig, h);
      fn();
    };
    if (forward) {
      for (const sig of FORWARDED_SIGNALS) {
        const h = () => {
          if (child.exitCode === null && child.signalCode === null) child.kill(sig);
        };
        handlers.set(sig, h);
        process.on(sig, h);
      }
    }
    child.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'not executable' : err.message;
      finish(() => reject(new DetError(tracer, `cannot start the native tracer: ${why}`, { cause: err })));
    });
    child.once('close', (code, signal) => {
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      finish(() => {
        if (signal) {
          const n = signalNumber(signal);
          resolvePromise({ exitCode: 128 + n, signal: n, durationMs });
        } else {
          resolvePromise({ exitCode: code ?? 125, signal: null, durationMs });
        }
      });
    });
  });
}

/** `dettrace run`: run the command under the tracer; resolves to the exit status. */
export async function runTraced(opts: RunOptions, io: RunIO = {}): Promise<number> {
  return (await runTracedDetailed(opts, io)).exitCode;
}
