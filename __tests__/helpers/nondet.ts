// The nondeterminism suite's machinery (tests/nondet/): load the manifest, compile its C
// programs once natively, lay out work dirs (programs + an input tree created in a chosen
// order), run a case natively or under `dettrace` on a "host" that differs from the last
// one (work-dir path, environment, umask, hostname, supplementary groups, CPU affinity,
// PIDs in use, wall time, input creation order), and check an output's shape.
//
// Work dirs live on tmpfs (/dev/shm): there readdir returns entries in (reverse) creation
// order, so the creation order of the inputs is visible to a program, as on many real
// file systems; on ext4 it would be a hash order that never changes between runs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync,
  utimesSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { BIN, ROOT, runProcess, type RunResult } from './cli.js';
import { requireTool } from './programs.js';

export const NONDET_SRC = join(ROOT, 'tests', 'nondet');

export type Category =
  | 'time'
  | 'file-metadata'
  | 'directory-order'
  | 'randomness'
  | 'cpu'
  | 'identity'
  | 'scheduling'
  | 'network'
  | 'tools';

/** What an output must look like (checked on native and traced outputs alike). */
export interface Shape {
  /** exact line count, or [min, max]; absent: the same count as the first native run */
  lines?: number | [number, number];
  /** one regex per line (implies the line count) */
  match?: string[];
  /** a regex every line must match */
  each?: string;
  /** regexes each of which some line must match */
  contains?: string[];
  /** the sorted lines equal the sorted lines of the first native run (same content, any order) */
  sortedAsNative?: boolean;
}

export interface NondetCase {
  id: string;
  category: Category;
  /** the language the program is written in */
  lang: 'c' | 'sh' | 'bash' | 'python' | 'perl' | 'node';
  /** C sources compiled natively (cc) once; the binary (source name without .c) is copied in */
  compile?: string[];
  /** other files from tests/nondet copied into the work dir */
  files?: string[];
  /** the command, run with the work dir as cwd (/build under det) */
  cmd: string[];
  /** create the input tree (tree/...) in the work dir */
  inputs?: boolean;
  /** host tools the case needs besides cmd[0] (missing: the case fails) */
  tools?: string[];
  /** the det guarantees (rows of `dettrace probe`) the case depends on */
  guarantees: string[];
  /** set when the case is one of the commands the issue names */
  named?: string;
  /** what it observes, in a few words */
  what: string;
  shape: Shape;
  /** extra checks of the traced outputs only (what det promises beyond a native run) */
  traced?: Shape;
}

export interface TreeEntry {
  /** path under the work dir; ends with / for a directory */
  path: string;
  /** file content is `${basename} ` repeated this many times, then a newline */
  repeat?: number;
}

export interface Manifest {
  tree: TreeEntry[];
  cases: NondetCase[];
}

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(join(NONDET_SRC, 'manifest.json'), 'utf8')) as Manifest;
}

// ---------------------------------------------------------------- temp dirs

const made: string[] = [];

/** The tmpfs every work dir lives on; fails loudly when this host has none. */
export function shmRoot(): string {
  const root = '/dev/shm';
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error('/dev/shm (tmpfs) is missing on this host: the nondeterminism suite needs it (tests must not skip)');
  }
  return root;
}

/** mkdtemp under /dev/shm; `deep` adds more path components below it. */
function freshDir(prefix: string, deep: string[] = []): string {
  const top = mkdtempSync(join(shmRoot(), prefix));
  made.push(top);
  const d = join(top, ...deep);
  mkdirSync(d, { recursive: true });
  return d;
}

/** The mkdtemp directory a work dir made by freshDir lives in. */
function topOf(dir: string): string {
  return made.find((t) => dir === t || dir.startsWith(`${t}/`)) ?? dir;
}

/** Removes the work dirs of finished runs (unless DET_KEEP_TMP=1), so /dev/shm does not fill up. */
export function removeWorkDirs(runs: { workdir: string }[]): void {
  if (process.env.DET_KEEP_TMP === '1') return;
  for (const r of runs) {
    const top = topOf(r.workdir);
    rmSync(top, { recursive: true, force: true });
    const i = made.indexOf(top);
    if (i >= 0) made.splice(i, 1);
  }
}

