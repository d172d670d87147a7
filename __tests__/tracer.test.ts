// End-to-end tests of the tracer through the real CLI: every program in tests/programs runs
// natively once (to prove the program and its shape check are right) and under
// `dettrace --workdir <fresh dir> -- /build/<prog>` twice; both traced runs must exit as
// expected, pass the same shape check as the native run, and print identical stdout.
// Then examples/cproject is built with `make -j4` under the tracer in two fresh copies and
// every .o, libutil.a and calc must be byte-identical; and the exit-status contract.
//
// Which programs vary natively (tests/programs/run-native.sh, 8 runs each, this VM):
//   threads4, threads_mutex, fork_wait, vfork_exec, clone3_thread, execveat, waitid, pidfd,
//   pipe_block, futex, sleep, poll, select, epoll, unix_sock, tcp_sock, flock, eventfd,
//   timers, entropy, pipe_race.sh, xargs.sh, mp_pool.py;
// natively stable (they test blocking semantics, not ordering): orphan, zombie, signals,
// syscalls, pipeline.sh.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describeResult, hasTracer, runProcess, runTraced, TRACER, type RunResult } from './helpers/cli.js';
import {
  buildPrograms,
  cleanupTemp,
  copyTree,
  CPROJECT_SRC,
  hashFiles,
  requireTool,
  workDirWith,
} from './helpers/programs.js';

const DEFAULT_EPOCH = 744847200;
const RUN_LIMIT_MS = 60_000; // one traced run of a test program (natively each takes < 2 s)
const TEST_TIMEOUT_MS = 3 * RUN_LIMIT_MS + 30_000; // native + two traced runs

let progs: string;
beforeAll(() => {
  progs = buildPrograms(); // throws (fails every test) if cc/make are missing or a program does not compile
}, 300_000);
afterAll(() => cleanupTemp());

// ---------------------------------------------------------------- small assertion helpers

function lines(out: string): string[] {
  const ls = out.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
}

function expectExit(r: RunResult, code: number, what: string): void {
  if (r.code !== code || r.timedOut) {
    throw new Error(`${what}: expected exit status ${code}, got ${r.code}\n${describeResult(r)}`);
  }
}

function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

function sorted<T>(xs: T[]): T[] {
  return [...xs].sort();
}

/** Every line matches re; returns the match groups. */
function matchAll(ls: string[], re: RegExp): RegExpMatchArray[] {
  return ls.map((l) => {
    const m = l.match(re);
    if (!m) throw new Error(`line ${JSON.stringify(l)} does not match ${re}`);
    return m;
  });
}

