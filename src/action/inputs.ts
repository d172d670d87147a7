// The Action's inputs (SPEC §2, plus `mode` and `manifests`), read the way @actions/core
// reads them (INPUT_<NAME> variables, trimmed; '' when absent, so every default is applied
// here too and a local run without the runner's defaults behaves the same) and checked
// before anything runs. Every problem is collected and reported as ONE line naming the input.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

import { DetError } from '../errors.js';
import { DEFAULT_SUITE, parsePackages } from '../image.js';
import { parseEpoch, parseSeed } from '../options.js';
import { compileGlob } from '../verify/glob.js';

export type Mode = 'verify' | 'record' | 'compare';
export const MODES: readonly Mode[] = ['verify', 'record', 'compare'];

/** `image`: trace on the runner, build the det image, or run in an image pulled by ref. */
export type ImageChoice = { kind: 'none' } | { kind: 'build'; suite: string; packages: string[] } | { kind: 'ref'; ref: string };

export interface ActionInputs {
  mode: Mode;
  /** The build command, a shell line (verify, record). */
  run: string;
  /** Globs relative to the working directory; empty: what the build created or changed. */
  artifacts: string[];
  runs: number;
  /** As given (for messages and the summary). */
  workingDirectoryInput: string;
  /** Absolute. */
  workingDirectory: string;
  image: ImageChoice;
  /** undefined: $SOURCE_DATE_EPOCH, else the CLI's default. */
  epoch?: number;
  /** Exact decimal text of the seed. */
  seed: string;
  vary: boolean;
  failOnNondeterminism: boolean;
  diffoscope: boolean;
  /** compare: the manifest lines (paths, globs or directories), relative to the workspace. */
  manifests: string[];
  /** GITHUB_WORKSPACE (or the current directory). */
  workspace: string;
}

/** Defaults as action.yml declares them. */
export const DEFAULTS = {
  mode: 'verify',
  runs: '2',
  'working-directory': '.',
  image: 'build',
  suite: DEFAULT_SUITE,
  seed: '0',
  vary: 'true',
  'fail-on-nondeterminism': 'true',
  diffoscope: 'true',
} as const;

/** Inputs that only make sense when a build runs (not with mode: compare). */
const BUILD_INPUTS = ['run', 'artifacts', 'runs', 'working-directory', 'image', 'suite', 'packages', 'epoch', 'seed', 'vary', 'diffoscope'] as const;

/** The bad input(s), as one line: `runs: "-1" is not ...; run: required ...`. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'InputError';
  }
}

/** How the runner passes an input: INPUT_ + name uppercased, spaces to '_' (dashes stay). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Read an input as @actions/core does (trimmed, '' when unset), from `env`. */
export function envInput(env: NodeJS.ProcessEnv): (name: string) => string {
  return (name) => (env[inputVariable(name)] ?? '').trim();
}

/** YAML 1.2 core-schema booleans, as core.getBooleanInput accepts them. */
export function parseBoolean(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new Error(`${name}: "${value}" is not a boolean (true or false)`);
}

/** Non-empty lines, trimmed; lines starting with '#' are comments. */
export function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** A Docker image reference: [registry[:port]/]name[:tag][@digest], lowercase name. */
const IMAGE_REF = /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

