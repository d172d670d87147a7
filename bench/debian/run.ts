// `npm run bench:debian`: real Debian source packages built twice natively and twice under
// det, side by side, in the det image (image/debian-build-inner.sh does the builds, one fresh
// container per package). The host is varied between the two runs of each mode as
// `dettrace verify --vary` varies it (path, HOME, TMPDIR, TZ, locale, umask, host name, an
// extra variable, CPU set, creation order of the source copy, time). For every package it
// writes bench/debian/results/PKG.json; after each package it rewrites results.tsv and
// results.md (the table of the README) from every result of the list.
//
//   npm run bench:debian -- [--packages FILE] [--only a,b] [--force] [--jobs N] [--timeout S]
//                           [--out DIR] [--image REF] [--check] [--table-only] [--reanalyse]
//
// Resumes: a package that already has a result is skipped unless --force (or --only names it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';

import { packageRoot } from '../../src/native.js';
import { describeArchiveDiff, diffArchives, flattenMemberDiffs, orderDiffs, type ArchiveDiff } from '../../src/verify/archive.js';
import { runDiffoscope } from '../../src/verify/diffoscope.js';

const root = packageRoot();
const here = join(root, 'bench', 'debian');

interface Options {
  packagesFile: string;
  only: string[] | null;
  force: boolean;
  jobs: number;
  timeout: number;
  out: string;
  results: string;
  image: string | null;
  check: boolean;
  tableOnly: boolean;
  reanalyse: boolean;
  runs: number;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`bench:debian: ${msg}\n`);
  process.stderr.write(
    'usage: npm run bench:debian -- [--packages FILE] [--only a,b] [--force] [--jobs N] [--timeout SECONDS]\n' +
      '                              [--out DIR] [--results DIR] [--image REF] [--check] [--table-only] [--reanalyse]\n',
  );
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    packagesFile: join(here, 'packages.txt'),
    only: null,
    force: false,
    jobs: 1,
    timeout: 1200,
    out: process.env.DET_DEBIAN_BENCH_OUT ?? '/var/tmp/det-debian-bench',
    results: join(here, 'results'),
    image: null,
    check: false,
    tableOnly: false,
    reanalyse: false,
    runs: 2,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--packages': o.packagesFile = resolve(val()); break;
      case '--only': o.only = val().split(/[\s,]+/).filter(Boolean); break;
      case '--force': o.force = true; break;
      case '--jobs': o.jobs = Math.max(1, Number(val())); break;
      case '--timeout': o.timeout = Number(val()); break;
      case '--out': o.out = resolve(val()); break;
      case '--results': o.results = resolve(val()); break;
      case '--image': o.image = val(); break;
      case '--check': o.check = true; break;
      case '--table-only': o.tableOnly = true; break;
      case '--reanalyse': o.reanalyse = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  return o;
}

interface ListEntry { name: string; kind: string; note: string }

/** packages.txt: "NAME  KIND  # note" per line; '#' starts a comment. */
function readList(file: string): ListEntry[] {
  const out: ListEntry[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const [body, ...rest] = raw.split('#');
    const words = body.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    out.push({ name: words[0], kind: words.slice(1).join(' ') || '?', note: rest.join('#').trim() });
  }
  return out;
}

/** causes.tsv: "PKG<TAB>MODE<TAB>why", written by hand after looking at the diffs. */
function readCauses(): Map<string, string> {
  const m = new Map<string, string>();
  const f = join(here, 'causes.tsv');
  if (!existsSync(f)) return m;
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [pkg, mode, ...why] = line.split('\t');
    m.set(`${pkg}\t${mode}`, why.join('\t'));
  }
  return m;
}

interface RunRow { mode: string; run: number; exit: number; seconds: number; debs: number; listsum: string }

interface DebDiff {
  deb: string;
  members: string[];
  summary: string[];
  diffoscope: string | null;
}

interface ModeResult {
  runs: RunRow[];
  built: boolean;
  reproducible: boolean | null;
  seconds: number | null;
  differing: DebDiff[];
  cause: string;
  unsupported: string[];
  hostLimits: string[];
}

interface PackageResult {
  package: string;
  version: string;
  kind: string;
  buildSystem: string;
  setupSeconds: number | null;
  date: string;
  image: string;
  exit: number | null;
  timedOut: boolean;
  native: ModeResult;
  det: ModeResult;
  error?: string;
}

