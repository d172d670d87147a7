// Fresh copies of the work dir, one per run, under a temporary directory that is always
// removed. The copy preserves contents, modes, ownership (when root), symlinks, hard links
// and timestamps, so a build sees the same tree as in the original — except for what
// --vary changes on purpose: the copy's host path and the order in which its entries are
// created (which is the order readdir returns on many file systems).
//
// Contents are copied with copyFile(COPYFILE_FICLONE): a reflink (copy-on-write, no data
// copied) where the file system supports it (btrfs, xfs, bcachefs, overlay on them), a
// plain copy otherwise.
import {
  accessSync,
  closeSync,
  constants as fsc,
  chmodSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statfsSync,
  symlinkSync,
  utimesSync,
  type BigIntStats,
} from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export type CreationOrder = 'sorted' | 'reverse';

export interface CopyStats {
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  /** Entries that are neither file, directory nor symlink (fifos, sockets, devices): not copied. */
  skipped: string[];
  bytes: number;
  order: CreationOrder;
  method: string;
  durationMs: number;
}

interface Entry {
  rel: string;
  st: BigIntStats;
}

/** Parallel copyFile calls (libuv's pool has 4 threads; a few more keep it busy). */
const COPY_CONCURRENCY = 8;

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Children of a directory in byte order (or its reverse). */
export function orderedNames(dir: string, order: CreationOrder): string[] {
  const names = readdirSync(dir).sort(byteCompare);
  return order === 'reverse' ? names.reverse() : names;
}

/** Is `p` equal to or inside `dir` (both absolute)? */
export function isInside(p: string, dir: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Every entry under `root` (depth first, a directory before its children), in `order`. */
function walk(root: string, order: CreationOrder, exclude: readonly string[]): Entry[] {
  const out: Entry[] = [];
  const visit = (abs: string, rel: string) => {
    for (const name of orderedNames(abs, order)) {
      const childAbs = join(abs, name);
      if (exclude.includes(childAbs)) continue;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(childAbs, { bigint: true });
      out.push({ rel: childRel, st });
      if (st.isDirectory()) visit(childAbs, childRel);
    }
  };
  visit(root, '');
  return out;
}

function secondsOf(ns: bigint): number {
  return Number(ns / 1000n) / 1e6;
}

/**
 * Copy the tree `src` to the new directory `dst` (which must not exist; its parent must),
 * creating entries in `order`. Paths in `exclude` (absolute) are left out.
 */
export async function copyTree(
  src: string,
  dst: string,
  order: CreationOrder,
  exclude: readonly string[] = [],
): Promise<CopyStats> {
  const started = Date.now();
  const rootSt = lstatSync(src, { bigint: true });
  const entries = walk(src, order, exclude.map((x) => resolve(x)));
  const stats: CopyStats = {
    files: 0, dirs: 0, symlinks: 0, hardlinks: 0, skipped: [], bytes: 0, order,
    method: 'copyFile(COPYFILE_FICLONE): reflink where the file system allows, else a plain copy',
    durationMs: 0,
  };
  mkdirSync(dst, { mode: 0o700 });
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  // 1. Create every entry in order, one at a time, so the directories' entry order is ours.
  const contents: Entry[] = [];
  const firstLink = new Map<string, string>(); // dev:ino of a multiply linked file → its copy
  for (const e of entries) {
    const to = join(dst, e.rel);
    if (e.st.isDirectory()) {
      mkdirSync(to, { mode: 0o700 });
      stats.dirs++;
    } else if (e.st.isSymbolicLink()) {
      symlinkSync(readlinkSync(join(src, e.rel)), to);
      stats.symlinks++;
    } else if (e.st.isFile()) {
      const key = `${e.st.dev}:${e.st.ino}`;
      const linked = e.st.nlink > 1n ? firstLink.get(key) : undefined;
      if (linked !== undefined) {
        linkSync(linked, to);
        stats.hardlinks++;
        continue;
      }
      if (e.st.nlink > 1n) firstLink.set(key, to);
      closeSync(openSync(to, 'wx', 0o600));
      contents.push(e);
      stats.files++;
      stats.bytes += Number(e.st.size);
    } else {
      stats.skipped.push(e.rel);
    }
  }

  // 2. Fill the files in parallel (copyFile truncates and rewrites the same inode).
  let next = 0;
  const worker = async () => {
    while (next < contents.length) {
      const e = contents[next++];
      await copyFile(join(src, e.rel), join(dst, e.rel), fsc.COPYFILE_FICLONE);
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, contents.length) }, worker));

  // 3. Metadata: ownership and mode, then times; directories last and deepest first, since
  // creating their children changed their mtime.
  for (const e of entries) {
    const to = join(dst, e.rel);
    if (e.st.isSymbolicLink()) {
      if (asRoot) lchownSync(to, Number(e.st.uid), Number(e.st.gid));
      lutimesSync(to, secondsOf(e.st.atimeNs), secondsOf(e.st.mtimeNs));
    } else if (e.st.isFile()) {
      if (asRoot) lchownSync(to, Number(e.st.uid), Number(e.st.gid));
      chmodSync(to, Number(e.st.mode) & 0o7777);
      utimesSync(to, secondsOf(e.st.atimeNs), secondsOf(e.st.mtimeNs));
    }
  }
  const dirs = entries.filter((e) => e.st.isDirectory()).reverse();
  for (const e of dirs) {
    const to = join(dst, e.rel);
    if (asRoot) lchownSync(to, Number(e.st.uid), Number(e.st.gid));
    chmodSync(to, Number(e.st.mode) & 0o7777);
    utimesSync(to, secondsOf(e.st.atimeNs), secondsOf(e.st.mtimeNs));
  }
  if (asRoot) lchownSync(dst, Number(rootSt.uid), Number(rootSt.gid));
  chmodSync(dst, Number(rootSt.mode) & 0o7777);
  utimesSync(dst, secondsOf(rootSt.atimeNs), secondsOf(rootSt.mtimeNs));
  stats.durationMs = Date.now() - started;
  return stats;
}