function why(err: unknown): string {
  if (err instanceof DetError) return err.what === '' ? err.why : err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Read and check every input. `get(name)` returns the input ('' when not given); `env` gives
 * GITHUB_WORKSPACE. Throws InputError listing every problem.
 */
export function readInputs(get: (name: string) => string, env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const problems: string[] = [];
  const raw = (name: keyof typeof DEFAULTS | string): string => {
    const v = get(name);
    return v === '' && name in DEFAULTS ? DEFAULTS[name as keyof typeof DEFAULTS] : v;
  };
  const check = <T>(name: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      const text = why(err);
      problems.push(text.startsWith(`${name}:`) ? text : `${name}: ${text}`);
      return fallback;
    }
  };

  const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());

  const modeText = raw('mode');
  const mode = check('mode', () => {
    if (!(MODES as readonly string[]).includes(modeText)) throw new Error(`"${modeText}" is not one of ${MODES.join(', ')}`);
    return modeText as Mode;
  }, 'verify' as Mode);

  const manifests = lines(get('manifests'));
  if (mode === 'compare') {
    if (manifests.length === 0) problems.push('manifests: required with mode: compare (manifest files, globs or directories, one a line)');
    // A build input with a value of its own would be silently ignored: refuse it instead.
    const given = BUILD_INPUTS.filter((n) => {
      const v = get(n);
      return v !== '' && v !== (DEFAULTS as Record<string, string>)[n];
    });
    if (given.length > 0) problems.push(`${given.join(', ')}: not used with mode: compare (it compares manifests that mode: record wrote; remove ${given.length > 1 ? 'them' : 'it'})`);
  } else if (manifests.length > 0) {
    problems.push(`manifests: only used with mode: compare (this step has mode: ${mode})`);
  }

  const run = get('run');
  if (mode !== 'compare' && run === '') problems.push('run: required (the build command, e.g. "make")');

  const artifacts = check('artifacts', () => {
    const globs = lines(get('artifacts'));
    for (const g of globs) {
      if (isAbsolute(g)) throw new Error(`${g}: must be relative to the working directory`);
      if (g.split('/').includes('..')) throw new Error(`${g}: must not leave the working directory ('..')`);
      compileGlob(g);
    }
    return globs;
  }, [] as string[]);

  const runsText = raw('runs');
  const runs = check('runs', () => {
    if (!/^[0-9]+$/.test(runsText) || Number(runsText) < 1) throw new Error(`"${runsText}" is not a whole number >= 1`);
    const n = Number(runsText);
    if (n > 100) throw new Error(`${n} is too many (at most 100)`);
    return n;
  }, 2);

  const wdText = raw('working-directory');
  const workingDirectory = check('working-directory', () => {
    const abs = resolve(workspace, wdText);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new Error(`${wdText}: no such directory (in ${workspace})`);
    }
    if (!st.isDirectory()) throw new Error(`${wdText}: not a directory`);
    return abs;
  }, workspace);

  const imageText = raw('image');
  const suiteText = raw('suite');
  const packagesText = get('packages');
  const image = check('image', (): ImageChoice => {
    if (imageText === 'none') return { kind: 'none' };
    if (imageText === 'build') {
      const suite = check('suite', () => {
        if (!/^[a-z][a-z0-9-]*$/.test(suiteText)) throw new Error(`"${suiteText}" is not a Debian suite name (e.g. bookworm, trixie)`);
        return suiteText;
      }, DEFAULT_SUITE);
      const packages = check('packages', () => parsePackages(packagesText), [] as string[]);
      return { kind: 'build', suite, packages };
    }
    if (!IMAGE_REF.test(imageText)) throw new Error(`"${imageText}" is neither none, build nor an image reference (e.g. ghcr.io/org/det-build:1)`);
    return { kind: 'ref', ref: imageText };
  }, { kind: 'none' });
  const imageOk = !problems.some((p) => p.startsWith('image:'));
  if (mode !== 'compare' && imageOk && image.kind !== 'build') {
    if (suiteText !== DEFAULT_SUITE) problems.push(`suite: only used with image: build (the chroot is built from it), not with image: ${imageText}`);
    if (packagesText !== '') problems.push(`packages: only used with image: build (installed into the built image), not with image: ${imageText}`);
  }

  const epochText = get('epoch');
  const epoch = epochText === '' ? undefined : check('epoch', () => parseEpoch('epoch', epochText), undefined);
  const seedText = raw('seed');
  const seed = check('seed', () => parseSeed('seed', seedText).toString(), '0');
  const vary = check('vary', () => parseBoolean('vary', raw('vary')), true);
  const failOnNondeterminism = check('fail-on-nondeterminism', () => parseBoolean('fail-on-nondeterminism', raw('fail-on-nondeterminism')), true);
  const diffoscope = check('diffoscope', () => parseBoolean('diffoscope', raw('diffoscope')), true);

  if (problems.length > 0) throw new InputError(problems);
  return {
    mode, run, artifacts, runs, workingDirectoryInput: wdText, workingDirectory, image, epoch, seed, vary,
    failOnNondeterminism, diffoscope, manifests, workspace,
  };
}
