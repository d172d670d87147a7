// Logging for the Action: @actions/core, plus care that text coming from the build (file
// names, diffoscope output, log tails) is never taken for a workflow command by the runner.
import { randomBytes } from 'node:crypto';

import * as core from '@actions/core';

import type { Annotation, Budget } from './annotations.js';

export interface Log {
  info(line: string): void;
  startGroup(name: string): void;
  endGroup(): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export const coreLog: Log = {
  info: (l) => core.info(l),
  startGroup: (n) => core.startGroup(n),
  endGroup: () => core.endGroup(),
  group: (n, fn) => core.group(n, fn),
};

/** A line the runner must not read as a command: one starting (after blanks) with "::" gets a "| " prefix. */
export function safeLine(line: string): string {
  return /^\s*::/.test(line) ? `| ${line}` : line;
}

/** Print untrusted text verbatim, with workflow commands switched off around it. */
export function printVerbatim(text: string): void {
  const token = `dettrace-${randomBytes(8).toString('hex')}`;
  process.stdout.write(`::stop-commands::${token}\n`);
  process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  process.stdout.write(`::${token}::\n`);
}

/** Emit annotations through the budget; what does not fit is kept for the summary. */
export function annotate(budget: Budget, a: Annotation): void {
  if (!budget.take(a)) return;
  const props = { title: a.title, ...(a.file !== undefined ? { file: a.file } : {}) };
  if (a.level === 'error') core.error(a.message, props);
  else core.warning(a.message, props);
}
