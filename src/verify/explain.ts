// Likely causes of a difference. Evidence comes from three places: the artifact's bytes
// (timestamp-like or random-looking bytes where it differs, a varied value such as the build
// path or host name embedded in it, executables built by the build that execute RDRAND or
// CPUID), the archive diff (gzip header mtime, member mtimes, member order, modes), and the
// run reports (which sources of nondeterminism the tracer determinized, could not hide on
// this host, or does not handle; unsupported syscalls). Each finding gets a score; findings
// whose run-report source matches the evidence are ranked up.
import { readFileSync, statSync } from 'node:fs';

import type { RunReport } from '../types.js';
import {
  flattenHeaderDiffs,
  flattenMemberDiffs,
  orderDiffs,
  type ArchiveDiff,
} from './archive.js';
import type { DifferenceContext } from './compare.js';
import { scanElf, type ElfScan } from './elf.js';
import type { Variation } from './vary.js';

export interface Finding {
  /** One line, for the terminal and annotations. */
  cause: string;
  /** Higher is more likely. */
  score: number;
  /** Kind of evidence or run-report source ("time", "randomness", "archive-order", ...). */
  kind: string;
  /** What supports it. */
  evidence?: string;
}

/** Evidence categories the content and archive checks produce. */
export type Evidence =
  | 'timestamp'
  | 'random'
  | 'order'
  | 'mtime'
  | 'mode'
  | 'owner'
  | 'path'
  | 'hostname'
  | 'home'
  | 'tmpdir'
  | 'tz'
  | 'rdrand'
  | 'cpuid'
  | 'rdtsc';

/** Run-report sources (SPEC §3 guarantees) that a kind of evidence points to. */
const SOURCES_OF: Record<Evidence, string[]> = {
  timestamp: ['time', 'rdtsc', 'file-metadata'],
  random: ['randomness', 'rdrand', 'rdtsc', 'proc-files', 'pids', 'aslr'],
  order: ['directory-order', 'scheduling'],
  mtime: ['file-metadata', 'time'],
  mode: ['umask', 'file-metadata'],
  owner: ['user', 'file-metadata'],
  path: ['cwd'],
  hostname: ['hostname'],
  home: ['environment'],
  tmpdir: ['environment'],
  tz: ['environment', 'time'],
  rdrand: ['rdrand'],
  cpuid: ['cpuid'],
  rdtsc: ['rdtsc'],
};

/** What it means when a source is not determinized (first words of the cause line). */
const SOURCE_TEXT: Record<string, string> = {
  time: 'wall-clock time is not hidden: the build may embed the time',
  'file-metadata': 'file timestamps and inode numbers are the host\'s: archives and listings may embed them',
  'directory-order': 'directory order is the file system\'s: file lists and archives may follow it',
  randomness: 'randomness (getrandom, /dev/urandom, AT_RANDOM) is the host\'s',
  rdtsc: 'the time-stamp counter (RDTSC) is not hidden',
  cpuid: 'CPUID faulting unavailable on this host: the build may embed CPU features',
  rdrand: 'RDRAND/RDSEED cannot be hidden on this host (no CPUID faulting): a program that uses them gets fresh random values each run',
  'cpu-count': 'the number of CPUs is the host\'s: parallelism or output may depend on it',
  'proc-files': '/proc files (meminfo, stat, uptime) are the host\'s',
  scheduling: 'thread scheduling is not determinized',
  pids: 'process ids are not determinized',
  hostname: 'the host name is not hidden',
  user: 'the user and group ids are the host\'s',
  environment: 'the environment is not fixed',
  cwd: 'the build path is the host\'s',
  umask: 'the umask is the host\'s',
  aslr: 'address-space layout randomization is on: addresses may leak into output',
};

const EVIDENCE_TEXT: Record<Evidence, string> = {
  timestamp: 'embedded timestamp-like bytes',
  random: 'random-looking bytes',
  order: 'member order differs',
  mtime: 'member timestamps differ',
  mode: 'file modes differ',
  owner: 'file owners differ',
  path: 'embeds the build path',
  hostname: 'embeds the host name',
  home: 'embeds $HOME',
  tmpdir: 'embeds $TMPDIR',
  tz: 'embeds the time zone',
  rdrand: 'a built program executes RDRAND/RDSEED',
  cpuid: 'a built program executes CPUID',
  rdtsc: 'a built program executes RDTSC',
};

/** Evidence that names its source by itself (a built program executing the instruction). */
const STRONG = new Set<Evidence>(['rdrand', 'cpuid', 'rdtsc']);

