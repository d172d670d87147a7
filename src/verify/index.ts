// `dettrace verify` (SPEC §1, §3): run the command N times, each from a fresh copy of the
// work dir on a varied host, hash the artifacts, compare them, say where and why they
// differ, and exit 0 identical / 1 differ / 2 a run failed / 125 tool error.
//
//   copy (workdir.ts) → vary (vary.ts) → run (runner.ts) → artifacts (artifacts.ts, glob.ts)
//   → hash (hash.ts) → compare (compare.ts, archive.ts, diffoscope.ts) → explain (explain.ts)
//   → output (progress.ts, summary.ts, report-json.ts, report-markdown.ts)
import { copyFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { DetError } from '../errors.js';
import { packageRoot, tracerPath } from '../native.js';
import type { VerifyOptions } from '../types.js';
import { selectArtifacts, snapshotTree, type Snapshot, type TreeChanges } from './artifacts.js';
import {
  byteWindow,
  describeArchiveDiff,
  diffArchives,
  firstLeafDifference,
  flattenMemberDiffs,
  MAX_ARCHIVE_BYTES,
  type ArchiveDiff,
  type ByteWindow,
} from './archive.js';
import { differenceContext, firstDifference, firstDifferenceOfBuffers, type DifferenceContext } from './compare.js';
import { elfBuildIdRange } from './elf.js';
import { runDiffoscope, which } from './diffoscope.js';
import { explain, hostLimits, rankFindings, scanBuiltPrograms, scanVariedValues, type Finding } from './explain.js';
import { compileGlob } from './glob.js';
import { hashFiles, sha256Hex } from './hash.js';
import { formatSeconds, Progress, type ProgressStream } from './progress.js';
import {
  DIGEST_ALGORITHM,
  manifestDigest,
  reportJson,
  writeAtomic,
  type ArtifactEntry,
  type FullVerifyReport,
  type RunEntry,
} from './report-json.js';
import { renderMarkdown } from './report-markdown.js';
import { runOnce, tailOf, toolFailure, type RunOutcome } from './runner.js';
import { renderSummary } from './summary.js';
import { creationOrderVisible, planVariation, probeVaryHost, type Variation } from './vary.js';
import { chooseTempBase, copyTree, makeTempRoot, removeTree, removeTreeSync, type CopyStats } from './workdir.js';

export interface VerifyIO {
  /** The final summary (default: stdout). */
  out: (text: string) => void;
  /** Progress and warnings (default: stderr; a live line when it is a terminal). */
  err: ProgressStream;
  /** Environment the runs' variations are applied to (default: process.env). */
  env: NodeJS.ProcessEnv;
  /** Stop cleanly on SIGINT/SIGTERM/SIGHUP (default true). */
  handleSignals: boolean;
  /** diffoscope: false to never use it, a path to use that executable; default: on PATH. */
  diffoscope: boolean | string;
}

/** diffoscope runs on at most this many differing artifacts. */
export const MAX_DIFFOSCOPE = 10;
/** Archive member diffs on at most this many differing artifacts. */
export const MAX_ARCHIVE_DIFFS = 50;

interface RunRecord {
  v: Variation;
  outcome: RunOutcome;
  copy: CopyStats;
  before?: Snapshot;
  after: Snapshot;
  /** Where the run's tree is now. */
  root: string;
  changes?: TreeChanges;
}

async function packageVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** "report.json" → "report.run2.json" (run 1 keeps the name). */
export function perRunFile(file: string, run: number): string {
  if (run === 1) return file;
  const m = /^(.*?)(\.[^./]*)?$/.exec(file) as RegExpExecArray;
  return `${m[1]}.run${run}${m[2] ?? ''}`;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function windowContext(w: ByteWindow): DifferenceContext {
  return { start: w.start, bytes: [Buffer.from(w.hex[0], 'hex'), Buffer.from(w.hex[1], 'hex')], shown: w.shown };
}

function shortCommand(cmd: string[]): string {
  const s = cmd.join(' ');
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

/** Run a verify and return its exit status and report (nothing printed but via `io`). */
export async function verify(opts: VerifyOptions, ioIn: Partial<VerifyIO> = {}): Promise<{ exitStatus: number; report: FullVerifyReport }> {
  const io: VerifyIO = {
    out: ioIn.out ?? ((t) => void process.stdout.write(t)),
    err: ioIn.err ?? process.stderr,
    env: ioIn.env ?? process.env,
    handleSignals: ioIn.handleSignals ?? true,
    diffoscope: ioIn.diffoscope ?? true,
  };
  const startedAt = new Date();

  // ---- check the input before anything runs ----
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new DetError('--runs', `must be a whole number >= 1, not ${opts.runs}`);
  if (opts.command.length === 0) throw new DetError('verify', 'no command to run');
  try {
    if (!(await stat(opts.workdir)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new DetError(opts.workdir, `work dir is not usable: ${(err as Error).message}`);
  }
  for (const g of opts.artifacts) {
    try {
      compileGlob(g);
    } catch (err) {
      throw new DetError('--artifacts', (err as Error).message);
    }
  }
  if (opts.trace && opts.image === undefined) tracerPath(); // DetError when the tracer is not built

  const progress = new Progress(io.err);
  const abort = new AbortController();
  let tmpRoot: string | undefined;
  const handlers: [NodeJS.Signals, () => void][] = [];
  let caught: NodeJS.Signals | null = null;
  if (io.handleSignals) {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
      const h = () => {
        if (caught === null) {
          caught = sig;
          progress.note(`dettrace: verify: ${sig}: stopping the run and removing temporary files (again to quit at once)`);
          abort.abort();
        } else {
          if (tmpRoot !== undefined) removeTreeSync(tmpRoot);
          process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[sig]);
        }
      };
      handlers.push([sig, h]);
      process.on(sig, h);
    }
  }
  const interrupted = () =>
    new DetError('verify', `interrupted by ${caught ?? 'a signal'}; temporary files removed`, {
      exitCode: 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[caught ?? 'SIGINT'],
    });

  try {
    tmpRoot = await makeTempRoot(chooseTempBase(opts.workdir, opts.vary));
    const host = opts.vary ? { ...probeVaryHost(), orderVisible: creationOrderVisible(tmpRoot) } : { uts: false, taskset: false, altLocale: null };
    const variations = Array.from({ length: opts.runs }, (_, i) => planVariation(i + 1, opts.vary, tmpRoot as string, host));
    const warnings: string[] = [];
    if (opts.vary && !host.uts) warnings.push('the host name is varied through $HOSTNAME only (changing it needs root for a private UTS namespace)');

    // ---- the runs ----
    const runs: RunRecord[] = [];
    let prevStart = 0;
    for (const v of variations) {
      const k = v.index;
      const tag = `run ${k}/${opts.runs}`;
      if (abort.signal.aborted) throw interrupted();
      if (v.minGapMs > 0) {
        const wait = prevStart + v.minGapMs - Date.now();
        if (wait > 0) {
          progress.step(`${tag}: waiting ${formatSeconds(wait)} so that it starts at another time`);
          await abortableSleep(wait, abort.signal);
        }
      }
      progress.step(`${tag}: copying the work dir`);
      await mkdir(dirname(v.dir), { recursive: true });
      const copy = await copyTree(opts.workdir, v.dir, v.order, [tmpRoot]);
      for (const d of v.mkdirs) await mkdir(d, { recursive: true });
      if (copy.skipped.length > 0) warnings.push(`run ${k}: ${copy.skipped.length} special files (fifos, sockets, devices) of the work dir were not copied, e.g. ${copy.skipped[0]}`);
      const before = opts.artifacts.length === 0 ? snapshotTree(v.dir) : undefined;

      progress.step(`${tag}: ${opts.trace ? 'tracing' : 'running (no tracer)'} ${shortCommand(opts.command)}`);
      prevStart = Date.now();
      const outcome = await runOnce({
        opts,
        variation: v,
        reportFile: join(tmpRoot, `run-${k}.report.json`),
        stdoutFile: join(tmpRoot, `run-${k}.stdout.log`),
        stderrFile: join(tmpRoot, `run-${k}.stderr.log`),
        logFile: opts.log !== undefined ? perRunFile(opts.log, k) : undefined,
        baseEnv: io.env,
        signal: abort.signal,
      });
      if (outcome.interrupted || abort.signal.aborted) throw interrupted();
      const tool = toolFailure(outcome, opts.trace);
      if (tool !== null) {
        progress.done(`${tag}: the tracer failed`);
        throw new DetError(`verify: run ${k}`, tool.replace(/^dettrace: /, ''));
      }
      let line = `${tag}: exit ${outcome.exitCode}${outcome.timedOut ? ' (timed out)' : ''} in ${formatSeconds(outcome.durationMs)}`;
      if (outcome.exitCode !== 0) line += ' — FAILED';
      progress.done(line);
      if (outcome.exitCode !== 0) {
        const tail = tailOf(outcome.stderrFile, 10) || tailOf(outcome.stdoutFile, 10);
        for (const l of tail.split('\n').filter(Boolean)) progress.note(`  | ${l}`);
      }
      if (opts.report !== undefined && outcome.report !== null) {
        await copyFile(join(tmpRoot, `run-${k}.report.json`), perRunFile(opts.report, k));
      }
      const after = snapshotTree(v.dir);
      if (v.keepAs !== v.dir) {
        await mkdir(dirname(v.keepAs), { recursive: true });
        await rename(v.dir, v.keepAs);
      }
      runs.push({ v, outcome, copy, before, after, root: v.keepAs });
    }

    // ---- artifacts and their hashes ----
    const selection = selectArtifacts(runs.map((r) => ({ before: r.before, after: r.after })), opts.artifacts);
    selection.changes?.forEach((c, i) => (runs[i].changes = c));
    for (const g of selection.globs) {
      if (g.matches.every((n) => n === 0)) warnings.push(`--artifacts ${g.pattern} matched no file in any run`);
      else if (g.matches.some((n) => n === 0)) {
        warnings.push(`--artifacts ${g.pattern} matched ${g.matches.map((n, i) => `${n} in run ${i + 1}`).join(', ')}`);
      }
    }
    if (selection.paths.length === 0) {
      warnings.push(
        opts.artifacts.length > 0
          ? 'no artifacts: the globs matched nothing'
          : 'no artifacts: the build created or changed no files in the work dir (already built there? clean it first, or pass --artifacts)',
      );
    }
    const files: string[] = [];
    const fileSlot: number[][] = selection.paths.map(() => runs.map(() => -1));
    selection.paths.forEach((p, ai) => {
      runs.forEach((r, ri) => {
        if (r.after.get(p)?.kind === 'file') {
          fileSlot[ai][ri] = files.length;
          files.push(join(r.root, p));
        }
      });
    });
    if (files.length > 0) progress.step(`hashing ${files.length} files`);
    const hashed = await hashFiles(files);
    if (abort.signal.aborted) throw interrupted();

    const artifacts: ArtifactEntry[] = selection.paths.map((p, ai) => {
      const hashes = runs.map((r, ri) => {
        const st = r.after.get(p);
        if (st?.kind === 'symlink') return sha256Hex(`symlink\0${st.target ?? ''}`);
        const slot = fileSlot[ai][ri];
        return slot >= 0 ? hashed[slot].sha256 : null;
      });
      const sizes = runs.map((r) => {
        const st = r.after.get(p);
        return st && (st.kind === 'file' || st.kind === 'symlink') ? st.size : null;
      });
      const kinds = runs.map((r) => r.after.get(p)?.kind).filter((x) => x === 'file' || x === 'symlink');
      const missingIn = runs.filter((r) => { const k = r.after.get(p)?.kind; return k !== 'file' && k !== 'symlink'; }).map((r) => r.v.index);
      const unreadable = runs.some((r, ri) => fileSlot[ai][ri] >= 0 && hashed[fileSlot[ai][ri]].sha256 === null);
      const same = missingIn.length === 0 && !unreadable && hashes.every((h) => h === hashes[0]);
      const entry: ArtifactEntry = {
        path: p, hashes, same,
        status: same ? 'same' : missingIn.length > 0 ? 'missing' : 'differs',
        kind: (kinds[0] as 'file' | 'symlink' | undefined) ?? null,
        sizes,
      };
      if (missingIn.length > 0) entry.missingIn = missingIn;
      return entry;
    });

    // ---- where and why they differ ----
    const differing = artifacts.filter((a) => !a.same);
    const programs = differing.length > 0
      ? scanBuiltPrograms(selection.paths.flatMap((p, ai) => {
          const ri = fileSlot[ai].findIndex((s) => s >= 0);
          return ri >= 0 ? [{ path: p, file: join(runs[ri].root, p) }] : [];
        }))
      : [];
    const diffoscopeExe = io.diffoscope === false ? null : typeof io.diffoscope === 'string' ? io.diffoscope : which('diffoscope', io.env.PATH ?? process.env.PATH);
    const labels: Record<string, string> = {};
    for (const r of runs) labels[r.root] = `run-${r.v.index}`;
    const failedRuns: [number, number][] = runs.filter((r) => r.outcome.exitCode !== 0).map((r) => [r.v.index, r.outcome.exitCode]);
    const runStartsMs = runs.map((r) => Date.parse(r.outcome.startedAt));
    let archiveBudget = MAX_ARCHIVE_DIFFS;
    let diffoscopeBudget = MAX_DIFFOSCOPE;
    for (const [n, a] of differing.entries()) {
      progress.step(`comparing ${n + 1}/${differing.length}: ${a.path}`);
      const ai = selection.paths.indexOf(a.path);
      const present = runs.map((r, ri) => ri).filter((ri) => a.hashes[ri] !== null);
      const first = present[0];
      const other = present.find((ri) => a.hashes[ri] !== a.hashes[first]);
      let context: DifferenceContext | undefined;
      let offset: number | null = null;
      let archive: ArchiveDiff | null = null;
      let offsetIn: string | undefined;
      const bothFiles = first !== undefined && other !== undefined && fileSlot[ai][first] >= 0 && fileSlot[ai][other] >= 0;
      if (bothFiles) {
        const fa = join(runs[first].root, a.path);
        const fb = join(runs[other].root, a.path);
        const fd = await firstDifference(fa, fb);
        a.firstDifference = { runs: [first + 1, other + 1], offset: fd.offset, sizes: fd.sizes };
        if (fd.offset !== null) {
          context = await differenceContext(fa, fb, fd.offset);
          offset = fd.offset;
          a.firstDifference.context = context.shown;
          a.firstDifference.contextStart = context.start;
        }
        if (fd.offset !== null && Math.max(...fd.sizes) <= MAX_ARCHIVE_BYTES) {
          const [ba, bb] = await Promise.all([readFile(fa), readFile(fb)]);
          archive = archiveBudget > 0 ? diffArchives(ba, bb, a.path) : null;
          if (archive !== null) {
            archiveBudget--;
            a.archive = archive;
            a.metadataOnly = archive.metadataOnly;
            a.where = describeArchiveDiff(archive, [`run ${first + 1}`, `run ${other + 1}`]);
            a.members = flattenMemberDiffs(archive).map((m) => (m.archive === a.path ? m.diff.name : `${m.archive.slice(a.path.length + 1)}!${m.diff.name}`));
            // evidence comes from the innermost difference, not from compressed bytes
            const leaf = firstLeafDifference(archive);
            context = leaf ? windowContext(leaf.context) : undefined;
            offset = leaf ? leaf.offset : null;
            offsetIn = leaf?.where;
          } else {
            // an ELF whose build ID differs: the build ID hashes the binary, look past it
            const id = elfBuildIdRange(ba);
            if (id !== null && fd.offset >= id[0] && fd.offset < id[1]) {
              const rest = firstDifferenceOfBuffers(ba.subarray(id[1]), bb.subarray(id[1]));
              a.where = [`ELF: the GNU build ID differs (bytes ${id[0]}-${id[1] - 1}); it is a hash of the binary, so something else differs too`];
              if (rest !== null) {
                offset = id[1] + rest;
                context = windowContext(byteWindow(ba, bb, offset));
                a.where.push(`ELF: the next difference is at byte ${offset}: ${context.shown[0]} vs ${context.shown[1]}`);
              }
            }
          }
        }
        if (diffoscopeExe !== null && diffoscopeBudget > 0) {
          diffoscopeBudget--;
          progress.step(`diffoscope ${a.path}`);
          const d = await runDiffoscope(fa, fb, { executable: diffoscopeExe, labels });
          if (d) a.diffoscope = d;
        }
      }
      const causes: Finding[] = explain({
        path: a.path,
        trace: opts.trace,
        missingIn: a.missingIn ?? [],
        failedRuns,
        offset,
        offsetIn,
        context,
        archive,
        variedHits: opts.vary ? scanVariedValues(runs.map((r, ri) => (fileSlot[ai][ri] >= 0 ? join(r.root, a.path) : null)), variations) : [],
        reports: runs.map((r) => r.outcome.report),
        variations,
        programs,
        runStartsMs,
      });
      a.causes = causes;
      a.cause = causes[0]?.cause;
    }

    // ---- verdict and reports ----
    const stdoutHashes = runs.map((r) => r.outcome.stdoutSha256);
    if (stdoutHashes.some((h) => h !== stdoutHashes[0])) {
      warnings.push("the command's stdout differs between runs (it is not an artifact; write what matters to files)");
    }
    const missing = artifacts.filter((a) => a.status === 'missing').length;
    const exitStatus = failedRuns.length > 0 ? 2 : differing.length > 0 ? 1 : 0;
    const digest = manifestDigest(artifacts.map((a) => ({ path: a.path, sha256: a.hashes[0] })));
    let verdict: string;
    if (failedRuns.length > 0) {
      const ok = runs.filter((r) => r.outcome.exitCode === 0).map((r) => r.v.index);
      const failed = failedRuns.map(([i, c]) => `run ${i} (exit ${c})`).join(', ');
      verdict = ok.length > 0
        ? `RUN FAILED: ${failed} failed while run ${ok.join(', ')} succeeded: the build itself behaves differently between runs (exit 2)`
        : `RUN FAILED: every run failed: ${failed}; fix the build first (exit 2)`;
    } else if (differing.length > 0) {
      verdict = `NOT REPRODUCIBLE: ${differing.length} of ${artifacts.length} artifacts differ across ${runs.length} runs${missing ? ` (${missing} missing in some run)` : ''} (exit 1)`;
    } else {
      verdict = `REPRODUCIBLE: ${artifacts.length} artifacts identical across ${runs.length} runs, digest ${digest.slice(0, 16)}… (exit 0)`;
    }

    const runEntries: RunEntry[] = runs.map((r) => {
      const e: RunEntry = {
        index: r.v.index,
        exitCode: r.outcome.exitCode,
        durationMs: r.outcome.durationMs,
        report: r.outcome.report,
        signal: r.outcome.signal,
        startedAt: r.outcome.startedAt,
        timedOut: r.outcome.timedOut,
        varied: r.v.varied,
        copy: {
          files: r.copy.files, dirs: r.copy.dirs, symlinks: r.copy.symlinks, hardlinks: r.copy.hardlinks,
          bytes: r.copy.bytes, order: r.copy.order, durationMs: r.copy.durationMs, method: r.copy.method, skipped: r.copy.skipped.length,
        },
        stdoutSha256: r.outcome.stdoutSha256,
      };
      if (r.outcome.reportError !== undefined) e.reportError = r.outcome.reportError;
      if (r.outcome.exitCode !== 0) {
        e.logTail = [tailOf(r.outcome.stderrFile, 20), tailOf(r.outcome.stdoutFile, 10)].filter(Boolean).join('\n');
      }
      if (r.changes) e.changes = { created: r.changes.created.length, changed: r.changes.changed.length, deleted: r.changes.deleted.length };
      return e;
    });

    const report: FullVerifyReport = {
      version: 1,
      reproducible: exitStatus === 0,
      runs: runEntries,
      artifacts,
      digest,
      tool: { name: 'dettrace', version: await packageVersion() },
      command: opts.command,
      workdir: opts.workdir,
      trace: opts.trace,
      vary: opts.vary,
      digestAlgorithm: DIGEST_ALGORITHM,
      summary: {
        artifacts: artifacts.length,
        same: artifacts.length - differing.length,
        differing: differing.length,
        missing,
        failedRuns: failedRuns.map(([i]) => i),
      },
      exitStatus,
      verdict,
      findings: rankFindings(differing.map((a) => ({ path: a.path, causes: a.causes ?? [] }))),
      hostLimits: opts.trace ? hostLimits(runs[0]?.outcome.report ?? null) : [],
      warnings,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
    };
    if (selection.globs.length > 0) report.globs = selection.globs;

    progress.stop();
    if (opts.json !== undefined) await writeAtomic(opts.json, reportJson(report));
    if (opts.markdown !== undefined) await writeAtomic(opts.markdown, renderMarkdown(report));
    io.out(renderSummary(report));
    return { exitStatus, report };
  } finally {
    progress.stop();
    for (const [sig, h] of handlers) process.removeListener(sig, h);
    if (tmpRoot !== undefined) await removeTree(tmpRoot);
  }
}

/** `dettrace verify`: resolves to the exit status (0 same, 1 differ, 2 a run failed); DetError on tool errors (125). */
export async function runVerify(opts: VerifyOptions, io: Partial<VerifyIO> = {}): Promise<number> {
  return (await verify(opts, io)).exitStatus;
}
