// The job summary (Markdown/HTML for GITHUB_STEP_SUMMARY): verdict, artifacts table with
// the hash per run, where and why each differing artifact differs, the annotations that did
// not fit GitHub's per-step limits, what this runner could determinize, run timings and the
// image. Built as one string here (pure, testable); main.ts hands it to core.summary.
// GitHub caps a step's summary at 1 MiB: tables and texts are capped well below that.
import type { ArtifactEntry, FullVerifyReport } from '../verify/report-json.js';
import type { Annotation } from './annotations.js';
import { rankDiffering, whereLine } from './annotations.js';
import type { ImageInfo } from './container.js';
import type { CompareReport } from './manifest.js';

export const MAX_SUMMARY_BYTES = 900 * 1024;
export const MAX_TABLE_ROWS = 500;
export const MAX_EXPLAINED = 50;
const MAX_DIFFOSCOPE_CHARS = 6000;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function code(s: string): string {
  return `<code>${esc(s)}</code>`;
}

function short(h: string | null): string {
  return h === null ? '—' : code(h.slice(0, 12));
}

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<tr>${th}</tr>\n${body}\n</table>\n\n`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function resultCell(a: ArtifactEntry, labels?: string[]): string {
  if (a.same) return 'same';
  if (a.status === 'missing') {
    const where = (a.missingIn ?? []).map((i) => (labels ? labels[i - 1] : `run ${i}`)).join(', ');
    return `<b>missing</b> in ${esc(where)}`;
  }
  const at = a.firstDifference?.offset;
  return `<b>differs</b>${at !== undefined && at !== null ? ` at byte ${at}` : ''}`;
}

function artifactsTable(artifacts: ArtifactEntry[], heads: string[], labels?: string[]): string {
  // differing first, so that a capped table still shows them
  const rows = [...artifacts.filter((a) => !a.same), ...artifacts.filter((a) => a.same)];
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  let out = table(['Artifact', ...heads.map(esc), 'Result'], shown.map((a) => [code(a.path), ...a.hashes.map(short), resultCell(a, labels)]));
  if (rows.length > shown.length) out += `<p>… and ${rows.length - shown.length} more artifacts (all the same); the report has every one.</p>\n\n`;
  return out;
}

function explainSection(report: { artifacts: ArtifactEntry[] }, heading: string): string {
  const differing = rankDiffering(report.artifacts);
  if (differing.length === 0) return '';
  let out = `### ${heading}\n\n`;
  for (const a of differing.slice(0, MAX_EXPLAINED)) {
    out += `<p><b>${code(a.path)}</b>: ${esc(whereLine(a))}`;
    if (a.where && a.where.length > 1) out += `<br>\n${a.where.slice(1, 6).map(esc).join('<br>\n')}`;
    out += '</p>\n';
    const causes = a.causes ?? [];
    if (causes.length > 0) {
      out += '<ul>\n';
      causes.slice(0, 4).forEach((c, i) => {
        out += `<li>${i === 0 ? '<b>likely cause</b>' : 'also possible'}: ${esc(c.cause)}${c.evidence ? ` <i>(${esc(c.evidence.slice(0, 300))})</i>` : ''}</li>\n`;
      });
      out += '</ul>\n';
    }
    if (a.diffoscope && a.diffoscope.text) {
      let t = a.diffoscope.text;
      if (t.length > MAX_DIFFOSCOPE_CHARS) t = `${t.slice(0, MAX_DIFFOSCOPE_CHARS)}\n… (cut)`;
      out += `<details><summary>diffoscope</summary>\n\n<pre>${esc(t)}</pre>\n</details>\n`;
    }
    out += '\n';
  }
  if (differing.length > MAX_EXPLAINED) out += `<p>… and ${differing.length - MAX_EXPLAINED} more differing artifacts: see the report.</p>\n\n`;
  return out;
}

