// The container image (`--image REF`, `--image build`): a debootstrapped Debian tree holding
// the prebuilt tracer and the CLI, built with no registry pull, reproducibly, and cached by a
// hash of its inputs; and `runInImage`, which runs `dettrace run` inside such an image over
// the mounted work dir.
//
// The image has two layers:
//   1. base: image/mkrootfs.sh debootstraps the Debian tree (suite, variant, packages, nodejs)
//      and writes it as one tar with fixed order, numeric owners and every mtime clamped to
//      the image's SOURCE_DATE_EPOCH. Slow (minutes): cached as a file keyed by its inputs.
//   2. det: /opt/det (the CLI, its production node_modules, root/, image/*.sh and the prebuilt
//      tracer + addon), /usr/local/bin/dettrace and mount points. Made here in a second.
// Both are wrapped with a config whose every field is fixed (created = the epoch) into a
// docker-archive (manifest.json + config + layers in a ustar with fixed headers), streamed
// to `docker load`. Same inputs → byte-identical layers and config → the same image ID
// (the config's sha256). A change of the CLI rebuilds only layer 2: no debootstrap.
//
// Command line, for people, CI and the Action:
//   node lib/src/image.js build [--suite S] [--variant minbase|buildd] [--packages "a b"]
//        [--epoch N] [--mirror URL] [--tracer-dir DIR] [--cache-dir DIR] [--no-cache]
//        [--no-load] [--save FILE] [--json]
//   node lib/src/image.js key [same input options] [--json]   the keys, ref and cache files
//   node lib/src/image.js privileges                          the docker run flags the tracer needs
import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, createReadStream, createWriteStream, existsSync, lstatSync, mkdirSync, mkdtempSync,
  readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { constants as osc, homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import { DetError } from './errors.js';
import { packageRoot, TRACER_NAME } from './native.js';
import type { RunIO, TracedResult } from './run.js';
import type { RunOptions } from './types.js';

// ---------------------------------------------------------------------------------------
// Inputs and the cache keys

export const DEFAULT_SUITE = 'bookworm';
export const DEFAULT_VARIANT: ImageVariant = 'minbase';
/** The image's SOURCE_DATE_EPOCH unless given: the CLI's default epoch (1993-08-08 22:00 UTC). */
export const DEFAULT_IMAGE_EPOCH = 744847200;
export const IMAGE_REPOSITORY = 'det/build';
/** Bump when the layout of the image or of the cache changes. */
const CACHE_SCHEMA = 1;
/** How many base layers the cache keeps (least recently used go first). */
const KEEP_BASE_LAYERS = 3;

export type ImageVariant = 'minbase' | 'buildd';

/** Options of buildImage / imageInputs; every field optional. */
export interface BuildImageOptions {
  suite?: string;                 // default bookworm ($DET_IMAGE_SUITE)
  variant?: ImageVariant;         // minbase (+build-essential) or buildd ($DET_IMAGE_VARIANT)
  packages?: string[] | string;   // extra Debian packages, space/comma separated ($DET_IMAGE_PACKAGES)
  epoch?: number;                 // the image's SOURCE_DATE_EPOCH ($DET_IMAGE_EPOCH)
  mirror?: string;                // Debian mirror URL ($DET_DEBIAN_MIRROR, else the host's apt sources)
  arch?: string;                  // Debian architecture; amd64
  tracerDir?: string;             // dir with dettrace-tracer + dettrace.node ($DET_IMAGE_TRACER_DIR, else build/Release, else prebuilds/linux-x64)
  cacheDir?: string;              // $DET_CACHE_DIR, else ~/.cache/dettrace/images
  noCache?: boolean;              // build from scratch even if the image or the base layer is cached
  load?: boolean;                 // docker load the result (default true)
  save?: string;                  // also write the docker-archive to this file
  log?: (line: string) => void;   // progress lines (default: stderr)
}

/** What decides the base layer (debootstrapped tree). */
export interface BaseInputs {
  schema: number;
  suite: string;
  variant: ImageVariant;
  packages: string[];
  epoch: number;
  mirror: string;
  arch: string;
  script: string;                 // sha256 of image/mkrootfs.sh
}

/** Everything that decides the image's bytes. */
export interface ImageInputs {
  base: BaseInputs;
  baseKey: string;
  /** [path in /opt/det, mode, sha256 or "->target"], sorted: the CLI, tracer and image scripts. */
  files: [string, number, string][];
}

export interface DetFile {
  dest: string;   // path under /opt/det
  src: string;    // absolute host path
  mode: number;   // 0o755 or 0o644; 0 for a symlink
  link?: string;  // symlink target
}

const env = (name: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
};

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Split "a b,c" or ["a", "b c"] into sorted unique package names. */
export function parsePackages(p: string[] | string | undefined): string[] {
  const list = (Array.isArray(p) ? p.join(' ') : p ?? '').split(/[\s,]+/).filter((s) => s !== '');
  for (const name of list) {
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(name)) throw new DetError(`package "${name}"`, 'not a Debian package name');
  }
  return [...new Set(list)].sort();
}

