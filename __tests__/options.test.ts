// Unit tests of the argv parser (src/options.ts): real file system, no mocks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DetError } from '../src/errors.js';
import { DEFAULT_EPOCH, OPTION_TABLE, parseArgs, type ParsedArgs } from '../src/options.js';
import type { RunOptions, VerifyOptions } from '../src/types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dettrace-options-'));
  writeFileSync(join(dir, 'file'), 'x');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctx = () => ({ env: {} as NodeJS.ProcessEnv, cwd: dir });

function run(argv: string[], env: NodeJS.ProcessEnv = {}): RunOptions {
  const p = parseArgs(argv, { env, cwd: dir });
  if (p.kind !== 'run') throw new Error(`expected run, got ${p.kind}`);
  return p.options;
}

function verify(argv: string[], env: NodeJS.ProcessEnv = {}): VerifyOptions {
  const p = parseArgs(argv, { env, cwd: dir });
  if (p.kind !== 'verify') throw new Error(`expected verify, got ${p.kind}`);
  return p.options;
}

function failure(argv: string[], env: NodeJS.ProcessEnv = {}): DetError {
  let result: ParsedArgs | undefined;
  try {
    result = parseArgs(argv, { env, cwd: dir });
  } catch (err) {
    expect(err).toBeInstanceOf(DetError);
    return err as DetError;
  }
  throw new Error(`expected an error, got ${JSON.stringify(result)}`);
}

describe('run is the default', () => {
  test('a bare command runs with every default', () => {
    expect(run(['make'])).toEqual({
      command: ['make'],
      workdir: dir,
      epoch: DEFAULT_EPOCH,
      seed: 0,
      seedText: '0',
      env: [],
      strict: false,
      debug: 0,
    });
  });

  test('`dettrace make` and `dettrace run -- make` are the same', () => {
    expect(run(['run', '--', 'make'])).toEqual(run(['make']));
    expect(run(['run', 'make'])).toEqual(run(['make']));
  });

  test('everything after -- is the command, untouched', () => {
    expect(run(['--', '--epoch', '5', '--', 'x']).command).toEqual(['--epoch', '5', '--', 'x']);
    expect(run(['--strict', '--', 'run']).command).toEqual(['run']);
    expect(run(['run', '--', 'verify', '--json']).command).toEqual(['verify', '--json']);
  });

  test('the first non-option word starts the command', () => {
    const o = run(['--epoch', '5', 'make', '--epoch', '6', '-j4', '--help', '--']);
    expect(o.epoch).toBe(5);
    expect(o.command).toEqual(['make', '--epoch', '6', '-j4', '--help', '--']);
    expect(run(['-', 'a']).command).toEqual(['-', 'a']);
    expect(run(['--epoch', '1', 'verify']).command).toEqual(['verify']);
  });

  test('empty and odd arguments of the command are kept as they are', () => {
    expect(run(['printf', '', ' a b ', '*', '$HOME']).command).toEqual(['printf', '', ' a b ', '*', '$HOME']);
  });
});

describe('option values', () => {
  test('--opt value and --opt=value', () => {
    expect(run(['--epoch', '12', 'x']).epoch).toBe(12);
    expect(run(['--epoch=12', 'x']).epoch).toBe(12);
    expect(run(['--epoch=0', 'x']).epoch).toBe(0);
    expect(run(['--env=A=b=c', 'x']).env).toEqual(['A=b=c']);
    expect(run(['--timeout=1.5', 'x']).timeout).toBe(1.5);
    expect(run(['--debug', '3', 'x']).debug).toBe(3);
  });

  test('--seed keeps its exact value up to 2^64-1', () => {
    const o = run(['--seed', '18446744073709551615', 'x']);
    expect(o.seedText).toBe('18446744073709551615');
    expect(run(['--seed', '007', 'x']).seedText).toBe('7');
    expect(run(['--seed', '007', 'x']).seed).toBe(7);
  });

  test('paths are made absolute against the current directory', () => {
    const o = run(['--workdir', '.', '--chroot', dir, '--report', 'r.json', '--log=sub/../l.txt', 'x']);
    expect(o.workdir).toBe(dir);
    expect(o.chroot).toBe(dir);
    expect(o.report).toBe(join(dir, 'r.json'));
    expect(o.log).toBe(join(dir, 'l.txt'));
  });

  test('--env NAME takes the current value; NAME=VALUE as given; the last of a name wins', () => {
    const o = run(['--env', 'FOO', '--env', 'BAR=1', '--env', 'EMPTY=', '--env', 'BAR=2', 'x'], { FOO: 'from env' });
    expect(o.env).toEqual(['FOO=from env', 'EMPTY=', 'BAR=2']);
  });

  test('SOURCE_DATE_EPOCH is the default epoch; --epoch overrides it; empty counts as unset', () => {
    expect(run(['x'], { SOURCE_DATE_EPOCH: '1700000000' }).epoch).toBe(1700000000);
    expect(run(['--epoch', '3', 'x'], { SOURCE_DATE_EPOCH: '1700000000' }).epoch).toBe(3);
    expect(run(['--epoch', '3', 'x'], { SOURCE_DATE_EPOCH: 'garbage' }).epoch).toBe(3);
    expect(run(['x'], { SOURCE_DATE_EPOCH: '' }).epoch).toBe(DEFAULT_EPOCH);
  });

  test('--image is passed through', () => {
    expect(run(['--image', 'debian:bookworm', 'x']).image).toBe('debian:bookworm');
  });
});

