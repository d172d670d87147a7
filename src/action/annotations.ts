// Annotations within GitHub's limits: at most 10 errors and 10 warnings per step (50 per
// job). Findings are ranked, the top ones become annotations, the rest go to the job
// summary. The step's own failure (core.setFailed) is an error annotation too, and so are
// the warnings @actions/cache emits: both are counted against the same budget.
import { relative, resolve, sep } from 'node:path';

import type { ArtifactEntry } from '../verify/report-json.js';

export const MAX_ERRORS_PER_STEP = 10;
export const MAX_WARNINGS_PER_STEP = 10;

export interface Annotation {
  level: 'error' | 'warning';
  title: string;
  message: string;
  /** Path relative to the repository root (GITHUB_WORKSPACE), for `file=`. */
  file?: string;
}

/** How many annotations of each level this step may still emit. */
export class Budget {
  errors: number;
  warnings: number;
  /** What did not fit, for the job summary. */
  readonly overflow: Annotation[] = [];

  constructor(errors = MAX_ERRORS_PER_STEP, warnings = MAX_WARNINGS_PER_STEP) {
    this.errors = errors;
    this.warnings = warnings;
  }

  /** Take one annotation of `level` if there is room; false (and kept for the summary) if not. */
  take(a: Annotation): boolean {
    if (a.level === 'error' ? this.errors <= 0 : this.warnings <= 0) {
      this.overflow.push(a);
      return false;
    }
    if (a.level === 'error') this.errors--;
    else this.warnings--;
    return true;
  }

  /** Set aside room for annotations emitted by someone else (setFailed, @actions/cache). */
  reserve(level: 'error' | 'warning', n = 1): void {
    if (level === 'error') this.errors = Math.max(0, this.errors - n);
    else this.warnings = Math.max(0, this.warnings - n);
  }

  /** Give back room set aside and not used. */
  release(level: 'error' | 'warning', n = 1): void {
    if (level === 'error') this.errors += n;
    else this.warnings += n;
  }
}

/** The path an annotation names: relative to the workspace when inside it, forward slashes. */
export function annotationPath(workspace: string, workdir: string, path: string): string {
  const abs = resolve(workdir, path);
  const rel = relative(workspace, abs);
  if (rel === '' || rel.startsWith('..') || resolve(workspace, rel) !== abs) return path;
  return rel.split(sep).join('/');
}

function causeScore(a: ArtifactEntry): number {
  return a.causes?.[0]?.score ?? 0;
}

/**
 * Rank differing artifacts for annotations: the best-explained first (highest cause score),
 * then those that differ before those missing in some run, then shallow paths (the shipped
 * outputs: out/app.tar.gz before out/obj/x.o), then byte order.
 */
export function rankDiffering(artifacts: readonly ArtifactEntry[]): ArtifactEntry[] {
  const depth = (p: string) => p.split('/').length;
  return artifacts
    .filter((a) => !a.same)
    .slice()
    .sort((x, y) =>
      causeScore(y) - causeScore(x) ||
      Number(x.status === 'missing') - Number(y.status === 'missing') ||
      depth(x.path) - depth(y.path) ||
      Buffer.compare(Buffer.from(x.path), Buffer.from(y.path)));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Where an artifact differs, in one line. */
export function whereLine(a: ArtifactEntry): string {
  if (a.missingIn && a.missingIn.length > 0) {
    return `missing in run ${a.missingIn.join(', ')}`;
  }
  const fd = a.firstDifference;
  if (a.where && a.where.length > 0) return a.where[0];
  if (fd && fd.offset !== null) {
    const ctx = fd.context ? `: ${clip(fd.context[0], 120)} vs ${clip(fd.context[1], 120)}` : '';
    return `run ${fd.runs[0]} and run ${fd.runs[1]} first differ at byte ${fd.offset}${ctx}`;
  }
  if (fd) return `run ${fd.runs[0]} has ${fd.sizes[0]} bytes, run ${fd.runs[1]} has ${fd.sizes[1]}`;
  return 'the hashes differ between runs';
}

/** The error annotation of one differing artifact of a verify. */
export function artifactAnnotation(a: ArtifactEntry, file: string, runs: number): Annotation {
  const title = a.status === 'missing' ? `Not reproducible: ${a.path} is missing in some runs` : `Not reproducible: ${a.path} differs between runs`;
  const lines = [`${a.path} is not the same in ${runs} runs: ${whereLine(a)}.`];
  if (a.cause) lines.push(`Likely cause: ${a.cause}`);
  const others = (a.causes ?? []).slice(1, 3).map((c) => c.cause);
  for (const o of others) lines.push(`Also possible: ${o}`);
  if (a.members && a.members.length > 0) {
    lines.push(`Differing members: ${clip(a.members.slice(0, 5).join(', '), 300)}${a.members.length > 5 ? ` (+${a.members.length - 5} more)` : ''}`);
  }
  return { level: 'error', title, message: lines.join('\n'), file };
}
