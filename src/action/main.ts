// Entry point of the GitHub Action `det/reproducible-build` (action.yml: runs.using node24,
// main dist/index.js, which scripts/bundle.js builds from this file).
//
//   inputs.ts       read and check the inputs (one failure line for every bad value)
//   container.ts    image: none | build (+ cache.ts: GitHub's cache) | a ref to pull
//   verify.ts       the verify engine, in process, its progress in log groups
//   build.ts        mode: verify / record → outputs, annotations, summary
//   compare.ts      mode: compare (manifest.ts) → the same
//   annotations.ts  ranking and GitHub's per-step limits; summary.ts the job summary
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as core from '@actions/core';

import { DetError, formatError } from '../errors.js';
import { packageRoot } from '../native.js';
import { Budget } from './annotations.js';
import { buildStep, type StepResult } from './build.js';
import { compareStep } from './compare.js';
import { envInput, InputError, readInputs } from './inputs.js';
import { esc } from './summary.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Where this step's report, manifest and machine description go: a fresh dir in RUNNER_TEMP. */
function outputDir(env: NodeJS.ProcessEnv): string {
  const base = env.RUNNER_TEMP || tmpdir();
  return mkdtempSync(join(base, `dettrace-${(env.GITHUB_ACTION || 'step').replace(/[^\w.-]/g, '_')}-`));
}

async function writeSummary(text: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('(no GITHUB_STEP_SUMMARY: the job summary is not written)');
    return;
  }
  try {
    await core.summary.addRaw(text, true).write();
  } catch (err) {
    core.info(`the job summary could not be written: ${(err as Error).message}`);
  }
}

/** Run the Action; sets outputs, annotations, summary, and the step's failure. Never throws. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let inputs;
  try {
    inputs = readInputs(envInput(env), env);
  } catch (err) {
    core.setFailed(err instanceof InputError ? `dettrace: bad input: ${err.message}` : formatError(err));
    return;
  }
  const budget = new Budget();
  try {
    const outDir = outputDir(env);
    const result: StepResult = inputs.mode === 'compare'
      ? await compareStep(inputs, outDir, budget, version())
      : await buildStep(inputs, outDir, budget, env);
    await writeSummary(result.summary);
    if (result.failure !== null) core.setFailed(result.failure);
  } catch (err) {
    // A tool error (the tracer cannot start, Docker is missing, a bad manifest): one line.
    if (!(err instanceof DetError) && err instanceof Error && err.stack) core.debug(err.stack);
    const line = formatError(err);
    await writeSummary(`## ❌ dettrace could not verify this build\n\n<p>${esc(line)}</p>\n`);
    core.setFailed(line);
  }
}

await run();
