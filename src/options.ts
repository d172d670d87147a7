// The command line of `dettrace` (SPEC §1), from one declarative option table that both the
// parser and `--help` (src/help.ts) read.
//
//   dettrace [run] [OPTIONS] [--] COMMAND [ARG...]
//   dettrace verify [OPTIONS] [--] COMMAND [ARG...]
//   dettrace probe [--json]
//   dettrace --help | --version
//
// Everything after `--`, or from the first word that is not an option, is the command,
// untouched. Options take their value as the next argument or as `--opt=value`. Every value
// is validated here, so the engines get resolved, absolute, checked RunOptions/VerifyOptions.
import { accessSync, closeSync, constants as fsc, openSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { DetError, usageError } from './errors.js';
import type { RunOptions, VerifyOptions } from './types.js';

export type Subcommand = 'run' | 'verify' | 'probe';
export const SUBCOMMANDS: readonly Subcommand[] = ['run', 'verify', 'probe'];

/** How an option's value is checked and turned into a field. */
export type ValueKind =
  | 'flag'        // no value; sets `key` to `set` (default true)
  | 'help'        // no value; the parse result is {kind: 'help'}
  | 'version'     // no value; the parse result is {kind: 'version'}
  | 'epoch'       // integer seconds, 0 .. MAX_EPOCH
  | 'seed'        // integer 0 .. 2^64-1, kept exact as a decimal string
  | 'count'       // integer >= 1
  | 'level'       // integer >= 0
  | 'seconds'     // number > 0
  | 'dir'         // an existing directory, made absolute
  | 'outfile'     // a file we will write: its directory must exist and be writable
  | 'env'         // NAME or NAME=VALUE
  | 'glob'        // a glob relative to the work dir (repeatable)
  | 'text';       // any non-empty string

export interface OptionSpec {
  /** Long name with its dashes, as typed: `--epoch`. */
  name: string;
  /** Short alias, if any: `-h`. */
  alias?: string;
  /** Placeholder of the value in --help (`SECONDS`); absent for options without a value. */
  arg?: string;
  kind: ValueKind;
  /** Field of RunOptions/VerifyOptions (or of the probe options) that the option sets. */
  key: string;
  /** Value a flag sets (default true). */
  set?: boolean;
  repeatable?: boolean;
  /** Subcommands that accept it. */
  commands: readonly Subcommand[];
  help: string;
  /** The default, as --help shows it. */
  default: string;
}

const RUN_VERIFY: readonly Subcommand[] = ['run', 'verify'];
const VERIFY: readonly Subcommand[] = ['verify'];
const ALL: readonly Subcommand[] = ['run', 'verify', 'probe'];

/** 1993-08-08 22:00:00 UTC, the logical clock's default start (SPEC §1). */
export const DEFAULT_EPOCH = 744847200;
/** Largest accepted epoch: its nanoseconds still fit a signed 64-bit integer (year 2262). */
export const MAX_EPOCH = 9223372035;
export const MAX_SEED = (1n << 64n) - 1n;
export const DEFAULT_RUNS = 2;

/** Every option of every subcommand. The parser and --help both read this table. */
export const OPTION_TABLE: readonly OptionSpec[] = [
  // run (and verify: every run option)
  {
    name: '--chroot', arg: 'DIR', kind: 'dir', key: 'chroot', commands: RUN_VERIFY,
    help: 'root file system for the command (e.g. a debootstrapped tree)',
    default: "a minimal container from the package's root/ skeleton, with the host's /usr, /bin, /lib*, /sbin mounted read-only",
  },
  {
    name: '--workdir', arg: 'DIR', kind: 'dir', key: 'workdir', commands: RUN_VERIFY,
    help: 'host directory mounted read-write at /build, where the command starts',
    default: 'the current directory',
  },
  {
    name: '--epoch', arg: 'SECONDS', kind: 'epoch', key: 'epoch', commands: RUN_VERIFY,
    help: "the logical wall clock's start (integer seconds since 1970-01-01 UTC)",
    default: `$SOURCE_DATE_EPOCH if set, else ${DEFAULT_EPOCH} (1993-08-08 22:00:00 UTC)`,
  },
  {
    name: '--seed', arg: 'N', kind: 'seed', key: 'seed', commands: RUN_VERIFY,
    help: 'seed of every random source handed to the command (0 .. 2^64-1)',
    default: '0',
  },
  {
    name: '--env', arg: 'NAME[=VALUE]', kind: 'env', key: 'env', repeatable: true, commands: RUN_VERIFY,
    help: 'pass one variable into the fixed environment; NAME alone takes its value from the current environment (repeatable)',
    default: 'the fixed environment only',
  },
  {
    name: '--report', arg: 'FILE', kind: 'outfile', key: 'report', commands: RUN_VERIFY,
    help: 'write the run report (JSON)',
    default: 'none',
  },
  {
    name: '--timeout', arg: 'SECONDS', kind: 'seconds', key: 'timeout', commands: RUN_VERIFY,
    help: 'kill the whole process tree after this long, exit 124',
    default: 'none',
  },
  {
    name: '--strict', kind: 'flag', key: 'strict', commands: RUN_VERIFY,
    help: "refuse (exit 125) instead of warning when something can't be determinized on this host",
    default: 'off',
  },
  {
    name: '--debug', arg: 'N', kind: 'level', key: 'debug', commands: RUN_VERIFY,
    help: 'tracer diagnostics level, to stderr or the --log file',
    default: '0',
  },
  {
    name: '--log', arg: 'FILE', kind: 'outfile', key: 'log', commands: RUN_VERIFY,
    help: 'write tracer diagnostics to FILE instead of stderr',
    default: 'stderr',
  },
  {
    name: '--image', arg: 'REF', kind: 'text', key: 'image', commands: RUN_VERIFY,
    help: 'run the tracer inside this container image (extension)',
    default: 'none: trace on this host',
  },
  // verify only
  {
    name: '--artifacts', arg: 'GLOB', kind: 'glob', key: 'artifacts', repeatable: true, commands: VERIFY,
    help: 'files to compare, relative to the work dir (repeatable)',
    default: 'every file the build created or changed in the work dir',
  },
  {
    name: '--runs', arg: 'N', kind: 'count', key: 'runs', commands: VERIFY,
    help: 'how many runs',
    default: String(DEFAULT_RUNS),
  },
  {
    name: '--vary', kind: 'flag', key: 'vary', set: true, commands: VERIFY,
    help: 'vary the host between runs (wall time, work-dir path, env, umask, hostname, file creation order)',
    default: 'on',
  },
  {
    name: '--no-vary', kind: 'flag', key: 'vary', set: false, commands: VERIFY,
    help: 'run every time on the same host setup',
    default: 'off (the host is varied)',
  },
  {
    name: '--no-trace', kind: 'flag', key: 'trace', set: false, commands: VERIFY,
    help: 'run without the tracer (to see how nondeterministic the build is natively)',
    default: 'off (every run is traced)',
  },
  {
    name: '--json', arg: 'FILE', kind: 'outfile', key: 'json', commands: VERIFY,
    help: 'write the verify report (JSON)',
    default: 'none',
  },
  {
    name: '--markdown', arg: 'FILE', kind: 'outfile', key: 'markdown', commands: VERIFY,
    help: 'write a human summary (Markdown table)',
    default: 'none',
  },
  // probe
  {
    name: '--json', kind: 'flag', key: 'json', commands: ['probe'],
    help: 'print the raw JSON object instead of a table',
    default: 'off',
  },
  // everywhere
  {
    name: '--help', alias: '-h', kind: 'help', key: 'help', commands: ALL,
    help: 'print this help and exit',
    default: '',
  },
  {
    name: '--version', kind: 'version', key: 'version', commands: ALL,
    help: 'print the version and exit',
    default: '',
  },
];

export interface ProbeOptions {
  json: boolean;
}

export type ParsedArgs =
  | { kind: 'help'; subcommand: Subcommand | null }
  | { kind: 'version' }
  | { kind: 'run'; options: RunOptions }
  | { kind: 'verify'; options: VerifyOptions }
  | { kind: 'probe'; options: ProbeOptions };

export interface ParseContext {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** The table row for `word` (`--epoch` or `-h`) under `sub`, or undefined. */
export function findOption(word: string, sub: Subcommand): OptionSpec | undefined {
  return OPTION_TABLE.find((o) => (o.name === word || o.alias === word) && o.commands.includes(sub));
}

interface Given {
  spec: OptionSpec;
  /** As typed, for messages: `--epoch`. */
  as: string;
  value?: string;
}

/**
 * Parse `argv` (without node and the script). Throws DetError (usage errors carry the
 * --help hint) on any bad input; never returns partially validated options.
 */
export function parseArgs(argv: readonly string[], ctx: ParseContext = {}): ParsedArgs {
  const env = ctx.env ?? process.env;
  const cwd = ctx.cwd ?? process.cwd();

  let sub: Subcommand = 'run';
  let explicit = false;
  let i = 0;
  if (argv.length > 0 && (SUBCOMMANDS as readonly string[]).includes(argv[0])) {
    sub = argv[0] as Subcommand;
    explicit = true;
    i = 1;
  }

  const given: Given[] = [];
  let command: string[] | null = null;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      command = argv.slice(i + 1);
      break;
    }
    if (word.startsWith('-') && word !== '-') {
      const eq = word.startsWith('--') ? word.indexOf('=') : -1;
      const name = eq >= 0 ? word.slice(0, eq) : word;
      const inline = eq >= 0 ? word.slice(eq + 1) : undefined;
      const spec = findOption(name, sub);
      if (!spec) {
        const elsewhere = OPTION_TABLE.filter((o) => o.name === name || o.alias === name).flatMap((o) => o.commands);
        if (elsewhere.length > 0) {
          const where = [...new Set(elsewhere)].map((c) => `'dettrace ${c}'`).join(' and ');
          throw usageError(name, `not an option of 'dettrace ${sub}' (only of ${where})`);
        }
        throw usageError(name, 'unknown option');
      }
      if (spec.kind === 'help') return { kind: 'help', subcommand: explicit ? sub : null };
      if (spec.kind === 'version') return { kind: 'version' };
      if (spec.arg === undefined) {
        if (inline !== undefined) throw usageError(name, 'takes no value');
        given.push({ spec, as: name });
        continue;
      }
      let value = inline;
      if (value === undefined) {
        if (i + 1 >= argv.length) throw usageError(name, `needs a value (${spec.name} ${spec.arg})`);
        value = argv[++i];
      }
      given.push({ spec, as: name, value });
      continue;
    }
    command = argv.slice(i);
    break;
  }

  if (sub === 'probe') {
    if (command !== null && command.length > 0) {
      throw usageError('probe', `unexpected argument '${command[0]}'`);
    }
    return { kind: 'probe', options: { json: given.some((g) => g.spec.key === 'json') } };
  }

  if (command === null || command.length === 0) {
    const form = sub === 'verify' ? 'dettrace verify' : 'dettrace [run]';
    throw usageError('missing command', `give the command to run, as in '${form} [OPTIONS] [--] COMMAND [ARG...]'`);
  }

  const opts: VerifyOptions = {
    command,
    workdir: cwd,
    epoch: DEFAULT_EPOCH,
    seed: 0,
    seedText: '0',
    env: [],
    strict: false,
    debug: 0,
    artifacts: [],
    runs: DEFAULT_RUNS,
    vary: true,
    trace: true,
  };
  const record = opts as unknown as Record<string, unknown>;
  let epochGiven = false;
  const envByName = new Map<string, string>();
  for (const g of given) {
    const { spec, as } = g;
    const value = g.value ?? '';
    switch (spec.kind) {
      case 'flag':
        record[spec.key] = spec.set ?? true;
        break;
      case 'epoch':
        opts.epoch = parseEpoch(as, value);
        epochGiven = true;
        break;
      case 'seed': {
        const seed = parseSeed(as, value);
        opts.seedText = seed.toString();
        opts.seed = Number(seed);
        break;
      }
      case 'count':
        record[spec.key] = parseInteger(as, value, 1, Number.MAX_SAFE_INTEGER);
        break;
      case 'level':
        record[spec.key] = parseInteger(as, value, 0, 2 ** 31 - 1);
        break;
      case 'seconds':
        record[spec.key] = parseSeconds(as, value);
        break;
      case 'dir':
        record[spec.key] = existingDir(as, value, cwd);
        break;
      case 'outfile':
        record[spec.key] = outputFile(as, value, cwd);
        break;
      case 'env': {
        const [name, val] = parseEnv(as, value, env);
        envByName.delete(name); // the last --env of a name wins, in its place
        envByName.set(name, val);
        break;
      }
      case 'glob':
        opts.artifacts.push(parseGlob(as, value));
        break;
      case 'text':
        if (value.trim() === '') throw usageError(as, 'must not be empty');
        record[spec.key] = value;
        break;
      default:
        throw new Error(`option table: unhandled kind ${spec.kind} of ${spec.name}`);
    }
  }
  opts.env = [...envByName].map(([name, val]) => `${name}=${val}`);

  if (!epochGiven) {
    const sde = env.SOURCE_DATE_EPOCH;
    if (sde !== undefined && sde !== '') {
      try {
        opts.epoch = parseEpoch('SOURCE_DATE_EPOCH', sde);
      } catch (err) {
        const why = err instanceof DetError ? err.why : String(err);
        throw new DetError('SOURCE_DATE_EPOCH', `${why}; fix or unset it, or pass --epoch SECONDS`);
      }
    }
  }

  if (sub === 'run') {
    const run: RunOptions = {
      command: opts.command,
      workdir: opts.workdir,
      epoch: opts.epoch,
      seed: opts.seed,
      seedText: opts.seedText,
      env: opts.env,
      strict: opts.strict,
      debug: opts.debug,
    };
    for (const key of ['chroot', 'image', 'report', 'timeout', 'log'] as const) {
      if (opts[key] !== undefined) (run as unknown as Record<string, unknown>)[key] = opts[key];
    }
    return { kind: 'run', options: run };
  }
  return { kind: 'verify', options: opts };
}