/** Work dirs up to this size are copied to a tmpfs (when one has room), where readdir follows creation order. */
export const TMPFS_MAX_TREE = 256 * 1024 * 1024;
/** ... and only when the tmpfs has this much free. */
export const TMPFS_MIN_FREE = 4 * 1024 * 1024 * 1024;

/** Bytes below `dir`, or Infinity once over `limit`. */
export function treeSize(dir: string, limit = Infinity): number {
  let total = 0;
  const visit = (d: string): boolean => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return true;
    }
    for (const n of names) {
      let st;
      try {
        st = lstatSync(join(d, n));
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!visit(join(d, n))) return false;
      } else {
        total += st.size;
        if (total > limit) return false;
      }
    }
    return true;
  };
  return visit(dir) ? total : Infinity;
}

/**
 * Where a verify's copies go: $DETTRACE_VERIFY_TMPDIR if set; else, for a small work dir
 * when varying the host, /dev/shm if it is a tmpfs with room (there readdir returns entries
 * in creation order, so creating the copy in another order really changes what the build
 * sees); else the system temp dir.
 */
export function chooseTempBase(workdir: string, vary: boolean): string {
  const forced = process.env.DETTRACE_VERIFY_TMPDIR;
  if (forced) return resolve(forced);
  if (vary) {
    try {
      const fs = statfsSync('/dev/shm');
      const TMPFS_MAGIC = 0x01021994;
      if (fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= TMPFS_MIN_FREE && treeSize(workdir, TMPFS_MAX_TREE) <= TMPFS_MAX_TREE) {
        accessSync('/dev/shm', fsc.W_OK);
        return '/dev/shm';
      }
    } catch {
      // no usable /dev/shm
    }
  }
  return resolve(tmpdir());
}

/**
 * A new private temporary directory for one verify under `base`. When it happens to lie
 * inside the work dir (TMPDIR below it), pass it to copyTree's `exclude` so it is not
 * copied into itself.
 */
export async function makeTempRoot(base = resolve(tmpdir())): Promise<string> {
  return mkdtemp(join(base, 'det-verify-'));
}

/** Make everything under `dir` writable and searchable, so that it can be removed. */
function unlockTree(dir: string): void {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  try {
    chmodSync(dir, 0o700);
  } catch {
    // not ours: rm will report it
  }
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) unlockTree(join(dir, n));
}

/** Remove a tree, also when the build left read-only directories in it. */
export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    unlockTree(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  }
}

/** The same, synchronously (for a signal handler that is about to exit). */
export function removeTreeSync(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    unlockTree(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