export function cleanupNondet(): void {
  if (process.env.DET_KEEP_TMP === '1') return;
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

// ---------------------------------------------------------------- tools and compilation

/** Every tool the manifest's cases name (their interpreters and `tools`), checked loudly. */
export function requireCaseTools(c: NondetCase): void {
  const tools = new Set<string>(c.tools ?? []);
  if (!c.cmd[0].startsWith('./')) tools.add(c.cmd[0]);
  for (const t of tools) requireTool(t);
}

/** Compiles every C program the cases need (cc -O1 -pthread) into a fresh dir; returns it. */
export function compileAll(cases: NondetCase[]): string {
  requireTool('cc');
  const out = freshDir('det-nondet-bin-');
  const sources = [...new Set(cases.flatMap((c) => c.compile ?? []))];
  for (const src of sources) {
    const bin = join(out, src.replace(/\.c$/, ''));
    const r = spawnSync(
      'cc',
      ['-O1', '-pthread', '-fstack-protector-strong', '-Wall', '-Wextra', '-Wno-unused-result', '-o', bin, join(NONDET_SRC, src), '-lrt'],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`cc ${src} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return out;
}

// ---------------------------------------------------------------- hosts

/** How a host differs from another: everything a build's output must not depend on. */
export interface Host {
  label: string;
  /** path components of the work dir under /dev/shm (the first is a mkdtemp prefix) */
  dir: [string, ...string[]];
  /** creation order of the input tree */
  order: 'forward' | 'reverse' | 'random';
  /** environment of the spawned process (over process.env) */
  env: Record<string, string>;
  umask: string;
  /** run under `taskset -c CPUS` */
  cpus?: string;
  /** run in a new UTS namespace with this hostname */
  hostname?: string;
  /** run with these supplementary groups (setpriv --groups) */
  groups?: string;
  /** start this many throwaway processes first, and keep one alive during the run */
  burnPids?: number;
}

const noise = () => randomBytes(6).toString('hex');

/** The tmpfs work dirs, the env and so on of the hosts; fresh noise per call. */
export function hosts(): { A: Host; B: Host; C: Host } {
  const home = process.env.HOME ?? '/root';
  return {
    A: {
      label: 'A',
      dir: ['dnd-'],
      order: 'forward',
      env: { DET_ND_NOISE: noise(), HOME: home, LANG: 'C.UTF-8', TZ: 'UTC' },
      umask: '022',
    },
    B: {
      label: 'B',
      dir: ['det-nondeterminism-suite-second-host-', 'a-much', 'longer', 'work-dir-path'],
      order: 'reverse',
      env: {
        DET_ND_NOISE: noise(),
        DET_ND_EXTRA: `an extra variable ${noise()}`,
        HOME: '/var/tmp/det-nondet-other-home',
        LANG: 'C',
        TZ: 'Pacific/Chatham',
        USER: 'someone-else',
      },
      umask: '077',
      cpus: '0',
      hostname: 'det-nondet-host-b',
      groups: '0,4,24',
      burnPids: 150,
    },
    C: {
      label: 'C',
      dir: ['dnd-c-', 'x'],
      order: 'random',
      env: { DET_ND_NOISE: noise(), HOME: '/nonexistent', LANG: 'POSIX', TZ: 'Asia/Kolkata' },
      umask: '027',
      cpus: lastCpu(),
      hostname: 'det-nondet-host-c',
      groups: '0,20',
    },
  };
}

let lastCpuCached: string | undefined;

/** The highest CPU number of this host (a different CPU from host B's 0 when there are two). */
function lastCpu(): string {
  if (lastCpuCached === undefined) {
    const r = spawnSync('nproc', ['--all'], { encoding: 'utf8' });
    const n = Number(r.stdout.trim());
    lastCpuCached = String(Number.isFinite(n) && n > 1 ? n - 1 : 0);
  }
  return lastCpuCached;
}

/** argv wrapped so that it runs on `host`: [unshare --uts] sh -c 'umask; hostname; exec' [taskset] [setpriv]. */
export function wrapForHost(host: Host, argv: string[]): [string, string[]] {
  const inner: string[] = [];
  if (host.cpus !== undefined) inner.push(requireTool('taskset'), '-c', host.cpus);
  if (host.groups !== undefined) inner.push(requireTool('setpriv'), '--groups', host.groups, '--');
  inner.push(...argv);
  const script = `unset SOURCE_DATE_EPOCH; umask ${host.umask}${host.hostname ? ` && hostname ${host.hostname}` : ''} && exec "$@"`;
  const sh = ['sh', '-c', script, 'sh', ...inner];
  if (host.hostname) return [requireTool('unshare'), ['--uts', '--', ...sh]];
  return [sh[0], sh.slice(1)];
}

function shuffled<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE(0) % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Creates the input tree under dir in the host's order (a directory always before its contents). */
export function createTree(dir: string, tree: TreeEntry[], order: Host['order']): string[] {
  let entries = [...tree].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (order === 'reverse') entries.reverse();
  if (order === 'random') entries = shuffled(entries);
  const done = new Set<string>();
  const created: string[] = [];
  const ensureDir = (p: string) => {
    if (done.has(p)) return;
    const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
    if (parent) ensureDir(parent);
    mkdirSync(join(dir, p));
    chmodSync(join(dir, p), 0o755);
    done.add(p);
    created.push(`${p}/`);
  };
  for (const e of entries) {
    if (e.path.endsWith('/')) {
      ensureDir(e.path.slice(0, -1));
      continue;
    }
    const parent = e.path.slice(0, e.path.lastIndexOf('/'));
    if (parent) ensureDir(parent);
    const base = e.path.slice(e.path.lastIndexOf('/') + 1);
    writeFileSync(join(dir, e.path), `${`${base} `.repeat(e.repeat ?? 1)}\n`);
    chmodSync(join(dir, e.path), 0o644);
    created.push(e.path);
  }
  return created;
}

/** A fresh work dir for the case on the host: its programs and files, then the input tree. */
export function makeWorkDir(c: NondetCase, host: Host, binDir: string, tree: TreeEntry[]): string {
  const [prefix, ...deep] = host.dir;
  const w = freshDir(prefix, deep);
  chmodSync(w, 0o755); // mkdtemp makes 0700, mkdir -p 0755: the work dir's own mode is not what we vary
  for (const src of c.compile ?? []) {
    const name = src.replace(/\.c$/, '');
    copyFileSync(join(binDir, name), join(w, name));
    chmodSync(join(w, name), 0o755);
  }
  for (const f of c.files ?? []) {
    copyFileSync(join(NONDET_SRC, f), join(w, f));
    chmodSync(join(w, f), 0o644);
  }
  if (c.inputs) createTree(w, tree, host.order);
  return w;
}

/**
 * The inputs' times are part of the inputs (det keeps their order; `verify` copies work dirs
 * preserving them): give every input the same fixed time on every host, as a time-preserving
 * copy of one checkout would, whatever the order and wall time they were created at.
 */
export function pinInputTimes(dir: string): void {
  const all: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (lstatSync(p).isDirectory()) walk(p);
      all.push(p);
    }
  };
  walk(dir);
  all.push(dir);
  all.forEach((p, i) => utimesSync(p, INPUT_TIME + i, INPUT_TIME + i));
}
const INPUT_TIME = 1_600_000_000; // 2020-09-13, seconds

/** Starts `n` throwaway processes (the PIDs they used are gone) and one that stays; returns its killer. */
async function burnPids(n: number): Promise<() => void> {
  await runProcess('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do /bin/true; i=$((i+1)); done`], { limitMs: 30_000 });
  const keep = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });
  return () => {
    try {
      if (keep.pid) process.kill(keep.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
}

export interface CaseRun extends RunResult {
  workdir: string;
  host: string;
  startedAt: number;
  /** the run report (SPEC section 3) of a traced run, when det wrote one */
  report?: { guarantees?: Record<string, string>; [k: string]: unknown };
}

let reportsDir: string | undefined;
let reportSeq = 0;

export const RUN_LIMIT_MS = 100_000;

async function runOnHost(c: NondetCase, host: Host, binDir: string, tree: TreeEntry[], traced: boolean): Promise<CaseRun> {
  const workdir = makeWorkDir(c, host, binDir, tree);
  // Natively the inputs keep the times of their creation (one source of the variation the
  // native check looks for); under det both runs get the same inputs, times included.
  if (traced) pinInputTimes(workdir);
  reportsDir ??= freshDir('det-nondet-reports-');
  const reportFile = join(reportsDir, `${c.id}-${host.label}-${++reportSeq}.json`);
  const argv = traced
    ? [process.execPath, BIN, '--workdir', workdir, '--report', reportFile, '--timeout', String(RUN_LIMIT_MS / 1000 - 10), '--', ...c.cmd]
    : c.cmd;
  const [file, args] = wrapForHost(host, argv);
  const release = host.burnPids ? await burnPids(host.burnPids) : () => undefined;
  const startedAt = Date.now();
  try {
    const r = await runProcess(file, args, { cwd: workdir, env: host.env, limitMs: RUN_LIMIT_MS });
    let report: CaseRun['report'];
    if (traced && existsSync(reportFile)) {
      try {
        report = JSON.parse(readFileSync(reportFile, 'utf8')) as CaseRun['report'];
      } catch {
        report = undefined;
      }
    }
    return { ...r, workdir, host: host.label, startedAt, report };
  } finally {
    release();
  }
}

/** The case run natively (cwd = a fresh work dir) on the host. */
export function runNativeOn(c: NondetCase, host: Host, binDir: string, tree: TreeEntry[]): Promise<CaseRun> {
  return runOnHost(c, host, binDir, tree, false);
}

/** The case run under `dettrace --workdir <fresh work dir>` on the host. */
export function runTracedOn(c: NondetCase, host: Host, binDir: string, tree: TreeEntry[]): Promise<CaseRun> {
  return runOnHost(c, host, binDir, tree, true);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

// ---------------------------------------------------------------- checks

export function outLines(out: string): string[] {
  const ls = out.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
}

/**
 * Problems with `out` against the shape (empty when it conforms). `extra`: the shape only
 * adds checks (a case's `traced` shape), so no line-count default and no newline check.
 */
export function shapeProblems(out: string, shape: Shape, nativeOut: string, extra = false): string[] {
  const ls = outLines(out);
  const problems: string[] = [];
  if (!extra && !out.endsWith('\n')) problems.push('output does not end with a newline');
  const nat = outLines(nativeOut);
  if (shape.match) {
    if (ls.length !== shape.match.length) problems.push(`expected ${shape.match.length} lines, got ${ls.length}`);
    shape.match.forEach((re, i) => {
      if (i < ls.length && !new RegExp(re).test(ls[i])) problems.push(`line ${i + 1} ${JSON.stringify(ls[i])} does not match /${re}/`);
    });
  } else if (shape.lines === undefined && !extra) {
    if (ls.length !== nat.length) problems.push(`expected ${nat.length} lines (as natively), got ${ls.length}`);
  }
  if (typeof shape.lines === 'number' && ls.length !== shape.lines) problems.push(`expected ${shape.lines} lines, got ${ls.length}`);
  if (Array.isArray(shape.lines) && (ls.length < shape.lines[0] || ls.length > shape.lines[1])) {
    problems.push(`expected ${shape.lines[0]}..${shape.lines[1]} lines, got ${ls.length}`);
  }
  if (shape.each) {
    const re = new RegExp(shape.each);
    const bad = ls.filter((l) => !re.test(l));
    if (bad.length) problems.push(`${bad.length} lines do not match /${shape.each}/, first ${JSON.stringify(bad[0])}`);
  }
  for (const re of shape.contains ?? []) {
    if (!ls.some((l) => new RegExp(re).test(l))) problems.push(`no line matches /${re}/`);
  }
  if (shape.sortedAsNative) {
    const a = [...ls].sort().join('\n');
    const b = [...nat].sort().join('\n');
    if (a !== b) problems.push('the lines, sorted, differ from the native run\'s sorted lines');
  }
  return problems;
}

/** The first line where two outputs differ, for messages. */
export function firstDifference(a: string, b: string): string {
  const la = outLines(a);
  const lb = outLines(b);
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  run 1: ${JSON.stringify(la[i] ?? '(none)')}\n  run 2: ${JSON.stringify(lb[i] ?? '(none)')}`;
  }
  return '(identical)';
}

/** A tiny promise pool: at most `n` tasks at a time, started in the order they were added. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    queue.shift()!();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

/** Host tools the suite needs beyond the cases' own (the variation itself). */
export function requireVariationTools(): void {
  for (const t of ['sh', 'taskset', 'unshare', 'setpriv', 'hostname', 'nproc', 'sleep']) requireTool(t);
  // unshare --uts needs privilege: fail loudly here rather than in every case
  execFileSync('unshare', ['--uts', '--', 'sh', '-c', 'hostname det-nondet-probe && hostname'], { stdio: 'pipe' });
}
