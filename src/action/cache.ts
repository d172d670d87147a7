// The image tarball in GitHub's cache (@actions/cache), so that a warm job loads the image
// instead of debootstrapping it. Caching is an optimization: when the cache service is
// absent (act, a self-hosted runner without it, GHES without cache) or fails, the step says
// so in ONE warning and goes on. @actions/cache itself prints `::warning::`/`::error::` lines
// on failures (an error for 5xx answers): those are caught here and re-emitted as budgeted
// warnings, so they never fail-look the step nor exceed the per-step annotation limit.
import * as cache from '@actions/cache';

import type { Annotation, Budget } from './annotations.js';

export interface CacheIO {
  info: (line: string) => void;
  /** Emit a warning annotation (if the budget allows; else it goes to the summary). */
  warn: (a: Annotation) => void;
  budget: Budget;
}

export interface CacheOutcome {
  /** The cache service answered (false: it failed; do not try to save either). */
  available: boolean;
  /** restore: the key that was restored, if any. */
  hit?: string;
  /** Human line for the summary. */
  note: string;
}

/** Lines written to stdout while fn runs; workflow annotation commands are held back, the rest passes. */
export async function captureAnnotations<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; annotations: string[] }> {
  const annotations: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  let pending = '';
  const filter = (text: string): string => {
    pending += text;
    let out = '';
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl + 1);
      pending = pending.slice(nl + 1);
      const m = /^\s*::(error|warning|notice)(?: [^:]*)?::(.*)$/s.exec(line.replace(/\r?\n$/, ''));
      if (m) annotations.push(decodeCommandData(m[2]));
      else out += line;
    }
    return out;
  };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const pass = filter(text);
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (pass === '') {
      cb?.();
      return true;
    }
    return original(pass, cb);
  }) as typeof process.stdout.write;
  try {
    const value = await fn();
    return { value, annotations };
  } catch (error) {
    return { error, annotations };
  } finally {
    process.stdout.write = original;
    if (pending !== '') original(pending);
  }
}

/** Undo the escaping of a workflow command's data (%25 %0D %0A). */
export function decodeCommandData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0];
}

function warnAll(io: CacheIO, what: string, lines: string[]): void {
  for (const l of lines) io.warn({ level: 'warning', title: 'dettrace: image cache', message: `${what}: ${l} (the job goes on without the cache)` });
}

/** Is the cache service there? One warning when it is not (the image is then built each time). */
export function cacheAvailable(io: CacheIO): boolean {
  let ok = false;
  try {
    ok = cache.isFeatureAvailable();
  } catch {
    ok = false;
  }
  if (!ok) {
    io.warn({
      level: 'warning',
      title: 'dettrace: no cache service',
      message: "GitHub's cache service is not available to this job (ACTIONS_CACHE_URL/ACTIONS_RESULTS_URL unset: act, or a runner without it): the det image's base layer is not kept between jobs, so a machine that does not have it yet debootstraps it (a few minutes)",
    });
  }
  return ok;
}

/** Restore `paths` under `key`. Never throws. */
export async function restore(paths: string[], key: string, io: CacheIO): Promise<CacheOutcome> {
  const r = await captureAnnotations(() => cache.restoreCache(paths, key));
  warnAll(io, 'restore', r.annotations);
  if (r.error !== undefined) {
    warnAll(io, 'restore', [firstLine(r.error)]);
    return { available: false, note: `restore failed: ${firstLine(r.error)}` };
  }
  if (r.value) {
    io.info(`cache hit: ${r.value}`);
    return { available: true, hit: r.value, note: `restored from the cache (${r.value})` };
  }
  if (r.annotations.length > 0) {
    // @actions/cache swallowed the failure (and said so): the service is not usable now
    return { available: false, note: `restore failed: ${r.annotations[0].split('\n')[0]}` };
  }
  io.info(`cache miss: ${key}`);
  return { available: true, note: `not in the cache (key ${key})` };
}

/** Save `paths` under `key`. Never throws; an entry that already exists is fine. */
export async function save(paths: string[], key: string, io: CacheIO): Promise<string> {
  const r = await captureAnnotations(() => cache.saveCache(paths, key));
  // "Unable to reserve cache ... another job may be creating this cache" is info, not a problem
  const real = r.annotations.filter((l) => !/already exists|another job may be creating/i.test(l));
  warnAll(io, 'save', real);
  if (r.error !== undefined) {
    const line = firstLine(r.error);
    if (/already exists|another job may be creating/i.test(line)) return 'already in the cache';
    warnAll(io, 'save', [line]);
    return `save failed: ${line}`;
  }
  if (typeof r.value === 'number' && r.value !== -1) {
    io.info(`cache saved: ${key}`);
    return `saved to the cache (${key})`;
  }
  return real.length > 0 ? `save failed: ${real[0]}` : 'not saved (another job saves it)';
}
