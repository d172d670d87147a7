// Cross-machine reproducibility: `mode: record` writes the artifact manifest of a build
// (one `<sha256>  <path>` line per artifact, sorted by path in byte order — exactly the text
// whose sha256 is the verify report's `digest`, and what `sha256sum -c` reads) and a
// machine description beside it; `mode: compare` reads the manifests of several jobs and
// compares them artifact by artifact, giving a report of the same shape as a verify report.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

import { comparePaths, snapshotTree } from '../verify/artifacts.js';
import { compileGlob, matchPath, selects } from '../verify/glob.js';
import { sha256Hex } from '../verify/hash.js';
import { manifestLine, type ArtifactEntry, type FullVerifyReport } from '../verify/report-json.js';

/** File names that record writes into its output directory. */
export const MANIFEST_FILE = 'manifest.txt';
export const MACHINE_FILE = 'machine.json';
export const REPORT_FILE = 'report.json';

export interface ManifestEntry {
  sha256: string;
  path: string;
}

/** The manifest text of a verify report: run 1's artifacts (present ones), sorted. */
export function manifestOf(report: Pick<FullVerifyReport, 'artifacts'>, run = 0): string {
  return report.artifacts
    .filter((a) => a.hashes[run] !== null && a.hashes[run] !== undefined)
    .map((a) => ({ sha256: a.hashes[run] as string, path: a.path }))
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((e) => manifestLine(e.sha256, e.path))
    .join('');
}

/** Parse a manifest (sha256sum format: "<hex>  <path>" or "<hex> *<path>"). Throws on a bad line. */
export function parseManifest(text: string, name: string): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.replace(/\r$/, ''));
    if (!m) throw new Error(`${name}:${i + 1}: not a manifest line ("<sha256>  <path>"): ${JSON.stringify(line.slice(0, 80))}`);
    if (seen.has(m[2])) throw new Error(`${name}:${i + 1}: ${m[2]} is listed twice`);
    seen.add(m[2]);
    out.push({ sha256: m[1], path: m[2] });
  });
  return out;
}

/** What record knows about the machine a manifest comes from. */
export interface MachineInfo {
  version: 1;
  digest: string;
  reproducible: boolean;
  runs: number;
  /** GitHub's runner image (ImageOS/ImageVersion), runner OS/arch and name. */
  runner: { os?: string; arch?: string; name?: string; imageOS?: string; imageVersion?: string };
  kernel?: string;
  cpu?: string;
  /** `none`, or the det image ref and its digest. */
  image: { kind: string; ref?: string; digest?: string };
  /** From run 1's run report: the sources this machine could not determinize. */
  notDeterminized: { source: string; status: string }[];
  job?: string;
  /** The working directory, relative to the repository root: where the manifest's paths are. */
  workingDirectory?: string;
  createdAt: string;
}

/** A manifest to compare, with its label and (if record wrote one beside it) its machine. */
export interface LoadedManifest {
  file: string;
  label: string;
  entries: ManifestEntry[];
  digest: string;
  machine?: MachineInfo;
}

