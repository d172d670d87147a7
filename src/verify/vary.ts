// How the host differs between runs with --vary (after reprotest's variations): the host
// path of the work-dir copy (other length and depth), environment (an extra variable, HOME,
// TMPDIR), locale (LANG/LC_ALL), time zone (TZ), umask, host name (a private UTS namespace
// when we may create one, else only $HOSTNAME), CPUs (taskset to one CPU), file creation
// order of the copied tree, and wall time (a later start). Run 1 is the control; the other
// runs change everything at once. Without --vary every run gets the same setup and even the
// same path (each run's copy is moved aside after it ran).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, opendirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import type { CreationOrder } from './workdir.js';

export interface Variation {
  /** 1-based run number. */
  index: number;
  /** Whether anything is varied at all. */
  vary: boolean;
  /** Absolute path of this run's copy of the work dir. */
  dir: string;
  /** Where the copy goes after the run (no --vary: every run builds at the same path). */
  keepAs: string;
  /** Variables to set (value) or remove (null) on top of the host's environment. */
  env: Record<string, string | null>;
  /** Directories to create before the run (HOME, TMPDIR). */
  mkdirs: string[];
  /** umask of the command (null: inherit ours). */
  umask: number | null;
  /** Host name to set in a private UTS namespace (null: none). */
  hostname: string | null;
  /** Whether `hostname` is set for real (UTS namespace) or only through $HOSTNAME. */
  hostnameInNamespace: boolean;
  /** CPU list for taskset (null: all CPUs). */
  cpus: string | null;
  order: CreationOrder;
  /** Start at least this long after the previous run started. */
  minGapMs: number;
  /** What differs from the control run, for the report: aspect → value. */
  varied: Record<string, string>;
}

/** What this host allows us to vary (probed once per verify). */
export interface VaryHost {
  /** `unshare --uts` works (root): a real host name per run. */
  uts: boolean;
  /** `taskset` exists and there is more than one CPU. */
  taskset: boolean;
  /** A locale other than C/POSIX that is installed, if any. */
  altLocale: string | null;
  /** readdir in the temp dir returns entries in creation order (or its reverse): varying it shows. */
  orderVisible?: boolean;
}

/** Names in the order the file system's readdir returns them (fs.readdir sorts them). */
export function rawDirOrder(dir: string): string[] {
  const names: string[] = [];
  const d = opendirSync(dir);
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) names.push(e.name);
  } finally {
    d.closeSync();
  }
  return names;
}

/**
 * Does readdir under `dir` follow creation order (tmpfs, small ext2 dirs) rather than a
 * hash of the names (ext4 with dir_index, btrfs, xfs)? Only then does creating the copy's
 * entries in another order change what the build sees.
 */
export function creationOrderVisible(dir: string): boolean {
  const probe = mkdtempSync(join(dir, '.order-probe-'));
  try {
    const names = ['m', 'c', 'x', 'a', 'q', 'f', 'z', 'b'];
    for (const n of names) closeSync(openSync(join(probe, n), 'w'));
    const got = rawDirOrder(probe).join('');
    return got === names.join('') || got === [...names].reverse().join('');
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

function works(cmd: string, args: string[]): boolean {
  try {
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 5000 });
    return r.status === 0;
  } catch {
    return false;
  }
}