/**
 * The Debian mirror: $DET_DEBIAN_MIRROR, else the first Debian archive (not -security,
 * not -updates) in this host's /etc/apt/sources.list*, else debootstrap's own default.
 */
export function debianMirror(): string {
  const fromEnv = env('DET_DEBIAN_MIRROR');
  if (fromEnv) return fromEnv.replace(/\/+$/, '');
  const files: string[] = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) {
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(join('/etc/apt/sources.list.d', f));
    }
  } catch {
    // no sources.list.d
  }
  const isMain = (suite: string) => !/-(security|updates|backports|proposed)$/.test(suite);
  const isDebian = (uri: string) => /\/debian\/?$/.test(uri);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (n: string) => new RegExp(`^${n}:\\s*(.*)$`, 'mi').exec(stanza)?.[1].trim() ?? '';
        if (!/\bdeb\b/.test(field('Types')) || /^no$/i.test(field('Enabled'))) continue;
        const uri = field('URIs').split(/\s+/)[0];
        if (uri && isDebian(uri) && field('Suites').split(/\s+/).some(isMain)) return uri.replace(/\/+$/, '');
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && isDebian(m[1]) && isMain(m[2])) return m[1].replace(/\/+$/, '');
      }
    }
  }
  // debootstrap's built-in default mirror, read from the installed script.
  try {
    const m = /^DEF_MIRROR="([^"]+)"/m.exec(readFileSync('/usr/sbin/debootstrap', 'utf8'));
    if (m) return m[1];
  } catch {
    // not installed: reported when building
  }
  throw new DetError('Debian mirror', 'none configured in /etc/apt/sources.list* and debootstrap is not installed; set DET_DEBIAN_MIRROR or pass --mirror URL');
}

/** The directory holding the tracer executable and the addon to ship. */
export function defaultTracerDir(root = packageRoot()): string {
  const fromEnv = env('DET_IMAGE_TRACER_DIR');
  if (fromEnv) return resolve(fromEnv);
  const release = join(root, 'build', 'Release');
  if (existsSync(join(release, TRACER_NAME)) && existsSync(join(release, 'dettrace.node'))) return release;
  return join(root, 'prebuilds', `${process.platform}-${process.arch}`);
}

function walk(dir: string, rel: string, out: DetFile[], keep: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const src = join(dir, name);
    const dest = rel ? `${rel}/${name}` : name;
    const st = lstatSync(src);
    if (st.isSymbolicLink()) out.push({ dest, src, mode: 0, link: readlinkSync(src) });
    else if (st.isDirectory()) walk(src, dest, out, keep);
    else if (st.isFile() && keep(name)) out.push({ dest, src, mode: st.mode & 0o111 ? 0o755 : 0o644 });
  }
}

/** Production dependencies of the package, transitively (flat node_modules layout). */
function productionDeps(root: string): string[] {
  const seen = new Set<string>();
  const visit = (pkgJson: string) => {
    const deps = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const name of Object.keys(deps)) {
      if (seen.has(name)) continue;
      const dir = join(root, 'node_modules', name);
      if (!existsSync(join(dir, 'package.json'))) {
        throw new DetError(`node_modules/${name}`, 'missing: run npm ci (the image ships the production dependencies)');
      }
      seen.add(name);
      visit(join(dir, 'package.json'));
    }
  };
  visit(join(root, 'package.json'));
  return [...seen].sort();
}

/** What goes to /opt/det in the image, from the package root and the tracer dir. */
export function detPackageFiles(root = packageRoot(), tracerDir = defaultTracerDir(root)): DetFile[] {
  const files: DetFile[] = [];
  for (const name of [TRACER_NAME, 'dettrace.node']) {
    const src = join(tracerDir, name);
    if (!existsSync(src)) throw new DetError(src, 'missing: run npm run build:native (the image ships the prebuilt tracer)');
    files.push({ dest: `prebuilds/linux-x64/${name}`, src, mode: 0o755 });
  }
  // The CLI compiled by tsc (lib/, with its production node_modules), or, in a checkout of
  // the Action (no lib/, no node_modules/), the bundled CLI committed in dist/, which needs
  // no node_modules; bin/dettrace.js runs whichever is there.
  const compiled = existsSync(join(root, 'lib', 'src', 'cli.js'));
  if (!compiled && !existsSync(join(root, 'dist', 'cli.js'))) {
    throw new DetError(join(root, 'lib'), 'no compiled CLI: run npm run build:ts');
  }
  files.push({ dest: 'package.json', src: join(root, 'package.json'), mode: 0o644 });
  walk(join(root, 'bin'), 'bin', files, () => true);
  walk(join(root, 'root'), 'root', files, () => true);
  walk(join(root, 'image'), 'image', files, (n) => n.endsWith('.sh'));
  if (compiled) {
    walk(join(root, 'lib', 'src'), 'lib/src', files, (n) => n.endsWith('.js'));
    for (const dep of productionDeps(root)) {
      walk(join(root, 'node_modules', dep), `node_modules/${dep}`, files, () => true);
    }
  } else {
    files.push({ dest: 'dist/cli.js', src: join(root, 'dist', 'cli.js'), mode: 0o644 });
    walk(join(root, 'dist', 'verify'), 'dist/verify', files, (n) => n.endsWith('.js'));
  }
  return files.sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));
}

