// One run of a verify: the command in its copy of the work dir, traced (a child
// `dettrace run --workdir COPY --report FILE ... -- COMMAND`, which needs nothing from the
// run engine but its command line) or natively with --no-trace (the command itself, cwd =
// the copy, the host's environment plus the variation). The run's stdout and stderr go to
// log files; the child gets its own process group so that a timeout or an interrupt stops
// the whole tree.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants as osc } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { packageRoot } from '../native.js';
import type { RunReport, VerifyOptions } from '../types.js';
import { sha256Hex } from './hash.js';
import { variedEnv, wrapCommand, type Variation } from './vary.js';

export interface RunSpec {
  opts: VerifyOptions;
  variation: Variation;
  /** Where the tracer writes its run report. */
  reportFile: string;
  stdoutFile: string;
  stderrFile: string;
  /** --log of this run (traced), if any. */
  logFile?: string;
  /** Environment the variation is applied to; default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Stops the run (the whole process tree) when aborted. */
  signal?: AbortSignal;
}

export interface RunOutcome {
  exitCode: number;
  /** Signal number that ended the run's top process, if one did. */
  signal: number | null;
  durationMs: number;
  startedAt: string;
  /** The parsed run report (traced runs), or null. */
  report: RunReport | null;
  /** Why there is no report, when there should be one. */
  reportError?: string;
  /** The argv that was spawned (after wrapping). */
  argv: string[];
  stdoutFile: string;
  stderrFile: string;
  stdoutSha256: string | null;
  timedOut: boolean;
  interrupted: boolean;
}

/** Path of the `dettrace` CLI entry (bin/dettrace.js) of this package. */
export function cliPath(): string {
  return join(packageRoot(), 'bin', 'dettrace.js');
}

/** argv of a traced run: node bin/dettrace.js run ... -- COMMAND. */
export function tracedArgv(opts: VerifyOptions, workdir: string, reportFile: string, logFile?: string): string[] {
  const args = [process.execPath, cliPath(), 'run', '--workdir', workdir, '--report', reportFile];
  args.push('--epoch', String(opts.epoch));
  args.push('--seed', opts.seedText ?? BigInt(opts.seed).toString());
  for (const e of opts.env) args.push('--env', e);
  if (opts.chroot !== undefined) args.push('--chroot', opts.chroot);
  if (opts.image !== undefined) args.push('--image', opts.image);
  if (opts.timeout !== undefined) args.push('--timeout', String(opts.timeout));
  if (opts.strict) args.push('--strict');
  if (opts.debug > 0) args.push('--debug', String(opts.debug));
  if (logFile !== undefined) args.push('--log', logFile);
  args.push('--', ...opts.command);
  return args;
}

/** Parse a run report file; [report, error]. */
export function readRunReport(file: string): [RunReport | null, string | undefined] {
  if (!existsSync(file)) return [null, 'the tracer wrote no run report'];
  try {
    const text = readFileSync(file, 'utf8');
    const r = JSON.parse(text) as RunReport;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return [null, 'the run report is not a JSON object'];
    return [r, undefined];
  } catch (err) {
    return [null, `the run report is not valid JSON: ${(err as Error).message}`];
  }
}