// ---- content evidence ----

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const DATE_RES = [
  /\d{4}-\d{2}-\d{2}[ T_]\d{2}:\d{2}(:\d{2})?/,
  /\b\d{2}:\d{2}:\d{2}\b/,
  new RegExp(`\\b(${MONTHS}) {1,2}\\d{1,2}\\b`),
  /\b\d{4}\d{2}\d{2}T?\d{6}\b/,
];

/** Is there a date/time text in `text`, or a 10-digit epoch near `around` (ms)? */
export function hasTimestampText(text: string, around: number[]): boolean {
  if (DATE_RES.some((re) => re.test(text))) return true;
  for (const m of text.matchAll(/\b(1[0-9]{9})(\.\d+)?\b/g)) {
    const t = Number(m[1]) * 1000;
    if (around.some((a) => Math.abs(a - t) < 3 * 86400_000)) return true;
  }
  return false;
}

/** A little-endian 32-bit value near `offset` in both windows that lies near a run's time. */
export function hasTimestampWord(ctx: DifferenceContext, offset: number, around: number[]): boolean {
  const rel = offset - ctx.start;
  for (let i = Math.max(0, rel - 7); i <= rel; i++) {
    let hits = 0;
    for (const w of ctx.bytes) {
      if (i + 4 > w.length) continue;
      const t = w.readUInt32LE(i) * 1000;
      if (around.some((a) => Math.abs(a - t) < 3 * 86400_000)) hits++;
    }
    if (hits === 2) return true;
  }
  return false;
}

/** Do the windows differ in a run of random-looking bytes from `offset` on? */
export function looksRandom(ctx: DifferenceContext, offset: number): boolean {
  const rel = offset - ctx.start;
  const [a, b] = ctx.bytes;
  const n = Math.min(a.length, b.length) - rel;
  if (n < 4) return false;
  const span = Math.min(n, 16);
  let differ = 0;
  for (let i = rel; i < rel + span; i++) if (a[i] !== b[i]) differ++;
  const hexA = /^[0-9a-fA-F]{6,}/.test(a.toString('latin1', Math.max(0, rel - 2), rel + span));
  const hexB = /^[0-9a-fA-F]{6,}/.test(b.toString('latin1', Math.max(0, rel - 2), rel + span));
  // random hex text: most of the following characters differ
  if ((hexA || hexB) && differ >= Math.min(span, 8) * 0.6) return true;
  // random binary: nearly every following byte differs
  return differ >= span * 0.75 && span >= 8;
}

/** Evidence from the bytes around the first difference. */
export function contentEvidence(ctx: DifferenceContext | undefined, offset: number | null, runStartsMs: number[]): Evidence[] {
  if (!ctx || offset === null) return [];
  const out: Evidence[] = [];
  const texts = ctx.bytes.map((b) => b.toString('latin1'));
  if (texts.some((t) => hasTimestampText(t, runStartsMs)) || hasTimestampWord(ctx, offset, runStartsMs)) out.push('timestamp');
  else if (looksRandom(ctx, offset)) out.push('random');
  return out;
}

export interface VariedHit {
  evidence: Evidence;
  run: number;
  value: string;
}

/** Largest file scanned for varied values. */
export const MAX_SCAN_BYTES = 64 * 1024 * 1024;

function readSmall(file: string): Buffer | null {
  try {
    if (statSync(file).size > MAX_SCAN_BYTES) return null;
    return readFileSync(file);
  } catch {
    return null;
  }
}

/**
 * Varied values (build path, HOME, TMPDIR, host name, time zone) that one run's version of
 * an artifact holds and another run's does not.
 */
export function scanVariedValues(files: (string | null)[], variations: Variation[]): VariedHit[] {
  const bufs = files.map((f) => (f === null ? null : readSmall(f)));
  const hits: VariedHit[] = [];
  const aspects: [Evidence, (v: Variation) => string | null][] = [
    ['path', (v) => v.dir],
    ['home', (v) => v.env.HOME ?? null],
    ['tmpdir', (v) => v.env.TMPDIR ?? null],
    ['hostname', (v) => v.hostname],
  ];
  variations.forEach((v, r) => {
    const mine = bufs[r];
    if (!mine) return;
    for (const [evidence, get] of aspects) {
      const value = get(v);
      if (!value) continue;
      const others = variations.map(get);
      if (others.filter((o) => o === value).length > 1) continue; // not varied
      if (!mine.includes(value)) continue;
      // the other runs must not hold this value
      if (bufs.some((b, k) => k !== r && b !== null && b.includes(value))) continue;
      if (evidence === 'home' && v.dir.startsWith(value)) continue;
      hits.push({ evidence, run: v.index, value });
    }
    // time zone: the TZ abbreviation as a word ("DET" vs "UTC")
    const tz = v.env.TZ;
    if (tz) {
      const abbr = /^[A-Za-z]{3,}/.exec(tz)?.[0];
      const othersTz = variations.filter((o) => o !== v).map((o) => o.env.TZ);
      if (abbr && !othersTz.includes(tz)) {
        const re = new RegExp(`\\b${abbr}\\b`);
        if (re.test(mine.toString('latin1')) && bufs.every((b, k) => k === r || b === null || !re.test(b.toString('latin1')))) {
          hits.push({ evidence: 'tz', run: v.index, value: tz });
        }
      }
    }
  });
  return hits;
}