function readEnvFile(file: string): Record<string, string> {
  const o: Record<string, string> = {};
  if (!existsSync(file)) return o;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) o[line.slice(0, i)] = line.slice(i + 1);
  }
  return o;
}

function readSha(file: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!existsSync(file)) return m;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [h, name] = line.trim().split(/\s+/);
    if (h && name) m.set(name, h);
  }
  return m;
}

/** Varied values of one run (host.env), to look for in a diff. */
function variedValues(dir: string): { aspect: string; value: string }[] {
  const e = readEnvFile(join(dir, 'host.env'));
  const out: { aspect: string; value: string }[] = [];
  if (e.path) out.push({ aspect: 'build path', value: e.path }, { aspect: 'build path', value: basename(e.path) === 'build' ? 'b1/build' : 'varied-build-path' });
  if (e.hostname && e.hostname !== '(container)') out.push({ aspect: 'host name', value: e.hostname });
  if (e.home) out.push({ aspect: 'HOME', value: e.home });
  if (e.tmpdir) out.push({ aspect: 'TMPDIR', value: e.tmpdir });
  if (e.extra) out.push({ aspect: 'environment', value: 'i_capture_the_environment' });
  if (e.tz && e.tz !== 'UTC') out.push({ aspect: 'time zone', value: e.tz });
  return out;
}

/** Heuristic cause of a difference from the archive diff and diffoscope's text. */
function likelyCause(mode: string, diffs: { deb: string; d: ArchiveDiff | null; text: string }[], dirs: string[], unsupported: string[], limits: string[]): string {
  const causes = new Set<string>();
  const varied = dirs.flatMap(variedValues);
  for (const { d, text } of diffs) {
    for (const v of varied) if (v.value.length > 3 && text.includes(v.value)) causes.add(`embeds the ${v.aspect}`);
    if (d !== null) {
      const flat = flattenMemberDiffs(d);
      if (flat.some((m) => m.diff.fields.some((f) => f.field === 'mode'))) causes.add('file modes differ (umask)');
      if (flat.some((m) => m.diff.fields.some((f) => f.field === 'mtime'))) causes.add('file mtimes differ');
      if (orderDiffs(d).length > 0) causes.add('member order differs (directory order)');
      // Files named after a build ID (dbgsym packages) follow from a binary that differs.
      const onlyIn = flat.filter((m) => m.diff.change === 'only-in-first' || m.diff.change === 'only-in-second');
      if (onlyIn.some((m) => !/\.build-id\//.test(m.diff.name))) causes.add('the set of files differs');
    }
    if (/\b(19|20)\d\d-\d\d-\d\d[ T]\d\d:\d\d|\b\d\d:\d\d:\d\d\b/.test(diffLines(text))) causes.add('embeds a date or time');
    // A build-tree RPATH that cmake blanks out at install keeps its length in .dynstr.
    if (/\(STRSZ\)/.test(diffLines(text)) && !causes.has('embeds the build path')) {
      causes.add('the length of the build path (.dynstr sizes differ: a build-tree RPATH blanked at install keeps its size)');
    }
  }
  if (causes.size === 0 && diffs.some(({ text }) => /build-id|Build ID/i.test(text))) causes.add('ELF build IDs differ (the code differs)');
  if (mode === 'det') {
    for (const u of unsupported) causes.add(`unsupported syscall ${u}`);
    for (const l of limits) causes.add(`host limit: ${l}`);
  }
  return causes.size > 0 ? [...causes].join('; ') : 'unexplained (see the diffoscope output)';
}

/** Only the changed lines of a unified diff text. */
function diffLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => /^(?:│ )*[-+]/.test(l) && !/^(?:│ )*(?:---|\+\+\+) /.test(l))
    .filter((l) => !/^(?:│ )*[-+][-dlcbps][-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT]\s/.test(l)) // file list lines: their mtime counts as mtime
    .join('\n');
}