// ---- value checks: each throws a usage DetError naming the option and what is wrong ----

const DIGITS = /^[0-9]+$/;

function show(value: string): string {
  return JSON.stringify(value).replace(/^"|"$/g, "'");
}

export function parseEpoch(what: string, value: string): number {
  if (!DIGITS.test(value)) {
    throw usageError(what, `${show(value)} is not a whole number of seconds (0 .. ${MAX_EPOCH})`);
  }
  const n = Number(value);
  if (n > MAX_EPOCH) throw usageError(what, `${show(value)} is too large (at most ${MAX_EPOCH})`);
  return n;
}

export function parseSeed(what: string, value: string): bigint {
  if (!DIGITS.test(value)) throw usageError(what, `${show(value)} is not a non-negative integer`);
  const n = BigInt(value);
  if (n > MAX_SEED) throw usageError(what, `${show(value)} is too large (at most 2^64-1 = ${MAX_SEED})`);
  return n;
}

export function parseInteger(what: string, value: string, min: number, max: number): number {
  if (!DIGITS.test(value)) {
    throw usageError(what, `${show(value)} is not an integer >= ${min}`);
  }
  const n = Number(value);
  if (n < min) throw usageError(what, `${show(value)} is less than ${min}`);
  if (n > max) throw usageError(what, `${show(value)} is too large (at most ${max})`);
  return n;
}