/** Probe what can be varied here. */
export function probeVaryHost(): VaryHost {
  const root = typeof process.geteuid === 'function' && process.geteuid() === 0;
  const uts = root && works('unshare', ['--uts', 'true']);
  const taskset = availableParallelism() > 1 && works('taskset', ['-c', '0', 'true']);
  let altLocale: string | null = null;
  try {
    const r = spawnSync('locale', ['-a'], { encoding: 'utf8', timeout: 5000 });
    const names = (r.stdout ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
    altLocale = names.find((n) => !/^(C|POSIX)([._].*)?$/i.test(n)) ?? null;
  } catch {
    altLocale = null;
  }
  return { uts, taskset, altLocale };
}

const TZS = ['UTC', 'DET-14', 'DET+12', 'DET-5:30'];
const UMASKS = [0o022, 0o002, 0o027];

/** Minimal gap between run starts with --vary: crosses a second boundary for sure. */
export const VARY_GAP_MS = 1100;

export function formatUmask(u: number): string {
  return u.toString(8).padStart(4, '0');
}

/** The setup of run `index` (1-based) of a verify whose temp dir is `tmpRoot`. */
export function planVariation(index: number, vary: boolean, tmpRoot: string, host: VaryHost): Variation {
  if (!vary) {
    return {
      index, vary, dir: join(tmpRoot, 'work'), keepAs: join(tmpRoot, `run-${index}`),
      env: {}, mkdirs: [], umask: null, hostname: null, hostnameInNamespace: false, cpus: null,
      order: 'sorted', minGapMs: 0, varied: {},
    };
  }
  const control = index === 1;
  const even = index % 2 === 0;
  // The build path: control short and shallow; the others longer and deeper each time.
  const rel = control ? join('b1', 'build') : join(`varied-build-path-run-${index}${'-x'.repeat(index)}`, 'deeper', 'work');
  const dir = join(tmpRoot, rel);
  const home = join(tmpRoot, control ? 'home1' : `home-of-run-${index}`, control ? '' : 'user');
  const tmp = join(tmpRoot, control ? 't1' : `tmp-of-run-${index}`);
  const tz = TZS[(index - 1) % TZS.length];
  const locale = control || !even ? 'C.UTF-8' : (host.altLocale ?? 'C');
  const umask = UMASKS[(index - 1) % UMASKS.length];
  const hostname = control ? 'det-verify-1' : `det-verify-host-of-run-${index}.example.org`;
  const env: Record<string, string | null> = {
    HOME: home,
    TMPDIR: tmp,
    TZ: tz,
    LANG: locale,
    LC_ALL: locale,
    LANGUAGE: null,
    HOSTNAME: hostname,
  };
  if (!control) {
    env.DET_VERIFY_RUN = String(index);
    env.CAPTURE_ENVIRONMENT = `i_capture_the_environment_${index}`;
  }
  const order: CreationOrder = even ? 'reverse' : 'sorted';
  const cpus = !control && even && host.taskset ? '0' : null;
  const varied: Record<string, string> = {
    buildPath: dir,
    home,
    tmpdir: tmp,
    tz,
    locale,
    umask: formatUmask(umask),
    hostname: host.uts ? `${hostname} (private UTS namespace)` : `${hostname} ($HOSTNAME only: the host name itself needs root to change)`,
    fileOrder: (order === 'sorted' ? 'entries created in byte order' : 'entries created in reverse byte order') +
      (host.orderVisible === false ? ' (readdir on this file system ignores creation order; put TMPDIR on tmpfs to vary it)' : ''),
    cpus: cpus === null ? 'all' : `CPU ${cpus} only (taskset)`,
    environment: control ? 'host environment' : 'host environment + DET_VERIFY_RUN, CAPTURE_ENVIRONMENT',
    time: control ? 'now' : `at least ${VARY_GAP_MS} ms after the previous run started`,
  };
  return {
    index, vary, dir, keepAs: dir, env, mkdirs: [home, tmp], umask,
    hostname, hostnameInNamespace: host.uts, cpus, order,
    minGapMs: control ? 0 : VARY_GAP_MS, varied,
  };
}

/** The full environment of a run: ours with the variation applied. */
export function variedEnv(base: NodeJS.ProcessEnv, v: Variation): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [k, val] of Object.entries(v.env)) {
    if (val === null) delete env[k];
    else env[k] = val;
  }
  return env;
}

/**
 * Wrap argv so that it starts with the variation's umask, host name and CPUs:
 * [unshare --uts] [taskset -c CPUS] sh -c 'umask U; hostname H; exec "$@"' sh ARGV...
 */
export function wrapCommand(argv: readonly string[], v: Variation): string[] {
  if (v.umask === null && v.hostname === null && v.cpus === null) return [...argv];
  const out: string[] = [];
  const setHost = v.hostname !== null && v.hostnameInNamespace;
  if (setHost) out.push('unshare', '--uts');
  if (v.cpus !== null) out.push('taskset', '-c', v.cpus);
  let script = '';
  if (v.umask !== null) script += `umask ${formatUmask(v.umask)} && `;
  if (setHost) script += `hostname '${v.hostname}' && `;
  script += 'exec "$@"';
  out.push('/bin/sh', '-c', script, 'sh', ...argv);
  return out;
}
