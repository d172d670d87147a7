// diffoscope's text diff of two versions of an artifact, when diffoscope is installed:
// bounded in time (--timeout, and a kill after it) and size (--max-report-size), trimmed
// to a number of lines, with the temporary run directories replaced by "run N/".
import { spawn } from 'node:child_process';
import { accessSync, constants as fsc } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Absolute path of an executable on PATH, or null. */
export function which(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, fsc.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

export interface DiffoscopeResult {
  /** diffoscope's exit status: 0 same, 1 differ, 2 error; null when killed. */
  exitCode: number | null;
  /** Its text report, trimmed. */
  text: string;
  /** Lines cut off by the trim. */
  omittedLines: number;
  timedOut: boolean;
}

export interface DiffoscopeOptions {
  /** Seconds before diffoscope stops comparing (and we kill it 10 s later). Default 60. */
  timeoutSec?: number;
  /** Lines kept. Default 200. */
  maxLines?: number;
  /** Bytes of report diffoscope may write. Default 256 KiB. */
  maxReportSize?: number;
  /** Path prefixes to replace in the text, e.g. {"/tmp/det-verify-x/b1/build": "run 1"}. */
  labels?: Record<string, string>;
  /** diffoscope executable; default found on PATH. */
  executable?: string;
}

/** Trim text to `max` lines; [text, omitted lines]. */
export function trimLines(text: string, max: number): [string, number] {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length <= max) return [lines.join('\n'), 0];
  return [lines.slice(0, max).join('\n'), lines.length - max];
}

/** Run diffoscope on two files; null when it is not installed. */
export async function runDiffoscope(a: string, b: string, opts: DiffoscopeOptions = {}): Promise<DiffoscopeResult | null> {
  const exe = opts.executable ?? which('diffoscope');
  if (exe === null) return null;
  const timeoutSec = opts.timeoutSec ?? 60;
  const maxLines = opts.maxLines ?? 200;
  const args = [
    '--text', '-',
    '--no-progress',
    '--max-report-size', String(opts.maxReportSize ?? 262144),
    '--timeout', String(timeoutSec),
    a, b,
  ];
  return new Promise((resolve) => {
    const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    const chunks: Buffer[] = [];
    let size = 0;
    const cap = 4 * 1024 * 1024;
    child.stdout.on('data', (c: Buffer) => {
      if (size < cap) chunks.push(c);
      size += c.length;
    });
    const errs: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => {
      if (errs.length < 64) errs.push(c);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, (timeoutSec + 10) * 1000);
    const finish = (exitCode: number | null, extra = '') => {
      clearTimeout(timer);
      let text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') text = Buffer.concat(errs).toString('utf8');
      text += extra;
      for (const [prefix, label] of Object.entries(opts.labels ?? {}).sort((x, y) => y[0].length - x[0].length)) {
        text = text.split(prefix).join(label);
      }
      const [trimmed, omitted] = trimLines(text, maxLines);
      resolve({ exitCode, text: trimmed, omittedLines: omitted, timedOut });
    };
    child.once('error', (err) => finish(null, `diffoscope: ${err.message}`));
    child.once('close', (code) => finish(code));
  });
}