export function parseSeconds(what: string, value: string): number {
  const ok = /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(value);
  const n = ok ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) {
    throw usageError(what, `${show(value)} is not a positive number of seconds`);
  }
  if (n > 1e9) throw usageError(what, `${show(value)} is too large (at most 1e9 seconds)`);
  return n;
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? '';
}

function describeFsError(err: unknown): string {
  switch (errnoOf(err)) {
    case 'ENOENT': return 'does not exist';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'EACCES': return 'permission denied';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'ENAMETOOLONG': return 'file name too long';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on the device';
    case 'EPERM': return 'operation not permitted';
    default: return (err as Error)?.message ?? String(err);
  }
}

export function existingDir(what: string, value: string, cwd: string): string {
  if (value === '') throw usageError(what, 'empty path');
  const abs = resolve(cwd, value);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch (err) {
    throw usageError(what, `${value}: ${describeFsError(err)}`);
  }
  if (!isDir) throw usageError(what, `${value}: not a directory`);
  try {
    accessSync(abs, fsc.R_OK | fsc.X_OK);
  } catch (err) {
    throw usageError(what, `${value}: ${describeFsError(err)}`);
  }
  return abs;
}

export function outputFile(what: string, value: string, cwd: string): string {
  if (value === '') throw usageError(what, 'empty path');
  if (value.endsWith('/')) throw usageError(what, `${value}: names a directory, not a file`);
  const abs = resolve(cwd, value);
  const parent = dirname(abs);
  let parentIsDir: boolean;
  try {
    parentIsDir = statSync(parent).isDirectory();
  } catch (err) {
    throw usageError(what, `${value}: directory ${parent} ${describeFsError(err)}`);
  }
  if (!parentIsDir) throw usageError(what, `${value}: ${parent} is not a directory`);
  let st: Stats | undefined;
  try {
    st = statSync(abs);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw usageError(what, `${value}: ${describeFsError(err)}`);
  }
  if (st?.isDirectory()) throw usageError(what, `${value}: is a directory`);
  const exists = st !== undefined;
  try {
    accessSync(exists ? abs : parent, exists ? fsc.W_OK : fsc.W_OK | fsc.X_OK);
  } catch {
    throw usageError(what, exists ? `${value}: file is not writable` : `${value}: directory ${parent} is not writable`);
  }
  // Reports are written to a temporary file beside the target, then renamed over it, so the
  // directory must take a new file. access() cannot tell (root passes it on a read-only or
  // special file system such as /sys): create and remove one, before any run starts.
  const probe = join(parent, `.dettrace-probe-${process.pid}-${Date.now()}`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
  } catch (err) {
    const why = errnoOf(err) === 'ENOENT' ? 'the file system takes no new files' : describeFsError(err);
    throw usageError(what, `${value}: cannot create a file in ${parent}: ${why}`);
  }
  try {
    unlinkSync(probe);
  } catch {
    /* created but not removable: harmless, the write will tell */
  }
  return abs;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnv(what: string, value: string, env: NodeJS.ProcessEnv): [string, string] {
  const eq = value.indexOf('=');
  const name = eq >= 0 ? value.slice(0, eq) : value;
  if (!ENV_NAME.test(name)) {
    throw usageError(what, `${show(name)} is not a valid variable name (letters, digits, _; not starting with a digit)`);
  }
  if (name === 'SOURCE_DATE_EPOCH') {
    throw usageError(what, 'SOURCE_DATE_EPOCH is set from the logical clock; use --epoch SECONDS');
  }
  if (eq >= 0) return [name, value.slice(eq + 1)];
  const val = env[name];
  if (val === undefined) throw usageError(what, `${name} is not set in the current environment (use ${name}=VALUE)`);
  return [name, val];
}

export function parseGlob(what: string, value: string): string {
  if (value.trim() === '') throw usageError(what, 'empty pattern');
  if (isAbsolute(value)) throw usageError(what, `${value}: must be relative to the work dir`);
  if (value.split('/').includes('..')) throw usageError(what, `${value}: must not leave the work dir ('..')`);
  return value;
}