/** The last `lines` lines of a text file ('' when missing), at most 64 KiB read. */
export function tailOf(file: string, lines = 20): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    try {
      const len = Math.min(size, 65536);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      const text = buf.toString('utf8').replace(/\n$/, '');
      return text.split('\n').slice(-lines).join('\n');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

function sha256OfFile(file: string): string | null {
  try {
    return sha256Hex(readFileSync(file));
  } catch {
    return null;
  }
}

function signalNumber(name: string): number {
  return (osc.signals as Record<string, number>)[name] ?? 0;
}

/** Run once; never rejects for the command's failures (they are in the outcome). */
export async function runOnce(spec: RunSpec): Promise<RunOutcome> {
  const { opts, variation: v } = spec;
  const base = opts.trace
    ? tracedArgv(opts, v.dir, spec.reportFile, spec.logFile)
    : [...opts.command];
  const argv = wrapCommand(base, v);
  const env = variedEnv(spec.baseEnv ?? process.env, v);
  const outFd = openSync(spec.stdoutFile, 'w');
  const errFd = openSync(spec.stderrFile, 'w');
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  let timedOut = false;
  let interrupted = false;

  const result = await new Promise<{ code: number | null; sig: NodeJS.Signals | null; spawnError?: NodeJS.ErrnoException }>(
    (resolve) => {
      let child;
      try {
        child = spawn(argv[0], argv.slice(1), {
          cwd: opts.trace ? undefined : v.dir,
          env,
          stdio: ['ignore', outFd, errFd],
          detached: true,
        });
      } catch (err) {
        resolve({ code: null, sig: null, spawnError: err as NodeJS.ErrnoException });
        return;
      }
      const pid = child.pid;
      const killTree = (sig: NodeJS.Signals) => {
        if (pid === undefined) return;
        try {
          process.kill(-pid, sig);
        } catch {
          // already gone
        }
      };
      let timer: NodeJS.Timeout | undefined;
      // Traced runs enforce --timeout in the tracer (exit 124); native runs here.
      if (!opts.trace && opts.timeout !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          killTree('SIGKILL');
        }, opts.timeout * 1000);
      }
      let escalate: NodeJS.Timeout | undefined;
      const onAbort = () => {
        interrupted = true;
        // The traced CLI forwards SIGINT to the tracer, which tears the sandbox down.
        if (opts.trace && pid !== undefined) {
          try {
            process.kill(pid, 'SIGINT');
          } catch {
            // gone
          }
        } else {
          killTree('SIGINT');
        }
        escalate = setTimeout(() => killTree('SIGKILL'), 5000);
      };
      if (spec.signal?.aborted) onAbort();
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        if (escalate) clearTimeout(escalate);
        spec.signal?.removeEventListener('abort', onAbort);
        resolve({ code: null, sig: null, spawnError: err });
      });
      child.once('close', (code, sig) => {
        if (timer) clearTimeout(timer);
        if (escalate) clearTimeout(escalate);
        spec.signal?.removeEventListener('abort', onAbort);
        // the group may still hold orphans of the build: they go with it
        if (!opts.trace) killTree('SIGKILL');
        resolve({ code, sig });
      });
    },
  );
  closeSync(outFd);
  closeSync(errFd);
  const durationMs = Math.round((performance.now() - t0) * 1000) / 1000;

  let exitCode: number;
  let signal: number | null = null;
  if (result.spawnError) {
    const code = result.spawnError.code;
    exitCode = code === 'ENOENT' ? 127 : code === 'EACCES' ? 126 : 125;
    appendFileSync(spec.stderrFile, `${argv[0]}: ${result.spawnError.message}\n`);
  } else if (timedOut) {
    exitCode = 124;
  } else if (result.sig) {
    signal = signalNumber(result.sig);
    exitCode = 128 + signal;
  } else {
    exitCode = result.code ?? 125;
  }

  let report: RunReport | null = null;
  let reportError: string | undefined;
  if (opts.trace) [report, reportError] = readRunReport(spec.reportFile);

  return {
    exitCode, signal, durationMs, startedAt, report, reportError, argv,
    stdoutFile: spec.stdoutFile, stderrFile: spec.stderrFile,
    stdoutSha256: sha256OfFile(spec.stdoutFile), timedOut, interrupted,
  };
}

/**
 * Did the tracer itself fail (status 125 with a missing report or one that names a
 * failure)? Then the verify is a tool error, not a failed build. Returns the reason or null.
 */
export function toolFailure(o: RunOutcome, traced: boolean): string | null {
  if (!traced || o.exitCode !== 125 || o.interrupted) return null;
  const failure = o.report?.failure;
  if (o.report !== null && (failure === null || failure === undefined)) return null;
  const lines = tailOf(o.stderrFile, 50).split('\n');
  const own = lines.filter((l) => l.startsWith('dettrace')).pop();
  if (typeof failure === 'string' && failure !== '') return failure;
  if (failure !== null && typeof failure === 'object') return JSON.stringify(failure);
  return own ?? lines.filter(Boolean).pop() ?? 'the tracer failed without a message';
}
