// The terminal summary printed when a verify ends: runs, a table of artifacts with a short
// hash per run and same/DIFFERS, then for each differing artifact where and why, and the
// verdict line.
import type { FullVerifyReport } from './report-json.js';

/** Identical artifacts listed one by one before "… and N more identical". */
export const MAX_SAME_LINES = 50;
const PATH_WIDTH = 56;

function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  return `…${text.slice(text.length - width + 1)}`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function renderSummary(r: FullVerifyReport): string {
  const out: string[] = [];
  for (const run of r.runs) {
    let line = `run ${run.index}/${r.runs.length}: exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''} in ${secs(run.durationMs)}`;
    if (run.varied.buildPath) line += `  [${run.varied.tz ? `TZ=${run.varied.tz}, ` : ''}umask ${run.varied.umask}, ${run.varied.fileOrder.split(' (')[0]}]`;
    out.push(line);
    if (run.exitCode !== 0 && run.logTail) {
      for (const l of run.logTail.split('\n')) out.push(`  | ${l}`);
    }
  }
  out.push('');
  for (const w of r.warnings) out.push(`warning: ${w}`);
  if (r.warnings.length > 0) out.push('');

  if (r.artifacts.length === 0) {
    out.push('no artifacts: the build created or changed no files in the work dir');
  } else {
    const width = Math.min(PATH_WIDTH, Math.max(8, ...r.artifacts.map((a) => a.path.length)));
    out.push(`${'ARTIFACT'.padEnd(width)}  ${r.runs.map((x) => `RUN ${x.index}`.padEnd(12)).join('  ')}  RESULT`);
    let same = 0;
    for (const a of r.artifacts) {
      if (a.same && ++same > MAX_SAME_LINES) continue;
      const hashes = a.hashes.map((h) => (h === null ? '-' : h.slice(0, 12)).padEnd(12)).join('  ');
      let result = 'same';
      if (!a.same) {
        result = a.status === 'missing' ? `MISSING in run ${a.missingIn?.join(', ')}` : 'DIFFERS';
        if (a.status !== 'missing' && a.firstDifference?.offset !== undefined && a.firstDifference.offset !== null) {
          result += ` at byte ${a.firstDifference.offset}`;
        }
        if (a.metadataOnly) result += ' (metadata only)';
      }
      out.push(`${fit(a.path, width)}  ${hashes}  ${result}`);
    }
    if (same > MAX_SAME_LINES) out.push(`… and ${same - MAX_SAME_LINES} more identical artifacts`);
  }

  const differing = r.artifacts.filter((a) => !a.same);
  for (const a of differing.slice(0, 20)) {
    out.push('', `${a.path}:`);
    const fd = a.firstDifference;
    if (fd && fd.offset !== null && fd.context && !a.where) {
      out.push(`  run ${fd.runs[0]} @${fd.contextStart ?? 0}: ${fd.context[0]}`, `  run ${fd.runs[1]} @${fd.contextStart ?? 0}: ${fd.context[1]}`);
    }
    for (const w of (a.where ?? []).slice(0, 12)) out.push(`  ${w}`);
    if ((a.where ?? []).length > 12) out.push(`  … ${(a.where ?? []).length - 12} more lines in the report`);
    if (a.cause) out.push(`  likely cause: ${a.cause}`);
    for (const c of (a.causes ?? []).slice(1, 3)) out.push(`  also possible: ${c.cause}`);
    if (a.diffoscope && a.diffoscope.text.trim() !== '') {
      const lines = a.diffoscope.text.split('\n');
      out.push('  diffoscope:');
      for (const l of lines.slice(0, 40)) out.push(`    ${l}`);
      const more = lines.length - 40 + a.diffoscope.omittedLines;
      if (more > 0) out.push(`    … ${more} more lines${a.diffoscope.omittedLines > 0 ? ' (see diffoscope itself)' : ' in the report'}`);
    }
  }
  if (differing.length > 20) out.push('', `… and ${differing.length - 20} more differing artifacts in the report`);

  if (r.trace && r.hostLimits.length > 0) {
    out.push('', `not determinized on this host: ${r.hostLimits.map((h) => `${h.source} (${h.status})`).join(', ')}`);
  }
  out.push('', r.verdict);
  return `${out.join('\n')}\n`;
}
