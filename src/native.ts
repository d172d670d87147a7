// Where the native pieces are: the N-API addon (probe, version) and the tracer executable
// that `dettrace run` spawns, both found from the package root.
//
// The package root is found from import.meta.url by walking up to the package.json whose
// name is "dettrace": the compiled file lives in lib/src/ (root two levels up), and the same
// code bundled into dist/index.js sits one level below the root. Modules are loaded with
// createRequire(import.meta.url), which also works in an ESM bundle (no global `require`).
import { accessSync, constants as fsc, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DetError } from './errors.js';

export const PACKAGE_NAME = 'dettrace';
export const TRACER_NAME = 'dettrace-tracer';
const BUILD_HINT = 'run npm run build:native';

/** What the addon exports (native/addon.cc). Members are checked where they are used. */
export interface Addon {
  /** JSON object text with the host's capabilities (SPEC §3 "host"). */
  probe?: () => string;
  /** JSON array text: [{source, status, detail}] for this host. */
  guarantees?: () => string;
  version?: string;
  [member: string]: unknown;
}

const platformDir = `${process.platform}-${process.arch}`;
let cachedRoot: string | undefined;

function isPackageRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** Absolute path of the dettrace package (the directory of its package.json). */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isPackageRoot(dir)) return (cachedRoot = dir);
    if (dirname(dir) === dir) break;
  }
  throw new DetError('package root', `no package.json named "${PACKAGE_NAME}" above ${start}`);
}

function isExecutableFile(file: string): 'yes' | 'missing' | 'not-executable' {
  try {
    if (!statSync(file).isFile()) return 'missing';
  } catch {
    return 'missing';
  }
  try {
    accessSync(file, fsc.X_OK);
    return 'yes';
  } catch {
    return 'not-executable';
  }
}

/** Where the tracer executable may be, in search order. */
export function tracerCandidates(root = packageRoot()): string[] {
  return [join(root, 'build', 'Release', TRACER_NAME), join(root, 'prebuilds', platformDir, TRACER_NAME)];
}

/** Absolute path of the `dettrace-tracer` executable; DetError when it is not built. */
export function tracerPath(): string {
  const root = packageRoot();
  const candidates = tracerCandidates(root);
  for (const file of candidates) {
    const state = isExecutableFile(file);
    if (state === 'yes') return file;
    if (state === 'not-executable') throw new DetError(file, `native tracer is not executable (${BUILD_HINT})`);
  }
  const where = candidates.map((c) => c.slice(root.length + 1)).join(' or ');
  throw new DetError('native tracer not built', `${BUILD_HINT} (looked for ${where} in ${root})`);
}

function addonFiles(root: string): string[] {
  const found: string[] = [];
  for (const dir of [join(root, 'build', 'Release'), join(root, 'prebuilds', platformDir)]) {
    try {
      for (const name of readdirSync(dir).sort()) if (name.endsWith('.node')) found.push(join(dir, name));
    } catch {
      // no such directory
    }
  }
  return found;
}

let cachedAddon: Addon | undefined;

/**
 * Load the N-API addon: through node-gyp-build when it is installed (build/Release, then
 * prebuilds/<platform>-<arch>/), else (a bundle shipped without node_modules) the first .node
 * file of those same directories. DetError when it is not built or fails to load.
 */
export function loadAddon(): Addon {
  if (cachedAddon !== undefined) return cachedAddon;
  const root = packageRoot();
  const require = createRequire(import.meta.url);
  let nodeGypBuild: ((dir: string) => unknown) | undefined;
  try {
    nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  } catch {
    nodeGypBuild = undefined;
  }
  let addon: unknown;
  try {
    if (nodeGypBuild) {
      addon = nodeGypBuild(root);
    } else {
      const file = addonFiles(root)[0];
      if (file === undefined) throw Object.assign(new Error('No native build was found'), { notBuilt: true });
      addon = require(file);
    }
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    if ((err as { notBuilt?: boolean }).notBuilt || /No native build was found/.test(message)) {
      throw new DetError('native addon not built', `${BUILD_HINT} (looked in build/Release and prebuilds/${platformDir} of ${root})`);
    }
    throw new DetError('native addon', `cannot load: ${message.split('\n')[0]}`);
  }
  if (addon === null || typeof addon !== 'object') {
    throw new DetError('native addon', 'loaded, but it exports no object');
  }
  return (cachedAddon = addon as Addon);
}

/** The repository's `root/` skeleton (etc/passwd, etc/group, ...) of the default container. */
export function rootSkeleton(): string {
  const dir = join(packageRoot(), 'root');
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new DetError(dir, 'root skeleton of the default container is missing (broken installation)');
  return dir;
}
