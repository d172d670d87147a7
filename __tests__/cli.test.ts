// End-to-end tests of the `dettrace` executable: spawn the real CLI (node bin/dettrace.js,
// from the compiled lib/), check help, version, the one-line-error contract and, once the
// native tracer is built, the exit statuses of `dettrace run` (SPEC §1).
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DetError, formatError, usageError } from '../src/errors.js';
import { errorReport } from '../src/main.js';
import { OPTION_TABLE } from '../src/options.js';
import { tracerArgs } from '../src/run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'dettrace.js');
const TRACER = join(ROOT, 'build', 'Release', 'dettrace-tracer');
const hasTracer = existsSync(TRACER);

interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function dettrace(args: string[], opts: SpawnSyncOptions = {}): Result {
  const bin = (opts.env?.DET_TEST_BIN as string | undefined) ?? BIN;
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    ...opts,
    env: { ...process.env, SOURCE_DATE_EPOCH: '', ...(opts.env ?? {}) },
  });
  return { status: r.status, signal: r.signal, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** The error contract: exactly one stderr line `dettrace: ...`, no stack, nothing on stdout, 125. */
function expectOneLineError(r: Result, pattern?: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect({ lines: lines.length, status: r.status, stdout: r.stdout }).toEqual({ lines: 1, status: 125, stdout: '' });
  expect(lines[0]).toMatch(/^dettrace: /);
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr).not.toContain('    at ');
  if (pattern) expect(lines[0]).toMatch(pattern);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dettrace-cli-'));
  writeFileSync(join(tmp, 'a-file'), 'x');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('--help and --version', () => {
  const help = dettrace(['--help']);
  const flat = help.stdout.replace(/\s+/g, ' ');

  test('--help exits 0 and prints to stdout only', () => {
    expect(help.status).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^Usage:/m);
  });

  test('--help lists every option of the option table, with its default', () => {
    for (const o of OPTION_TABLE) {
      expect(help.stdout).toContain(o.arg ? `${o.name} ${o.arg}` : o.name);
      if (o.default) expect(flat).toContain(`default: ${o.default.replace(/\s+/g, ' ')}`);
    }
  });

  test('--help names the SPEC subcommands and options literally', () => {
    for (const literal of [
      'dettrace [run] [OPTIONS] [--] COMMAND [ARG...]', 'dettrace verify', 'dettrace probe [--json]',
      '--chroot DIR', '--workdir DIR', '--epoch SECONDS', '--seed N', '--env NAME[=VALUE]', '--report FILE',
      '--timeout SECONDS', '--strict', '--debug N', '--log FILE', '--artifacts GLOB', '--runs N', '--vary',
      '--no-trace', '--json FILE', '--markdown FILE', '744847200', '--version',
    ]) {
      expect([literal, help.stdout.includes(literal)]).toEqual([literal, true]);
    }
  });

  test('-h and subcommand --help print the same help', () => {
    expect(dettrace(['-h']).stdout).toBe(help.stdout);
    expect(dettrace(['verify', '--help']).stdout).toBe(help.stdout);
    expect(dettrace(['probe', '--help']).status).toBe(0);
  });

  test('--version prints the package.json version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = dettrace(['--version']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`dettrace ${pkg.version}\n`);
  });
});

