// `image:` — where the traced build runs.
//   none   on the runner itself (its toolchain, its kernel).
//   build  in the det image (debootstrapped Debian `suite` + `packages` + the tracer), built
//          by src/image.ts; its slow part (the debootstrapped base layer) is kept in GitHub's
//          cache under a key of its inputs, so a warm job only loads it.
//   REF    in an image pulled from a registry (one that a det image build produced and
//          pushed), e.g. to pin one image across a matrix.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import * as exec from '@actions/exec';

import { DetError } from '../errors.js';
import { buildImage, debianMirror, imageCachePlan, localImageId, requireDocker, type BuildImageOptions } from '../image.js';
import type { Annotation, Budget } from './annotations.js';
import { cacheAvailable, restore, save } from './cache.js';
import type { ImageChoice } from './inputs.js';

/** Where the build ran, for the summary and outputs. */
export interface ImageInfo {
  kind: 'none' | 'build' | 'ref';
  /** What `dettrace run --image` gets. */
  ref?: string;
  /** Image ID (sha256:...). */
  digest?: string;
  /** Registry digest of a pulled image (name@sha256:...). */
  repoDigest?: string;
  /** How it was obtained: "built (debootstrap, 143 s)", "base layer from GitHub's cache", ... */
  how?: string;
  /** The cache steps, for the summary. */
  cache?: string[];
  durationMs?: number;
}

export interface ContainerIO {
  info: (line: string) => void;
  warn: (a: Annotation) => void;
  budget: Budget;
  group: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
}

/** Debian mirror for the image: $DET_DEBIAN_MIRROR, the host's Debian sources, else deb.debian.org. */
export function imageMirror(): string {
  try {
    return debianMirror();
  } catch {
    return 'http://deb.debian.org/debian';
  }
}

function haveCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Install debootstrap with apt-get when it is missing (GitHub's Ubuntu runners lack it). */
async function ensureDebootstrap(io: ContainerIO): Promise<void> {
  if (haveCommand('debootstrap') || existsSync('/usr/sbin/debootstrap')) return;
  const root = process.getuid?.() === 0;
  if (!root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
    throw new DetError('image: build', 'debootstrap is not installed and cannot be installed (no root, no passwordless sudo): install it before this step, or use image: none');
  }
  const sudo = (args: string[]) => (root ? args : ['sudo', '-n', ...args]);
  io.info('debootstrap is not installed: installing it with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } as Record<string, string>;
  for (const cmd of [sudo(['apt-get', 'update', '-qq']), sudo(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'debootstrap'])]) {
    const code = await exec.exec(cmd[0], cmd.slice(1), { ignoreReturnCode: true, env });
    if (code !== 0) throw new DetError('image: build', `${cmd.join(' ')} failed (exit ${code}): install debootstrap before this step, or use image: none`);
  }
}

async function buildWithCache(choice: Extract<ImageChoice, { kind: 'build' }>, io: ContainerIO): Promise<ImageInfo> {
  requireDocker();
  const opts: BuildImageOptions = {
    suite: choice.suite,
    packages: choice.packages,
    mirror: imageMirror(),
    log: (l) => io.info(l),
  };
  const plan = imageCachePlan(opts);
  const cacheKey = `dettrace-image-base-${plan.baseKey}`;
  const notes: string[] = [];
  const cio = { info: io.info, warn: io.warn, budget: io.budget };
  let useCache = cacheAvailable(cio);
  let restored = false;
  if (useCache) {
    const r = await restore(plan.paths, cacheKey, cio);
    restored = r.hit !== undefined;
    useCache = r.available;
    notes.push(r.note);
    if (!r.available) notes.push('not saved: the cache service failed on restore');
  } else {
    notes.push("GitHub's cache service is not available in this job");
  }
  if (!plan.paths.every((p) => existsSync(p))) await ensureDebootstrap(io);
  const built = await buildImage(opts);
  if (useCache && !restored && plan.paths.every((p) => existsSync(p))) {
    notes.push(await save(plan.paths, cacheKey, cio));
  }
  const how = built.source === 'built'
    ? `built from scratch (debootstrap ${choice.suite}) in ${(built.durationMs / 1000).toFixed(0)} s`
    : built.source === 'cache'
      ? `base layer ${restored ? "restored from GitHub's cache" : 'from the local cache'}, loaded in ${(built.durationMs / 1000).toFixed(0)} s`
      : 'already loaded in the Docker engine';
  return { kind: 'build', ref: built.ref, digest: built.digest, how, cache: notes, durationMs: built.durationMs };
}

async function pull(ref: string, io: ContainerIO): Promise<ImageInfo> {
  requireDocker();
  const started = Date.now();
  const code = await exec.exec('docker', ['pull', ref], { ignoreReturnCode: true });
  let how = `pulled in ${((Date.now() - started) / 1000).toFixed(0)} s`;
  if (code !== 0) {
    if (localImageId(ref) === null) throw new DetError(`image: ${ref}`, `docker pull failed (exit ${code}) and the Docker engine has no such image`);
    io.info(`docker pull ${ref} failed: using the image the engine already has`);
    how = 'local image (docker pull failed)';
  }
  const digest = localImageId(ref) ?? undefined;
  const r = spawnSync('docker', ['image', 'inspect', '--format', '{{join .RepoDigests " "}}', ref], { encoding: 'utf8' });
  const repoDigest = r.status === 0 ? r.stdout.trim().split(' ')[0] || undefined : undefined;
  return { kind: 'ref', ref, digest, repoDigest, how, durationMs: Date.now() - started };
}

/** Make the image available; resolves to what `--image` gets (undefined: trace on the runner). */
export async function prepareImage(choice: ImageChoice, io: ContainerIO): Promise<ImageInfo> {
  if (choice.kind === 'none') return { kind: 'none' };
  if (choice.kind === 'build') {
    return io.group(`Image: det ${choice.suite}${choice.packages.length ? ` + ${choice.packages.join(' ')}` : ''}`, () => buildWithCache(choice, io));
  }
  return io.group(`Image: docker pull ${choice.ref}`, () => pull(choice.ref, io));
}