describe('verify', () => {
  test('defaults', () => {
    const o = verify(['verify', 'make']);
    expect(o).toMatchObject({ command: ['make'], runs: 2, vary: true, trace: true, artifacts: [], workdir: dir });
    expect(o.json).toBeUndefined();
  });

  test('every verify option', () => {
    const o = verify([
      'verify', '--runs', '3', '--no-vary', '--no-trace', '--artifacts', 'out/*.o', '--artifacts=a.tar',
      '--json', 'v.json', '--markdown=v.md', '--epoch', '9', '--seed', '4', '--strict', '--', 'make', 'all',
    ]);
    expect(o).toMatchObject({
      command: ['make', 'all'], runs: 3, vary: false, trace: false, artifacts: ['out/*.o', 'a.tar'],
      json: join(dir, 'v.json'), markdown: join(dir, 'v.md'), epoch: 9, seed: 4, strict: true,
    });
    expect(verify(['verify', '--no-vary', '--vary', 'x']).vary).toBe(true);
  });
});

describe('probe, help, version', () => {
  test('probe and probe --json', () => {
    expect(parseArgs(['probe'], ctx())).toEqual({ kind: 'probe', options: { json: false } });
    expect(parseArgs(['probe', '--json'], ctx())).toEqual({ kind: 'probe', options: { json: true } });
  });

  test('--help and --version anywhere before the command', () => {
    expect(parseArgs(['--help'], ctx()).kind).toBe('help');
    expect(parseArgs(['-h'], ctx()).kind).toBe('help');
    expect(parseArgs(['verify', '--runs', '3', '--help'], ctx())).toEqual({ kind: 'help', subcommand: 'verify' });
    expect(parseArgs(['--version'], ctx()).kind).toBe('version');
    expect(parseArgs(['probe', '--version'], ctx()).kind).toBe('version');
  });
});