describe('bad input: one line on stderr, exit 125', () => {
  const cases: [string, string[], RegExp, NodeJS.ProcessEnv?][] = [
    ['unknown option', ['--frobnicate', 'true'], /^dettrace: --frobnicate: unknown option/],
    ['unknown short option', ['-q', 'true'], /-q: unknown option/],
    ['missing command', [], /missing command/],
    ['missing command after --', ['run', '--'], /missing command/],
    ['missing command of verify', ['verify', '--runs', '3'], /missing command/],
    ['option without its value', ['--epoch'], /--epoch: needs a value/],
    ['non-numeric --epoch', ['--epoch', 'yesterday', 'true'], /--epoch: 'yesterday'/],
    ['fractional --epoch', ['--epoch=1.5', 'true'], /--epoch/],
    ['negative --runs', ['verify', '--runs', '-1', 'true'], /--runs: '-1'/],
    ['zero --runs', ['verify', '--runs=0', 'true'], /--runs/],
    ['--runs on run', ['--runs', '2', 'true'], /--runs: not an option of 'dettrace run'/],
    ['--seed -1', ['--seed', '-1', 'true'], /--seed: '-1'/],
    ['--seed above 2^64-1', ['--seed', '18446744073709551616', 'true'], /--seed: .*too large/],
    ['--timeout 0', ['--timeout', '0', 'true'], /--timeout/],
    ['--debug -1', ['--debug', '-1', 'true'], /--debug/],
    ['--workdir that does not exist', ['--workdir', '/nonexistent/dettrace/wd', 'true'], /--workdir: .*does not exist/],
    ['--chroot missing', ['--chroot', '/nonexistent/dettrace/root', 'true'], /--chroot: .*does not exist/],
    ['--report in a missing dir', ['--report', '/nonexistent/dettrace/r.json', 'true'], /--report: .*does not exist/],
    ['--env of an unset variable', ['--env', 'DETTRACE_TEST_UNSET_VAR', 'true'], /--env: DETTRACE_TEST_UNSET_VAR is not set/],
    ['--env with a bad name', ['--env', '9LIVES=1', 'true'], /--env: '9LIVES'/],
    ['--strict with a value', ['--strict=1', 'true'], /--strict: takes no value/],
    ['probe with an argument', ['probe', 'extra'], /probe: unexpected argument/],
    ['bad SOURCE_DATE_EPOCH', ['true'], /^dettrace: SOURCE_DATE_EPOCH: 'last tuesday'/, { SOURCE_DATE_EPOCH: 'last tuesday' }],
    ['negative SOURCE_DATE_EPOCH', ['true'], /^dettrace: SOURCE_DATE_EPOCH/, { SOURCE_DATE_EPOCH: '-1' }],
    ['--image of an image that does not exist', ['--image', 'no-such/image:1', 'true'], /^dettrace: --image no-such\/image:1: not in the Docker engine and cannot be pulled/],
  ];
  // Every row gets its env (jest would take a 4th parameter missing from a row for `done`).
  const rows = cases.map(([name, args, pattern, env]) => [name, args, pattern, env ?? {}] as const);
  test.each(rows)('%s', (_name, args, pattern, env) => {
    expectOneLineError(dettrace([...args], { env }), pattern);
  });

  test('--workdir that is a file', () => {
    expectOneLineError(dettrace(['--workdir', join(tmp, 'a-file'), 'true']), /--workdir: .*not a directory/);
  });

  test('--report whose directory is not writable', () => {
    const ro = join(tmp, 'read-only');
    mkdirSync(ro, { recursive: true });
    chmodSync(ro, 0o555);
    chmodSync(tmp, 0o755);
    // root may write anywhere: check as an unprivileged user then.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = dettrace(['--report', join(ro, 'report.json'), '--workdir', tmp, 'true'], asUser);
    expectOneLineError(r, /--report: .*not writable/);
  });

  test('verify: a bad option is one line too', () => {
    expectOneLineError(dettrace(['verify', '--json', '/nonexistent/dettrace/v.json', 'true']), /--json/);
  });

  // The missing pieces are made missing in a copy of the package (CLI only: no build/,
  // no prebuilds/, no verify engine), so these run whatever is built here.
  test('verify without the verify engine is one line', () => {
    expectOneLineError(dettrace(['verify', 'true'], { env: { DET_TEST_BIN: strippedCopy().bin } }), /^dettrace: verify: /);
  });

  test('run without the native tracer is one line naming the fix', () => {
    expectOneLineError(dettrace(['true'], { env: { DET_TEST_BIN: strippedCopy().bin } }), /native tracer not built: run npm run build:native/);
  });
});

let stripped: { dir: string; bin: string } | undefined;
/** The package's CLI alone (package.json, bin/, lib/src without verify/, node_modules linked). */
function strippedCopy(): { dir: string; bin: string } {
  if (stripped) return stripped;
  const dir = mkdtempSync(join(tmpdir(), 'dettrace-bare-'));
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'lib', 'src'), join(dir, 'lib', 'src'), { recursive: true });
  rmSync(join(dir, 'lib', 'src', 'verify'), { recursive: true, force: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  stripped = { dir, bin: join(dir, 'bin', 'dettrace.js') };
  return stripped;
}
afterAll(() => {
  if (stripped) rmSync(stripped.dir, { recursive: true, force: true });
});

describe('probe', () => {
  test('without the addon: one line, 125', () => {
    expectOneLineError(dettrace(['probe'], { env: { DET_TEST_BIN: strippedCopy().bin } }), /native addon/);
  });

  test('probe --json prints one JSON object; probe prints a table', () => {
    const raw = dettrace(['probe', '--json']);
    expect(raw.status).toBe(0);
    expect(typeof JSON.parse(raw.stdout)).toBe('object');
    const table = dettrace(['probe']);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^dettrace \d+\.\d+\.\d+/);
  });
});