async function sha256Stream(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

function intEnv(name: string): number | undefined {
  const v = env(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new DetError(name, `must be integer seconds, got "${v}"`);
  return Number(v);
}

/** The script that builds the base layer. */
function rootfsScript(root = packageRoot()): string {
  return join(root, 'image', 'mkrootfs.sh');
}

/** Resolve the options (and environment) into the inputs of the base layer. */
export function baseInputs(opts: BuildImageOptions = {}): BaseInputs {
  const variant = opts.variant ?? (env('DET_IMAGE_VARIANT') as ImageVariant | undefined) ?? DEFAULT_VARIANT;
  if (variant !== 'minbase' && variant !== 'buildd') throw new DetError('variant', `must be minbase or buildd, got "${String(variant)}"`);
  const suite = opts.suite ?? env('DET_IMAGE_SUITE') ?? DEFAULT_SUITE;
  if (!/^[a-z][a-z0-9-]*$/.test(suite)) throw new DetError('suite', `not a Debian suite name: "${suite}"`);
  const epoch = opts.epoch ?? intEnv('DET_IMAGE_EPOCH') ?? DEFAULT_IMAGE_EPOCH;
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new DetError('epoch', `must be integer seconds, got ${epoch}`);
  return {
    schema: CACHE_SCHEMA,
    suite,
    variant,
    packages: parsePackages(opts.packages ?? env('DET_IMAGE_PACKAGES')),
    epoch,
    mirror: (opts.mirror ?? debianMirror()).replace(/\/+$/, ''),
    arch: opts.arch ?? 'amd64',
    script: sha256(readFileSync(rootfsScript())),
  };
}

/** Resolve the options into every input of the image (base inputs + the det files). */
export function imageInputs(opts: BuildImageOptions = {}, files?: DetFile[]): ImageInputs {
  const base = baseInputs(opts);
  const list = files ?? detPackageFiles(packageRoot(), opts.tracerDir ?? defaultTracerDir());
  return {
    base,
    baseKey: sha256(JSON.stringify(base)),
    files: list.map((f) => [f.dest, f.mode, f.link !== undefined ? `->${f.link}` : sha256(readFileSync(f.src))]),
  };
}

/** sha256 (hex) of every input: the image's key; its first 16 digits are the image tag. */
export function imageCacheKey(opts: BuildImageOptions | ImageInputs = {}): string {
  const inputs = 'baseKey' in opts ? (opts as ImageInputs) : imageInputs(opts as BuildImageOptions);
  return sha256(JSON.stringify({ baseKey: inputs.baseKey, files: inputs.files }));
}

/** $DET_CACHE_DIR, else $XDG_CACHE_HOME/dettrace/images, else ~/.cache/dettrace/images. */
export function imageCacheDir(dir?: string): string {
  if (dir) return resolve(dir);
  const fromEnv = env('DET_CACHE_DIR');
  if (fromEnv) return resolve(fromEnv);
  return join(env('XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'dettrace', 'images');
}

/** The files of the cached base layer (what @actions/cache should save and restore). */
export function imageCachePaths(baseKey: string, cacheDir?: string): { layer: string; meta: string } {
  const dir = imageCacheDir(cacheDir);
  return { layer: join(dir, `base-${baseKey}.tar`), meta: join(dir, `base-${baseKey}.json`) };
}

export function imageRef(key: string): string {
  return `${IMAGE_REPOSITORY}:${key.slice(0, 16)}`;
}

/** Everything the Action needs to cache the slow part: keys, ref, and the files to cache. */
export function imageCachePlan(opts: BuildImageOptions = {}): { key: string; baseKey: string; ref: string; cacheDir: string; paths: string[] } {
  const inputs = imageInputs(opts);
  const key = imageCacheKey(inputs);
  const cacheDir = imageCacheDir(opts.cacheDir);
  const p = imageCachePaths(inputs.baseKey, cacheDir);
  return { key, baseKey: inputs.baseKey, ref: imageRef(key), cacheDir, paths: [p.layer, p.meta] };
}

// ---------------------------------------------------------------------------------------
// Docker

/** Run docker, collect its output; DetError with its stderr when it fails. */
export function dockerSync(args: string[], what = `docker ${args[0]}`): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new DetError('docker', code === 'ENOENT' ? 'not installed (apt-get install docker.io)' : r.error.message);
  }
  if (r.status !== 0) throw new DetError(what, (r.stderr || r.stdout || `exit status ${r.status}`).trim().split('\n').pop() ?? '');
  return r.stdout;
}

/** Fail with a clear message unless a Docker engine answers; resolves to its version. */
export function requireDocker(environment: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', env: environment });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new DetError('docker', code === 'ENOENT' ? 'not installed (apt-get install docker.io)' : r.error.message);
  }
  if (r.status !== 0 || !r.stdout.trim()) {
    const why = (r.stderr || '').trim().split('\n').pop() ?? '';
    throw new DetError('docker', `the Docker engine is not reachable (${why || 'no answer'}); start it, e.g. dockerd &`);
  }
  return r.stdout.trim();
}

/** The image's ID as the engine reports it, or null when the engine does not have it. */
export function localImageId(ref: string): string | null {
  const r = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

// ---------------------------------------------------------------------------------------
// The docker-archive: a ustar stream with fixed headers

const BLOCK = 512;

function ustarHeader(name: string, size: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  if (size > 0o77777777777) throw new Error(`tar entry too big for ustar: ${name} (${size} bytes)`);
  const h = Buffer.alloc(BLOCK, 0);
  const put = (off: number, len: number, s: string) => h.write(s, off, len, 'ascii');
  const oct = (off: number, len: number, n: number) => put(off, len, n.toString(8).padStart(len - 1, '0') + '\0');
  put(0, 100, name);
  oct(100, 8, 0o644);
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, size);
  oct(136, 12, mtime);
  put(148, 8, '        ');
  put(156, 1, '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(265, 32, 'root');
  put(297, 32, 'root');
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

type TarEntry = { name: string; data: Buffer | string };

/** Write a ustar archive of (name, Buffer | file path) entries, in order, to `sinks`. */
async function writeTar(sinks: Writable[], entries: TarEntry[], mtime: number): Promise<void> {
  const write = async (buf: Buffer) => {
    await Promise.all(sinks.map((s) => new Promise<void>((res, rej) => {
      s.write(buf, (err) => (err ? rej(err) : res()));
    })));
  };
  const pad = async (n: number) => {
    const rem = n % BLOCK;
    if (rem) await write(Buffer.alloc(BLOCK - rem, 0));
  };
  for (const e of entries) {
    if (Buffer.isBuffer(e.data)) {
      await write(ustarHeader(e.name, e.data.length, mtime));
      await write(e.data);
      await pad(e.data.length);
    } else {
      const size = statSync(e.data).size;
      await write(ustarHeader(e.name, size, mtime));
      let written = 0;
      for await (const chunk of createReadStream(e.data, { highWaterMark: 1 << 20 })) {
        await write(chunk as Buffer);
        written += (chunk as Buffer).length;
      }
      if (written !== size) throw new Error(`${e.data} changed while archiving`);
      await pad(size);
    }
  }
  await write(Buffer.alloc(2 * BLOCK, 0));
}

/** The image config: every field fixed by the inputs, so its sha256 (the image ID) is too. */
export function imageConfig(inputs: ImageInputs, key: string, diffIds: string[]): Buffer {
  const b = inputs.base;
  const created = new Date(b.epoch * 1000).toISOString().replace('.000Z', 'Z');
  const config = {
    architecture: b.arch,
    os: 'linux',
    created,
    config: {
      // No SOURCE_DATE_EPOCH here: native builds in the image take theirs from the source
      // (dpkg-buildpackage: debian/changelog); `dettrace run` sets its own.
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'],
      WorkingDir: '/build',
      Cmd: ['/bin/bash'],
      Labels: {
        'org.dettrace.image.key': key,
        'org.dettrace.image.base-key': inputs.baseKey,
        'org.dettrace.image.suite': b.suite,
        'org.dettrace.image.variant': b.variant,
        'org.dettrace.image.packages': b.packages.join(' '),
        'org.dettrace.image.epoch': String(b.epoch),
        'org.dettrace.image.mirror': b.mirror,
      },
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [
      { created, created_by: `debootstrap --variant=${b.variant} ${b.suite} (image/mkrootfs.sh)` },
      { created, created_by: 'det package in /opt/det (src/image.ts)' },
    ],
  };
  return Buffer.from(JSON.stringify(config));
}

// ---------------------------------------------------------------------------------------
// Build

export interface BuiltImage {
  ref: string;              // det/build:<key prefix>
  digest: string;           // image ID as the engine reports it (sha256:...); = configDigest on the classic store
  configDigest: string;     // sha256 of the config: the image ID as computed here
  diffIds: string[];        // sha256 of each uncompressed layer: base, det
  key: string;              // the image key (all inputs)
  baseKey: string;          // the base layer's key (cache file name)
  cached: boolean;          // true: no debootstrap ran
  source: 'image' | 'cache' | 'built';
  saved?: { file: string; sha256: string };
  durationMs: number;
  inputs: BaseInputs & { files: number };
}

interface BaseMeta {
  baseKey: string;
  diffId: string;
  bytes: number;
  buildMs: number;
  inputs: BaseInputs;
}

function asRoot(cmd: string[]): string[] {
  if (process.getuid?.() === 0) return cmd;
  return ['sudo', '-n', ...cmd];
}

function runLogged(cmd: string[], log: (l: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (buf: Buffer) => {
      const text = buf.toString('utf8');
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(new DetError(cmd[0], err.code === 'ENOENT' ? 'not found' : err.message, { cause: err })));
    child.once('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new DetError(basename(cmd[0] === 'sudo' ? cmd[3] : cmd[1] ?? cmd[0]), `failed (${signal ?? `exit status ${code}`}): ${tail.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Layer 2: /opt/det, /usr/local/bin/dettrace and the mount points, as a deterministic tar. */
function buildDetLayer(files: DetFile[], work: string, epoch: number, out: string): void {
  const tree = join(work, 'det-tree');
  const opt = join(tree, 'opt', 'det');
  for (const f of files) {
    const dest = join(opt, f.dest);
    mkdirSync(dirname(dest), { recursive: true });
    if (f.link !== undefined) {
      symlinkSync(f.link, dest);
    } else {
      copyFileSync(f.src, dest);
      chmodSync(dest, f.mode);
    }
  }
  mkdirSync(join(tree, 'usr', 'local', 'bin'), { recursive: true });
  symlinkSync('../../../opt/det/bin/dettrace.js', join(tree, 'usr', 'local', 'bin', 'dettrace'));
  for (const d of ['build', 'var/lib/det/root', 'var/lib/det/chroot', 'var/lib/det/out', 'var/lib/det/log']) {
    mkdirSync(join(tree, d), { recursive: true });
  }
  // Directories as Debian has them (0755, root), whatever this process's umask. The parents
  // the base layer also has (/opt, /usr/local/bin, /var/lib...) are in this layer too, with
  // the same mode and owner: a layer without them would make Docker create them at load time
  // with the time of the load.
  const fix = (dir: string) => {
    chmodSync(dir, 0o755);
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (lstatSync(p).isDirectory()) fix(p);
    }
  };
  fix(tree);
  const r = spawnSync('tar', ['--create', '--file', out, '--directory', tree, '--sort=name', '--format=posix',
    '--owner=0', '--group=0', '--numeric-owner',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', `--mtime=@${epoch}`,
    ...readdirSync(tree).sort()], { encoding: 'utf8' });
  if (r.status !== 0) throw new DetError('tar', `cannot write the det layer: ${(r.stderr || r.error?.message || '').trim()}`);
}

/** Load a docker-archive streamed from the entries; resolves to the engine's image ID. */
async function loadAndSave(entries: TarEntry[], epoch: number, ref: string, opts: { load: boolean; save?: string }, log: (l: string) => void): Promise<{ id: string | null; saved?: { file: string; sha256: string } }> {
  const sinks: Writable[] = [];
  let child: ReturnType<typeof spawn> | undefined;
  let stderr = '';
  let exited: Promise<number | null> = Promise.resolve(0);
  if (opts.load) {
    log(`[image] docker load (${ref})`);
    child = spawn('docker', ['load'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout!.on('data', (b: Buffer) => (stderr += b.toString()));
    exited = new Promise((res) => child!.once('close', (code) => res(code)));
    child.stdin!.on('error', () => undefined); // reported through the exit status
    sinks.push(child.stdin!);
  }
  let fileStream: Writable | undefined;
  const hash = createHash('sha256');
  if (opts.save) {
    fileStream = createWriteStream(opts.save + '.tmp');
    sinks.push(fileStream);
    sinks.push(new Writable({ write(chunk: Buffer, _enc, cb) { hash.update(chunk); cb(); } }));
  }
  try {
    await writeTar(sinks, entries, epoch);
  } finally {
    for (const s of sinks) s.end();
  }
  let saved: { file: string; sha256: string } | undefined;
  if (fileStream && opts.save) {
    await new Promise<void>((res, rej) => { fileStream!.once('finish', () => res()); fileStream!.once('error', rej); });
    renameSync(opts.save + '.tmp', opts.save);
    saved = { file: opts.save, sha256: `sha256:${hash.digest('hex')}` };
    log(`[image] saved ${opts.save} (${saved.sha256})`);
  }
  const code = await exited;
  if (code !== 0) throw new DetError('docker load', stderr.trim().split('\n').pop() ?? `exit status ${code}`);
  return { id: opts.load ? localImageId(ref) : null, saved };
}

/** Keep the `keep` most recently used base layers of the cache; remove the others. */
function pruneCache(cacheDir: string, keep: number, log: (l: string) => void): void {
  const layers = readdirSync(cacheDir).filter((n) => /^base-[0-9a-f]{64}\.tar$/.test(n))
    .map((n) => ({ n, t: statSync(join(cacheDir, n)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { n } of layers.slice(keep)) {
    log(`[image] cache: removing the old base layer ${n}`);
    rmSync(join(cacheDir, n), { force: true });
    rmSync(join(cacheDir, n.replace(/\.tar$/, '.json')), { force: true });
  }
}

/**
 * Build the image (or take it from the engine or the cache): resolves to its ref and digest.
 * Progress lines go to opts.log (default stderr).
 */
export async function buildImage(opts: BuildImageOptions = {}): Promise<BuiltImage> {
  const started = performance.now();
  const log = opts.log ?? ((l: string) => void process.stderr.write(l + '\n'));
  const root = packageRoot();
  const files = detPackageFiles(root, opts.tracerDir ?? defaultTracerDir(root));
  const inputs = imageInputs(opts, files);
  const key = imageCacheKey(inputs);
  const ref = imageRef(key);
  const b = inputs.base;
  const cacheDir = imageCacheDir(opts.cacheDir);
  const paths = imageCachePaths(inputs.baseKey, cacheDir);
  const load = opts.load ?? true;
  const summary = { ...b, files: inputs.files.length };
  const elapsed = () => Math.round(performance.now() - started);
  log(`[image] ${ref}: ${b.suite} ${b.variant}${b.packages.length ? ' +' + b.packages.join(',') : ''}, epoch ${b.epoch}, base ${inputs.baseKey.slice(0, 16)}`);
  if (load) requireDocker();

  if (!opts.noCache && load && !opts.save) {
    const present = localImageId(ref);
    if (present !== null) {
      log(`[image] ${ref} is already loaded (${present})`);
      const cfg = JSON.parse(dockerSync(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref])) as string[];
      return { ref, digest: present, configDigest: present, diffIds: cfg, key, baseKey: inputs.baseKey, cached: true, source: 'image', durationMs: elapsed(), inputs: summary };
    }
  }

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, '.build-'));
  try {
    // Layer 1: from the cache, or debootstrap.
    let meta: BaseMeta | null = null;
    if (!opts.noCache) {
      try {
        const m = JSON.parse(readFileSync(paths.meta, 'utf8')) as BaseMeta;
        if (m.baseKey === inputs.baseKey && existsSync(paths.layer) && statSync(paths.layer).size === m.bytes) meta = m;
      } catch {
        meta = null;
      }
    }
    let baseLayer = paths.layer;
    const cached = meta !== null;
    if (meta) {
      log(`[image] base layer from the cache: ${paths.layer}`);
      const now = new Date();
      utimesSync(paths.layer, now, now);
    } else {
      const t0 = performance.now();
      const out = join(work, 'base.tar');
      log(`[image] building the base layer (debootstrap: 2-3 minutes)`);
      await runLogged(asRoot(['sh', rootfsScript(root), '--suite', b.suite, '--variant', b.variant, '--mirror', b.mirror,
        '--epoch', String(b.epoch), '--arch', b.arch, '--packages', b.packages.join(' '), '--out', out, '--tmp', work]), log);
      log('[image] hashing the base layer');
      meta = { baseKey: inputs.baseKey, diffId: `sha256:${await sha256Stream(out)}`, bytes: statSync(out).size, buildMs: Math.round(performance.now() - t0), inputs: b };
      if (opts.noCache) {
        baseLayer = out; // a clean build leaves the cache as it was
      } else {
        renameSync(out, paths.layer);
        writeFileSync(paths.meta, JSON.stringify(meta, null, 2) + '\n');
        log(`[image] cached the base layer ${paths.layer} (${(meta.bytes / 1e6).toFixed(0)} MB, ${meta.diffId})`);
        pruneCache(cacheDir, KEEP_BASE_LAYERS, log);
      }
    }
    // Layer 2: the det package.
    const detLayer = join(work, 'det.tar');
    buildDetLayer(files, work, b.epoch, detLayer);
    const detDiffId = `sha256:${await sha256Stream(detLayer)}`;
    const diffIds = [meta.diffId, detDiffId];
    const config = imageConfig(inputs, key, diffIds);
    const configHex = sha256(config);
    const hex = (d: string) => d.replace(/^sha256:/, '');
    const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [ref], Layers: diffIds.map((d) => `${hex(d)}/layer.tar`) }]));
    const { id, saved } = await loadAndSave([
      { name: `${configHex}.json`, data: config },
      { name: `${hex(meta.diffId)}/layer.tar`, data: baseLayer },
      { name: `${hex(detDiffId)}/layer.tar`, data: detLayer },
      { name: 'manifest.json', data: manifest },
    ], b.epoch, ref, { load, save: opts.save }, log);
    const configDigest = `sha256:${configHex}`;
    if (load && id === null) throw new DetError('docker load', `finished, but the engine has no image ${ref}`);
    if (id !== null && id !== configDigest) log(`[image] note: the engine names the image ${id} (config digest ${configDigest})`);
    log(`[image] ${ref} = ${id ?? configDigest} (${(elapsed() / 1000).toFixed(1)} s)`);
    return { ref, digest: id ?? configDigest, configDigest, diffIds, key, baseKey: inputs.baseKey, cached, source: cached ? 'cache' : 'built', saved, durationMs: elapsed(), inputs: summary };
  } finally {
    try {
      rmSync(work, { recursive: true, force: true });
    } catch {
      const rm = asRoot(['rm', '-rf', work]);
      spawnSync(rm[0], rm.slice(1));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Run in the image

/**
 * The capabilities and security options the tracer needs inside a container, and no more
 * (each one was dropped in turn to see what breaks; image/README.md has the table):
 * - SYS_ADMIN: the sandbox's unshare of pid/mount/uts/ipc/net namespaces, mount and
 *   pivot_root, and the entrypoint's bind of / that makes the image's tree the build's root;
 * - NET_ADMIN: bringing up loopback in the sandbox's new network namespace (as root with
 *   SYS_ADMIN the tracer makes no user namespace, so it needs the capability itself; it
 *   reaches only that namespace: the container has --network none);
 * - SYS_PTRACE: not needed to trace one's own children where Yama's ptrace_scope is 0 or 1 (or
 *   absent, as on this project's test machine), needed where it is 2: kept, it is cheap;
 * - seccomp=unconfined: Docker's default profile refuses pivot_root even with SYS_ADMIN, and
 *   personality(ADDR_NO_RANDOMIZE) (and, without SYS_ADMIN, unshare/mount/setns);
 * - apparmor=unconfined: docker-default AppArmor denies mount (hosts with AppArmor, such as
 *   GitHub's Ubuntu runners; this test machine has none, so that one is from the docs).
 * Not needed: --privileged (which does not even start on this test machine's engine), --init.
 */
export const DOCKER_PRIVILEGES: readonly string[] = [
  '--cap-add', 'SYS_ADMIN',
  '--cap-add', 'NET_ADMIN',
  '--cap-add', 'SYS_PTRACE',
  '--security-opt', 'seccomp=unconfined',
  '--security-opt', 'apparmor=unconfined',
];

/** Where things are inside the image. */
export const IN_IMAGE = {
  entrypoint: '/opt/det/image/entrypoint.sh',
  workdir: '/build',
  rootBind: '/var/lib/det/root',
  chroot: '/var/lib/det/chroot',
  out: '/var/lib/det/out',
  log: '/var/lib/det/log',
} as const;

/** `docker run` arguments (after `docker`) that run `dettrace run` in image `ref`. */
export function dockerRunArgs(opts: RunOptions, ref: string, extra: { name?: string; privileges?: readonly string[] } = {}): string[] {
  const args = ['run', '--rm', '--network', 'none', ...(extra.privileges ?? DOCKER_PRIVILEGES)];
  if (extra.name) args.push('--name', extra.name);
  args.push('-v', `${opts.workdir}:${IN_IMAGE.workdir}`);
  const inner = ['--workdir', IN_IMAGE.workdir];
  if (opts.chroot !== undefined) {
    args.push('-v', `${opts.chroot}:${IN_IMAGE.chroot}`);
    inner.push('--chroot', IN_IMAGE.chroot);
  } else {
    // The image's own tree is the build's root: the entrypoint binds / at rootBind.
    args.push('-e', 'DET_BIND_ROOT=1');
    inner.push('--chroot', IN_IMAGE.rootBind);
  }
  inner.push('--epoch', String(opts.epoch), '--seed', opts.seedText ?? BigInt(opts.seed).toString());
  for (const e of opts.env) inner.push('--env', e);
  if (opts.report !== undefined) {
    args.push('-v', `${dirname(opts.report)}:${IN_IMAGE.out}`);
    inner.push('--report', `${IN_IMAGE.out}/${basename(opts.report)}`);
  }
  if (opts.log !== undefined) {
    args.push('-v', `${dirname(opts.log)}:${IN_IMAGE.log}`);
    inner.push('--log', `${IN_IMAGE.log}/${basename(opts.log)}`);
  }
  if (opts.timeout !== undefined) inner.push('--timeout', String(opts.timeout));
  if (opts.strict) inner.push('--strict');
  if (opts.debug > 0) inner.push('--debug', String(opts.debug));
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid !== 0) args.push('-e', `DET_HOST_UID=${uid}`, '-e', `DET_HOST_GID=${gid}`);
  args.push('--entrypoint', IN_IMAGE.entrypoint, ref, 'run', ...inner, '--', ...opts.command);
  return args;
}

/** Resolve `--image` to a local image ref: `build` builds (or loads) the default image. */
export async function resolveImage(image: string, log?: (l: string) => void): Promise<string> {
  if (image !== 'build') {
    // A reference: the engine's copy, else a pull; neither -> one line, not docker's usage text.
    if (spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status === 0) return image;
    const pull = spawnSync('docker', ['pull', '--quiet', image], { encoding: 'utf8' });
    if (pull.status === 0) return image;
    const why = (pull.stderr || pull.stdout || '').trim().split('\n')[0] || `docker pull exited ${pull.status}`;
    throw new DetError(`--image ${image}`, `not in the Docker engine and cannot be pulled (${why})`);
  }
  // Quiet when the image is already loaded (the command's stderr stays the command's); the
  // progress of a load or a build is shown, as it starts.
  const toStderr = log ?? ((l: string) => void process.stderr.write(l + '\n'));
  const held: string[] = [];
  let speaking = false;
  const r = await buildImage({
    log: (l) => {
      if (!speaking && !/already loaded|^\[image\] det\/build:[0-9a-f]+: /.test(l)) {
        speaking = true;
        for (const h of held.splice(0)) toStderr(h);
      }
      if (speaking) toStderr(l);
      else held.push(l);
    },
  });
  return r.ref;
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Run `opts.command` traced inside the container image `opts.image` (`build`: the default image). */
export async function runInImage(opts: RunOptions, io: RunIO & { stdio?: StdioOptions } = {}): Promise<TracedResult> {
  if (opts.image === undefined || opts.image === '') throw new DetError('--image', 'no image given');
  requireDocker();
  const ref = await resolveImage(opts.image);
  const args = dockerRunArgs(opts, ref);
  const started = performance.now();
  return new Promise<TracedResult>((resolvePromise, reject) => {
    const child = spawn('docker', args, { stdio: io.stdio ?? 'inherit', env: io.env ?? process.env });
    const handlers = new Map<NodeJS.Signals, () => void>();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      for (const [sig, h] of handlers) process.removeListener(sig, h);
      fn();
    };
    if (io.forwardSignals ?? true) {
      // docker run (no tty) proxies these to the container's entrypoint, which passes them on.
      for (const sig of FORWARDED) {
        const h = () => {
          if (child.exitCode === null && child.signalCode === null) child.kill(sig);
        };
        handlers.set(sig, h);
        process.on(sig, h);
      }
    }
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish(() => reject(new DetError('docker', err.code === 'ENOENT' ? 'not installed (apt-get install docker.io)' : err.message, { cause: err })));
    });
    child.once('close', (code, signal) => {
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      finish(() => {
        if (signal) {
          const n = (osc.signals as Record<string, number>)[signal] ?? 0;
          resolvePromise({ exitCode: 128 + n, signal: n, durationMs });
        } else {
          resolvePromise({ exitCode: code ?? 125, signal: null, durationMs });
        }
      });
    });
  });
}

// ---------------------------------------------------------------------------------------
// Command line: node lib/src/image.js build|key [options]

function parseCli(argv: string[]): { cmd: string; opts: BuildImageOptions; json: boolean } {
  const [cmd = 'help', ...rest] = argv;
  const opts: BuildImageOptions = {};
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new DetError(a, 'needs a value');
      return v;
    };
    switch (a) {
      case '--suite': opts.suite = value(); break;
      case '--variant': opts.variant = value() as ImageVariant; break;
      case '--packages': opts.packages = [...parsePackages(opts.packages), ...parsePackages(value())]; break;
      case '--epoch': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new DetError('--epoch', `must be integer seconds, got "${v}"`);
        opts.epoch = Number(v);
        break;
      }
      case '--mirror': opts.mirror = value(); break;
      case '--tracer-dir': opts.tracerDir = resolve(value()); break;
      case '--cache-dir': opts.cacheDir = resolve(value()); break;
      case '--no-cache': opts.noCache = true; break;
      case '--no-load': opts.load = false; break;
      case '--save': opts.save = resolve(value()); break;
      case '--json': json = true; break;
      default: throw new DetError(a, 'unknown option of image.js (see the header of src/image.ts)');
    }
  }
  return { cmd, opts, json };
}

const USAGE = `usage: node lib/src/image.js build|key|privileges [--suite S] [--variant minbase|buildd] [--packages "a b"]
       [--epoch N] [--mirror URL] [--tracer-dir DIR] [--cache-dir DIR] [--no-cache] [--no-load]
       [--save FILE] [--json]
`;

export async function imageMain(argv: string[]): Promise<number> {
  try {
    const { cmd, opts, json } = parseCli(argv);
    if (cmd === 'build') {
      const r = await buildImage(opts);
      process.stdout.write(json ? JSON.stringify(r, null, 2) + '\n' : `${r.ref} ${r.digest}${r.cached ? ` (cached: ${r.source})` : ''}\n`);
      return 0;
    }
    if (cmd === 'privileges') {
      process.stdout.write(DOCKER_PRIVILEGES.join(' ') + '\n');
      return 0;
    }
    if (cmd === 'key') {
      const plan = imageCachePlan(opts);
      process.stdout.write(json ? JSON.stringify({ ...plan, inputs: baseInputs(opts) }, null, 2) + '\n' : `${plan.key}\n`);
      return 0;
    }
    process.stderr.write(USAGE);
    return cmd === 'help' || cmd === '--help' ? 0 : 2;
  } catch (err) {
    process.stderr.write(`dettrace image: ${err instanceof Error ? err.message : String(err)}\n`);
    return 125;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  imageMain(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
