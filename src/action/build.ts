// mode: verify (the default) and mode: record — run the build under the tracer `runs` times
// on a varied host, compare its artifacts, and report: outputs, annotations, job summary.
// record also writes what a later mode: compare needs (manifest.txt, machine.json) and is
// otherwise the same (with runs: 1 it builds once and only records).
import { writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join, relative, sep } from 'node:path';

import * as core from '@actions/core';

import { sha256Hex } from '../verify/hash.js';
import type { FullVerifyReport } from '../verify/report-json.js';
import { annotationPath, artifactAnnotation, rankDiffering, type Budget } from './annotations.js';
import { prepareImage, type ImageInfo } from './container.js';
import type { ActionInputs } from './inputs.js';
import { annotate, coreLog, printVerbatim } from './log.js';
import { MACHINE_FILE, MANIFEST_FILE, manifestOf, type MachineInfo } from './manifest.js';
import { setOutputs } from './outputs.js';
import { verifySummary } from './summary.js';
import { ensureDiffoscope, runVerifyInProcess, verifyArgv, verifyOptions } from './verify.js';

export interface StepResult {
  /** The one line for core.setFailed, or null when the step succeeds. */
  failure: string | null;
  /** The summary (Markdown/HTML). */
  summary: string;
}

/** Warnings for the sources this runner cannot hide (the tracer would if the host allowed it). */
export function hostLimitWarnings(report: FullVerifyReport): { title: string; message: string }[] {
  const rr = report.runs.find((r) => r.report !== null)?.report;
  if (!rr) return [];
  const details = (rr.guaranteeDetails ?? {}) as Record<string, string>;
  return Object.entries(rr.guarantees ?? {})
    .filter(([, st]) => st === 'unavailable-on-host')
    .map(([source]) => ({
      title: `dettrace: ${source} cannot be determinized on this runner`,
      message: `${details[source] ?? `${source} is unavailable on this host`}. A build that depends on it may differ between runs or machines.`,
    }));
}

function machineInfo(report: FullVerifyReport, image: ImageInfo, inp: ActionInputs, env: NodeJS.ProcessEnv): MachineInfo {
  const rel = relative(inp.workspace, inp.workingDirectory).split(sep).join('/');
  return {
    version: 1,
    digest: report.digest,
    reproducible: report.reproducible,
    runs: report.runs.length,
    runner: { os: env.RUNNER_OS, arch: env.RUNNER_ARCH, name: env.RUNNER_NAME, imageOS: env.ImageOS, imageVersion: env.ImageVersion },
    kernel: release(),
    cpu: cpus()[0]?.model?.trim(),
    image: { kind: image.kind, ref: image.ref, digest: image.digest },
    notDeterminized: report.hostLimits.map((h) => ({ source: h.source, status: h.status })),
    job: env.GITHUB_JOB,
    workingDirectory: rel === '' ? '.' : rel,
    createdAt: new Date().toISOString(),
  };
}

/** Verify (or record) and report. Throws DetError on tool errors. */
export async function buildStep(inp: ActionInputs, outDir: string, budget: Budget, env: NodeJS.ProcessEnv): Promise<StepResult> {
  const warn = (a: Parameters<typeof annotate>[1]) => annotate(budget, a);
  if (env.ACT === 'true' && inp.image.kind !== 'none') {
    // act runs `docker run` as a sibling of the job container: the -v paths of the run
    // copies (in this container's temporary directories) do not exist on the Docker host.
    warn({
      level: 'warning',
      title: 'dettrace: image under act',
      message: `under act, containers started by this step are siblings of the job container and cannot mount its temporary copies of the work dir: image: ${inp.image.kind === 'build' ? 'build' : inp.image.ref} will likely fail; use image: none with act`,
    });
  }
  const image = await prepareImage(inp.image, { info: (l) => core.info(l), warn, budget, group: (n, fn) => core.group(n, fn) });
  const diffoscope = await ensureDiffoscope(inp.diffoscope, coreLog);

  const files = { json: join(outDir, 'report.json'), markdown: join(outDir, 'report.md') };
  const argv = verifyArgv(inp, files, image.ref);
  const opts = verifyOptions(argv, env, inp.workspace);
  core.info(`dettrace ${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}`);
  const { report, text } = await runVerifyInProcess(opts, diffoscope.exe, coreLog, env);
  printVerbatim(text);

  // The manifest (its sha256 is the digest) and the machine it was made on.
  const manifest = manifestOf(report);
  const manifestPath = join(outDir, MANIFEST_FILE);
  writeFileSync(manifestPath, manifest);
  writeFileSync(join(outDir, MACHINE_FILE), JSON.stringify(machineInfo(report, image, inp, env), null, 2) + '\n');
  const notes: string[] = [];
  if (sha256Hex(manifest) !== report.digest) notes.push(`internal: the manifest's sha256 ${sha256Hex(manifest)} is not the report's digest ${report.digest}`);
  notes.push(`diffoscope: ${diffoscope.note}`);

  const differing = report.artifacts.filter((a) => !a.same);
  setOutputs({ reproducible: report.reproducible, digest: report.digest, differing: differing.map((a) => a.path), report: files.json, manifest: manifestPath, directory: outDir });

  // Verdict first: it decides whether setFailed takes one of the 10 error annotations.
  const failed = report.runs.filter((r) => r.exitCode !== 0);
  const allFailed = failed.length > 0 && failed.length === report.runs.length;
  let failure: string | null = null;
  const names = (list: string[]) => list.slice(0, 3).join(', ') + (list.length > 3 ? `, +${list.length - 3} more` : '');
  if (allFailed) {
    failure = `dettrace: the build failed in every run (${failed.map((r) => `run ${r.index}: exit ${r.exitCode}`).join(', ')}); fix the build first`;
  } else if (!report.reproducible && inp.failOnNondeterminism) {
    failure = failed.length > 0
      ? `dettrace: not reproducible: ${failed.map((r) => `run ${r.index}`).join(', ')} failed while the others succeeded`
      : `dettrace: not reproducible: ${differing.length} of ${report.artifacts.length} artifacts differ across ${report.runs.length} runs (${names(rankDiffering(report.artifacts).map((a) => a.path))}); see the job summary`;
  }
  if (failure !== null) budget.reserve('error');

  for (const w of hostLimitWarnings(report)) warn({ level: 'warning', ...w });
  for (const r of failed) {
    const tail = (r.logTail ?? '').split('\n').filter(Boolean).slice(-8).join('\n');
    warn({ level: 'error', title: `Run ${r.index} of ${report.runs.length} failed (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''})`, message: tail || `exit status ${r.exitCode}` });
  }
  for (const a of rankDiffering(report.artifacts)) {
    const ann = artifactAnnotation(a, annotationPath(inp.workspace, inp.workingDirectory, a.path), report.runs.length);
    warn(ann); // an error annotation even when the step does not fail (SPEC §2: every differing artifact)
  }

  const summary = verifySummary({
    report, mode: inp.mode === 'record' ? 'record' : 'verify', command: inp.run, workdir: inp.workingDirectoryInput, image,
    overflow: budget.overflow, reportPath: files.json, manifestPath, notes,
  });
  return { failure, summary };
}
