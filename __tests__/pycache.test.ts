// Python's bytecode caches under det (native/policy/pycache.cc): a cache valid natively is
// valid under det (its recorded source mtime shown through the virtual-time map, so no
// import compiles again), a stale one stays stale, and what a program reads of a cache is
// the same in every run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describeResult, runTraced } from './helpers/cli.js';

const PY = '/usr/bin/python3';
// A copy of the environment without SOURCE_DATE_EPOCH: py_compile then writes the
// timestamp-based caches that Debian installs.
const nativeEnv = { ...process.env };
delete nativeEnv.SOURCE_DATE_EPOCH;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'det-pycache-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MATCHES = /json\/__pycache__\/__init__\.cpython-\d+\.pyc matches \S*json\/__init__\.py/;

test('the system library imports from its bytecode caches, as natively (no module compiled again)', async () => {
  // The precondition: natively, the installed cache is valid.
  const nat = execFileSync('sh', ['-c', `${PY} -v -c 'import json' 2>&1`], { env: nativeEnv, encoding: 'utf8' });
  expect(nat).toMatch(MATCHES);
  const r = await runTraced(work, [PY, '-v', '-c', 'import json, argparse, decimal'], [], { limitMs: 90_000 });
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(MATCHES);
  expect(r.stderr).not.toMatch(/bytecode is stale/);
  // The program sees the source at its virtual time and the cache agreeing with it.
  const check = [
    'import importlib.util as u, json, os, sys',
    'src = json.__file__; pyc = u.cache_from_source(src)',
    'h = open(pyc, "rb").read(16)',
    'print(int.from_bytes(h[8:12], "little") == int(os.stat(src).st_mtime) & 0xFFFFFFFF, os.stat(src).st_mtime < 744847200)',
  ].join('\n');
  const a = await runTraced(work, [PY, '-c', check], [], { limitMs: 60_000 });
  expect(describeResult(a)).toContain('exit 0');
  expect(a.stdout).toBe('True True\n');
  // Programs other than Python read the cache's real bytes: a copy is the file.
  const pyc = execFileSync(PY, ['-c', 'import importlib.util as u, json; print(u.cache_from_source(json.__file__))'], {
    encoding: 'utf8',
  }).trim();
  const real = execFileSync('sha256sum', [pyc], { encoding: 'utf8' });
  const seen = await runTraced(work, ['sha256sum', pyc], [], { limitMs: 60_000 });
  expect(seen.stdout).toBe(real);
}, 120_000);

test('a cache in the work dir: used when valid, stale when its source changed before or during the run', async () => {
  const dir = mkdtempSync(join(work, 'mod-'));
  const compile = () => execFileSync(PY, ['-m', 'py_compile', 'mod.py'], { cwd: dir, env: nativeEnv });
  writeFileSync(join(dir, 'mod.py'), 'X = 1\n');
  utimesSync(join(dir, 'mod.py'), new Date('2024-05-01T10:00:00Z'), new Date('2024-05-01T10:00:00Z'));
  compile();
  const imp = [PY, '-B', '-v', '-c', 'import mod; print(mod.X)'];
  const valid = await runTraced(dir, imp, [], { limitMs: 60_000 });
  expect(valid.stdout).toBe('1\n');
  expect(valid.stderr).toMatch(/__pycache__\/mod\.cpython-\d+\.pyc matches/);

  // Changed in the run (touch): the recorded mtime no longer matches the source's.
  const touched = await runTraced(dir, ['sh', '-c', `touch mod.py; ${imp.map((s) => `'${s}'`).join(' ')}`], [], {
    limitMs: 60_000,
  });
  expect(touched.stdout).toBe('1\n');
  expect(touched.stderr).toMatch(/bytecode is stale for 'mod'/);

  // Stale natively (the source was edited after compiling): stale under det too.
  compile();
  writeFileSync(join(dir, 'mod.py'), 'X = 22\n');
  const stale = await runTraced(dir, imp, [], { limitMs: 60_000 });
  expect(stale.stdout).toBe('22\n');
  expect(stale.stderr).toMatch(/bytecode is stale for 'mod'/);
}, 200_000);
