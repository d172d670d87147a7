// The dettrace CLI's dispatcher: parse argv, run the subcommand, return the exit status.
// Every error becomes one stderr line `dettrace: <what>: <why>` and status 125 (src/errors.ts).
import { DetError, exitCodeOf, formatError } from './errors.js';
import { helpText, versionText } from './help.js';
import { loadAddon } from './native.js';
import { parseArgs, type ProbeOptions } from './options.js';
import { runTraced } from './run.js';
import type { VerifyOptions } from './types.js';

/** Where output goes; tests and embedders may replace it. */
export interface MainIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIO: MainIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Debug level of the current invocation (--debug N), once parsed; decides stack traces. */
let debugLevel = 0;
export function currentDebugLevel(): number {
  return debugLevel;
}

/** The one line (or, with --debug > 0, the line and the stack) to print for an error. */
export function errorReport(err: unknown, debug = debugLevel): string {
  let text = formatError(err) + '\n';
  if (debug > 0 && err instanceof Error && err.stack) text += err.stack + '\n';
  return text;
}

/** Run `dettrace ARGV...`; resolves to the exit status. Never throws. */
export async function main(argv: readonly string[], io: MainIO = defaultIO): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    switch (parsed.kind) {
      case 'help':
        io.out(helpText());
        return 0;
      case 'version':
        io.out(`dettrace ${versionText()}\n`);
        return 0;
      case 'probe':
        return runProbe(parsed.options, io);
      case 'run':
        debugLevel = parsed.options.debug;
        return await runTraced(parsed.options);
      case 'verify':
        debugLevel = parsed.options.debug;
        return await runVerifyCommand(parsed.options);
    }
  } catch (err) {
    io.err(errorReport(err));
    return exitCodeOf(err);
  }
}

// ---- probe ----

interface Guarantee {
  source: string;
  status: 'determinized' | 'unavailable-on-host' | 'not-handled';
  detail: string;
}

/** Flatten a probe object into [dotted.key, printable value] rows. */
export function probeRows(value: unknown, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const rows: [string, string][] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      rows.push(...probeRows(v, prefix ? `${prefix}.${k}` : k));
    }
    if (rows.length === 0 && prefix) rows.push([prefix, '{}']);
    return rows;
  }
  let shown: string;
  if (Array.isArray(value)) shown = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  else if (typeof value === 'string') shown = value;
  else shown = JSON.stringify(value) ?? String(value);
  return [[prefix || '(value)', shown]];
}

function runProbe(opts: ProbeOptions, io: MainIO): number {
  const addon = loadAddon();
  if (typeof addon.probe !== 'function') {
    throw new DetError('probe', 'the native addon has no probe() (run npm run build:native)');
  }
  const text = String(addon.probe());
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DetError('probe', `the native addon returned invalid JSON: ${(err as Error).message}`);
  }
  if (typeof addon.guarantees !== 'function') {
    throw new DetError('probe', 'the native addon has no guarantees() (run npm run build:native)');
  }
  const guarantees = JSON.parse(String(addon.guarantees())) as Guarantee[];
  if (opts.json) {
    io.out(JSON.stringify({ host: parsed, guarantees }, null, 2) + '\n');
    return 0;
  }
  let out = `dettrace ${versionText()}` + (typeof addon.version === 'string' ? ` (native ${addon.version})` : '') + '\n\n';
  out += 'Sources of nondeterminism on this host\n';
  const sw = Math.max(...guarantees.map((g) => g.source.length)) + 2;
  const tw = Math.max(...guarantees.map((g) => g.status.length)) + 2;
  for (const g of guarantees) out += `  ${g.source.padEnd(sw)}${g.status.padEnd(tw)}${g.detail}\n`;
  out += '\nHost capabilities\n';
  const rows = probeRows(parsed);
  const width = Math.max(0, ...rows.map(([k]) => k.length)) + 2;
  for (const [k, v] of rows) out += `  ${k.padEnd(width)}${v}\n`;
  io.out(out);
  return 0;
}

// ---- verify ----

type VerifyModule = { runVerify?: (opts: VerifyOptions) => Promise<number> };

async function runVerifyCommand(opts: VerifyOptions): Promise<number> {
  const url = new URL('./verify/index.js', import.meta.url);
  let mod: VerifyModule;
  try {
    mod = (await import(url.href)) as VerifyModule;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = /Cannot find module '([^']+)'/.exec(e.message ?? '')?.[1];
    if (e.code === 'ERR_MODULE_NOT_FOUND' && missing !== undefined && missing.endsWith('/verify/index.js')) {
      throw new DetError('verify', `the verify engine is not installed (${missing} is missing; run npm run build:ts)`);
    }
    throw err;
  }
  if (typeof mod.runVerify !== 'function') {
    throw new DetError('verify', 'the verify engine exports no runVerify()');
  }
  return await mod.runVerify(opts);
}
