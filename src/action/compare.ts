// mode: compare — the manifests that mode: record wrote in several jobs (e.g. a matrix over
// runner images, downloaded with actions/download-artifact) compared artifact by artifact,
// reported like a verify: outputs, one error annotation per differing artifact, summary.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DetError } from '../errors.js';
import { annotationPath, rankDiffering, type Budget } from './annotations.js';
import type { StepResult } from './build.js';
import type { ActionInputs } from './inputs.js';
import { annotate } from './log.js';
import { compareManifests, findManifests, loadManifests } from './manifest.js';
import { setOutputs } from './outputs.js';
import { compareSummary } from './summary.js';

export async function compareStep(inp: ActionInputs, outDir: string, budget: Budget, version: string): Promise<StepResult> {
  let files: string[];
  try {
    files = findManifests(inp.manifests, inp.workspace);
  } catch (err) {
    throw new DetError('', (err as Error).message);
  }
  if (files.length < 2) {
    throw new DetError('manifests', `found ${files.length} manifest${files.length === 1 ? ` (${files[0]})` : 's'}: comparing needs two or more`);
  }
  let loaded;
  try {
    loaded = loadManifests(files, inp.workspace);
  } catch (err) {
    throw new DetError('manifests', (err as Error).message);
  }
  const report = compareManifests(loaded, version);
  const reportPath = join(outDir, 'report.json');
  writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');

  const differing = rankDiffering(report.artifacts);
  setOutputs({ reproducible: report.reproducible, digest: report.digest, differing: report.artifacts.filter((a) => !a.same).map((a) => a.path), report: reportPath, directory: outDir });

  let failure: string | null = null;
  if (!report.reproducible && inp.failOnNondeterminism) {
    const names = differing.slice(0, 3).map((a) => a.path).join(', ') + (differing.length > 3 ? `, +${differing.length - 3} more` : '');
    failure = `dettrace: not reproducible across machines: ${differing.length} of ${report.artifacts.length} artifacts differ between ${loaded.length} manifests (${names}); see the job summary`;
    budget.reserve('error');
  }
  // Paths in the manifests are relative to the working directory of the record jobs.
  const wd = loaded.find((m) => m.machine?.workingDirectory)?.machine?.workingDirectory ?? '.';
  for (const a of differing) {
    const groups = a.where?.[0] ?? '';
    const lines = [`${a.path} is not the same on every machine: ${a.status === 'missing' ? `missing in ${(a.missingIn ?? []).map((i) => loaded[i - 1].label).join(', ')}; ` : ''}${groups}.`];
    (a.causes ?? []).slice(0, 3).forEach((c, i) => lines.push(`${i === 0 ? 'Likely cause' : 'Also possible'}: ${c.cause}`));
    annotate(budget, {
      level: 'error',
      title: `Not reproducible across machines: ${a.path}`,
      message: lines.join('\n'),
      file: annotationPath(inp.workspace, join(inp.workspace, wd), a.path),
    });
  }
  return { failure, summary: compareSummary(report, budget.overflow, reportPath) };
}