// ---- executables built by the build ----

export interface ElfFinding {
  path: string;
  scan: ElfScan;
}

/** Scan the run's artifact files that are ELF executables or objects. */
export function scanBuiltPrograms(files: { path: string; file: string }[]): ElfFinding[] {
  const out: ElfFinding[] = [];
  for (const f of files) {
    const buf = readSmall(f.file);
    if (!buf) continue;
    const scan = scanElf(buf);
    if (scan && (scan.rdrand || scan.rdseed || scan.cpuid || scan.rdtsc)) out.push({ path: f.path, scan });
  }
  return out;
}

// ---- ranking ----

export interface ExplainInput {
  path: string;
  trace: boolean;
  /** 1-based runs in which the artifact is missing. */
  missingIn: number[];
  /** Runs that failed: [run, exit status]. */
  failedRuns: [number, number][];
  offset: number | null;
  /** Where the offset is: the artifact, or a member inside it ("out/x.tar.gz!out/info"). */
  offsetIn?: string;
  context?: DifferenceContext;
  archive?: ArchiveDiff | null;
  variedHits: VariedHit[];
  reports: (RunReport | null)[];
  variations: Variation[];
  programs: ElfFinding[];
  runStartsMs: number[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Ranked likely causes of one artifact's difference (most likely first). */
export function explain(input: ExplainInput): Finding[] {
  const findings: Finding[] = [];
  const evidence = new Set<Evidence>();
  const add = (f: Finding) => findings.push(f);

  for (const [run, code] of input.failedRuns) {
    add({ kind: 'run-failed', score: 100, cause: `run ${run} failed (exit ${code}): its artifacts may be missing or incomplete` });
  }
  if (input.missingIn.length > 0) {
    const present = input.variations.map((v) => v.index).filter((i) => !input.missingIn.includes(i));
    add({
      kind: 'missing', score: 85,
      cause: `created in run ${present.join(', ') || '(none)'} but not in run ${input.missingIn.join(', ')}: the set of output files differs (a name may embed a varying value)`,
    });
  }

  // varied host values embedded in the artifact (one finding per aspect, naming every run's value)
  const byAspect = new Map<Evidence, VariedHit[]>();
  for (const h of input.variedHits) byAspect.set(h.evidence, [...(byAspect.get(h.evidence) ?? []), h]);
  for (const [aspect, hits] of byAspect) {
    evidence.add(aspect);
    const what = { path: 'the build path', home: '$HOME', tmpdir: '$TMPDIR', hostname: 'the host name', tz: 'the time zone' }[
      aspect as 'path' | 'home' | 'tmpdir' | 'hostname' | 'tz'
    ];
    const values = hits.sort((x, y) => x.run - y.run).map((h) => `run ${h.run}: ${h.value}`).join('; ');
    add({ kind: `varied-${aspect}`, score: aspect === 'tz' ? 70 : 90, cause: `embeds ${what}, which --vary changed between runs (${values})` });
  }

  // archive evidence
  if (input.archive) {
    const a = input.archive;
    for (const h of flattenHeaderDiffs(a)) {
      if (h.format === 'gzip' && h.field.field === 'mtime') {
        evidence.add('mtime');
        add({
          kind: 'gzip-mtime', score: a.metadataOnly ? 92 : 60,
          cause: `differs in the gzip header mtime (${h.field.values[0]} vs ${h.field.values[1]}): gzip stores a time unless run with -n`,
        });
      } else if (h.format === 'gzip' && h.field.field === 'name') {
        add({ kind: 'gzip-name', score: 70, cause: 'differs in the gzip header file name: gzip stores the input name unless run with -n' });
      } else {
        add({ kind: 'archive-header', score: 50, cause: `${h.format} header field ${h.field.field} differs (${h.field.values[0]} vs ${h.field.values[1]})` });
      }
    }
    const members = flattenMemberDiffs(a);
    const withField = (names: string[]) => members.filter((m) => m.diff.fields.some((f) => names.includes(f.field)));
    const mtimes = withField(['mtime', 'modified', 'atime', 'ctime', 'pax mtime', 'pax atime', 'pax ctime']);
    if (mtimes.length > 0) {
      evidence.add('mtime');
      add({
        kind: 'archive-mtime', score: a.metadataOnly ? 88 : 62,
        cause: `${mtimes[0].format} member timestamps differ (${plural(mtimes.length, 'member')}, e.g. ${mtimes[0].diff.name}): file times went into the archive (clamp them to SOURCE_DATE_EPOCH, e.g. tar --mtime)`,
      });
    }
    const modes = withField(['mode', 'externalAttributes']);
    if (modes.length > 0) {
      evidence.add('mode');
      const um = input.variations.map((v) => v.varied.umask).filter(Boolean);
      add({
        kind: 'archive-mode', score: 74,
        cause: `${modes[0].format} member modes differ (${plural(modes.length, 'member')}, e.g. ${modes[0].diff.name})${um.length > 1 ? `: the umask was varied (${um.join(' vs ')})` : ''}`,
      });
    }
    const owners = withField(['uid', 'gid', 'uname', 'gname']);
    if (owners.length > 0) {
      evidence.add('owner');
      add({ kind: 'archive-owner', score: 72, cause: `${owners[0].format} member owners differ (${plural(owners.length, 'member')}): the archive stores user/group` });
    }
    for (const o of orderDiffs(a)) {
      evidence.add('order');
      add({
        kind: 'archive-order', score: 82,
        cause: `${o.format} member order differs${o.path.includes('!') ? ` in ${o.path.slice(o.path.indexOf('!') + 1)}` : ''}: the archiver followed directory order (e.g. tar --sort=name fixes it)`,
      });
    }
    const added = members.filter((m) => m.diff.change === 'only-in-first' || m.diff.change === 'only-in-second');
    if (added.length > 0) {
      add({ kind: 'archive-members', score: 60, cause: `${added[0].format} members present in one run only (${plural(added.length, 'member')}, e.g. ${added[0].diff.name})` });
    }
  }

  // bytes around the first difference (of the innermost member when inside an archive)
  for (const e of contentEvidence(input.context, input.offset, input.runStartsMs)) {
    evidence.add(e);
    const inside = input.offsetIn && input.offsetIn !== input.path ? ` in ${input.offsetIn.slice(input.offsetIn.indexOf('!') + 1)}` : '';
    const at = input.offset !== null ? `${inside} at byte ${input.offset}` : inside;
    const shown = input.context ? ` (${input.context.shown[0]} vs ${input.context.shown[1]})` : '';
    add({
      kind: e, score: e === 'timestamp' ? 75 : 55,
      cause: `${EVIDENCE_TEXT[e]}${at}${e === 'random' ? ': fresh randomness in each run' : ': the build embeds the time'}`,
      evidence: shown.length > 200 ? undefined : shown.trim(),
    });
  }

  // programs the build made that execute unhideable instructions
  for (const p of input.programs) {
    const rd = p.scan.rdrand + p.scan.rdseed;
    if (rd > 0) {
      evidence.add('rdrand');
      add({
        kind: 'program-rdrand', score: evidence.has('random') ? 80 : 58,
        cause: `${p.path} executes RDRAND/RDSEED (${plural(rd, 'site')}): hardware randomness that only CPUID faulting could hide`,
      });
    }
    if (p.scan.rdtsc > 0) {
      evidence.add('rdtsc');
      add({ kind: 'program-rdtsc', score: 40, cause: `${p.path} executes RDTSC (${plural(p.scan.rdtsc, 'site')}): it reads the CPU's time-stamp counter` });
    }
    if (p.scan.cpuid > 0) {
      evidence.add('cpuid');
      add({ kind: 'program-cpuid', score: 45, cause: `${p.path} executes CPUID (${plural(p.scan.cpuid, 'site')}): output may depend on CPU features` });
    }
  }

  // the run reports: what the tracer could not hide, unsupported syscalls
  if (!input.trace) {
    add({ kind: 'no-trace', score: 30, cause: 'run without the tracer (--no-trace): time, randomness, file order and host identity are not hidden' });
  } else {
    const status = new Map<string, string>();
    const details = new Map<string, string>();
    for (const r of input.reports) {
      if (!r) continue;
      for (const [src, st] of Object.entries(r.guarantees ?? {})) {
        if (st !== 'determinized') status.set(src, st);
      }
      const gd = (r as { guaranteeDetails?: Record<string, string> }).guaranteeDetails;
      if (gd) for (const [k, v] of Object.entries(gd)) details.set(k, v);
    }
    for (const [src, st] of status) {
      const matched = [...evidence].filter((e) => SOURCES_OF[e].includes(src));
      let score = st === 'unavailable-on-host' ? 25 : 20;
      if (matched.length > 0) {
        // the closer the source is to the evidence, the better; programs built to execute
        // an instruction are strong evidence; every further match adds a little
        score += 45 - Math.min(...matched.map((m) => SOURCES_OF[m].indexOf(src))) * 5;
        if (matched.some((m) => STRONG.has(m))) score += 25;
        score += (matched.length - 1) * 5;
      }
      const label = st === 'unavailable-on-host' ? 'unavailable on this host' : 'not handled by the tracer yet';
      const text = SOURCE_TEXT[src] ?? `${src} is not determinized`;
      add({
        kind: src, score,
        cause: `${text} (${src}: ${label})`,
        evidence: [matched.length ? `matches: ${matched.map((m) => EVIDENCE_TEXT[m]).join(', ')}` : '', details.get(src) ?? '']
          .filter(Boolean).join('; ') || undefined,
      });
    }
    // evidence of a source the tracer claims to hide: a leak
    const claimed = new Set<string>();
    for (const r of input.reports) for (const [src, st] of Object.entries(r?.guarantees ?? {})) if (st === 'determinized') claimed.add(src);
    for (const e of evidence) {
      const src = SOURCES_OF[e].find((s) => claimed.has(s) && !status.has(s));
      if (src && ['path', 'hostname', 'home', 'tmpdir', 'tz', 'order', 'timestamp', 'random'].includes(e) && SOURCES_OF[e][0] === src) {
        add({ kind: `leak-${src}`, score: 50, cause: `${EVIDENCE_TEXT[e]} although the run report says ${src} is determinized: a path the tracer misses` });
      }
    }
    const unsupported = new Map<string, number>();
    for (const r of input.reports) for (const u of r?.unsupported ?? []) unsupported.set(u.syscall, (unsupported.get(u.syscall) ?? 0) + u.count);
    for (const [sc, n] of unsupported) {
      add({ kind: 'unsupported', score: 40, cause: `unsupported syscall ${sc} was used (${plural(n, 'time')}): it failed with ENOSYS and the build may have taken another path` });
    }
    // runs that intercepted different numbers of calls took different paths
    const valid = input.reports.filter((r): r is RunReport => r !== null);
    if (valid.length > 1) {
      const keys = new Set(valid.flatMap((r) => Object.keys(r.intercepted ?? {})));
      for (const k of keys) {
        const counts = valid.map((r) => r.intercepted?.[k] ?? 0);
        if (counts.some((c) => c !== counts[0])) {
          add({ kind: 'intercepted', score: 12, cause: `the runs intercepted different numbers of ${k} calls (${counts.join(' vs ')}): they took different paths` });
        }
      }
    }
  }

  if (findings.length === 0) {
    add({ kind: 'unknown', score: 1, cause: 'no specific cause found: compare the two versions (diffoscope shows the differences in detail)' });
  }
  // rank: score, then kind for a stable order; one line per cause
  const seen = new Set<string>();
  return findings
    .sort((x, y) => y.score - x.score || (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0))
    .filter((f) => (seen.has(f.cause) ? false : (seen.add(f.cause), true)));
}

export interface RankedFinding extends Finding {
  artifacts: string[];
}

/** Findings over all artifacts: one per cause, with its highest score and the artifacts it explains. */
export function rankFindings(perArtifact: { path: string; causes: Finding[] }[]): RankedFinding[] {
  const by = new Map<string, RankedFinding>();
  for (const a of perArtifact) {
    for (const f of a.causes) {
      const r = by.get(f.cause);
      if (r) {
        r.score = Math.max(r.score, f.score);
        r.artifacts.push(a.path);
      } else {
        by.set(f.cause, { ...f, artifacts: [a.path] });
      }
    }
  }
  return [...by.values()].sort((x, y) => y.score - x.score || y.artifacts.length - x.artifacts.length);
}

/** The host notes of a run report: sources not determinized, with status. */
export function hostLimits(report: RunReport | null): { source: string; status: string; detail?: string }[] {
  if (!report) return [];
  const gd = (report as { guaranteeDetails?: Record<string, string> }).guaranteeDetails ?? {};
  return Object.entries(report.guarantees ?? {})
    .filter(([, st]) => st !== 'determinized')
    .map(([source, status]) => ({ source, status, detail: gd[source] }));
}
