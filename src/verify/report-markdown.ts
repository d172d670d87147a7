// The human summary of a verify as Markdown (--markdown FILE): verdict, runs, a table of
// artifacts with their hashes per run, where and why each differing artifact differs, the
// ranked likely causes and what this host could not determinize.
import type { FullVerifyReport } from './report-json.js';

/** Escape text for a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Inline code that survives backticks inside. */
export function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function short(hash: string | null): string {
  return hash === null ? '—' : code(hash.slice(0, 12));
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Largest number of identical artifacts listed one by one. */
export const MAX_SAME_ROWS = 200;

export function renderMarkdown(r: FullVerifyReport): string {
  const out: string[] = [];
  const icon = r.exitStatus === 0 ? '✅' : r.exitStatus === 1 ? '❌' : '⚠️';
  out.push(`# ${icon} dettrace verify: ${r.verdict}`, '');
  out.push(
    `Command ${code(r.command.join(' '))} in ${code(r.workdir)}: ${r.runs.length} runs, ` +
      `${r.trace ? 'traced' : 'without the tracer (--no-trace)'}, ${r.vary ? 'host varied between runs' : 'host not varied'}.`,
    '',
  );

  out.push('| run | exit | duration | host setup |', '| ---: | ---: | ---: | --- |');
  for (const run of r.runs) {
    const v = run.varied;
    const setup = Object.keys(v).length === 0
      ? 'same as the other runs'
      : [
          v.tz && `TZ=${v.tz}`, v.locale && `LANG=${v.locale}`, v.umask && `umask ${v.umask}`,
          v.hostname && `host ${v.hostname.split(' ')[0]}`, v.fileOrder, v.cpus && `CPUs: ${v.cpus}`,
        ].filter(Boolean).join(', ');
    out.push(`| ${run.index} | ${run.exitCode}${run.timedOut ? ' (timeout)' : ''} | ${secs(run.durationMs)} | ${cell(setup)} |`);
  }
  out.push('');

  for (const w of r.warnings) out.push(`> **Warning:** ${cell(w)}`, '');

  if (r.artifacts.length === 0) {
    out.push('No artifacts: the build created or changed no files in the work dir.', '');
  } else {
    const head = ['artifact', ...r.runs.map((x) => `run ${x.index}`), ''];
    out.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
    let sameShown = 0;
    let sameHidden = 0;
    for (const a of r.artifacts) {
      if (a.same && sameShown >= MAX_SAME_ROWS) {
        sameHidden++;
        continue;
      }
      if (a.same) sameShown++;
      let state = a.same ? 'same' : a.status === 'missing' ? `**missing** in run ${a.missingIn?.join(', ')}` : '**differs**';
      if (!a.same && a.firstDifference?.offset !== undefined && a.firstDifference.offset !== null && a.status !== 'missing') {
        state += ` at byte ${a.firstDifference.offset}`;
      }
      out.push(`| ${cell(code(a.path))} | ${a.hashes.map(short).join(' | ')} | ${state} |`);
    }
    if (sameHidden > 0) out.push(`| … ${sameHidden} more identical artifacts | ${r.runs.map(() => '').join(' | ')} | same |`);
    out.push('');
  }

  const differing = r.artifacts.filter((a) => !a.same);
  if (differing.length > 0) {
    out.push('## Differences', '');
    for (const a of differing) {
      out.push(`### ${code(a.path)}`, '');
      if (a.cause) out.push(`- **Likely cause:** ${a.cause}`);
      const more = (a.causes ?? []).slice(1, 4);
      for (const c of more) out.push(`- also possible: ${c.cause}`);
      if (a.firstDifference && a.firstDifference.offset !== null) {
        const fd = a.firstDifference;
        out.push(`- first difference between run ${fd.runs[0]} and run ${fd.runs[1]} at byte ${fd.offset} (sizes ${fd.sizes[0]} and ${fd.sizes[1]})`);
        if (fd.context) out.push(`  - run ${fd.runs[0]}: ${code(fd.context[0])}`, `  - run ${fd.runs[1]}: ${code(fd.context[1])}`);
      }
      for (const w of a.where ?? []) out.push(`- ${w}`);
      if (a.diffoscope && a.diffoscope.text.trim() !== '') {
        out.push('', '<details><summary>diffoscope</summary>', '', '```text', a.diffoscope.text.replace(/```/g, '`\u200b``'));
        if (a.diffoscope.omittedLines > 0) out.push(`… ${a.diffoscope.omittedLines} more lines`);
        out.push('```', '', '</details>');
      }
      out.push('');
    }
  }

  if (r.findings.length > 0) {
    out.push('## Likely causes, most likely first', '');
    r.findings.slice(0, 20).forEach((f, i) => {
      const arts = f.artifacts.slice(0, 5).map(code).join(', ') + (f.artifacts.length > 5 ? ` and ${f.artifacts.length - 5} more` : '');
      out.push(`${i + 1}. ${f.cause} — ${arts}`);
    });
    out.push('');
  }

  if (r.hostLimits.length > 0) {
    out.push('## What the tracer did not determinize on this host', '', '| source | status | detail |', '| --- | --- | --- |');
    for (const h of r.hostLimits) out.push(`| ${cell(h.source)} | ${cell(h.status)} | ${cell(h.detail ?? '')} |`);
    out.push('');
  }

  if (r.artifacts.length > 0) out.push(`Digest of run 1's artifacts: ${code(r.digest)}`, '');
  return out.join('\n');
}