function expectPermutation(actual: number[], expected: number[]): void {
  expect([...actual].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
}

function expectAscending(xs: number[]): void {
  expect(xs).toEqual([...xs].sort((a, b) => a - b));
}

// ---------------------------------------------------------------- the programs

interface Ctx {
  native: boolean;
  workdir: string;
}

interface Case {
  name: string;
  /** files copied from the programs build dir into the work dir */
  files: string[];
  /** the command inside the sandbox (cwd /build) */
  cmd: string[];
  /** the command natively (cwd = the work dir); default: cmd with /build/ replaced by ./ */
  native?: string[];
  /** host tools the program needs (missing: the test fails, loudly) */
  tools?: string[];
  exit?: number;
  /** wall-clock limit of one traced run (default RUN_LIMIT_MS) */
  limitMs?: number;
  check: (out: string, ctx: Ctx) => void;
  /** an extra check of stderr (which under det may also hold tracer warnings) */
  checkStderr?: (err: string) => void;
}

/** poll.c, select.c, epoll.c: 15 messages from 3 writers, each writer's in order. */
function checkWriters(tag: string, tail: string[]) {
  return (out: string) => {
    const ls = lines(out);
    expect(ls).toHaveLength(15 + tail.length);
    const ms = matchAll(ls.slice(0, 15), new RegExp(`^${tag}: pipe (\\d): w(\\d) m(\\d)$`));
    for (const m of ms) expect(m[1]).toBe(m[2]);
    for (const w of ['0', '1', '2']) {
      expect(ms.filter((m) => m[1] === w).map((m) => Number(m[3]))).toEqual(range(5));
    }
    expect(ls.slice(15)).toEqual(tail);
  };
}

/** unix_sock.c, tcp_sock.c (sockets.h): accept order is free, replies must match it. */
function checkSockets(tag: string, tail: string[]) {
  return (out: string) => {
    const ls = lines(out);
    expect(ls).toHaveLength(10 + tail.length);
    expect(ls[0]).toBe(`${tag}: non-blocking accept: EAGAIN`);
    const server = ls.filter((l) => l.startsWith(`${tag}: server`));
    const clients = ls.filter((l) => l.startsWith(`${tag}: client`));
    const sm = matchAll(server, new RegExp(`^${tag}: server accepted #(\\d): "hello from client (\\d)"$`));
    expect(sm.map((m) => Number(m[1]))).toEqual(range(4));
    expectPermutation(
      sm.map((m) => Number(m[2])),
      range(4),
    );
    const cm = matchAll(clients, new RegExp(`^${tag}: client (\\d) got "welcome, you were #(\\d)"$`));
    expect(cm).toHaveLength(4);
    for (const m of cm) expect(sm[Number(m[2])][2]).toBe(m[1]); // the client accepted as #k got "#k"
    expect(ls[9]).toBe(`${tag}: all 4 clients done`);
    expect(ls.slice(10)).toEqual(tail);
  };
}

/** mp_pool.py's work(): the same arithmetic, to check every result. */
function poolAcc(n: number): number {
  let acc = 0;
  for (let i = 0; i < 2000 + (n % 7) * 300; i++) acc = (acc * 31 + i + n) % 1000003;
  return acc;
}

const CASES: Case[] = [
  {
    name: 'threads4: 4 threads x 200 write(2) lines',
    files: ['threads4'],
    cmd: ['/build/threads4'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(800);
      const want: string[] = [];
      for (const t of range(4)) for (const i of range(200)) want.push(`t${t} line${String(i).padStart(3, '0')}`);
      expect(sorted(ls)).toEqual(sorted(want));
      for (const t of range(4)) expect(ls.filter((l) => l.startsWith(`t${t} `))).toEqual(want.slice(t * 200, t * 200 + 200));
    },
  },
  {
    name: 'threads_mutex: mutex contention, condvar handoff, join',
    files: ['threads_mutex'],
    cmd: ['/build/threads_mutex'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(11);
      const order = ls
        .filter((l) => l.startsWith('order: '))
        .map((l) => l.slice(7))
        .join('');
      expect(order).toMatch(/^[0-3]{200}$/);
      for (const t of '0123') expect(order.split(t).length - 1).toBe(50);
      const handoff = ls
        .filter((l) => l.startsWith('handoff: '))
        .map((l) => l.slice(9))
        .join('');
      expect(handoff).toBe('0123'.repeat(50));
      expect(ls.slice(8)).toEqual(['counts: 50 50 50 50', 'counter: 400', 'joined: 60']);
    },
  },
  {
    name: 'fork_wait: 8 children, waitpid(-1) order',
    files: ['fork_wait'],
    cmd: ['/build/fork_wait'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(9);
      const ms = matchAll(ls.slice(0, 8), /^reaped child (\d) pid (\d+) code (\d+)$/);
      expectPermutation(
        ms.map((m) => Number(m[1])),
        range(8),
      );
      for (const m of ms) expect(Number(m[3])).toBe(10 + Number(m[1]));
      expect(new Set(ms.map((m) => m[2])).size).toBe(8);
      expect(ls[8]).toMatch(/^parent pid \d+ done$/);
    },
  },
  {
    name: 'vfork_exec: vfork+execve, posix_spawn, vfork+_exit',
    files: ['vfork_exec'],
    cmd: ['/build/vfork_exec'],
    check: (out) => {
      const ls = lines(out);
      const want = [
        ...range(4).map((i) => `parent: vforked ${i}`),
        ...range(4).map((i) => `echo-child-${i}`),
        'spawned-sh',
        'parent: posix_spawned',
        'parent: vfork child wrote 42',
        ...[0, 0, 0, 0, 3, 5].map((code, i) => `parent: reaped ${i} exit ${code}`),
      ];
      expect(sorted(ls)).toEqual(sorted(want));
      expect(ls.filter((l) => l.startsWith('parent: vforked'))).toEqual(want.slice(0, 4));
    },
  },
  {
    name: 'clone3_thread: raw clone3 threads and a CLONE_PIDFD process',
    files: ['clone3_thread'],
    cmd: ['/build/clone3_thread'],
    check: (out) => {
      const ls = lines(out);
      const per = (t: number) => range(20).map((i) => `clone3 thread ${t} line ${String(i).padStart(2, '0')}`);
      const want = [
        ...per(0),
        ...per(1),
        ...per(2),
        ...range(3).map((i) => `main: created thread ${i}`),
        ...range(10).map((i) => `main line ${String(i).padStart(2, '0')}`),
        ...range(3).map((i) => `main: joined thread ${i}`),
        'clone3 child process running',
        'main: clone3 child exited 3',
      ];
      expect(sorted(ls)).toEqual(sorted(want));
      for (const t of range(3)) expect(ls.filter((l) => l.startsWith(`clone3 thread ${t} `))).toEqual(per(t));
      expect(ls[ls.length - 1]).toBe('main: clone3 child exited 3');
    },
  },
  {
    name: 'execveat: AT_EMPTY_PATH, dirfd, fexecve, /proc/self/exe',
    files: ['execveat'],
    cmd: ['/build/execveat'],
    check: (out) => {
      const ls = lines(out);
      expect(sorted(ls)).toEqual(
        sorted([
          'execveat-empty-path',
          'execveat-dirfd printf',
          'fexecve-sh',
          'stage2 via /proc/self/exe argc=2',
          'reaped exec child 0 exit 0',
          'reaped exec child 1 exit 0',
          'reaped exec child 2 exit 2',
          'reaped exec child 3 exit 4',
          'errors: ENOENT EACCES ok',
        ]),
      );
      expect(ls[ls.length - 1]).toBe('errors: ENOENT EACCES ok');
    },
  },
  {
    name: 'waitid: P_ALL, WNOHANG, WNOWAIT, WSTOPPED/WCONTINUED, P_PGID, CLD_KILLED',
    files: ['waitid'],
    cmd: ['/build/waitid'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(12);
      const ms = matchAll(ls.slice(0, 4), /^P_ALL: child (\d) status (\d)$/);
      expectPermutation(
        ms.map((m) => Number(m[1])),
        range(4),
      );
      for (const m of ms) expect(Number(m[2])).toBe(Number(m[1]) + 1);
      expect(ls.slice(4)).toEqual([
        'WNOHANG: nothing yet',
        'WNOWAIT then reap: status 6',
        'WSTOPPED: code CLD_STOPPED signal 19',
        'WCONTINUED: code CLD_CONTINUED',
        'after continue: exit 9',
        'P_PGID: status 12',
        'CLD_KILLED: signal 9',
        'ECHILD at the end',
      ]);
    },
  },
  {
    name: 'orphan: a double-forked grandchild outlives its parents',
    files: ['orphan'],
    cmd: ['/build/orphan'],
    check: (out, ctx) => {
      const ls = lines(out);
      expect(ls).toHaveLength(2);
      expect(ls[0]).toBe('top: middle process exited 0, top exits now');
      expect(ls[1]).toMatch(/^grandchild: done, parent now pid \d+$/);
      // the run is over only when the orphan is: its file is complete
      expect(readFileSync(join(ctx.workdir, 'orphan.out'), 'utf8')).toBe(
        'grandchild finished after its parents; reparented=yes\n',
      );
    },
  },
  {
    name: 'zombie: Z state, WNOWAIT, reaping, SIGCHLD SIG_IGN',
    files: ['zombie'],
    cmd: ['/build/zombie'],
    check: (out) => {
      expect(lines(out)).toEqual([
        'child 0 is a zombie',
        'child 1 is a zombie',
        'child 2 is a zombie',
        'WNOWAIT peek: status 20, still a zombie',
        'reaped child 2 exit 22, gone from /proc',
        'reaped child 1 exit 21, gone from /proc',
        'reaped child 0 exit 20, gone from /proc',
        'SIGCHLD ignored: children auto-reaped, wait gave ECHILD',
      ]);
    },
  },
  {
    name: 'signals: SIGCHLD handler, SIGUSR1 ping-pong, racing sigqueue, tgkill, sigtimedwait',
    files: ['signals'],
    cmd: ['/build/signals'],
    check: (out) => {
      const ls = lines(out);
      const pingpong: string[] = [];
      for (const i of [9, 19, 29, 39, 49]) pingpong.push(`parent: ping ${i}`, `child: pong ${i}`);
      expect(ls).toHaveLength(17);
      expect(ls.slice(0, 12)).toEqual(['SIGCHLD handler reaped 3 children', ...pingpong, 'ping-pong: 50 rounds']);
      const rt = ls[12].match(/^rt order:((?: \d+)+)$/);
      expect(rt).not.toBeNull();
      const vals = rt![1].trim().split(' ').map(Number);
      expectPermutation(vals, [...range(5), ...range(5, 100)]);
      expectAscending(vals.filter((v) => v < 100)); // each sender's values arrive in order
      expectAscending(vals.filter((v) => v >= 100));
      expect(ls.slice(13)).toEqual([
        'thread: sigwaitinfo got SIGUSR2 #1 from its own process',
        'thread: sigwaitinfo got SIGUSR2 #2 from its own process',
        'sigtimedwait timed out',
        'raise(SIGTERM) handled',
      ]);
    },
  },
  {
    name: 'pidfd: pidfd_open + poll + waitid(P_PIDFD), pidfd_send_signal',
    files: ['pidfd'],
    cmd: ['/build/pidfd'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(5);
      const ms = matchAll(ls.slice(0, 4), /^pidfd (\d) readable: child (\d) exit (\d+)$/);
      expectPermutation(
        ms.map((m) => Number(m[1])),
        range(4),
      );
      for (const m of ms) {
        expect(m[2]).toBe(m[1]);
        expect(Number(m[3])).toBe(30 + Number(m[1]));
      }
      expect(ls[4]).toBe('pidfd_send_signal: child killed by signal 15');
    },
  },
  {
    name: 'pipe_block: reader blocked before the writer writes, writer blocked on a full pipe',
    files: ['pipe_block'],
    cmd: ['/build/pipe_block'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(4);
      expect(ls[0]).toBe('reader: first read: hello-from-writer');
      expect(ls[1]).toMatch(/^reader: 1048576 bytes in \d+ reads \(\d+ full\) checksum 636c1b9c4041678e$/);
      expect(ls[2]).toMatch(/^reader: read sizes( \d+x\d+)+$/);
      expect(ls[3]).toMatch(/^writer: 1048576 bytes in \d+ writes, reader ok$/);
    },
  },
  {
    name: 'futex: raw FUTEX_WAIT/WAKE ping-pong, gate, timeouts, shared futex',
    files: ['futex'],
    cmd: ['/build/futex'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(5);
      expect(ls[0]).toBe('ping-pong: 200 rounds');
      const g = ls[1].match(/^gate: through in order (\d) (\d) (\d) (\d)$/);
      expect(g).not.toBeNull();
      expectPermutation(g!.slice(1).map(Number), range(4));
      expect(ls.slice(2)).toEqual([
        'timeouts: ETIMEDOUT ETIMEDOUT, mismatch: EAGAIN, empty wake: 0',
        'child: woken through a shared futex, value 7',
        'shared futex: ok',
      ]);
    },
  },
  {
    name: 'sleep: nanosleep, clock_nanosleep (rel/abs), usleep, sleeping threads',
    files: ['sleep'],
    cmd: ['/build/sleep'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(7);
      const us = (i: number, re: RegExp) => {
        const m = ls[i].match(re);
        if (!m) throw new Error(`line ${i} ${JSON.stringify(ls[i])} does not match ${re}`);
        return Number(m[1]);
      };
      expect(us(0, /^nanosleep 100ms: elapsed (\d+) us$/)).toBeGreaterThanOrEqual(100_000);
      expect(us(1, /^clock_nanosleep rel 50ms: elapsed (\d+) us$/)).toBeGreaterThanOrEqual(50_000);
      expect(us(2, /^clock_nanosleep abs \+80ms: elapsed (\d+) us$/)).toBeGreaterThanOrEqual(80_000);
      expect(us(3, /^realtime abs \+30ms, usleep 20ms: elapsed (\d+) us$/)).toBeGreaterThanOrEqual(20_000);
      const woke = ls[4].match(/^threads woke: (\d+)ms (\d+)ms (\d+)ms (\d+)ms$/);
      expect(woke).not.toBeNull();
      expectPermutation(woke!.slice(1).map(Number), [30, 60, 90, 120]);
      expect(us(5, /^threads: elapsed (\d+) us$/)).toBeGreaterThanOrEqual(120_000);
      const tot = ls[6].match(/^total: monotonic (\d+) us, realtime (\d+) us$/);
      expect(tot).not.toBeNull();
      expect(Number(tot![1])).toBeGreaterThanOrEqual(400_000);
      expect(Number(tot![2])).toBeGreaterThan(0);
    },
  },
  {
    name: 'poll: poll/ppoll on racing writers, timeouts, EINTR',
    files: ['poll'],
    cmd: ['/build/poll'],
    check: checkWriters('poll', ['poll(0) and ppoll(30ms) on an empty pipe: 0', 'ppoll interrupted by SIGUSR1: EINTR']),
  },
  {
    name: 'select: select/pselect6 on racing writers, timeouts, EINTR',
    files: ['select'],
    cmd: ['/build/select'],
    check: checkWriters('select', [
      'select(0), pselect(30ms), select(25ms) on an empty pipe: 0',
      'select: write end ready',
      'pselect interrupted by SIGUSR1: EINTR',
    ]),
  },
  {
    name: 'epoll: epoll_wait/epoll_pwait/epoll_pwait2 on racing writers, ET, ONESHOT, EINTR',
    files: ['epoll'],
    cmd: ['/build/epoll'],
    check: checkWriters('epoll', [
      'epoll_wait(0), epoll_wait(25ms), epoll_pwait2(30ms) on an empty pipe: 0',
      'EPOLLET: one event per edge',
      'EPOLLONESHOT: disarmed after one event',
      'epoll_pwait interrupted by SIGUSR1: EINTR',
    ]),
  },
  {
    name: 'unix_sock: accept/connect on a unix socket, SCM_RIGHTS',
    files: ['unix_sock'],
    cmd: ['/build/unix_sock'],
    check: checkSockets('unix', ['SCM_RIGHTS: parent read "written through a passed fd"']),
  },
  {
    name: 'tcp_sock: accept/connect on 127.0.0.1, non-blocking connect',
    files: ['tcp_sock'],
    cmd: ['/build/tcp_sock'],
    check: checkSockets('tcp', ['tcp: non-blocking connect completed, server read "ping"']),
  },
  {
    name: 'flock: LOCK_EX contention between 4 processes, LOCK_NB, fcntl F_SETLKW',
    files: ['flock'],
    cmd: ['/build/flock'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(4);
      const m = ls[0].match(/^flock: 20 critical sections, none overlapped, order ([0-3]{20})$/);
      expect(m).not.toBeNull();
      for (const p of '0123') expect(m![1].split(p).length - 1).toBe(5);
      expect(ls.slice(1)).toEqual([
        'flock: LOCK_NB gives EWOULDBLOCK, shared locks coexist',
        'fcntl: parent releases the record lock',
        'fcntl: child got the record lock after the parent released it',
      ]);
    },
  },
  {
    name: 'eventfd: counter reads between threads, EFD_SEMAPHORE, EAGAIN, poll',
    files: ['eventfd'],
    cmd: ['/build/eventfd'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(5);
      const m = ls[0].match(/^eventfd: total 100 in (\d+) reads:((?: \d+)+)$/);
      expect(m).not.toBeNull();
      const vals = m![2].trim().split(' ').map(Number);
      expect(vals).toHaveLength(Number(m![1]));
      expect(vals.reduce((a, b) => a + b, 0)).toBe(100);
      expect(ls.slice(1)).toEqual([
        'child: semaphore token 0',
        'child: semaphore token 1',
        'child: semaphore token 2',
        'eventfd: EAGAIN when empty, poll readiness ok',
      ]);
    },
  },
  {
    name: 'timers: setitimer, timer_create, timerfd, alarm',
    files: ['timers'],
    cmd: ['/build/timers'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(5);
      expect(ls.slice(0, 2)).toEqual(['setitimer: SIGALRM after 40ms', 'timer_create: 3 periodic expirations']);
      expect(ls[2]).toMatch(/^timerfd: first read [1-9]\d* expiration\(s\)$/);
      expect(ls[3]).toMatch(/^timerfd: polled, then read [1-9]\d* expiration\(s\)$/);
      expect(ls[4]).toBe('alarm(1): SIGALRM');
    },
  },
  {
    name: "syscalls: statx, faccessat2, openat2, close_range, copy_file_range, ... of today's glibc",
    files: ['syscalls'],
    cmd: ['/build/syscalls'],
    check: (out) => {
      expect(lines(out)).toEqual([
        'ok mkdirat',
        'ok openat+write',
        'ok statx size=37 mode=640 nlink=1',
        'ok newfstatat/fstat/stat/lstat',
        'ok faccessat2',
        'ok openat2 (RESOLVE_BENEATH: EXDEV on ..)',
        'ok copy_file_range',
        'ok sendfile/pipe2/splice',
        'ok getrandom',
        'ok memfd_create',
        'ok dup3/close_range',
        'ok linkat/symlinkat/readlinkat',
        'ok renameat2',
        'ok fallocate/pwritev2/preadv2',
        'ok utimensat (explicit time sticks)',
        'ok getdents64 (8 entries)',
        'ok prlimit64/sched_getaffinity/uname/prctl/getcwd',
        'ok cleanup',
      ]);
    },
  },
  {
    name: 'entropy: time, clocks, getrandom, urandom, AT_RANDOM, pids, uname, rdtsc',
    files: ['entropy'],
    cmd: ['/build/entropy'],
    check: (out) => {
      const res = [
        /^time \d+$/,
        /^gettimeofday \d+\.\d{6}$/,
        /^realtime \d+\.\d{9}$/,
        /^monotonic \d+\.\d{9}$/,
        /^boottime \d+\.\d{9}$/,
        /^getrandom [0-9a-f]{32}$/,
        /^urandom [0-9a-f]{32}$/,
        /^at_random [0-9a-f]{32}$/,
        /^pid \d+ ppid \d+$/,
        /^uname Linux \S+ \S+ x86_64$/,
        /^hostname \S+$/,
        /^rdtsc \d+ delta \d+$/,
      ];
      const ls = lines(out);
      expect(ls).toHaveLength(res.length);
      res.forEach((re, i) => expect(ls[i]).toMatch(re));
    },
  },
  {
    name: 'pipeline.sh: seq | sed | sort -r | awk, md5sum, tee into a FIFO',
    files: ['pipeline.sh'],
    cmd: ['/build/pipeline.sh'],
    tools: ['sh', 'seq', 'sed', 'sort', 'awk', 'md5sum', 'tee', 'mkfifo'],
    check: (out) => {
      expect(lines(out)).toEqual(['20000 124894', '63855829cd988c9a60be075409224817  -', '5000', 'tee saw 5000 lines']);
    },
  },
  {
    name: 'pipe_race.sh: 4 writers racing into one pipe (sha256 of the raw stream)',
    files: ['pipe_race.sh'],
    cmd: ['/build/pipe_race.sh'],
    tools: ['sh', 'yes', 'head', 'sha256sum', 'uniq', 'tr', 'wc'],
    // `yes` dies of SIGPIPE when head exits, silently, as from any shell: SIGPIPE must not be
    // ignored in the sandbox
    checkStderr: (err) => expect(err).not.toMatch(/Broken pipe/),
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(3);
      expect(ls[0]).toMatch(/^[0-9a-f]{64} {2}-$/);
      const runs = ls[1].match(/^runs of equal lines: (\d+)$/);
      expect(runs).not.toBeNull();
      expect(Number(runs![1])).toBeGreaterThanOrEqual(4);
      expect(ls[2]).toBe('bytes without 1s: 210000');
    },
  },
  {
    name: "xargs.sh: xargs -P4 over 40 items running sh -c 'echo $0'",
    files: ['xargs.sh'],
    cmd: ['/build/xargs.sh'],
    tools: ['sh', 'seq', 'xargs'],
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(40);
      expectPermutation(ls.map(Number), range(40, 1));
    },
  },
  {
    name: 'mp_pool.py: Python multiprocessing Pool(4) over 100 items',
    files: ['mp_pool.py'],
    cmd: ['python3', '/build/mp_pool.py'],
    native: ['/usr/bin/python3', './mp_pool.py'],
    tools: ['/usr/bin/python3'], // the sandbox runs the host's /usr/bin/python3
    limitMs: 2 * RUN_LIMIT_MS,
    check: (out) => {
      const ls = lines(out);
      expect(ls).toHaveLength(102);
      const ms = matchAll(ls.slice(0, 100), /^item (\d+) square (\d+) acc (\d+) pid (\d+)$/);
      expectPermutation(
        ms.map((m) => Number(m[1])),
        range(100),
      );
      for (const m of ms) {
        const n = Number(m[1]);
        expect(Number(m[2])).toBe(n * n);
        expect(Number(m[3])).toBe(poolAcc(n));
      }
      const pids = new Set(ms.map((m) => m[4]));
      expect(pids.size).toBeGreaterThanOrEqual(1);
      expect(pids.size).toBeLessThanOrEqual(4);
      expect(ls[100]).toMatch(new RegExp(`^workers ${pids.size} first-seen order \\[\\d+(, \\d+)*\\]$`));
      expect(ls[101]).toMatch(/^map sum 328350 parent \d+$/);
    },
  },
];