async function analyseMode(pkgOut: string, mode: string, runs: number, rows: RunRow[]): Promise<ModeResult> {
  const mine = rows.filter((r) => r.mode === mode);
  const built = mine.length === runs && mine.every((r) => r.exit === 0 && r.debs > 0);
  const dirs = Array.from({ length: runs }, (_, i) => join(pkgOut, `${mode}-${i + 1}`));
  const unsupported = new Set<string>();
  const limits = new Set<string>();
  for (const d of dirs) {
    const f = join(d, 'report.json');
    if (!existsSync(f)) continue;
    try {
      const r = JSON.parse(readFileSync(f, 'utf8')) as { unsupported?: { syscall: string; count: number }[]; guarantees?: Record<string, string> };
      for (const u of r.unsupported ?? []) unsupported.add(`${u.syscall} (x${u.count})`);
      for (const [k, v] of Object.entries(r.guarantees ?? {})) if (v !== 'determinized') limits.add(`${k} ${v}`);
    } catch {
      // no report
    }
  }
  const secs = mine.filter((r) => r.exit === 0).map((r) => r.seconds);
  const res: ModeResult = {
    runs: mine,
    built,
    reproducible: null,
    seconds: secs.length ? Math.round(secs.reduce((a, b) => a + b, 0) / secs.length) : null,
    differing: [],
    cause: '',
    unsupported: [...unsupported],
    hostLimits: [...limits],
  };
  if (!built) {
    const bad = mine.find((r) => r.exit !== 0 || r.debs === 0) ?? null;
    const log = bad ? join(pkgOut, `${mode}-${bad.run}`, 'build.log') : null;
    let tail = '';
    if (log && existsSync(log)) {
      const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.trim() !== '');
      const det = lines.filter((l) => /^dettrace/.test(l)).slice(-2);
      const err = lines.filter((l) => /error|Error|ERROR|failed|Killed|timed out/.test(l)).slice(-2);
      tail = [...det, ...err].join(' | ') || lines.slice(-2).join(' | ');
    }
    res.cause = bad ? `build ${bad.run} failed (exit ${bad.exit}${bad.exit === 124 ? ': timeout' : ''}): ${tail.slice(0, 400)}` : 'not built';
    return res;
  }
  const first = readSha(join(dirs[0], 'sha256'));
  const names = new Set<string>(first.keys());
  const others = dirs.slice(1).map((d) => readSha(join(d, 'sha256')));
  for (const o of others) for (const n of o.keys()) names.add(n);
  const diffs: { deb: string; d: ArchiveDiff | null; text: string }[] = [];
  for (const name of [...names].sort()) {
    const k = others.findIndex((o) => o.get(name) !== first.get(name));
    if (k < 0) continue;
    const a = join(dirs[0], name);
    const b = join(dirs[k + 1], name);
    const dd: DebDiff = { deb: name, members: [], summary: [], diffoscope: null };
    let ad: ArchiveDiff | null = null;
    let text = '';
    if (existsSync(a) && existsSync(b)) {
      ad = diffArchives(readFileSync(a), readFileSync(b), name);
      if (ad) {
        dd.summary = describeArchiveDiff(ad, ['run 1', `run ${k + 2}`]).slice(0, 40);
        dd.members = flattenMemberDiffs(ad)
          .filter((m) => !m.diff.inner)
          .map((m) => m.diff.name.replace(/^\.\//, ''))
          .filter((n) => n !== '' && n !== 'data.tar.xz' && n !== 'control.tar.xz');
      }
      const ds = await runDiffoscope(a, b, {
        timeoutSec: 300, maxLines: 400, maxReportSize: 1 << 20,
        labels: { [dirs[0]]: 'run-1', [dirs[k + 1]]: `run-${k + 2}` },
      });
      if (ds) {
        text = ds.text;
        const f = join(pkgOut, `diffoscope-${mode}-${name}.txt`);
        writeFileSync(f, ds.text + (ds.omittedLines ? `\n… ${ds.omittedLines} more lines\n` : ''));
        dd.diffoscope = f;
      }
    } else {
      dd.summary = [`${name}: only in ${existsSync(a) ? 'run 1' : `run ${k + 2}`}`];
    }
    res.differing.push(dd);
    diffs.push({ deb: name, d: ad, text });
  }
  res.reproducible = res.differing.length === 0;
  if (!res.reproducible) res.cause = likelyCause(mode, diffs, dirs, res.unsupported, res.hostLimits);
  return res;
}

function emptyMode(cause: string): ModeResult {
  return { runs: [], built: false, reproducible: null, seconds: null, differing: [], cause, unsupported: [], hostLimits: [] };
}

function buildImage(): string {
  const env = { ...process.env, DET_IMAGE_TRACER_DIR: process.env.DET_IMAGE_TRACER_DIR ?? join(root, 'prebuilds', 'linux-x64') };
  const r = spawnSync(process.execPath, [join(root, 'lib', 'src', 'image.js'), 'build'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const ref = (r.stdout ?? '').trim().split(/\s+/)[0];
  if (r.status !== 0 || !ref) usage('could not build the det image (node lib/src/image.js build)');
  return ref;
}

function privileges(): string[] {
  const r = spawnSync(process.execPath, [join(root, 'lib', 'src', 'image.js'), 'privileges'], { encoding: 'utf8' });
  return (r.stdout ?? '').trim().split(/\s+/).filter(Boolean);
}

/** One package in its own container; resolves with the container's exit status. */
function runContainer(o: Options, image: string, priv: string[], pkg: string, pkgOut: string, cpu: number, tag: string): Promise<{ exit: number | null; timedOut: boolean }> {
  const name = `det-bench-${pkg.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${process.pid}`;
  const env: Record<string, string> = {
    RUNS: String(o.runs), MODES: 'native det', TIMEOUT: String(o.timeout), EPOCH: 'changelog', VARY: '1', TASKSET_CPU: String(cpu),
  };
  if (!o.check) {
    env.DEB_BUILD_OPTIONS = 'nocheck';
    env.DEB_BUILD_PROFILES = 'nocheck';
  }
  const args = ['run', '--rm', '--name', name, ...priv, '-v', `${pkgOut}:/out`];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  args.push('--entrypoint', '/opt/det/image/debian-build-inner.sh', image, pkg);
  const wallLimit = (o.timeout * o.runs * 2 + 1200) * 1000;
  return new Promise((done) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const log: Buffer[] = [];
    const relay = (c: Buffer) => {
      log.push(c);
      for (const line of c.toString('utf8').split('\n')) {
        if (/^\[debian-build\]/.test(line)) process.stderr.write(`${tag} ${line.replace(/^\[debian-build\] /, '')}\n`);
      }
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      spawnSync('docker', ['kill', name], { stdio: 'ignore' });
    }, wallLimit);
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(join(pkgOut, 'container.log'), Buffer.concat(log));
      done({ exit: code, timedOut });
    });
  });
}