describe('error lines', () => {
  test('an unexpected error is one `internal error` line; --debug > 0 adds the stack', () => {
    expect(errorReport(new TypeError('bad\nthing'), 0)).toBe('dettrace: internal error: bad thing\n');
    expect(errorReport(new TypeError('bad'), 1)).toMatch(/^dettrace: internal error: bad\nTypeError: bad\n {4}at /);
  });

  test('a DetError is `dettrace: what: why`, with the --help hint for usage errors', () => {
    expect(formatError(new DetError('--x', 'why'))).toBe('dettrace: --x: why');
    expect(formatError(usageError('--x', 'why'))).toBe("dettrace: --x: why (try 'dettrace --help')");
    expect(errorReport(new DetError('a', 'b'), 1)).toMatch(/^dettrace: a: b\n/);
  });
});

describe('the tracer command line', () => {
  test('maps every run option, command last after --', () => {
    const args = tracerArgs(
      {
        command: ['make', '--', '-j'], workdir: '/w', chroot: '/c', epoch: 5, seed: 0,
        seedText: '18446744073709551615', env: ['A=1', 'B='], report: '/r.json', timeout: 1.5,
        strict: true, debug: 2, log: '/l',
      },
      '/skel',
    );
    expect(args).toEqual([
      '--workdir', '/w', '--root-skel', '/skel', '--chroot', '/c', '--epoch', '5', '--seed', '18446744073709551615',
      '--env', 'A=1', '--env', 'B=', '--report', '/r.json', '--timeout', '1.5', '--strict', '--debug', '2',
      '--log', '/l', '--', 'make', '--', '-j',
    ]);
  });

  test('leaves out what is not set', () => {
    const args = tracerArgs({ command: ['true'], workdir: '/w', epoch: 0, seed: 3, env: [], strict: false, debug: 0 }, '/s');
    expect(args).toEqual(['--workdir', '/w', '--root-skel', '/s', '--epoch', '0', '--seed', '3', '--', 'true']);
  });
});

// These need the native tracer (npm run build:native): without it they fail, loudly.
describe('dettrace run: exit statuses (SPEC §1)', () => {
  test('the native tracer is built', () => expect(hasTracer).toBe(true));
  let wd: string;
  beforeAll(() => {
    wd = mkdtempSync(join(tmpdir(), 'dettrace-run-'));
    writeFileSync(join(wd, 'not-executable.sh'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
  });
  afterAll(() => rmSync(wd, { recursive: true, force: true }));
  const inWd = (...args: string[]) => dettrace(['--workdir', wd, ...args]);

  test.each([
    ['true', 0, ['--', 'true']],
    ['false', 1, ['--', 'false']],
    ["sh -c 'exit 7'", 7, ['--', 'sh', '-c', 'exit 7']],
    ['a command that does not exist', 127, ['--', 'nonexistent-cmd-dettrace']],
    ['a file that is not executable', 126, ['--', './not-executable.sh']],
    ['killed by SIGKILL', 137, ['--', 'sh', '-c', 'kill -9 $$']],
    ['--timeout', 124, ['--timeout', '1', '--', 'sh', '-c', 'while :; do :; done']],
  ] as [string, number, string[]][])('%s → %i', (_name, status, args) => {
    const r = inWd(...args);
    expect({ status: r.status, stderr: r.status === status ? '' : r.stderr }).toEqual({ status, stderr: '' });
  });

  test('run is the default: `dettrace true` and `dettrace run -- true`', () => {
    expect(inWd('true').status).toBe(0);
    expect(dettrace(['run', '--workdir', wd, '--', 'false']).status).toBe(1);
  });

  test('--epoch, --env, --seed and --report reach the tracer', () => {
    const report = join(wd, 'report.json');
    const r = inWd('--epoch', '1234', '--env', 'FOO=bar baz', '--seed', '18446744073709551615', '--report', report,
      '--', 'sh', '-c', 'echo "$SOURCE_DATE_EPOCH|$FOO"');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('1234|bar baz\n');
    const json = JSON.parse(readFileSync(report, 'utf8')) as { version: number; exitCode: number };
    expect(json).toMatchObject({ version: 1, exitCode: 0 });
  });

  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as [NodeJS.Signals, number][])('%s to dettrace is forwarded to the tracer: exit %i', async (sig, status) => {
    const child = spawn(process.execPath, [BIN, '--workdir', wd, '--', 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    await new Promise((res) => setTimeout(res, 1500));
    child.kill(sig);
    expect(await exited).toBe(status);
  });

  test("the command's stdout and stderr pass through unchanged", () => {
    const r = inWd('--', 'sh', '-c', 'printf "out\\n\\001binary"; printf "err\\n" >&2');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('out\n\u0001binary');
    expect(r.stderr).toBe('err\n');
  });
});
