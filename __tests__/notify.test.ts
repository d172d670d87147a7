// Seccomp user notifications (native/core/tracer.cc, "Notifications"): the Notify calls of
// the syscall table are answered from notifications, calls whose handlers need a ptrace
// stop are moved to one (NeedStop), and a run prints exactly what it prints with ptrace
// stops only (DET_NOTIFY=0). (The numbers of traced calls may differ: a pipe write that
// waits for room is one call when the tracer writes it from a notification, where the
// ptrace path issues it again after EAGAIN.) Counts come from the run report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describeResult, runTraced, type RunResult } from './helpers/cli.js';
import { buildPrograms, cleanupTemp, copyTree, CPROJECT_SRC, requireTool, workDirWith } from './helpers/programs.js';

afterAll(() => cleanupTemp());

interface Counted {
  r: RunResult;
  stops: number;
  notified: number;
  bounced: number;
}

async function run(dir: string, cmd: string[], notify: boolean, env: NodeJS.ProcessEnv = {}): Promise<Counted> {
  const report = join(dir, `report-${notify ? 'notify' : 'ptrace'}.json`);
  const r = await runTraced(dir, cmd, ['--timeout', '100', '--report', report], {
    limitMs: 150_000,
    env: { DET_NOTIFY: notify ? '1' : '0', ...env },
  });
  const j = JSON.parse(readFileSync(report, 'utf8')) as { stops: number; notifiedStops: number; bouncedStops: number };
  return { r, stops: j.stops, notified: j.notifiedStops, bounced: j.bouncedStops };
}

// Every test program (each the way tracer.test.ts runs it), a Python import of many modules
// (its .pyc files are shown through a memfd the tracer installs) and a C build.
const PROGRAMS = ['threads4', 'threads_mutex', 'fork_wait', 'vfork_exec', 'clone3_thread', 'execveat', 'waitid',
  'orphan', 'zombie', 'signals', 'pidfd', 'pipe_block', 'futex', 'sleep', 'poll', 'select', 'epoll', 'unix_sock',
  'tcp_sock', 'flock', 'eventfd', 'timers', 'syscalls', 'entropy', 'abort', 'segv', 'kill9', 'stat_paths',
  'leader_exit', 'mincore', 'poll_sigchld', 'pipe_room', 'kill_group', 'subreaper', 'eintr', 'pipeline.sh',
  'pipe_race.sh', 'xargs.sh'];

test('every test program prints the same with notifications as with ptrace stops only', async () => {
  requireTool('python3');
  const progs = buildPrograms();
  const cases: { name: string; dir: () => string; cmd: string[] }[] = [
    ...PROGRAMS.map((p) => ({ name: p, dir: () => workDirWith(progs, [p]), cmd: [`/build/${p}`] })),
    { name: 'mp_pool.py', dir: () => workDirWith(progs, ['mp_pool.py']), cmd: ['python3', '/build/mp_pool.py'] },
    { name: 'clock_reads', dir: () => workDirWith(progs, ['clock_reads']), cmd: ['/build/clock_reads', '20000'] },
    {
      name: 'python imports',
      dir: () => workDirWith(progs, []),
      cmd: ['python3', '-c', 'import json, email.mime.text, http.client, xml.dom.minidom, decimal, tarfile; print("ok")'],
    },
    { name: 'make (examples/cproject)', dir: () => copyTree(CPROJECT_SRC, 'det-notify-c-'), cmd: ['make', '-j2'] },
  ];
  const differ: string[] = [];
  let notified = 0;
  let bounced = 0;
  const bouncedIn: string[] = [];
  for (const c of cases) {
    const [on, off] = await Promise.all([run(c.dir(), c.cmd, true), run(c.dir(), c.cmd, false)]);
    const show = (x: Counted) => `${describeResult(x.r, 600)}\nstops ${x.stops}`;
    if (on.r.stdout !== off.r.stdout || on.r.code !== off.r.code || on.r.timedOut)
      differ.push(`${c.name}:\n--- notify\n${show(on)}\n--- ptrace\n${show(off)}`);
    expect(off.notified).toBe(0);
    notified += on.notified;
    bounced += on.bounced;
    if (on.bounced) bouncedIn.push(c.name);
  }
  expect(differ).toEqual([]);
  // Most calls of these programs are Notify calls; a few needed a ptrace stop: FIFO opens
  // (eintr, pipeline.sh), stats only the kernel answers (of /proc/self/...), a write from a
  // buffer that faults part way (pipe_room).
  expect(notified).toBeGreaterThan(5000);
  expect(bouncedIn).toEqual(expect.arrayContaining(['eintr', 'pipeline.sh', 'pipe_room']));
  expect(bounced).toBeGreaterThan(5);
}, 900_000);

test('blocking calls interrupted by a signal still return EINTR, and /proc files are virtual, with notifications', async () => {
  const dir = workDirWith(buildPrograms(), ['eintr']);
  const on = await run(dir, ['/build/eintr'], true);
  expect(describeResult(on.r)).toContain('exit 0');
  expect(on.r.stdout).toMatch(
    /^pipe full at \d+ bytes\nblocked write: -1 EINTR\nblocked small write: -1 EINTR\nblocked read: -1 EINTR\nblocked fifo open: -1 EINTR\n/,
  );
  // The logical clock's uptime (an installed memfd, close-on-exec as asked), not the host's.
  expect(on.r.stdout).toMatch(/\/proc\/uptime: \d+\.\d\d \d+\.\d\d\ncloexec: 1\n$/);
  const again = await run(workDirWith(buildPrograms(), ['eintr']), ['/build/eintr'], true);
  expect(again.r.stdout).toBe(on.r.stdout);
  expect(on.notified).toBeGreaterThan(10);
  expect(on.bounced).toBe(2); // the FIFO open and the stat of /proc/self/stat; the pipe writes are the tracer's
}, 300_000);

test('where the kernel gives no notification descriptor, every call takes a ptrace stop and the run prints the same', async () => {
  // DET_TEST_NO_LISTENER=1: the command installs the filter without a listener, as when the
  // kernel (before 5.19) or an outer seccomp policy refuses one, and hands the tracer -1.
  const progs = buildPrograms();
  const cmd = ['sh', '-c', '/build/eintr && /build/stat_paths && /build/pipeline.sh'];
  const names = ['eintr', 'stat_paths', 'pipeline.sh'];
  const none = await run(workDirWith(progs, names), cmd, true, { DET_TEST_NO_LISTENER: '1' });
  const off = await run(workDirWith(progs, names), cmd, false);
  expect(describeResult(none.r)).toContain('exit 0');
  expect(none.r.stdout).toBe(off.r.stdout);
  expect(none.notified).toBe(0);
  expect(none.stops).toBe(off.stops);
}, 300_000);