async function doPackage(o: Options, image: string, priv: string[], e: ListEntry, cpu: number, tag: string): Promise<PackageResult> {
  const pkgOut = join(o.out, e.name);
  rmSync(pkgOut, { recursive: true, force: true });
  mkdirSync(pkgOut, { recursive: true });
  const t0 = Date.now();
  const { exit, timedOut } = await runContainer(o, image, priv, e.name, pkgOut, cpu, tag);
  const r = await analysePackage(o, image, e, pkgOut, exit, timedOut);
  if (timedOut) r.error = `killed after the package limit (${Math.round((Date.now() - t0) / 1000)} s)`;
  return r;
}

/** The result of a package from what its container left in OUT/PKG. */
async function analysePackage(o: Options, image: string, e: ListEntry, pkgOut: string, exit: number | null, timedOut: boolean): Promise<PackageResult> {
  const info = readEnvFile(join(pkgOut, 'info.env'));
  const rows: RunRow[] = [];
  const tsv = join(pkgOut, 'summary.tsv');
  if (existsSync(tsv)) {
    for (const line of readFileSync(tsv, 'utf8').split('\n').slice(1)) {
      const f = line.split('\t');
      if (f.length < 8) continue;
      rows.push({ mode: f[2], run: Number(f[3]), exit: Number(f[4]), seconds: Number(f[5]), debs: Number(f[6]), listsum: f[7] });
    }
  }
  const result: PackageResult = {
    package: e.name,
    version: info.version ?? '?',
    kind: e.kind,
    buildSystem: info.build_system ?? '?',
    setupSeconds: info.setup_seconds ? Number(info.setup_seconds) : null,
    date: new Date().toISOString(),
    image,
    exit,
    timedOut,
    native: rows.length ? await analyseMode(pkgOut, 'native', o.runs, rows) : emptyMode('no build ran'),
    det: rows.length ? await analyseMode(pkgOut, 'det', o.runs, rows) : emptyMode('no build ran'),
  };
  if (rows.length === 0) {
    const log = existsSync(join(pkgOut, 'container.log')) ? readFileSync(join(pkgOut, 'container.log'), 'utf8').trim().split('\n') : [];
    result.error = (timedOut ? 'timed out; ' : '') + (log.slice(-3).join(' | ') || `container exit ${exit}`);
    result.native.cause = result.det.cause = result.error;
  }
  return result;
}