describe('bad input is a DetError naming the culprit', () => {
  const cases: [string[], string, RegExp, NodeJS.ProcessEnv?][] = [
    [[], 'missing command', /COMMAND/],
    [['run'], 'missing command', /COMMAND/],
    [['verify', '--runs', '2', '--'], 'missing command', /COMMAND/],
    [['--frob', 'x'], '--frob', /unknown option/],
    [['-x', 'make'], '-x', /unknown option/],
    [['--runs', '2', 'x'], '--runs', /verify/],
    [['probe', '--runs', '2'], '--runs', /verify/],
    [['probe', 'extra'], 'probe', /unexpected argument/],
    [['--epoch'], '--epoch', /needs a value/],
    [['--epoch', 'abc', 'x'], '--epoch', /not a whole number/],
    [['--epoch', '1.5', 'x'], '--epoch', /not a whole number/],
    [['--epoch', '-1', 'x'], '--epoch', /not a whole number/],
    [['--epoch=', 'x'], '--epoch', /not a whole number/],
    [['--epoch', '99999999999999', 'x'], '--epoch', /too large/],
    [['--seed', '-1', 'x'], '--seed', /non-negative/],
    [['--seed', '18446744073709551616', 'x'], '--seed', /too large/],
    [['--seed', '0x10', 'x'], '--seed', /non-negative/],
    [['verify', '--runs', '0', 'x'], '--runs', /less than 1/],
    [['verify', '--runs', '-2', 'x'], '--runs', /not an integer/],
    [['verify', '--runs', '1.5', 'x'], '--runs', /not an integer/],
    [['--debug', '-1', 'x'], '--debug', /not an integer/],
    [['--timeout', '0', 'x'], '--timeout', /positive/],
    [['--timeout', '-3', 'x'], '--timeout', /positive/],
    [['--timeout', 'soon', 'x'], '--timeout', /positive/],
    [['--workdir', '/nonexistent-dettrace-dir', 'x'], '--workdir', /does not exist/],
    [['--workdir', 'file', 'x'], '--workdir', /not a directory/],
    [['--chroot', 'missing', 'x'], '--chroot', /does not exist/],
    [['--report', 'no/such/dir/r.json', 'x'], '--report', /does not exist/],
    [['--report', 'file/r.json', 'x'], '--report', /not a directory/],
    [['--report', '.', 'x'], '--report', /directory/],
    [['verify', '--json', 'missing/v.json', 'x'], '--json', /does not exist/],
    [['verify', '--markdown', 'missing/v.md', 'x'], '--markdown', /does not exist/],
    [['--log', 'missing/l', 'x'], '--log', /does not exist/],
    [['--env', 'UNSET_FOR_SURE', 'x'], '--env', /not set/],
    [['--env', '1ABC=x', 'x'], '--env', /not a valid variable name/],
    [['--env', '=x', 'x'], '--env', /not a valid variable name/],
    [['--env', 'A-B=x', 'x'], '--env', /not a valid variable name/],
    [['--env', 'SOURCE_DATE_EPOCH=1', 'x'], '--env', /--epoch/],
    [['--strict=yes', 'x'], '--strict', /takes no value/],
    [['--image', '', 'x'], '--image', /empty/],
    [['verify', '--artifacts', '/abs/*', 'x'], '--artifacts', /relative/],
    [['verify', '--artifacts', '../up', 'x'], '--artifacts', /leave the work dir/],
    [['x'], 'SOURCE_DATE_EPOCH', /whole number/, { SOURCE_DATE_EPOCH: 'yesterday' }],
    [['x'], 'SOURCE_DATE_EPOCH', /whole number/, { SOURCE_DATE_EPOCH: '-5' }],
  ];
  // Every row gets its env (jest would take a 4th parameter missing from a row for `done`).
  const rows = cases.map(([argv, what, why, env]) => [argv, what, why, env ?? {}] as const);
  test.each(rows)('%j → %s', (argv, what, why, env) => {
    const err = failure([...argv], env);
    expect(err.what).toBe(what);
    expect(err.why).toMatch(why);
    expect(err.exitCode).toBe(125);
    expect(err.message).not.toMatch(/\n/);
  });
});

describe('the option table', () => {
  test('names are unique per subcommand and well formed', () => {
    for (const sub of ['run', 'verify', 'probe'] as const) {
      const names = OPTION_TABLE.filter((o) => o.commands.includes(sub)).map((o) => o.name);
      expect(new Set(names).size).toBe(names.length);
    }
    for (const o of OPTION_TABLE) {
      expect(o.name).toMatch(/^--[a-z][a-z-]*$/);
      expect(o.help.length).toBeGreaterThan(0);
      if (o.kind !== 'help' && o.kind !== 'version') expect(o.default.length).toBeGreaterThan(0);
    }
  });

  test('verify takes every run option', () => {
    for (const o of OPTION_TABLE.filter((x) => x.commands.includes('run'))) expect(o.commands).toContain('verify');
  });

  test('every SPEC option is in the table', () => {
    const runOpts = ['--chroot', '--workdir', '--epoch', '--seed', '--env', '--report', '--timeout', '--strict', '--debug', '--log'];
    const verifyOpts = ['--artifacts', '--runs', '--vary', '--no-trace', '--json', '--markdown'];
    const has = (name: string, sub: 'run' | 'verify' | 'probe') =>
      OPTION_TABLE.some((o) => o.name === name && o.commands.includes(sub));
    for (const n of runOpts) expect([n, has(n, 'run') && has(n, 'verify')]).toEqual([n, true]);
    for (const n of verifyOpts) expect([n, has(n, 'verify')]).toEqual([n, true]);
    expect(has('--json', 'probe')).toBe(true);
  });
});
