// Run the verify engine in this process (src/verify), with the same options the CLI would
// parse from `dettrace verify ...` (the argv goes through the CLI's own parser, so defaults
// and checks are identical), and with its progress split into log groups: one per run, one
// for comparing the artifacts. Each run is still a child `dettrace run` process, so a crash
// of the tracer ends that run, not this step.
//
// Why in-process and not `node bin/dettrace.js verify`: the report comes back as the typed
// object (no second parse of a file another process may not have written), tool errors come
// back as DetError with their one line, diffoscope can be switched off (the CLI has no flag
// for it), the runs can be grouped from the progress lines as they come, and the engine's
// own SIGINT/SIGTERM handling (a cancelled workflow) removes its temporary copies.
import { spawnSync } from 'node:child_process';

import * as exec from '@actions/exec';

import { parseArgs } from '../options.js';
import type { VerifyOptions } from '../types.js';
import { which } from '../verify/diffoscope.js';
import { verify } from '../verify/index.js';
import type { FullVerifyReport } from '../verify/report-json.js';
import type { ActionInputs } from './inputs.js';
import { safeLine, type Log } from './log.js';

export interface VerifyRun {
  report: FullVerifyReport;
  exitStatus: number;
  /** The engine's terminal summary (shown in the log). */
  text: string;
  /** What was passed as the command. */
  command: string[];
  /** diffoscope: the executable used, or why none. */
  diffoscope: string;
}

/** The shell command line of `run`: `sh -e -c RUN` (like GitHub's own run steps, stop at the first failing command). */
export function buildCommand(run: string): string[] {
  return ['sh', '-e', '-c', run];
}

/** `dettrace verify` argv for these inputs. */
export function verifyArgv(inp: ActionInputs, files: { json: string; markdown: string }, image?: string, runs = inp.runs): string[] {
  const argv = ['verify', '--workdir', inp.workingDirectory, '--runs', String(runs), '--seed', inp.seed];
  if (inp.epoch !== undefined) argv.push('--epoch', String(inp.epoch));
  if (!inp.vary) argv.push('--no-vary');
  for (const g of inp.artifacts) argv.push('--artifacts', g);
  if (image !== undefined) argv.push('--image', image);
  argv.push('--json', files.json, '--markdown', files.markdown, '--', ...buildCommand(inp.run));
  return argv;
}

/** The verify options these inputs give, exactly as the CLI would parse them. */
export function verifyOptions(argv: string[], env: NodeJS.ProcessEnv, cwd: string): VerifyOptions {
  const parsed = parseArgs(argv, { env, cwd });
  if (parsed.kind !== 'verify') throw new Error(`internal: ${argv[0]} parsed as ${parsed.kind}`);
  return parsed.options;
}

/**
 * diffoscope, when asked for: on PATH, or installed now with apt-get (diffoscope-minimal)
 * when this runner lets us (root or passwordless sudo). Returns the executable or null and
 * a line saying what happened.
 */
export async function ensureDiffoscope(wanted: boolean, log: Log): Promise<{ exe: string | null; note: string }> {
  if (!wanted) return { exe: null, note: 'off (diffoscope: false)' };
  const found = which('diffoscope');
  if (found) return { exe: found, note: found };
  const root = process.getuid?.() === 0;
  const canSudo = root || spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!canSudo || !hasApt) {
    return { exe: null, note: 'not installed, and this runner cannot install it (no apt-get with root or passwordless sudo): install diffoscope before this step' };
  }
  return log.group('Install diffoscope (diffoscope: true)', async () => {
    const sudo = (args: string[]) => (root ? args : ['sudo', '-n', ...args]);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } as Record<string, string>;
    for (const cmd of [sudo(['apt-get', 'update', '-qq']), sudo(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'diffoscope-minimal'])]) {
      const code = await exec.exec(cmd[0], cmd.slice(1), { ignoreReturnCode: true, env });
      if (code !== 0) return { exe: null, note: `could not be installed (${cmd.slice(root ? 0 : 2).join(' ')}: exit ${code})` };
    }
    const exe = which('diffoscope');
    return exe ? { exe, note: `${exe} (installed by this step)` } : { exe: null, note: 'installed, but not found on PATH' };
  });
}

/** Splits the engine's progress lines into log groups: "Run k of N", then "Compare artifacts". */
export class GroupedProgress {
  readonly isTTY = false;
  private pending = '';
  private current: string | null = null;

  constructor(private readonly log: Log) {}

  write(text: string): boolean {
    this.pending += text;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, nl).replace(/\r/g, ''));
      this.pending = this.pending.slice(nl + 1);
    }
    return true;
  }

  private line(l: string): void {
    const run = /^run (\d+)\/(\d+): /.exec(l);
    const title = run ? `Run ${run[1]} of ${run[2]}` : /^(hashing|comparing|diffoscope) /.test(l) ? 'Compare artifacts' : null;
    if (title !== null && title !== this.current) {
      if (this.current !== null) this.log.endGroup();
      this.log.startGroup(title);
      this.current = title;
    }
    this.log.info(safeLine(l));
  }

  end(): void {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
    if (this.current !== null) this.log.endGroup();
    this.current = null;
  }
}

/** Verify the build; DetError on a tool error (bad setup, tracer cannot start). */
export async function runVerifyInProcess(opts: VerifyOptions, diffoscope: string | null, log: Log, env: NodeJS.ProcessEnv = process.env): Promise<Omit<VerifyRun, 'command' | 'diffoscope'>> {
  const progress = new GroupedProgress(log);
  let text = '';
  try {
    const { exitStatus, report } = await verify(opts, {
      out: (t) => (text += t),
      err: progress,
      env,
      handleSignals: true,
      diffoscope: diffoscope ?? false,
    });
    return { report, exitStatus, text };
  } finally {
    progress.end();
  }
}