// ---- the table ----

function yesNo(m: ModeResult): string {
  if (!m.built) return 'build failed';
  return m.reproducible ? 'yes' : '**no**';
}

function fmtSecs(s: number | null): string {
  return s === null ? '–' : `${s}`;
}

function differingFiles(m: ModeResult): string {
  if (m.reproducible !== false) return '';
  return m.differing.map((d) => {
    const mem = d.members.slice(0, 3).join(', ') + (d.members.length > 3 ? ` +${d.members.length - 3}` : '');
    return mem ? `${d.deb}: ${mem}` : d.deb;
  }).join('; ');
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function writeTables(o: Options, list: ListEntry[]): { md: string; counts: string } {
  const causes = readCauses();
  const results: PackageResult[] = [];
  const notRun: PackageResult[] = [];
  for (const e of list) {
    const f = join(o.results, `${e.name}.json`);
    if (!existsSync(f)) continue;
    const r = JSON.parse(readFileSync(f, 'utf8')) as PackageResult;
    // No build ran (the source or its build dependencies could not be fetched): not a result.
    if (r.native.runs.length === 0 && r.det.runs.length === 0) notRun.push(r);
    else results.push(r);
  }
  const tsv = ['package\tversion\tkind\tbuild_system\tnative_reproducible\tdet_reproducible\tnative_s\tdet_s\tratio\tnative_differs\tdet_differs\tnative_cause\tdet_cause'];
  const md = [
    '| package | version | kind | native reproducible | det reproducible | native s | det s | det/native | differing files | likely cause |',
    '| --- | --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  let detOk = 0;
  let nativeOk = 0;
  let detBuilt = 0;
  for (const r of results) {
    const ratio = r.native.seconds && r.det.seconds ? (r.det.seconds / r.native.seconds).toFixed(2) : '–';
    const nc = causes.get(`${r.package}\tnative`) ?? r.native.cause;
    const dc = causes.get(`${r.package}\tdet`) ?? r.det.cause;
    if (r.det.reproducible) detOk++;
    if (r.det.built) detBuilt++;
    if (r.native.reproducible) nativeOk++;
    tsv.push([r.package, r.version, r.kind, r.buildSystem, yesNo(r.native).replace(/\*/g, ''), yesNo(r.det).replace(/\*/g, ''),
      fmtSecs(r.native.seconds), fmtSecs(r.det.seconds), ratio, differingFiles(r.native), differingFiles(r.det), nc, dc].join('\t'));
    const files = [r.native.reproducible === false ? `native: ${differingFiles(r.native)}` : '', r.det.reproducible === false ? `det: ${differingFiles(r.det)}` : '']
      .filter(Boolean).join('<br>');
    const why = [nc ? `native: ${nc}` : '', dc ? `det: ${dc}` : ''].filter(Boolean).join('<br>');
    md.push(`| ${r.package} | ${r.version} | ${r.kind} | ${yesNo(r.native)} | ${yesNo(r.det)} | ${fmtSecs(r.native.seconds)} | ${fmtSecs(r.det.seconds)} | ${ratio} | ${mdEscape(files)} | ${mdEscape(why)} |`);
  }
  const counts = `${results.length} packages: reproducible under det ${detOk}/${results.length}` +
    ` (${results.length ? Math.round((100 * detOk) / results.length) : 0}%; ${detBuilt} built under det), natively ${nativeOk}/${results.length}`;
  const ratios = results.filter((r) => r.native.seconds && r.det.seconds).map((r) => (r.det.seconds as number) / (r.native.seconds as number)).sort((a, b) => a - b);
  const median = ratios.length ? ratios[Math.floor(ratios.length / 2)].toFixed(2) : '–';
  const machine = `${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`;
  const text = [
    `${counts}; median det/native time ${median}.`,
    '',
    ...md,
    '',
    ...(notRun.length ? [`Not run (no build started): ${notRun.map((r) => `${r.package} (${mdEscape(r.error ?? '?').slice(0, 160)})`).join('; ')}.`, ''] : []),
    `Machine: ${machine}. Image: ${results[0]?.image ?? '?'} (Debian bookworm). ` +
      `Dates: ${results.map((r) => r.date.slice(0, 10)).sort()[0] ?? '?'} – ${results.map((r) => r.date.slice(0, 10)).sort().at(-1) ?? '?'}.`,
    '',
  ].join('\n');
  mkdirSync(o.results, { recursive: true });
  writeFileSync(join(o.results, 'results.tsv'), tsv.join('\n') + '\n');
  writeFileSync(join(o.results, 'results.md'), text);
  return { md: text, counts };
}

// ---- main ----

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  let list = readList(o.packagesFile);
  mkdirSync(o.results, { recursive: true });
  if (o.tableOnly) {
    process.stdout.write(writeTables(o, list).md);
    return;
  }
  if (o.reanalyse) {
    // Results again from the builds kept in OUT (e.g. after installing diffoscope), no build.
    for (const e of list.filter((x) => o.only === null || o.only.includes(x.name))) {
      const f = join(o.results, `${e.name}.json`);
      const pkgOut = join(o.out, e.name);
      if (!existsSync(join(pkgOut, 'summary.tsv'))) continue;
      const old = existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as PackageResult) : null;
      const r = await analysePackage(o, old?.image ?? '?', e, pkgOut, old?.exit ?? null, old?.timedOut ?? false);
      if (old) r.date = old.date;
      writeFileSync(f, JSON.stringify(r, null, 2) + '\n');
      process.stderr.write(`${e.name}: native ${yesNo(r.native)}, det ${yesNo(r.det)}${r.det.cause ? ` — ${r.det.cause}` : ''}\n`);
    }
    process.stdout.write(writeTables(o, list).md);
    return;
  }
  if (o.only) {
    const want = new Set(o.only);
    for (const n of want) if (!list.some((e) => e.name === n)) list.push({ name: n, kind: '?', note: '' });
    list = list.filter((e) => want.has(e.name));
  }
  const todo = list.filter((e) => o.force || o.only !== null || !existsSync(join(o.results, `${e.name}.json`)));
  process.stderr.write(`bench:debian: ${list.length} packages, ${list.length - todo.length} already done, ${todo.length} to build (${o.jobs} at a time)\n`);
  if (todo.length === 0) {
    process.stdout.write(writeTables(o, readList(o.packagesFile)).md);
    return;
  }
  const image = o.image ?? buildImage();
  const priv = privileges();
  mkdirSync(o.out, { recursive: true });
  process.stderr.write(`bench:debian: image ${image}; builds and logs in ${o.out}; results in ${o.results}\n`);
  const ncpu = availableParallelism();
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  const worker = async (slot: number) => {
    for (;;) {
      const k = next++;
      if (k >= todo.length) return;
      const e = todo[k];
      const tag = `[${k + 1}/${todo.length} ${e.name}]`;
      const ts = Date.now();
      let r: PackageResult;
      try {
        r = await doPackage(o, image, priv, e, slot % ncpu, tag);
      } catch (err) {
        process.stderr.write(`${tag} error: ${(err as Error).stack ?? String(err)}\n`);
        continue;
      }
      writeFileSync(join(o.results, `${e.name}.json`), JSON.stringify(r, null, 2) + '\n');
      done++;
      const el = (Date.now() - t0) / 1000;
      const { counts } = writeTables(o, readList(o.packagesFile));
      process.stderr.write(
        `${tag} done in ${Math.round((Date.now() - ts) / 1000)} s: native ${yesNo(r.native)} (${fmtSecs(r.native.seconds)} s), det ${yesNo(r.det)} (${fmtSecs(r.det.seconds)} s)` +
          `${r.det.reproducible === false || !r.det.built ? ` — ${r.det.cause}` : ''}\n` +
          `bench:debian: ${done}/${todo.length} done, ${Math.round(el / 60)} min, about ${Math.round(((el / done) * (todo.length - done)) / 60)} min left; ${counts}\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, todo.length) }, (_, i) => worker(i)));
  process.stdout.write(writeTables(o, readList(o.packagesFile)).md);
}

main().catch((err) => {
  process.stderr.write(`bench:debian: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(125);
});
