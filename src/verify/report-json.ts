// The verify report (SPEC §3): `version`, `reproducible`, `runs[{exitCode, durationMs,
// report}]`, `artifacts[{path, hashes, same}]` and `digest` are fixed; everything else is
// added: where each artifact differs, archive members, diffoscope text, ranked causes, what
// was varied per run, host limits. Written atomically (temporary file, then rename).
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { DetError } from '../errors.js';
import type { RunReport, VerifyReport } from '../types.js';
import type { ArchiveDiff } from './archive.js';
import type { CopyStats } from './workdir.js';
import type { Finding, RankedFinding } from './explain.js';
import { sha256Hex } from './hash.js';
import { comparePaths } from './artifacts.js';

export type ArtifactStatus = 'same' | 'differs' | 'missing';

export interface ArtifactEntry {
  path: string;
  /** sha256 per run; null where the run has no such file. */
  hashes: (string | null)[];
  same: boolean;
  status: ArtifactStatus;
  kind: 'file' | 'symlink' | null;
  sizes: (number | null)[];
  /** Runs (1-based) without this file. */
  missingIn?: number[];
  /** The first differing byte between the first run that has it and the first run that differs from it. */
  firstDifference?: {
    runs: [number, number];
    offset: number | null;
    sizes: [number, number];
    /** The bytes around it, as text or hex, per run. */
    context?: [string, string];
    contextStart?: number;
  };
  /** Archive member diff (tar, zip, ar, deb, gzip, ...). */
  archive?: ArchiveDiff;
  /** Names of the differing members (nested: "data.tar.xz!./usr/bin/x"). */
  members?: string[];
  /** Only metadata (timestamps, modes, order, compressed-stream headers) differs. */
  metadataOnly?: boolean;
  /** Human lines saying where it differs. */
  where?: string[];
  diffoscope?: { exitCode: number | null; text: string; omittedLines: number; timedOut: boolean };
  /** The most likely cause. */
  cause?: string;
  causes?: Finding[];
  [extra: string]: unknown;
}

export interface RunEntry {
  index: number;
  exitCode: number;
  durationMs: number;
  report: RunReport | null;
  signal: number | null;
  startedAt: string;
  timedOut: boolean;
  /** Why there is no run report (traced runs). */
  reportError?: string;
  /** What this run's host setup was (with --vary: what differed from run 1). */
  varied: Record<string, string>;
  copy: Pick<CopyStats, 'files' | 'dirs' | 'symlinks' | 'hardlinks' | 'bytes' | 'order' | 'durationMs' | 'method'> & { skipped: number };
  /** sha256 of the command's stdout. */
  stdoutSha256: string | null;
  /** Last lines of the run's stderr (and stdout) when it failed. */
  logTail?: string;
  /** Files the run created, changed and deleted (default artifact selection). */
  changes?: { created: number; changed: number; deleted: number };
  [extra: string]: unknown;
}

export interface FullVerifyReport extends VerifyReport {
  runs: RunEntry[];
  artifacts: ArtifactEntry[];
  tool: { name: 'dettrace'; version: string };
  command: string[];
  workdir: string;
  trace: boolean;
  vary: boolean;
  /** How the digest is computed. */
  digestAlgorithm: string;
  summary: { artifacts: number; same: number; differing: number; missing: number; failedRuns: number[] };
  /** 0 identical, 1 differ, 2 a run failed. */
  exitStatus: number;
  verdict: string;
  findings: RankedFinding[];
  /** What the tracer could not determinize on this host (from run 1's report). */
  hostLimits: { source: string; status: string; detail?: string }[];
  globs?: { pattern: string; matches: number[] }[];
  warnings: string[];
  startedAt: string;
  durationMs: number;
}

/** The manifest line of an artifact, as sha256sum prints it. */
export function manifestLine(sha256: string, path: string): string {
  return `${sha256}  ${path}\n`;
}

export const DIGEST_ALGORITHM =
  'sha256 over the manifest of run 1: one line "<sha256>  <path>\\n" per artifact present in run 1, sorted by path (byte order)';

/** sha256 over the sorted manifest of one run's artifacts (entries with a null hash are left out). */
export function manifestDigest(entries: { path: string; sha256: string | null }[]): string {
  const lines = entries
    .filter((e): e is { path: string; sha256: string } => e.sha256 !== null)
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((e) => manifestLine(e.sha256, e.path))
    .join('');
  return sha256Hex(lines);
}

/** Write a file atomically: a temporary file beside it, then rename over it. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    // A file system that refuses the write (full, read-only, gone) is the user's to fix:
    // one line naming the file, not an internal error.
    const code = (err as NodeJS.ErrnoException)?.code;
    throw new DetError(file, `cannot write it (${code ?? String(err)})`, { cause: err });
  }
}

/** The report as JSON text (two-space indented, trailing newline). */
export function reportJson(report: FullVerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