function overflowSection(overflow: Annotation[]): string {
  if (overflow.length === 0) return '';
  const rows = overflow.slice(0, MAX_TABLE_ROWS).map((a) => [a.level, a.file ? code(a.file) : '', esc(a.title), esc(a.message).replace(/\n/g, '<br>')]);
  return `### Not annotated (GitHub shows at most 10 errors and 10 warnings per step)\n\n${table(['Level', 'File', 'Title', 'Message'], rows)}`;
}

function guaranteesSection(report: FullVerifyReport): string {
  const rr = report.runs.find((r) => r.report !== null)?.report;
  if (!rr) return report.trace ? '### What this runner determinized\n\nNo run report (the tracer wrote none).\n\n' : '';
  const details = (rr.guaranteeDetails ?? {}) as Record<string, string>;
  const mark: Record<string, string> = { determinized: '✅ determinized', 'unavailable-on-host': '⚠️ unavailable on this host', 'not-handled': '➖ not handled' };
  const rows = Object.entries(rr.guarantees ?? {}).map(([source, status]) => [code(source), mark[status] ?? esc(status), esc(details[source] ?? '')]);
  const host = rr.host as { kernel?: string; cpus?: number } | undefined;
  const where = host?.kernel ? ` (kernel ${esc(String(host.kernel))}${host.cpus ? `, ${host.cpus} CPUs` : ''})` : '';
  return `### What this runner determinized${where}\n\n${table(['Source', 'Status', 'How / why not'], rows)}`;
}

