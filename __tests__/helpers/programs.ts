// Build tests/programs once per test process into a temp dir under os.tmpdir(), make
// fresh work dirs holding copies of chosen programs, hash build outputs, and require host
// tools loudly (a missing compiler or interpreter is a failure, never a skip).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { ROOT } from './cli.js';

export const PROGRAMS_SRC = join(ROOT, 'tests', 'programs');
export const CPROJECT_SRC = join(ROOT, 'examples', 'cproject');

const tempDirs: string[] = [];

/** A fresh directory under os.tmpdir(), removed by cleanupTemp() (unless DET_KEEP_TMP=1). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

export function cleanupTemp(): void {
  if (process.env.DET_KEEP_TMP === '1') return;
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Throws (loudly) unless `name` is an executable on PATH or an absolute path that exists. */
export function requireTool(name: string): string {
  if (name.startsWith('/')) {
    if (!existsSync(name)) throw new Error(`required tool ${name} is missing on this host: install it (tests must not skip)`);
    return name;
  }
  const r = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', name], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) throw new Error(`required tool '${name}' is not on PATH: install it (tests must not skip)`);
  return path;
}

let built: string | undefined;

/**
 * `make -C tests/programs OUT=<tmp>` once per process; returns the output directory holding
 * every program binary and script. Throws with the compiler output when the build fails.
 */
export function buildPrograms(): string {
  if (built) return built;
  requireTool('cc');
  requireTool('make');
  const out = tempDir('det-programs-');
  try {
    execFileSync('make', ['-C', PROGRAMS_SRC, `OUT=${out}`, '-j4', '--no-print-directory'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`building tests/programs failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
  built = out;
  return out;
}

/** A fresh work dir (mounted at /build under det) holding copies of the named programs. */
export function workDirWith(programsDir: string, names: string[]): string {
  const w = tempDir('det-work-');
  for (const n of names) {
    const src = join(programsDir, n);
    copyFileSync(src, join(w, n));
  }
  return w;
}

/** A fresh copy of a source tree without its build/ output directory. */
export function copyTree(src: string, prefix: string): string {
  const d = tempDir(prefix);
  cpSync(src, d, {
    recursive: true,
    filter: (p) => relative(src, p).split('/')[0] !== 'build',
  });
  return d;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of every regular file under dir/sub whose relative path passes `keep`, by path. */
export function hashFiles(dir: string, keep: (rel: string) => boolean, sub = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const rel = relative(dir, p);
        if (keep(rel)) out[rel] = sha256File(p);
      }
    }
  };
  walk(join(dir, sub));
  return out;
}
