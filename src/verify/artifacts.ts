// Which files are artifacts. By default: every file the build created or changed in its
// copy of the work dir, found by comparing a snapshot of the fresh copy taken just before
// the run with one taken after it. A file counts as changed when its inode, type, size,
// mtime or ctime moved: ctime cannot be set back by the build, so even a rewrite that
// restores the old mtime and size is seen. With --artifacts globs: every file the globs
// select after the run.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

import { compileGlob, selects, type Glob } from './glob.js';

export type EntryKind = 'file' | 'symlink' | 'dir' | 'other';

export interface EntryState {
  kind: EntryKind;
  size: number;
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  mode: number;
  /** Symlink target. */
  target?: string;
}

/** Relative path ('/'-separated, no "./") → state, for every entry below a root. */
export type Snapshot = Map<string, EntryState>;

function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  return 'other';
}

/** Snapshot every entry below `root` (not following symlinks). Unreadable dirs are skipped. */
export function snapshotTree(root: string): Snapshot {
  const snap: Snapshot = new Map();
  const visit = (abs: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch {
      return;
    }
    for (const name of names) {
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      let st;
      try {
        st = lstatSync(childAbs, { bigint: true });
      } catch {
        continue; // vanished meanwhile
      }
      const kind = kindOf(st);
      const state: EntryState = {
        kind,
        size: Number(st.size),
        ino: st.ino,
        mtimeNs: st.mtimeNs,
        ctimeNs: st.ctimeNs,
        mode: Number(st.mode) & 0o7777,
      };
      if (kind === 'symlink') {
        try {
          state.target = readlinkSync(childAbs);
        } catch {
          state.target = '';
        }
      }
      snap.set(childRel, state);
      if (kind === 'dir') visit(childAbs, childRel);
    }
  };
  visit(root, '');
  return snap;
}

export interface TreeChanges {
  created: string[];
  changed: string[];
  deleted: string[];
}

const isArtifactKind = (k: EntryKind | undefined) => k === 'file' || k === 'symlink';

/** Files and symlinks created, changed or deleted between two snapshots of one tree. */
export function diffSnapshots(before: Snapshot, after: Snapshot): TreeChanges {
  const out: TreeChanges = { created: [], changed: [], deleted: [] };
  for (const [path, a] of after) {
    if (!isArtifactKind(a.kind)) continue;
    const b = before.get(path);
    if (b === undefined || b.kind !== a.kind) {
      out.created.push(path);
    } else if (b.ino !== a.ino || b.size !== a.size || b.mtimeNs !== a.mtimeNs || b.ctimeNs !== a.ctimeNs || b.target !== a.target) {
      out.changed.push(path);
    }
  }
  for (const [path, b] of before) {
    if (!isArtifactKind(b.kind)) continue;
    const a = after.get(path);
    if (a === undefined || !isArtifactKind(a.kind)) out.deleted.push(path);
  }
  for (const list of [out.created, out.changed, out.deleted]) list.sort(comparePaths);
  return out;
}

/** Byte order of UTF-8 paths (what `LC_ALL=C sort` gives). */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export interface RunTree {
  before?: Snapshot;
  after: Snapshot;
}

export interface ArtifactSelection {
  /** Artifact paths, sorted. */
  paths: string[];
  /** Per glob (with --artifacts): the glob and how many paths it selected in each run. */
  globs: { pattern: string; matches: number[] }[];
  /** Per run (default mode): created/changed/deleted counts. */
  changes?: TreeChanges[];
}

/**
 * The artifacts of a verify: the union over runs of what each run created, changed or
 * deleted (a file deleted by every run is not an artifact), or of what the globs select.
 */
export function selectArtifacts(runs: readonly RunTree[], patterns: readonly string[]): ArtifactSelection {
  if (patterns.length > 0) {
    const globs: Glob[] = patterns.map((p) => compileGlob(p));
    const matches = globs.map(() => runs.map(() => 0));
    const all = new Set<string>();
    runs.forEach((run, r) => {
      for (const [path, st] of run.after) {
        if (!isArtifactKind(st.kind)) continue;
        let any = false;
        globs.forEach((g, i) => {
          if (selects(g, path)) {
            matches[i][r]++;
            any = true;
          }
        });
        if (any) all.add(path);
      }
    });
    return {
      paths: [...all].sort(comparePaths),
      globs: patterns.map((pattern, i) => ({ pattern, matches: matches[i] })),
    };
  }
  const changes = runs.map((run) => diffSnapshots(run.before ?? new Map(), run.after));
  const all = new Set<string>();
  for (const c of changes) {
    for (const p of c.created) all.add(p);
    for (const p of c.changed) all.add(p);
  }
  // deleted by some runs only: an artifact (missing where it was deleted)
  const deletedBy = new Map<string, number>();
  for (const c of changes) for (const p of c.deleted) deletedBy.set(p, (deletedBy.get(p) ?? 0) + 1);
  for (const [p, n] of deletedBy) if (n < runs.length) all.add(p);
  for (const p of [...all]) if (runs.every((r) => !isArtifactKind(r.after.get(p)?.kind))) all.delete(p);
  return { paths: [...all].sort(comparePaths), globs: [], changes };
}
