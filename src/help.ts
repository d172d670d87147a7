// `dettrace --help` and `--version`, generated from the option table in options.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DetError } from './errors.js';
import { packageRoot } from './native.js';
import { OPTION_TABLE, type OptionSpec, type Subcommand } from './options.js';

function label(o: OptionSpec): string {
  const names = o.alias ? `${o.alias}, ${o.name}` : o.name;
  return o.arg ? `${names} ${o.arg}` : names;
}

const WIDTH = 96;

/** Greedy word wrap of `text` into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function section(title: string, rows: readonly OptionSpec[]): string[] {
  const width = Math.max(...rows.map((o) => label(o).length)) + 4;
  const lines = [title];
  for (const o of rows) {
    const room = Math.max(40, WIDTH - width);
    const body = wrap(o.help, room);
    if (o.default) body.push(...wrap(`default: ${o.default}`, room));
    lines.push(`  ${label(o).padEnd(width - 2)}${body[0]}`);
    for (const more of body.slice(1)) lines.push(' '.repeat(width) + more);
  }
  return lines;
}

const only = (pred: (o: OptionSpec) => boolean) => OPTION_TABLE.filter(pred);
const has = (o: OptionSpec, ...subs: Subcommand[]) => subs.every((s) => o.commands.includes(s));
const special = (o: OptionSpec) => o.kind === 'help' || o.kind === 'version';

/** The full help text (every option of every subcommand, with its default). */
export function helpText(): string {
  const lines = [
    'dettrace: run a build under a determinizing ptrace tracer and prove it reproducible',
    '',
    'Usage:',
    '  dettrace [run] [OPTIONS] [--] COMMAND [ARG...]     run COMMAND determinized',
    '  dettrace verify [OPTIONS] [--] COMMAND [ARG...]    run it N times, compare artifacts',
    '  dettrace probe [--json]                             what this host lets us determinize',
    '  dettrace --help | --version',
    '',
    "'run' is the default. Everything after '--' (or from the first word that is not an option)",
    'is the command, untouched. Options take their value as the next argument or as --opt=VALUE.',
    '',
    ...section('Options of run (verify takes them too):', only((o) => has(o, 'run', 'verify') && !special(o))),
    '',
    ...section('Options of verify only:', only((o) => has(o, 'verify') && !has(o, 'run') && !special(o))),
    '',
    ...section('Options of probe:', only((o) => has(o, 'probe') && !has(o, 'run') && !special(o))),
    '',
    ...section('General:', only(special)),
    '',
    'Inside, the command sees: cwd /build; uid/gid 0; a fixed hostname and uname; a fixed',
    'environment (PATH, HOME=/root, LANG=C.UTF-8, TZ=UTC, SOURCE_DATE_EPOCH, plus --env);',
    'no network but loopback.',
    '',
    "Exit status of run: the command's own; 127 command not found; 126 not executable;",
    '  128+N killed by signal N; 124 --timeout; 125 the tracer could not start or run it.',
    'Exit status of verify: 0 all artifacts identical; 1 some differ; 2 a run failed;',
    '  125 tool error.',
  ];
  return lines.join('\n') + '\n';
}

/** The version of the dettrace package (package.json at the package root). */
export function versionText(): string {
  const file = join(packageRoot(), 'package.json');
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    if (typeof pkg.version !== 'string') throw new Error('no "version" field');
    return pkg.version;
  } catch (err) {
    throw new DetError(file, `cannot read the version: ${(err as Error).message}`);
  }
}
