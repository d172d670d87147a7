// native/core/syscall_stops.def: the cases of traced calls that need no stop run without
// one (the seccomp filter decides on the arguments), the cases that do still stop, and the
// docs table says which is which. Stops are counted by the tracer's report, not timed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT, TRACER, describeResult, runTraced } from './helpers/cli.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'det-stops-'));
  writeFileSync(
    join(work, 'calls.py'),
    [
      'import ctypes, fcntl, os, sys',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'what, n = sys.argv[1], int(sys.argv[2])',
      'fd = os.open("calls.py", os.O_RDONLY)',
      'for i in range(n):',
      '    if what == "getfl": fcntl.fcntl(fd, fcntl.F_GETFL)',
      '    elif what == "lockw":',
      '        w = os.open("lock", os.O_RDWR | os.O_CREAT); fcntl.lockf(w, fcntl.LOCK_EX); os.close(w)',
      '    elif what == "prname": libc.prctl(16, ctypes.create_string_buffer(16), 0, 0, 0)',  // PR_GET_NAME
      '    elif what == "rseq": assert libc.syscall(334, 0, 0, 0, 0) == -1 and ctypes.get_errno() == 38',
      'mode = ctypes.c_int(-1)',
      'print(libc.prctl(25, ctypes.byref(mode), 0, 0, 0), mode.value)',  // PR_GET_TSC: answered by det
    ].join('\n') + '\n',
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function stops(what: string, n: number): Promise<number> {
  const report = join(work, `${what}-${n}.json`);
  const r = await runTraced(work, ['python3', 'calls.py', what, String(n)], ['--report', report], { limitMs: 120_000 });
  expect(describeResult(r)).toContain('exit 0');
  expect(r.stdout).toBe('0 1\n'); // PR_GET_TSC still stops and is answered (PR_TSC_ENABLE)
  return Number(JSON.parse(readFileSync(report, 'utf8')).stops);
}

test('fcntl other than the waiting lock commands, prctl other than the TSC options and rseq run without a stop', async () => {
  const base = await stops('getfl', 0);
  expect(base).toBeGreaterThan(50);
  // A few stops of slack: the loop itself may allocate (brk/mmap are not traced anyway).
  expect(await stops('getfl', 2000)).toBeLessThan(base + 20);
  expect(await stops('prname', 2000)).toBeLessThan(base + 20);
  expect(await stops('rseq', 2000)).toBeLessThan(base + 20);
}, 300_000);

test('the waiting lock command still stops (it may block: the scheduler takes it non-blocking)', async () => {
  const base = await stops('lockw', 0);
  expect(await stops('lockw', 200)).toBeGreaterThanOrEqual(base + 200 * 2); // openat + fcntl(F_SETLKW) each
}, 300_000);

test('the syscall table says which cases stop', () => {
  const doc = execFileSync(TRACER, ['--syscall-table'], { encoding: 'utf8' });
  expect(doc).toMatch(/\| 72 \| `fcntl` \| trace \(only if arg1 is F_SETLKW or F_OFD_SETLKW\) \|/);
  expect(doc).toMatch(/\| 157 \| `prctl` \| trace \(only if arg0 is PR_SET_TSC or PR_GET_TSC\) \|/);
  expect(doc).toMatch(/\| 334 \| `rseq` \| trace \(never: ENOSYS from the filter\) \|/);
  expect(doc).toMatch(/\| 0 \| `read` \| notify \| sched \|/);
  // The committed docs are this output (regenerate: npm run docs:syscalls).
  expect(readFileSync(join(ROOT, 'docs', 'syscalls.md'), 'utf8')).toBe(doc);
});