function runsSection(report: FullVerifyReport): string {
  const rows = report.runs.map((r) => {
    const varied = Object.entries(r.varied ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ');
    return [String(r.index), r.exitCode === 0 ? '0' : `<b>${r.exitCode}</b>${r.timedOut ? ' (timed out)' : ''}`, seconds(r.durationMs), esc(varied)];
  });
  let out = `### Runs\n\n${table(['Run', 'Exit', 'Time', 'Host setup'], rows)}`;
  const failed = report.runs.filter((r) => r.exitCode !== 0 && r.logTail);
  for (const r of failed.slice(0, 3)) {
    out += `<details><summary>run ${r.index}: last lines of its output</summary>\n\n<pre>${esc((r.logTail ?? '').slice(-4000))}</pre>\n</details>\n\n`;
  }
  out += `<p>Total: ${seconds(report.durationMs)}.</p>\n\n`;
  return out;
}

function imageSection(image: ImageInfo): string {
  if (image.kind === 'none') return '### Image\n\n<p>none: traced on the runner itself, with its toolchain.</p>\n\n';
  const rows: string[][] = [['Ref', code(image.ref ?? '')]];
  if (image.digest) rows.push(['Digest', code(image.digest)]);
  if (image.repoDigest) rows.push(['Registry digest', code(image.repoDigest)]);
  if (image.how) rows.push(['How', esc(image.how)]);
  for (const c of image.cache ?? []) rows.push(['Cache', esc(c)]);
  return `### Image\n\n${table(['', ''], rows)}`;
}

function notesSection(warnings: string[], extra: string[]): string {
  const all = [...extra, ...warnings];
  if (all.length === 0) return '';
  return `### Notes\n\n<ul>\n${all.map((w) => `<li>${esc(w)}</li>`).join('\n')}\n</ul>\n\n`;
}

/** Keep the summary under GitHub's cap: cut at a section boundary with a note. */
export function capSummary(sections: string[], max = MAX_SUMMARY_BYTES): string {
  let out = '';
  for (const s of sections) {
    if (Buffer.byteLength(out + s) > max) {
      out += '<p>… the rest of this summary is cut (GitHub keeps 1 MiB per step): see the report file.</p>\n';
      break;
    }
    out += s;
  }
  return out;
}

export interface VerifySummaryInput {
  report: FullVerifyReport;
  mode: 'verify' | 'record';
  command: string;
  workdir: string;
  image: ImageInfo;
  overflow: Annotation[];
  reportPath: string;
  manifestPath?: string;
  notes: string[];
}

export function verifySummary(s: VerifySummaryInput): string {
  const r = s.report;
  const n = r.runs.length;
  const diff = r.summary.differing;
  let head: string;
  if (r.summary.failedRuns.length > 0) head = `❌ dettrace: a run failed (${r.summary.failedRuns.map((i) => `run ${i}`).join(', ')})`;
  else if (diff > 0) head = `❌ dettrace: not reproducible — ${diff} of ${r.summary.artifacts} artifacts differ in ${n} runs`;
  else if (n === 1) head = `📝 dettrace: ${r.summary.artifacts} artifacts recorded (1 run: nothing compared)`;
  else head = `✅ dettrace: reproducible — ${r.summary.artifacts} artifacts identical in ${n} runs`;
  const where = s.image.kind === 'none' ? 'traced on the runner' : `traced in ${code(s.image.ref ?? '')}`;
  let intro = `## ${esc(head)}\n\n<p>${code(s.command)} in ${code(s.workdir)}, ${where}${s.mode === 'record' ? ' (mode: record)' : ''}.<br>\n`;
  intro += `Digest: ${code(r.digest)}<br>\nReport: ${code(s.reportPath)}${s.manifestPath ? `<br>\nManifest: ${code(s.manifestPath)}` : ''}</p>\n\n`;
  intro += `<p>${esc(r.verdict)}</p>\n\n`;
  return capSummary([
    intro,
    `### Artifacts\n\n${r.artifacts.length === 0 ? '<p>No artifacts: the build created or changed no files (or the globs matched none).</p>\n\n' : artifactsTable(r.artifacts, r.runs.map((_, i) => `Run ${i + 1}`))}`,
    explainSection(r, 'Why they differ'),
    overflowSection(s.overflow),
    guaranteesSection(r),
    runsSection(r),
    imageSection(s.image),
    notesSection(r.warnings, s.notes),
  ]);
}

export function compareSummary(r: CompareReport, overflow: Annotation[], reportPath: string): string {
  const labels = r.runs.map((m) => m.label);
  const head = r.reproducible
    ? `✅ dettrace: reproducible across machines — ${r.summary.artifacts} artifacts identical in ${r.runs.length} manifests`
    : `❌ dettrace: not reproducible across machines — ${r.summary.differing} of ${r.summary.artifacts} artifacts differ`;
  const intro = `## ${esc(head)}\n\n<p>Digest: ${code(r.digest)}<br>\nReport: ${code(reportPath)}</p>\n\n<p>${esc(r.verdict)}</p>\n\n`;
  const mrows = r.runs.map((m) => {
    const mc = m.machine;
    const runner = mc ? [mc.runner.imageOS, mc.runner.imageVersion, mc.runner.name].filter(Boolean).join(' ') : '';
    const image = mc ? (mc.image.kind === 'none' ? 'none' : `${mc.image.ref ?? ''} ${mc.image.digest ? mc.image.digest.slice(0, 19) : ''}`) : '';
    return [esc(m.label), code(m.digest.slice(0, 16)), String(m.artifacts), esc(runner), esc(mc?.kernel ?? ''), esc(mc?.cpu ?? ''), esc(image),
      mc ? (mc.runs < 2 ? 'not checked (1 run)' : mc.reproducible ? `yes (${mc.runs} runs)` : '<b>no</b>') : ''];
  });
  const machines = `### Manifests\n\n${table(['Manifest', 'Digest', 'Artifacts', 'Runner', 'Kernel', 'CPU', 'Image', 'Reproducible there'], mrows)}`;
  return capSummary([
    intro,
    machines,
    `### Artifacts\n\n${artifactsTable(r.artifacts, labels, labels)}`,
    explainSection(r, 'Why they may differ'),
    overflowSection(overflow),
    notesSection(r.warnings, []),
  ]);
}