function nativeCmd(c: Case): string[] {
  return c.native ?? c.cmd.map((a) => a.replace(/^\/build\//, './'));
}

describe('the native tracer', () => {
  test('build/Release/dettrace-tracer exists (npm run build:native)', () => {
    if (!hasTracer()) throw new Error(`${TRACER} is missing: the tracer is not built, every traced test below fails`);
  });
});

describe.each(CASES)('$name', (c: Case) => {
  test(
    'natively: finishes and passes the shape check',
    async () => {
      for (const t of c.tools ?? []) requireTool(t);
      const w = workDirWith(progs, c.files);
      const [file, ...args] = nativeCmd(c);
      const r = await runProcess(file, args, { cwd: w, limitMs: 30_000 });
      expectExit(r, c.exit ?? 0, `native ${c.cmd.join(' ')}`);
      expect(r.stdout).not.toMatch(/^FAIL/m);
      c.check(r.stdout, { native: true, workdir: w });
      c.checkStderr?.(r.stderr);
    },
    60_000,
  );

  test(
    'under det: exits as natively, same shape, identical stdout in two runs',
    async () => {
      for (const t of c.tools ?? []) requireTool(t);
      const outs: string[] = [];
      for (const run of [1, 2]) {
        const w = workDirWith(progs, c.files);
        const r = await runTraced(w, c.cmd, [], { limitMs: c.limitMs ?? RUN_LIMIT_MS });
        expectExit(r, c.exit ?? 0, `run ${run} of dettrace -- ${c.cmd.join(' ')}`);
        expect(r.stdout).not.toMatch(/^FAIL/m);
        expect(r.stderr).not.toMatch(/^FAIL/m);
        c.check(r.stdout, { native: false, workdir: w });
        c.checkStderr?.(r.stderr);
        outs.push(r.stdout);
      }
      expect(outs[1]).toBe(outs[0]);
    },
    2 * (c.limitMs ?? RUN_LIMIT_MS) + 30_000,
  );
});

// ---------------------------------------------------------------- time and randomness

describe('entropy under det: the logical clock starts at the epoch, randomness follows --seed', () => {
  const timeOf = (out: string) => Number(lines(out)[0].replace(/^time /, ''));
  const line = (out: string, key: string) => lines(out).find((l) => l.startsWith(`${key} `));
  const traced = async (options: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = await runTraced(workDirWith(progs, ['entropy']), ['/build/entropy'], options, {
      limitMs: RUN_LIMIT_MS,
      env,
    });
    expectExit(r, 0, `dettrace ${options.join(' ')} -- /build/entropy`);
    return r.stdout;
  };

  test(
    `default epoch ${DEFAULT_EPOCH}; --epoch; $SOURCE_DATE_EPOCH`,
    async () => {
      const t0 = timeOf(await traced([]));
      expect(t0).toBeGreaterThanOrEqual(DEFAULT_EPOCH);
      expect(t0).toBeLessThan(DEFAULT_EPOCH + 3600);
      const t1 = timeOf(await traced(['--epoch', '1000000000']));
      expect(t1).toBeGreaterThanOrEqual(1000000000);
      expect(t1).toBeLessThan(1000000000 + 3600);
      const t2 = timeOf(await traced([], { SOURCE_DATE_EPOCH: '1234567890' }));
      expect(t2).toBeGreaterThanOrEqual(1234567890);
      expect(t2).toBeLessThan(1234567890 + 3600);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'the same --seed gives the same bytes, another seed other bytes; default seed is 0',
    async () => {
      const a = await traced(['--seed', '1']);
      const b = await traced(['--seed', '1']);
      const c = await traced(['--seed', '2']);
      const d0 = await traced([]);
      const d1 = await traced(['--seed', '0']);
      expect(b).toBe(a);
      expect(d1).toBe(d0);
      for (const key of ['getrandom', 'urandom']) {
        expect(line(c, key)).toBeDefined();
        expect(line(c, key)).not.toBe(line(a, key));
      }
    },
    2 * TEST_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------- exit statuses

describe('exit statuses under det (SPEC §1)', () => {
  const cases: { title: string; cmd: string[]; code: number; files: string[] }[] = [
    { title: 'true', cmd: ['true'], code: 0, files: [] },
    { title: 'false', cmd: ['false'], code: 1, files: [] },
    { title: "sh -c 'exit 7'", cmd: ['sh', '-c', 'exit 7'], code: 7, files: [] },
    { title: 'a command that does not exist', cmd: ['det-no-such-command'], code: 127, files: [] },
    { title: 'a missing path', cmd: ['/build/no-such-file'], code: 127, files: [] },
    { title: 'a file without execute permission', cmd: ['/build/not-executable.sh'], code: 126, files: [] },
    { title: 'abort()', cmd: ['/build/abort'], code: 134, files: ['abort'] },
    { title: 'a segfault', cmd: ['/build/segv'], code: 139, files: ['segv'] },
  ];
  test.each(cases)(
    '$title exits $code',
    async ({ cmd, code, files }) => {
      const w = workDirWith(progs, files);
      writeFileSync(join(w, 'not-executable.sh'), '#!/bin/sh\necho should not run\n', { mode: 0o644 });
      const r = await runTraced(w, cmd, [], { limitMs: RUN_LIMIT_MS });
      expectExit(r, code, `dettrace -- ${cmd.join(' ')}`);
      if (files[0] === 'abort') expect(r.stdout).toBe('about to abort\n');
      if (files[0] === 'segv') expect(r.stdout).toBe('about to crash\n');
      expect(r.stdout).not.toContain('should not run');
    },
    RUN_LIMIT_MS + 10_000,
  );

  test.each([
    ['an endless loop without system calls', ['/build/spin']],
    ['an endless shell loop', ['sh', '-c', 'while :; do :; done']],
  ])(
    '--timeout 2 on %s exits 124',
    async (_title, cmd) => {
      const w = workDirWith(progs, ['spin']);
      const r = await runTraced(w, cmd, ['--timeout', '2'], { limitMs: 60_000 });
      expectExit(r, 124, `dettrace --timeout 2 -- ${cmd.join(' ')}`);
      expect(r.durationMs).toBeGreaterThanOrEqual(1900); // wall-clock seconds, not logical time
    },
    70_000,
  );

  test(
    'the command starts as from a shell: no signal ignored or blocked (SIGPIPE kills `yes`)',
    async () => {
      const w = workDirWith(progs, []);
      const r = await runTraced(w, ['sh', '-c', 'grep -E "^Sig(Ign|Blk)" /proc/self/status; yes | head -n 1'], [], {
        limitMs: RUN_LIMIT_MS,
      });
      expectExit(r, 0, 'dettrace -- sh -c "grep Sig /proc/self/status; yes | head -n 1"');
      expect(r.stdout).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\ny\n');
      expect(r.stderr).not.toMatch(/Broken pipe/);
    },
    RUN_LIMIT_MS + 10_000,
  );

  test(
    'sleep 5 completes (logical time) and the shell goes on',
    async () => {
      const w = workDirWith(progs, []);
      const r = await runTraced(w, ['sh', '-c', 'sleep 5 && echo slept'], [], { limitMs: RUN_LIMIT_MS });
      expectExit(r, 0, 'dettrace -- sleep 5');
      expect(r.stdout).toBe('slept\n');
    },
    RUN_LIMIT_MS + 10_000,
  );
});

// ---------------------------------------------------------------- examples/cproject

describe('examples/cproject: make -j4 under det twice gives identical bytes', () => {
  const isArtifact = (rel: string) => rel.endsWith('.o') || rel === 'build/libutil.a' || rel === 'build/calc';
  let first: string | undefined;

  test('natively reproducible (the example itself): two copies, same hashes', () => {
    for (const t of ['make', 'cc', 'ar']) requireTool(t);
    const hashes = [1, 2].map(() => {
      const d = copyTree(CPROJECT_SRC, 'det-cproject-native-');
      const r = runProcessSync('make', ['-j4'], d);
      if (r.status !== 0) throw new Error(`native make -j4 failed:\n${r.output}`);
      return hashFiles(d, isArtifact, 'build');
    });
    expect(Object.keys(hashes[0]).filter((k) => k.endsWith('.o'))).toHaveLength(27);
    expect(hashes[1]).toEqual(hashes[0]);
  }, 120_000);

  test(
    'make -j4 in two fresh copies: every .o, libutil.a and calc have the same sha256',
    async () => {
      for (const t of ['make', 'cc', 'ar']) requireTool(t);
      const hashes: Record<string, string>[] = [];
      for (const run of [1, 2]) {
        const d = copyTree(CPROJECT_SRC, `det-cproject-${run}-`);
        const r = await runTraced(d, ['make', '-j4'], [], { limitMs: 600_000 });
        expectExit(r, 0, `run ${run} of dettrace -- make -j4`);
        hashes.push(hashFiles(d, isArtifact, 'build'));
        if (run === 1) first = d;
      }
      const objs = Object.keys(hashes[0]).filter((k) => k.endsWith('.o'));
      expect(objs).toHaveLength(27);
      expect(hashes[0]['build/libutil.a']).toMatch(/^[0-9a-f]{64}$/);
      expect(hashes[0]['build/calc']).toMatch(/^[0-9a-f]{64}$/);
      expect(hashes[1]).toEqual(hashes[0]);
    },
    1_300_000,
  );

  test(
    'make check passes under det, make clean removes the build',
    async () => {
      if (!first) throw new Error('the make -j4 test above did not produce a build');
      const r = await runTraced(first, ['make', 'check'], [], { limitMs: 300_000 });
      expectExit(r, 0, 'dettrace -- make check');
      expect(r.stdout).toContain('all tests passed');
      expect(r.stdout).not.toContain('FAIL');
      const c = await runTraced(first, ['make', 'clean'], [], { limitMs: 120_000 });
      expectExit(c, 0, 'dettrace -- make clean');
      expect(existsSync(join(first, 'build'))).toBe(false);
    },
    450_000,
  );
});

function runProcessSync(file: string, args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', timeout: 110_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