const WILDCARD = /[*?[{\\]/;

/**
 * The manifest files named by `patterns` (relative to `base`): a file; a directory, meaning
 * every manifest.txt below it; or a glob (ending in bare wildcards, "dl/**": the manifest.txt
 * files it selects). Sorted, duplicates removed. Throws when a pattern names nothing.
 */
export function findManifests(patterns: readonly string[], base: string): string[] {
  const found = new Set<string>();
  for (const p of patterns) {
    const abs = resolve(base, p);
    let matched = 0;
    if (!WILDCARD.test(p) && existsSync(abs)) {
      if (statSync(abs).isDirectory()) {
        for (const [rel, st] of snapshotTree(abs)) {
          if (st.kind === 'file' && basename(rel) === MANIFEST_FILE) {
            found.add(join(abs, rel));
            matched++;
          }
        }
        if (matched === 0) throw new Error(`manifests: ${p}: a directory without any ${MANIFEST_FILE} below it`);
      } else {
        found.add(abs);
      }
      continue;
    }
    // A glob: walk from its literal prefix, match paths relative to base.
    const rel = relative(base, abs).split(sep).join('/');
    const segs = rel.split('/');
    const lit: string[] = [];
    for (const s of segs) {
      if (WILDCARD.test(s)) break;
      lit.push(s);
    }
    const root = join(base, ...lit);
    let glob;
    try {
      glob = compileGlob(rel);
    } catch (err) {
      throw new Error(`manifests: ${(err as Error).message}`);
    }
    // A last segment of bare wildcards ("dl/**", "dl/*/*") takes only the manifest.txt files
    // it selects; "dl/*.txt" takes every file it matches.
    const onlyManifests = /^\*+$/.test(segs[segs.length - 1]);
    if (existsSync(root) && statSync(root).isDirectory()) {
      for (const [r, st] of snapshotTree(root)) {
        if (st.kind !== 'file') continue;
        const full = [...lit, r].join('/');
        const isManifest = basename(r) === MANIFEST_FILE;
        if (onlyManifests ? isManifest && selects(glob, full) : matchPath(glob, full) || (isManifest && selects(glob, full))) {
          found.add(join(base, full));
          matched++;
        }
      }
    }
    if (matched === 0) throw new Error(`manifests: ${p} matches no file (in ${base})`);
  }
  return [...found].sort(comparePaths);
}

/** Labels: the parent directory's name when the file names repeat (downloaded artifacts), else the path. */
export function labelManifests(files: readonly string[], base: string): string[] {
  const names = files.map((f) => basename(f));
  const repeated = new Set(names).size < names.length;
  const labels = files.map((f) => (repeated ? basename(dirname(f)) : relative(base, f).split(sep).join('/')));
  // still ambiguous: fall back to the relative path
  return labels.map((l, i) => (labels.indexOf(l) !== labels.lastIndexOf(l) ? relative(base, files[i]).split(sep).join('/') : l));
}

export function loadManifests(files: readonly string[], base: string): LoadedManifest[] {
  const labels = labelManifests(files, base);
  return files.map((file, i) => {
    const text = readFileSync(file, 'utf8');
    const entries = parseManifest(text, relative(base, file) || file);
    const canonical = entries
      .slice()
      .sort((a, b) => comparePaths(a.path, b.path))
      .map((e) => manifestLine(e.sha256, e.path))
      .join('');
    let machine: MachineInfo | undefined;
    const side = join(dirname(file), MACHINE_FILE);
    if (existsSync(side)) {
      try {
        machine = JSON.parse(readFileSync(side, 'utf8')) as MachineInfo;
      } catch {
        machine = undefined;
      }
    }
    return { file, label: labels[i], entries, digest: sha256Hex(canonical), machine };
  });
}

/** Report of a compare: the verify report's shape (SPEC §3), one "run" per manifest. */
export interface CompareReport {
  version: 1;
  mode: 'compare';
  reproducible: boolean;
  runs: {
    exitCode: number;
    durationMs: number;
    report: null;
    index: number;
    label: string;
    manifest: string;
    digest: string;
    artifacts: number;
    machine?: MachineInfo;
  }[];
  artifacts: ArtifactEntry[];
  digest: string;
  tool: { name: 'dettrace'; version: string };
  digestAlgorithm: string;
  summary: FullVerifyReport['summary'];
  exitStatus: number;
  verdict: string;
  findings: FullVerifyReport['findings'];
  warnings: string[];
  startedAt: string;
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Why manifests from different machines may differ, ranked: from what record wrote beside them. */
export function crossMachineCauses(ms: readonly LoadedManifest[]): { kind: string; score: number; cause: string }[] {
  const machines = ms.map((m) => m.machine);
  const causes: { kind: string; score: number; cause: string }[] = [];
  if (machines.some((m) => m === undefined)) {
    causes.push({ kind: 'no-machine-info', score: 10, cause: `no ${MACHINE_FILE} beside some manifests: upload the whole directory mode: record writes to see what differs between the machines` });
  }
  const known = machines.filter((m): m is MachineInfo => m !== undefined);
  if (known.length < 2) return causes;
  const label = (pick: (m: MachineInfo) => string | undefined) => distinct(known.map((m) => pick(m) ?? '?')).join(' vs ');
  const images = distinct(known.map((m) => m.image.kind === 'none' ? 'none' : m.image.digest ?? m.image.ref ?? '?'));
  const runnerImages = distinct(known.map((m) => `${m.runner.imageOS ?? m.runner.os ?? '?'} ${m.runner.imageVersion ?? ''}`.trim()));
  if (known.some((m) => m.image.kind === 'none') && runnerImages.length > 1) {
    causes.push({ kind: 'toolchain', score: 90, cause: `the toolchain comes from each runner (image: none) and the runner images differ (${runnerImages.join(' vs ')}): compilers and libraries differ; pin them with image: build or one image ref` });
  } else if (images.length > 1) {
    causes.push({ kind: 'image', score: 85, cause: `the jobs ran in different images (${images.map((d) => d.slice(0, 19)).join(' vs ')}): use the same image inputs (suite, packages) or one image ref` });
  }
  if (!known.every((m) => m.reproducible)) {
    causes.push({ kind: 'local', score: 80, cause: 'some jobs were not reproducible even on their own machine: see their verify annotations first' });
  }
  const hidden = distinct(known.flatMap((m) => m.notDeterminized.filter((n) => n.status === 'unavailable-on-host').map((n) => n.source)));
  if (distinct(known.map((m) => m.cpu ?? '?')).length > 1) {
    causes.push({
      kind: 'cpu',
      score: hidden.includes('cpuid') ? 70 : 40,
      cause: `the CPUs differ (${label((m) => m.cpu)})${hidden.includes('cpuid') ? ' and CPUID is not determinized on these runners (no CPUID faulting): a build that detects CPU features (-march=native, runtime dispatch) follows the CPU' : ''}`,
    });
  } else if (hidden.length > 0) {
    causes.push({ kind: 'host-limits', score: 30, cause: `not determinized on these runners: ${hidden.join(', ')}` });
  }
  if (distinct(known.map((m) => m.kernel ?? '?')).length > 1) {
    causes.push({ kind: 'kernel', score: 35, cause: `the kernels differ (${label((m) => m.kernel)}): uname is fixed under the tracer, but kernel behaviour and /proc files are not` });
  }
  return causes.sort((a, b) => b.score - a.score);
}

/** Compare manifests artifact by artifact. */
export function compareManifests(ms: readonly LoadedManifest[], version: string): CompareReport {
  const paths = new Set<string>();
  for (const m of ms) for (const e of m.entries) paths.add(e.path);
  const maps = ms.map((m) => new Map(m.entries.map((e) => [e.path, e.sha256])));
  const causes = crossMachineCauses(ms);
  const artifacts: ArtifactEntry[] = [...paths].sort(comparePaths).map((path) => {
    const hashes = maps.map((m) => m.get(path) ?? null);
    const missingIn = hashes.map((h, i) => (h === null ? i + 1 : 0)).filter((i) => i > 0);
    const same = missingIn.length === 0 && hashes.every((h) => h === hashes[0]);
    const entry: ArtifactEntry = {
      path, hashes, same,
      status: same ? 'same' : missingIn.length > 0 ? 'missing' : 'differs',
      kind: 'file',
      sizes: hashes.map(() => null),
    };
    if (missingIn.length > 0) entry.missingIn = missingIn;
    if (!same) {
      const groups = new Map<string, string[]>();
      hashes.forEach((h, i) => {
        const k = h === null ? 'missing' : h.slice(0, 12);
        groups.set(k, [...(groups.get(k) ?? []), ms[i].label]);
      });
      entry.where = [`${[...groups].map(([h, ls]) => `${ls.join(', ')}: ${h}`).join('; ')}`];
      entry.causes = causes.map((c) => ({ ...c }));
      entry.cause = causes[0]?.cause;
    }
    return entry;
  });
  const differing = artifacts.filter((a) => !a.same);
  const missing = differing.filter((a) => a.status === 'missing').length;
  const reproducible = differing.length === 0 && ms.length > 0;
  const digest = ms[0]?.digest ?? sha256Hex('');
  const verdict = reproducible
    ? `REPRODUCIBLE ACROSS MACHINES: ${artifacts.length} artifacts identical in ${ms.length} manifests, digest ${digest.slice(0, 16)}…`
    : `NOT REPRODUCIBLE ACROSS MACHINES: ${differing.length} of ${artifacts.length} artifacts differ between ${ms.length} manifests${missing ? ` (${missing} missing in some)` : ''}`;
  return {
    version: 1,
    mode: 'compare',
    reproducible,
    runs: ms.map((m, i) => ({
      exitCode: 0, durationMs: 0, report: null, index: i + 1, label: m.label, manifest: m.file, digest: m.digest,
      artifacts: m.entries.length, ...(m.machine ? { machine: m.machine } : {}),
    })),
    artifacts,
    digest,
    tool: { name: 'dettrace', version },
    digestAlgorithm: 'sha256 over the first manifest, its lines sorted by path (byte order)',
    summary: { artifacts: artifacts.length, same: artifacts.length - differing.length, differing: differing.length, missing, failedRuns: [] },
    exitStatus: reproducible ? 0 : 1,
    verdict,
    findings: differing.length > 0 ? causes.map((c) => ({ ...c, artifacts: differing.map((a) => a.path) })) : [],
    warnings: distinct(ms.map((m) => m.digest)).length === 1 && !reproducible ? ['manifests have the same digest but differ (duplicate lines?)'] : [],
    startedAt: new Date().toISOString(),
  };
}
