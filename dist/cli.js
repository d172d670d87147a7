// Built by scripts/bundle.js (esbuild) from src/ — do not edit; run `npm run bundle`.
import { createRequire as __detCreateRequire } from 'node:module';
const require = __detCreateRequire(import.meta.url);

// src/errors.ts
var TOOL_ERROR = 125;
var DetError = class extends Error {
  what;
  why;
  usage;
  exitCode;
  constructor(what, why, opts = {}) {
    super(what ? `${what}: ${why}` : why, opts.cause === void 0 ? void 0 : { cause: opts.cause });
    this.name = "DetError";
    this.what = what;
    this.why = why;
    this.usage = opts.usage ?? false;
    this.exitCode = opts.exitCode ?? TOOL_ERROR;
  }
};
function usageError(what, why) {
  return new DetError(what, why, { usage: true });
}
function oneLine(text) {
  return text.replace(/\s*\r?\n\s*/g, " ").trim();
}
function formatError(err) {
  if (err instanceof DetError) {
    const hint = err.usage ? " (try 'dettrace --help')" : "";
    return oneLine(`dettrace: ${err.message}`) + hint;
  }
  const message = err instanceof Error ? err.message : String(err);
  return oneLine(`dettrace: internal error: ${message || "unknown error"}`);
}
function exitCodeOf(err) {
  return err instanceof DetError ? err.exitCode : TOOL_ERROR;
}

// src/help.ts
import { readFileSync as readFileSync2 } from "node:fs";
import { join as join3 } from "node:path";

// src/native.ts
import { accessSync, constants as fsc, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
var PACKAGE_NAME = "dettrace";
var TRACER_NAME = "dettrace-tracer";
var BUILD_HINT = "run npm run build:native";
var platformDir = `${process.platform}-${process.arch}`;
var cachedRoot;
function isPackageRoot(dir) {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    return pkg.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
function packageRoot() {
  if (cachedRoot !== void 0) return cachedRoot;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isPackageRoot(dir)) return cachedRoot = dir;
    if (dirname(dir) === dir) break;
  }
  throw new DetError("package root", `no package.json named "${PACKAGE_NAME}" above ${start}`);
}
function isExecutableFile(file) {
  try {
    if (!statSync(file).isFile()) return "missing";
  } catch {
    return "missing";
  }
  try {
    accessSync(file, fsc.X_OK);
    return "yes";
  } catch {
    return "not-executable";
  }
}
function tracerCandidates(root = packageRoot()) {
  return [join(root, "build", "Release", TRACER_NAME), join(root, "prebuilds", platformDir, TRACER_NAME)];
}
function tracerPath() {
  const root = packageRoot();
  const candidates = tracerCandidates(root);
  for (const file of candidates) {
    const state = isExecutableFile(file);
    if (state === "yes") return file;
    if (state === "not-executable") throw new DetError(file, `native tracer is not executable (${BUILD_HINT})`);
  }
  const where = candidates.map((c) => c.slice(root.length + 1)).join(" or ");
  throw new DetError("native tracer not built", `${BUILD_HINT} (looked for ${where} in ${root})`);
}
function addonFiles(root) {
  const found = [];
  for (const dir of [join(root, "build", "Release"), join(root, "prebuilds", platformDir)]) {
    try {
      for (const name of readdirSync(dir).sort()) if (name.endsWith(".node")) found.push(join(dir, name));
    } catch {
    }
  }
  return found;
}
var cachedAddon;
function loadAddon() {
  if (cachedAddon !== void 0) return cachedAddon;
  const root = packageRoot();
  const require2 = createRequire(import.meta.url);
  let nodeGypBuild;
  try {
    nodeGypBuild = require2("node-gyp-build");
  } catch {
    nodeGypBuild = void 0;
  }
  let addon;
  try {
    if (nodeGypBuild) {
      addon = nodeGypBuild(root);
    } else {
      const file = addonFiles(root)[0];
      if (file === void 0) throw Object.assign(new Error("No native build was found"), { notBuilt: true });
      addon = require2(file);
    }
  } catch (err) {
    const message = err?.message ?? String(err);
    if (err.notBuilt || /No native build was found/.test(message)) {
      throw new DetError("native addon not built", `${BUILD_HINT} (looked in build/Release and prebuilds/${platformDir} of ${root})`);
    }
    throw new DetError("native addon", `cannot load: ${message.split("\n")[0]}`);
  }
  if (addon === null || typeof addon !== "object") {
    throw new DetError("native addon", "loaded, but it exports no object");
  }
  return cachedAddon = addon;
}
function rootSkeleton() {
  const dir = join(packageRoot(), "root");
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new DetError(dir, "root skeleton of the default container is missing (broken installation)");
  return dir;
}

// src/options.ts
import { accessSync as accessSync2, closeSync, constants as fsc2, openSync, statSync as statSync2, unlinkSync } from "node:fs";
import { dirname as dirname2, isAbsolute, join as join2, resolve } from "node:path";
var SUBCOMMANDS = ["run", "verify", "probe"];
var RUN_VERIFY = ["run", "verify"];
var VERIFY = ["verify"];
var ALL = ["run", "verify", "probe"];
var DEFAULT_EPOCH = 744847200;
var MAX_EPOCH = 9223372035;
var MAX_SEED = (1n << 64n) - 1n;
var DEFAULT_RUNS = 2;
var OPTION_TABLE = [
  // run (and verify: every run option)
  {
    name: "--chroot",
    arg: "DIR",
    kind: "dir",
    key: "chroot",
    commands: RUN_VERIFY,
    help: "root file system for the command (e.g. a debootstrapped tree)",
    default: "a minimal container from the package's root/ skeleton, with the host's /usr, /bin, /lib*, /sbin mounted read-only"
  },
  {
    name: "--workdir",
    arg: "DIR",
    kind: "dir",
    key: "workdir",
    commands: RUN_VERIFY,
    help: "host directory mounted read-write at /build, where the command starts",
    default: "the current directory"
  },
  {
    name: "--epoch",
    arg: "SECONDS",
    kind: "epoch",
    key: "epoch",
    commands: RUN_VERIFY,
    help: "the logical wall clock's start (integer seconds since 1970-01-01 UTC)",
    default: `$SOURCE_DATE_EPOCH if set, else ${DEFAULT_EPOCH} (1993-08-08 22:00:00 UTC)`
  },
  {
    name: "--seed",
    arg: "N",
    kind: "seed",
    key: "seed",
    commands: RUN_VERIFY,
    help: "seed of every random source handed to the command (0 .. 2^64-1)",
    default: "0"
  },
  {
    name: "--env",
    arg: "NAME[=VALUE]",
    kind: "env",
    key: "env",
    repeatable: true,
    commands: RUN_VERIFY,
    help: "pass one variable into the fixed environment; NAME alone takes its value from the current environment (repeatable)",
    default: "the fixed environment only"
  },
  {
    name: "--report",
    arg: "FILE",
    kind: "outfile",
    key: "report",
    commands: RUN_VERIFY,
    help: "write the run report (JSON)",
    default: "none"
  },
  {
    name: "--timeout",
    arg: "SECONDS",
    kind: "seconds",
    key: "timeout",
    commands: RUN_VERIFY,
    help: "kill the whole process tree after this long, exit 124",
    default: "none"
  },
  {
    name: "--strict",
    kind: "flag",
    key: "strict",
    commands: RUN_VERIFY,
    help: "refuse (exit 125) instead of warning when something can't be determinized on this host",
    default: "off"
  },
  {
    name: "--debug",
    arg: "N",
    kind: "level",
    key: "debug",
    commands: RUN_VERIFY,
    help: "tracer diagnostics level, to stderr or the --log file",
    default: "0"
  },
  {
    name: "--log",
    arg: "FILE",
    kind: "outfile",
    key: "log",
    commands: RUN_VERIFY,
    help: "write tracer diagnostics to FILE instead of stderr",
    default: "stderr"
  },
  {
    name: "--image",
    arg: "REF",
    kind: "text",
    key: "image",
    commands: RUN_VERIFY,
    help: "run the tracer inside this container image (extension)",
    default: "none: trace on this host"
  },
  // verify only
  {
    name: "--artifacts",
    arg: "GLOB",
    kind: "glob",
    key: "artifacts",
    repeatable: true,
    commands: VERIFY,
    help: "files to compare, relative to the work dir (repeatable)",
    default: "every file the build created or changed in the work dir"
  },
  {
    name: "--runs",
    arg: "N",
    kind: "count",
    key: "runs",
    commands: VERIFY,
    help: "how many runs",
    default: String(DEFAULT_RUNS)
  },
  {
    name: "--vary",
    kind: "flag",
    key: "vary",
    set: true,
    commands: VERIFY,
    help: "vary the host between runs (wall time, work-dir path, env, umask, hostname, file creation order)",
    default: "on"
  },
  {
    name: "--no-vary",
    kind: "flag",
    key: "vary",
    set: false,
    commands: VERIFY,
    help: "run every time on the same host setup",
    default: "off (the host is varied)"
  },
  {
    name: "--no-trace",
    kind: "flag",
    key: "trace",
    set: false,
    commands: VERIFY,
    help: "run without the tracer (to see how nondeterministic the build is natively)",
    default: "off (every run is traced)"
  },
  {
    name: "--json",
    arg: "FILE",
    kind: "outfile",
    key: "json",
    commands: VERIFY,
    help: "write the verify report (JSON)",
    default: "none"
  },
  {
    name: "--markdown",
    arg: "FILE",
    kind: "outfile",
    key: "markdown",
    commands: VERIFY,
    help: "write a human summary (Markdown table)",
    default: "none"
  },
  // probe
  {
    name: "--json",
    kind: "flag",
    key: "json",
    commands: ["probe"],
    help: "print the raw JSON object instead of a table",
    default: "off"
  },
  // everywhere
  {
    name: "--help",
    alias: "-h",
    kind: "help",
    key: "help",
    commands: ALL,
    help: "print this help and exit",
    default: ""
  },
  {
    name: "--version",
    kind: "version",
    key: "version",
    commands: ALL,
    help: "print the version and exit",
    default: ""
  }
];
function findOption(word, sub) {
  return OPTION_TABLE.find((o) => (o.name === word || o.alias === word) && o.commands.includes(sub));
}
function parseArgs(argv, ctx = {}) {
  const env2 = ctx.env ?? process.env;
  const cwd = ctx.cwd ?? process.cwd();
  let sub = "run";
  let explicit = false;
  let i = 0;
  if (argv.length > 0 && SUBCOMMANDS.includes(argv[0])) {
    sub = argv[0];
    explicit = true;
    i = 1;
  }
  const given = [];
  let command = null;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") {
      command = argv.slice(i + 1);
      break;
    }
    if (word.startsWith("-") && word !== "-") {
      const eq = word.startsWith("--") ? word.indexOf("=") : -1;
      const name = eq >= 0 ? word.slice(0, eq) : word;
      const inline = eq >= 0 ? word.slice(eq + 1) : void 0;
      const spec = findOption(name, sub);
      if (!spec) {
        const elsewhere = OPTION_TABLE.filter((o) => o.name === name || o.alias === name).flatMap((o) => o.commands);
        if (elsewhere.length > 0) {
          const where = [...new Set(elsewhere)].map((c) => `'dettrace ${c}'`).join(" and ");
          throw usageError(name, `not an option of 'dettrace ${sub}' (only of ${where})`);
        }
        throw usageError(name, "unknown option");
      }
      if (spec.kind === "help") return { kind: "help", subcommand: explicit ? sub : null };
      if (spec.kind === "version") return { kind: "version" };
      if (spec.arg === void 0) {
        if (inline !== void 0) throw usageError(name, "takes no value");
        given.push({ spec, as: name });
        continue;
      }
      let value = inline;
      if (value === void 0) {
        if (i + 1 >= argv.length) throw usageError(name, `needs a value (${spec.name} ${spec.arg})`);
        value = argv[++i];
      }
      given.push({ spec, as: name, value });
      continue;
    }
    command = argv.slice(i);
    break;
  }
  if (sub === "probe") {
    if (command !== null && command.length > 0) {
      throw usageError("probe", `unexpected argument '${command[0]}'`);
    }
    return { kind: "probe", options: { json: given.some((g) => g.spec.key === "json") } };
  }
  if (command === null || command.length === 0) {
    const form = sub === "verify" ? "dettrace verify" : "dettrace [run]";
    throw usageError("missing command", `give the command to run, as in '${form} [OPTIONS] [--] COMMAND [ARG...]'`);
  }
  const opts = {
    command,
    workdir: cwd,
    epoch: DEFAULT_EPOCH,
    seed: 0,
    seedText: "0",
    env: [],
    strict: false,
    debug: 0,
    artifacts: [],
    runs: DEFAULT_RUNS,
    vary: true,
    trace: true
  };
  const record = opts;
  let epochGiven = false;
  const envByName = /* @__PURE__ */ new Map();
  for (const g of given) {
    const { spec, as } = g;
    const value = g.value ?? "";
    switch (spec.kind) {
      case "flag":
        record[spec.key] = spec.set ?? true;
        break;
      case "epoch":
        opts.epoch = parseEpoch(as, value);
        epochGiven = true;
        break;
      case "seed": {
        const seed = parseSeed(as, value);
        opts.seedText = seed.toString();
        opts.seed = Number(seed);
        break;
      }
      case "count":
        record[spec.key] = parseInteger(as, value, 1, Number.MAX_SAFE_INTEGER);
        break;
      case "level":
        record[spec.key] = parseInteger(as, value, 0, 2 ** 31 - 1);
        break;
      case "seconds":
        record[spec.key] = parseSeconds(as, value);
        break;
      case "dir":
        record[spec.key] = existingDir(as, value, cwd);
        break;
      case "outfile":
        record[spec.key] = outputFile(as, value, cwd);
        break;
      case "env": {
        const [name, val] = parseEnv(as, value, env2);
        envByName.delete(name);
        envByName.set(name, val);
        break;
      }
      case "glob":
        opts.artifacts.push(parseGlob(as, value));
        break;
      case "text":
        if (value.trim() === "") throw usageError(as, "must not be empty");
        record[spec.key] = value;
        break;
      default:
        throw new Error(`option table: unhandled kind ${spec.kind} of ${spec.name}`);
    }
  }
  opts.env = [...envByName].map(([name, val]) => `${name}=${val}`);
  if (!epochGiven) {
    const sde = env2.SOURCE_DATE_EPOCH;
    if (sde !== void 0 && sde !== "") {
      try {
        opts.epoch = parseEpoch("SOURCE_DATE_EPOCH", sde);
      } catch (err) {
        const why = err instanceof DetError ? err.why : String(err);
        throw new DetError("SOURCE_DATE_EPOCH", `${why}; fix or unset it, or pass --epoch SECONDS`);
      }
    }
  }
  if (sub === "run") {
    const run = {
      command: opts.command,
      workdir: opts.workdir,
      epoch: opts.epoch,
      seed: opts.seed,
      seedText: opts.seedText,
      env: opts.env,
      strict: opts.strict,
      debug: opts.debug
    };
    for (const key of ["chroot", "image", "report", "timeout", "log"]) {
      if (opts[key] !== void 0) run[key] = opts[key];
    }
    return { kind: "run", options: run };
  }
  return { kind: "verify", options: opts };
}
var DIGITS = /^[0-9]+$/;
function show(value) {
  return JSON.stringify(value).replace(/^"|"$/g, "'");
}
function parseEpoch(what, value) {
  if (!DIGITS.test(value)) {
    throw usageError(what, `${show(value)} is not a whole number of seconds (0 .. ${MAX_EPOCH})`);
  }
  const n = Number(value);
  if (n > MAX_EPOCH) throw usageError(what, `${show(value)} is too large (at most ${MAX_EPOCH})`);
  return n;
}
function parseSeed(what, value) {
  if (!DIGITS.test(value)) throw usageError(what, `${show(value)} is not a non-negative integer`);
  const n = BigInt(value);
  if (n > MAX_SEED) throw usageError(what, `${show(value)} is too large (at most 2^64-1 = ${MAX_SEED})`);
  return n;
}
function parseInteger(what, value, min, max) {
  if (!DIGITS.test(value)) {
    throw usageError(what, `${show(value)} is not an integer >= ${min}`);
  }
  const n = Number(value);
  if (n < min) throw usageError(what, `${show(value)} is less than ${min}`);
  if (n > max) throw usageError(what, `${show(value)} is too large (at most ${max})`);
  return n;
}
function parseSeconds(what, value) {
  const ok = /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(value);
  const n = ok ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) {
    throw usageError(what, `${show(value)} is not a positive number of seconds`);
  }
  if (n > 1e9) throw usageError(what, `${show(value)} is too large (at most 1e9 seconds)`);
  return n;
}
function errnoOf(err) {
  return err?.code ?? "";
}
function describeFsError(err) {
  switch (errnoOf(err)) {
    case "ENOENT":
      return "does not exist";
    case "ENOTDIR":
      return "a component of the path is not a directory";
    case "EACCES":
      return "permission denied";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "ENAMETOOLONG":
      return "file name too long";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on the device";
    case "EPERM":
      return "operation not permitted";
    default:
      return err?.message ?? String(err);
  }
}
function existingDir(what, value, cwd) {
  if (value === "") throw usageError(what, "empty path");
  const abs = resolve(cwd, value);
  let isDir;
  try {
    isDir = statSync2(abs).isDirectory();
  } catch (err) {
    throw usageError(what, `${value}: ${describeFsError(err)}`);
  }
  if (!isDir) throw usageError(what, `${value}: not a directory`);
  try {
    accessSync2(abs, fsc2.R_OK | fsc2.X_OK);
  } catch (err) {
    throw usageError(what, `${value}: ${describeFsError(err)}`);
  }
  return abs;
}
function outputFile(what, value, cwd) {
  if (value === "") throw usageError(what, "empty path");
  if (value.endsWith("/")) throw usageError(what, `${value}: names a directory, not a file`);
  const abs = resolve(cwd, value);
  const parent = dirname2(abs);
  let parentIsDir;
  try {
    parentIsDir = statSync2(parent).isDirectory();
  } catch (err) {
    throw usageError(what, `${value}: directory ${parent} ${describeFsError(err)}`);
  }
  if (!parentIsDir) throw usageError(what, `${value}: ${parent} is not a directory`);
  let st;
  try {
    st = statSync2(abs);
  } catch (err) {
    if (errnoOf(err) !== "ENOENT") throw usageError(what, `${value}: ${describeFsError(err)}`);
  }
  if (st?.isDirectory()) throw usageError(what, `${value}: is a directory`);
  const exists = st !== void 0;
  try {
    accessSync2(exists ? abs : parent, exists ? fsc2.W_OK : fsc2.W_OK | fsc2.X_OK);
  } catch {
    throw usageError(what, exists ? `${value}: file is not writable` : `${value}: directory ${parent} is not writable`);
  }
  const probe = join2(parent, `.dettrace-probe-${process.pid}-${Date.now()}`);
  try {
    closeSync(openSync(probe, "wx", 384));
  } catch (err) {
    const why = errnoOf(err) === "ENOENT" ? "the file system takes no new files" : describeFsError(err);
    throw usageError(what, `${value}: cannot create a file in ${parent}: ${why}`);
  }
  try {
    unlinkSync(probe);
  } catch {
  }
  return abs;
}
var ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
function parseEnv(what, value, env2) {
  const eq = value.indexOf("=");
  const name = eq >= 0 ? value.slice(0, eq) : value;
  if (!ENV_NAME.test(name)) {
    throw usageError(what, `${show(name)} is not a valid variable name (letters, digits, _; not starting with a digit)`);
  }
  if (name === "SOURCE_DATE_EPOCH") {
    throw usageError(what, "SOURCE_DATE_EPOCH is set from the logical clock; use --epoch SECONDS");
  }
  if (eq >= 0) return [name, value.slice(eq + 1)];
  const val = env2[name];
  if (val === void 0) throw usageError(what, `${name} is not set in the current environment (use ${name}=VALUE)`);
  return [name, val];
}
function parseGlob(what, value) {
  if (value.trim() === "") throw usageError(what, "empty pattern");
  if (isAbsolute(value)) throw usageError(what, `${value}: must be relative to the work dir`);
  if (value.split("/").includes("..")) throw usageError(what, `${value}: must not leave the work dir ('..')`);
  return value;
}

// src/help.ts
function label(o) {
  const names = o.alias ? `${o.alias}, ${o.name}` : o.name;
  return o.arg ? `${names} ${o.arg}` : names;
}
var WIDTH = 96;
function wrap(text, width) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
function section(title, rows) {
  const width = Math.max(...rows.map((o) => label(o).length)) + 4;
  const lines = [title];
  for (const o of rows) {
    const room = Math.max(40, WIDTH - width);
    const body = wrap(o.help, room);
    if (o.default) body.push(...wrap(`default: ${o.default}`, room));
    lines.push(`  ${label(o).padEnd(width - 2)}${body[0]}`);
    for (const more of body.slice(1)) lines.push(" ".repeat(width) + more);
  }
  return lines;
}
var only = (pred) => OPTION_TABLE.filter(pred);
var has = (o, ...subs) => subs.every((s) => o.commands.includes(s));
var special = (o) => o.kind === "help" || o.kind === "version";
function helpText() {
  const lines = [
    "dettrace: run a build under a determinizing ptrace tracer and prove it reproducible",
    "",
    "Usage:",
    "  dettrace [run] [OPTIONS] [--] COMMAND [ARG...]     run COMMAND determinized",
    "  dettrace verify [OPTIONS] [--] COMMAND [ARG...]    run it N times, compare artifacts",
    "  dettrace probe [--json]                             what this host lets us determinize",
    "  dettrace --help | --version",
    "",
    "'run' is the default. Everything after '--' (or from the first word that is not an option)",
    "is the command, untouched. Options take their value as the next argument or as --opt=VALUE.",
    "",
    ...section("Options of run (verify takes them too):", only((o) => has(o, "run", "verify") && !special(o))),
    "",
    ...section("Options of verify only:", only((o) => has(o, "verify") && !has(o, "run") && !special(o))),
    "",
    ...section("Options of probe:", only((o) => has(o, "probe") && !has(o, "run") && !special(o))),
    "",
    ...section("General:", only(special)),
    "",
    "Inside, the command sees: cwd /build; uid/gid 0; a fixed hostname and uname; a fixed",
    "environment (PATH, HOME=/root, LANG=C.UTF-8, TZ=UTC, SOURCE_DATE_EPOCH, plus --env);",
    "no network but loopback.",
    "",
    "Exit status of run: the command's own; 127 command not found; 126 not executable;",
    "  128+N killed by signal N; 124 --timeout; 125 the tracer could not start or run it.",
    "Exit status of verify: 0 all artifacts identical; 1 some differ; 2 a run failed;",
    "  125 tool error."
  ];
  return lines.join("\n") + "\n";
}
function versionText() {
  const file = join3(packageRoot(), "package.json");
  try {
    const pkg = JSON.parse(readFileSync2(file, "utf8"));
    if (typeof pkg.version !== "string") throw new Error('no "version" field');
    return pkg.version;
  } catch (err) {
    throw new DetError(file, `cannot read the version: ${err.message}`);
  }
}

// src/run.ts
import { spawn as spawn2 } from "node:child_process";
import { constants as osc2 } from "node:os";
import { performance as performance2 } from "node:perf_hooks";

// src/image.ts
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync as readFileSync3,
  readdirSync as readdirSync2,
  readlinkSync,
  renameSync,
  rmSync,
  statSync as statSync3,
  symlinkSync,
  utimesSync,
  writeFileSync
} from "node:fs";
import { constants as osc, homedir } from "node:os";
import { basename, dirname as dirname3, join as join4, resolve as resolve2 } from "node:path";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
var DEFAULT_SUITE = "bookworm";
var DEFAULT_VARIANT = "minbase";
var DEFAULT_IMAGE_EPOCH = 744847200;
var IMAGE_REPOSITORY = "det/build";
var CACHE_SCHEMA = 1;
var KEEP_BASE_LAYERS = 3;
var env = (name) => {
  const v = process.env[name];
  return v === void 0 || v === "" ? void 0 : v;
};
var sha256 = (data) => createHash("sha256").update(data).digest("hex");
function parsePackages(p) {
  const list = (Array.isArray(p) ? p.join(" ") : p ?? "").split(/[\s,]+/).filter((s) => s !== "");
  for (const name of list) {
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(name)) throw new DetError(`package "${name}"`, "not a Debian package name");
  }
  return [...new Set(list)].sort();
}
function debianMirror() {
  const fromEnv = env("DET_DEBIAN_MIRROR");
  if (fromEnv) return fromEnv.replace(/\/+$/, "");
  const files = [];
  if (existsSync("/etc/apt/sources.list")) files.push("/etc/apt/sources.list");
  try {
    for (const f of readdirSync2("/etc/apt/sources.list.d").sort()) {
      if (f.endsWith(".list") || f.endsWith(".sources")) files.push(join4("/etc/apt/sources.list.d", f));
    }
  } catch {
  }
  const isMain = (suite) => !/-(security|updates|backports|proposed)$/.test(suite);
  const isDebian = (uri) => /\/debian\/?$/.test(uri);
  for (const file of files) {
    const text = readFileSync3(file, "utf8");
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (n) => new RegExp(`^${n}:\\s*(.*)$`, "mi").exec(stanza)?.[1].trim() ?? "";
        if (!/\bdeb\b/.test(field("Types")) || /^no$/i.test(field("Enabled"))) continue;
        const uri = field("URIs").split(/\s+/)[0];
        if (uri && isDebian(uri) && field("Suites").split(/\s+/).some(isMain)) return uri.replace(/\/+$/, "");
      }
    } else {
      for (const line of text.split("\n")) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && isDebian(m[1]) && isMain(m[2])) return m[1].replace(/\/+$/, "");
      }
    }
  }
  try {
    const m = /^DEF_MIRROR="([^"]+)"/m.exec(readFileSync3("/usr/sbin/debootstrap", "utf8"));
    if (m) return m[1];
  } catch {
  }
  throw new DetError("Debian mirror", "none configured in /etc/apt/sources.list* and debootstrap is not installed; set DET_DEBIAN_MIRROR or pass --mirror URL");
}
function defaultTracerDir(root = packageRoot()) {
  const fromEnv = env("DET_IMAGE_TRACER_DIR");
  if (fromEnv) return resolve2(fromEnv);
  const release = join4(root, "build", "Release");
  if (existsSync(join4(release, TRACER_NAME)) && existsSync(join4(release, "dettrace.node"))) return release;
  return join4(root, "prebuilds", `${process.platform}-${process.arch}`);
}
function walk(dir, rel, out, keep) {
  let names;
  try {
    names = readdirSync2(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const src = join4(dir, name);
    const dest = rel ? `${rel}/${name}` : name;
    const st = lstatSync(src);
    if (st.isSymbolicLink()) out.push({ dest, src, mode: 0, link: readlinkSync(src) });
    else if (st.isDirectory()) walk(src, dest, out, keep);
    else if (st.isFile() && keep(name)) out.push({ dest, src, mode: st.mode & 73 ? 493 : 420 });
  }
}
function productionDeps(root) {
  const seen = /* @__PURE__ */ new Set();
  const visit = (pkgJson) => {
    const deps = JSON.parse(readFileSync3(pkgJson, "utf8")).dependencies ?? {};
    for (const name of Object.keys(deps)) {
      if (seen.has(name)) continue;
      const dir = join4(root, "node_modules", name);
      if (!existsSync(join4(dir, "package.json"))) {
        throw new DetError(`node_modules/${name}`, "missing: run npm ci (the image ships the production dependencies)");
      }
      seen.add(name);
      visit(join4(dir, "package.json"));
    }
  };
  visit(join4(root, "package.json"));
  return [...seen].sort();
}
function detPackageFiles(root = packageRoot(), tracerDir = defaultTracerDir(root)) {
  const files = [];
  for (const name of [TRACER_NAME, "dettrace.node"]) {
    const src = join4(tracerDir, name);
    if (!existsSync(src)) throw new DetError(src, "missing: run npm run build:native (the image ships the prebuilt tracer)");
    files.push({ dest: `prebuilds/linux-x64/${name}`, src, mode: 493 });
  }
  const compiled = existsSync(join4(root, "lib", "src", "cli.js"));
  if (!compiled && !existsSync(join4(root, "dist", "cli.js"))) {
    throw new DetError(join4(root, "lib"), "no compiled CLI: run npm run build:ts");
  }
  files.push({ dest: "package.json", src: join4(root, "package.json"), mode: 420 });
  walk(join4(root, "bin"), "bin", files, () => true);
  walk(join4(root, "root"), "root", files, () => true);
  walk(join4(root, "image"), "image", files, (n) => n.endsWith(".sh"));
  if (compiled) {
    walk(join4(root, "lib", "src"), "lib/src", files, (n) => n.endsWith(".js"));
    for (const dep of productionDeps(root)) {
      walk(join4(root, "node_modules", dep), `node_modules/${dep}`, files, () => true);
    }
  } else {
    files.push({ dest: "dist/cli.js", src: join4(root, "dist", "cli.js"), mode: 420 });
    walk(join4(root, "dist", "verify"), "dist/verify", files, (n) => n.endsWith(".js"));
  }
  return files.sort((a, b) => a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0);
}
async function sha256Stream(file) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk);
  return h.digest("hex");
}
function intEnv(name) {
  const v = env(name);
  if (v === void 0) return void 0;
  if (!/^\d+$/.test(v)) throw new DetError(name, `must be integer seconds, got "${v}"`);
  return Number(v);
}
function rootfsScript(root = packageRoot()) {
  return join4(root, "image", "mkrootfs.sh");
}
function baseInputs(opts = {}) {
  const variant = opts.variant ?? env("DET_IMAGE_VARIANT") ?? DEFAULT_VARIANT;
  if (variant !== "minbase" && variant !== "buildd") throw new DetError("variant", `must be minbase or buildd, got "${String(variant)}"`);
  const suite = opts.suite ?? env("DET_IMAGE_SUITE") ?? DEFAULT_SUITE;
  if (!/^[a-z][a-z0-9-]*$/.test(suite)) throw new DetError("suite", `not a Debian suite name: "${suite}"`);
  const epoch = opts.epoch ?? intEnv("DET_IMAGE_EPOCH") ?? DEFAULT_IMAGE_EPOCH;
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new DetError("epoch", `must be integer seconds, got ${epoch}`);
  return {
    schema: CACHE_SCHEMA,
    suite,
    variant,
    packages: parsePackages(opts.packages ?? env("DET_IMAGE_PACKAGES")),
    epoch,
    mirror: (opts.mirror ?? debianMirror()).replace(/\/+$/, ""),
    arch: opts.arch ?? "amd64",
    script: sha256(readFileSync3(rootfsScript()))
  };
}
function imageInputs(opts = {}, files) {
  const base = baseInputs(opts);
  const list = files ?? detPackageFiles(packageRoot(), opts.tracerDir ?? defaultTracerDir());
  return {
    base,
    baseKey: sha256(JSON.stringify(base)),
    files: list.map((f) => [f.dest, f.mode, f.link !== void 0 ? `->${f.link}` : sha256(readFileSync3(f.src))])
  };
}
function imageCacheKey(opts = {}) {
  const inputs = "baseKey" in opts ? opts : imageInputs(opts);
  return sha256(JSON.stringify({ baseKey: inputs.baseKey, files: inputs.files }));
}
function imageCacheDir(dir) {
  if (dir) return resolve2(dir);
  const fromEnv = env("DET_CACHE_DIR");
  if (fromEnv) return resolve2(fromEnv);
  return join4(env("XDG_CACHE_HOME") ?? join4(homedir(), ".cache"), "dettrace", "images");
}
function imageCachePaths(baseKey, cacheDir) {
  const dir = imageCacheDir(cacheDir);
  return { layer: join4(dir, `base-${baseKey}.tar`), meta: join4(dir, `base-${baseKey}.json`) };
}
function imageRef(key) {
  return `${IMAGE_REPOSITORY}:${key.slice(0, 16)}`;
}
function dockerSync(args, what = `docker ${args[0]}`) {
  const r = spawnSync("docker", args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) {
    const code = r.error.code;
    throw new DetError("docker", code === "ENOENT" ? "not installed (apt-get install docker.io)" : r.error.message);
  }
  if (r.status !== 0) throw new DetError(what, (r.stderr || r.stdout || `exit status ${r.status}`).trim().split("\n").pop() ?? "");
  return r.stdout;
}
function requireDocker(environment = process.env) {
  const r = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8", env: environment });
  if (r.error) {
    const code = r.error.code;
    throw new DetError("docker", code === "ENOENT" ? "not installed (apt-get install docker.io)" : r.error.message);
  }
  if (r.status !== 0 || !r.stdout.trim()) {
    const why = (r.stderr || "").trim().split("\n").pop() ?? "";
    throw new DetError("docker", `the Docker engine is not reachable (${why || "no answer"}); start it, e.g. dockerd &`);
  }
  return r.stdout.trim();
}
function localImageId(ref) {
  const r = spawnSync("docker", ["image", "inspect", "--format", "{{.Id}}", ref], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}
var BLOCK = 512;
function ustarHeader(name, size, mtime) {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  if (size > 8589934591) throw new Error(`tar entry too big for ustar: ${name} (${size} bytes)`);
  const h = Buffer.alloc(BLOCK, 0);
  const put = (off, len, s) => h.write(s, off, len, "ascii");
  const oct = (off, len, n) => put(off, len, n.toString(8).padStart(len - 1, "0") + "\0");
  put(0, 100, name);
  oct(100, 8, 420);
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, size);
  oct(136, 12, mtime);
  put(148, 8, "        ");
  put(156, 1, "0");
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  put(265, 32, "root");
  put(297, 32, "root");
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}
async function writeTar(sinks, entries, mtime) {
  const write = async (buf) => {
    await Promise.all(sinks.map((s) => new Promise((res, rej) => {
      s.write(buf, (err) => err ? rej(err) : res());
    })));
  };
  const pad = async (n) => {
    const rem = n % BLOCK;
    if (rem) await write(Buffer.alloc(BLOCK - rem, 0));
  };
  for (const e of entries) {
    if (Buffer.isBuffer(e.data)) {
      await write(ustarHeader(e.name, e.data.length, mtime));
      await write(e.data);
      await pad(e.data.length);
    } else {
      const size = statSync3(e.data).size;
      await write(ustarHeader(e.name, size, mtime));
      let written = 0;
      for await (const chunk of createReadStream(e.data, { highWaterMark: 1 << 20 })) {
        await write(chunk);
        written += chunk.length;
      }
      if (written !== size) throw new Error(`${e.data} changed while archiving`);
      await pad(size);
    }
  }
  await write(Buffer.alloc(2 * BLOCK, 0));
}
function imageConfig(inputs, key, diffIds) {
  const b = inputs.base;
  const created = new Date(b.epoch * 1e3).toISOString().replace(".000Z", "Z");
  const config = {
    architecture: b.arch,
    os: "linux",
    created,
    config: {
      // No SOURCE_DATE_EPOCH here: native builds in the image take theirs from the source
      // (dpkg-buildpackage: debian/changelog); `dettrace run` sets its own.
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"],
      WorkingDir: "/build",
      Cmd: ["/bin/bash"],
      Labels: {
        "org.dettrace.image.key": key,
        "org.dettrace.image.base-key": inputs.baseKey,
        "org.dettrace.image.suite": b.suite,
        "org.dettrace.image.variant": b.variant,
        "org.dettrace.image.packages": b.packages.join(" "),
        "org.dettrace.image.epoch": String(b.epoch),
        "org.dettrace.image.mirror": b.mirror
      }
    },
    rootfs: { type: "layers", diff_ids: diffIds },
    history: [
      { created, created_by: `debootstrap --variant=${b.variant} ${b.suite} (image/mkrootfs.sh)` },
      { created, created_by: "det package in /opt/det (src/image.ts)" }
    ]
  };
  return Buffer.from(JSON.stringify(config));
}
function asRoot(cmd) {
  if (process.getuid?.() === 0) return cmd;
  return ["sudo", "-n", ...cmd];
}
function runLogged(cmd, log) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const onData = (buf) => {
      const text = buf.toString("utf8");
      tail = (tail + text).slice(-4e3);
      for (const line of text.split("\n")) if (line.trim()) log(line);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", (err) => reject(new DetError(cmd[0], err.code === "ENOENT" ? "not found" : err.message, { cause: err })));
    child.once("close", (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new DetError(basename(cmd[0] === "sudo" ? cmd[3] : cmd[1] ?? cmd[0]), `failed (${signal ?? `exit status ${code}`}): ${tail.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}
function buildDetLayer(files, work, epoch, out) {
  const tree = join4(work, "det-tree");
  const opt = join4(tree, "opt", "det");
  for (const f of files) {
    const dest = join4(opt, f.dest);
    mkdirSync(dirname3(dest), { recursive: true });
    if (f.link !== void 0) {
      symlinkSync(f.link, dest);
    } else {
      copyFileSync(f.src, dest);
      chmodSync(dest, f.mode);
    }
  }
  mkdirSync(join4(tree, "usr", "local", "bin"), { recursive: true });
  symlinkSync("../../../opt/det/bin/dettrace.js", join4(tree, "usr", "local", "bin", "dettrace"));
  for (const d of ["build", "var/lib/det/root", "var/lib/det/chroot", "var/lib/det/out", "var/lib/det/log"]) {
    mkdirSync(join4(tree, d), { recursive: true });
  }
  const fix = (dir) => {
    chmodSync(dir, 493);
    for (const name of readdirSync2(dir)) {
      const p = join4(dir, name);
      if (lstatSync(p).isDirectory()) fix(p);
    }
  };
  fix(tree);
  const r = spawnSync("tar", [
    "--create",
    "--file",
    out,
    "--directory",
    tree,
    "--sort=name",
    "--format=posix",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
    `--mtime=@${epoch}`,
    ...readdirSync2(tree).sort()
  ], { encoding: "utf8" });
  if (r.status !== 0) throw new DetError("tar", `cannot write the det layer: ${(r.stderr || r.error?.message || "").trim()}`);
}
async function loadAndSave(entries, epoch, ref, opts, log) {
  const sinks = [];
  let child;
  let stderr = "";
  let exited = Promise.resolve(0);
  if (opts.load) {
    log(`[image] docker load (${ref})`);
    child = spawn("docker", ["load"], { stdio: ["pipe", "pipe", "pipe"] });
    child.stderr.on("data", (b) => stderr += b.toString());
    child.stdout.on("data", (b) => stderr += b.toString());
    exited = new Promise((res) => child.once("close", (code2) => res(code2)));
    child.stdin.on("error", () => void 0);
    sinks.push(child.stdin);
  }
  let fileStream;
  const hash = createHash("sha256");
  if (opts.save) {
    fileStream = createWriteStream(opts.save + ".tmp");
    sinks.push(fileStream);
    sinks.push(new Writable({ write(chunk, _enc, cb) {
      hash.update(chunk);
      cb();
    } }));
  }
  try {
    await writeTar(sinks, entries, epoch);
  } finally {
    for (const s of sinks) s.end();
  }
  let saved;
  if (fileStream && opts.save) {
    await new Promise((res, rej) => {
      fileStream.once("finish", () => res());
      fileStream.once("error", rej);
    });
    renameSync(opts.save + ".tmp", opts.save);
    saved = { file: opts.save, sha256: `sha256:${hash.digest("hex")}` };
    log(`[image] saved ${opts.save} (${saved.sha256})`);
  }
  const code = await exited;
  if (code !== 0) throw new DetError("docker load", stderr.trim().split("\n").pop() ?? `exit status ${code}`);
  return { id: opts.load ? localImageId(ref) : null, saved };
}
function pruneCache(cacheDir, keep, log) {
  const layers = readdirSync2(cacheDir).filter((n) => /^base-[0-9a-f]{64}\.tar$/.test(n)).map((n) => ({ n, t: statSync3(join4(cacheDir, n)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { n } of layers.slice(keep)) {
    log(`[image] cache: removing the old base layer ${n}`);
    rmSync(join4(cacheDir, n), { force: true });
    rmSync(join4(cacheDir, n.replace(/\.tar$/, ".json")), { force: true });
  }
}
async function buildImage(opts = {}) {
  const started = performance.now();
  const log = opts.log ?? ((l) => void process.stderr.write(l + "\n"));
  const root = packageRoot();
  const files = detPackageFiles(root, opts.tracerDir ?? defaultTracerDir(root));
  const inputs = imageInputs(opts, files);
  const key = imageCacheKey(inputs);
  const ref = imageRef(key);
  const b = inputs.base;
  const cacheDir = imageCacheDir(opts.cacheDir);
  const paths = imageCachePaths(inputs.baseKey, cacheDir);
  const load = opts.load ?? true;
  const summary = { ...b, files: inputs.files.length };
  const elapsed = () => Math.round(performance.now() - started);
  log(`[image] ${ref}: ${b.suite} ${b.variant}${b.packages.length ? " +" + b.packages.join(",") : ""}, epoch ${b.epoch}, base ${inputs.baseKey.slice(0, 16)}`);
  if (load) requireDocker();
  if (!opts.noCache && load && !opts.save) {
    const present = localImageId(ref);
    if (present !== null) {
      log(`[image] ${ref} is already loaded (${present})`);
      const cfg = JSON.parse(dockerSync(["image", "inspect", "--format", "{{json .RootFS.Layers}}", ref]));
      return { ref, digest: present, configDigest: present, diffIds: cfg, key, baseKey: inputs.baseKey, cached: true, source: "image", durationMs: elapsed(), inputs: summary };
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join4(cacheDir, ".build-"));
  try {
    let meta = null;
    if (!opts.noCache) {
      try {
        const m = JSON.parse(readFileSync3(paths.meta, "utf8"));
        if (m.baseKey === inputs.baseKey && existsSync(paths.layer) && statSync3(paths.layer).size === m.bytes) meta = m;
      } catch {
        meta = null;
      }
    }
    let baseLayer = paths.layer;
    const cached = meta !== null;
    if (meta) {
      log(`[image] base layer from the cache: ${paths.layer}`);
      const now = /* @__PURE__ */ new Date();
      utimesSync(paths.layer, now, now);
    } else {
      const t0 = performance.now();
      const out = join4(work, "base.tar");
      log(`[image] building the base layer (debootstrap: 2-3 minutes)`);
      await runLogged(asRoot([
        "sh",
        rootfsScript(root),
        "--suite",
        b.suite,
        "--variant",
        b.variant,
        "--mirror",
        b.mirror,
        "--epoch",
        String(b.epoch),
        "--arch",
        b.arch,
        "--packages",
        b.packages.join(" "),
        "--out",
        out,
        "--tmp",
        work
      ]), log);
      log("[image] hashing the base layer");
      meta = { baseKey: inputs.baseKey, diffId: `sha256:${await sha256Stream(out)}`, bytes: statSync3(out).size, buildMs: Math.round(performance.now() - t0), inputs: b };
      if (opts.noCache) {
        baseLayer = out;
      } else {
        renameSync(out, paths.layer);
        writeFileSync(paths.meta, JSON.stringify(meta, null, 2) + "\n");
        log(`[image] cached the base layer ${paths.layer} (${(meta.bytes / 1e6).toFixed(0)} MB, ${meta.diffId})`);
        pruneCache(cacheDir, KEEP_BASE_LAYERS, log);
      }
    }
    const detLayer = join4(work, "det.tar");
    buildDetLayer(files, work, b.epoch, detLayer);
    const detDiffId = `sha256:${await sha256Stream(detLayer)}`;
    const diffIds = [meta.diffId, detDiffId];
    const config = imageConfig(inputs, key, diffIds);
    const configHex = sha256(config);
    const hex = (d) => d.replace(/^sha256:/, "");
    const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [ref], Layers: diffIds.map((d) => `${hex(d)}/layer.tar`) }]));
    const { id, saved } = await loadAndSave([
      { name: `${configHex}.json`, data: config },
      { name: `${hex(meta.diffId)}/layer.tar`, data: baseLayer },
      { name: `${hex(detDiffId)}/layer.tar`, data: detLayer },
      { name: "manifest.json", data: manifest }
    ], b.epoch, ref, { load, save: opts.save }, log);
    const configDigest = `sha256:${configHex}`;
    if (load && id === null) throw new DetError("docker load", `finished, but the engine has no image ${ref}`);
    if (id !== null && id !== configDigest) log(`[image] note: the engine names the image ${id} (config digest ${configDigest})`);
    log(`[image] ${ref} = ${id ?? configDigest} (${(elapsed() / 1e3).toFixed(1)} s)`);
    return { ref, digest: id ?? configDigest, configDigest, diffIds, key, baseKey: inputs.baseKey, cached, source: cached ? "cache" : "built", saved, durationMs: elapsed(), inputs: summary };
  } finally {
    try {
      rmSync(work, { recursive: true, force: true });
    } catch {
      const rm = asRoot(["rm", "-rf", work]);
      spawnSync(rm[0], rm.slice(1));
    }
  }
}
var DOCKER_PRIVILEGES = [
  "--cap-add",
  "SYS_ADMIN",
  "--cap-add",
  "NET_ADMIN",
  "--cap-add",
  "SYS_PTRACE",
  "--security-opt",
  "seccomp=unconfined",
  "--security-opt",
  "apparmor=unconfined"
];
var IN_IMAGE = {
  entrypoint: "/opt/det/image/entrypoint.sh",
  workdir: "/build",
  rootBind: "/var/lib/det/root",
  chroot: "/var/lib/det/chroot",
  out: "/var/lib/det/out",
  log: "/var/lib/det/log"
};
function dockerRunArgs(opts, ref, extra = {}) {
  const args = ["run", "--rm", "--network", "none", ...extra.privileges ?? DOCKER_PRIVILEGES];
  if (extra.name) args.push("--name", extra.name);
  args.push("-v", `${opts.workdir}:${IN_IMAGE.workdir}`);
  const inner = ["--workdir", IN_IMAGE.workdir];
  if (opts.chroot !== void 0) {
    args.push("-v", `${opts.chroot}:${IN_IMAGE.chroot}`);
    inner.push("--chroot", IN_IMAGE.chroot);
  } else {
    args.push("-e", "DET_BIND_ROOT=1");
    inner.push("--chroot", IN_IMAGE.rootBind);
  }
  inner.push("--epoch", String(opts.epoch), "--seed", opts.seedText ?? BigInt(opts.seed).toString());
  for (const e of opts.env) inner.push("--env", e);
  if (opts.report !== void 0) {
    args.push("-v", `${dirname3(opts.report)}:${IN_IMAGE.out}`);
    inner.push("--report", `${IN_IMAGE.out}/${basename(opts.report)}`);
  }
  if (opts.log !== void 0) {
    args.push("-v", `${dirname3(opts.log)}:${IN_IMAGE.log}`);
    inner.push("--log", `${IN_IMAGE.log}/${basename(opts.log)}`);
  }
  if (opts.timeout !== void 0) inner.push("--timeout", String(opts.timeout));
  if (opts.strict) inner.push("--strict");
  if (opts.debug > 0) inner.push("--debug", String(opts.debug));
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid !== 0) args.push("-e", `DET_HOST_UID=${uid}`, "-e", `DET_HOST_GID=${gid}`);
  args.push("--entrypoint", IN_IMAGE.entrypoint, ref, "run", ...inner, "--", ...opts.command);
  return args;
}
async function resolveImage(image, log) {
  if (image !== "build") {
    if (spawnSync("docker", ["image", "inspect", image], { stdio: "ignore" }).status === 0) return image;
    const pull = spawnSync("docker", ["pull", "--quiet", image], { encoding: "utf8" });
    if (pull.status === 0) return image;
    const why = (pull.stderr || pull.stdout || "").trim().split("\n")[0] || `docker pull exited ${pull.status}`;
    throw new DetError(`--image ${image}`, `not in the Docker engine and cannot be pulled (${why})`);
  }
  const toStderr = log ?? ((l) => void process.stderr.write(l + "\n"));
  const held = [];
  let speaking = false;
  const r = await buildImage({
    log: (l) => {
      if (!speaking && !/already loaded|^\[image\] det\/build:[0-9a-f]+: /.test(l)) {
        speaking = true;
        for (const h of held.splice(0)) toStderr(h);
      }
      if (speaking) toStderr(l);
      else held.push(l);
    }
  });
  return r.ref;
}
var FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"];
async function runInImage(opts, io = {}) {
  if (opts.image === void 0 || opts.image === "") throw new DetError("--image", "no image given");
  requireDocker();
  const ref = await resolveImage(opts.image);
  const args = dockerRunArgs(opts, ref);
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn("docker", args, { stdio: io.stdio ?? "inherit", env: io.env ?? process.env });
    const handlers = /* @__PURE__ */ new Map();
    let settled = false;
    const finish = (fn) => {
      if (settled) return;
      settled = true;
      for (const [sig, h] of handlers) process.removeListener(sig, h);
      fn();
    };
    if (io.forwardSignals ?? true) {
      for (const sig of FORWARDED) {
        const h = () => {
          if (child.exitCode === null && child.signalCode === null) child.kill(sig);
        };
        handlers.set(sig, h);
        process.on(sig, h);
      }
    }
    child.once("error", (err) => {
      finish(() => reject(new DetError("docker", err.code === "ENOENT" ? "not installed (apt-get install docker.io)" : err.message, { cause: err })));
    });
    child.once("close", (code, signal) => {
      const durationMs = Math.round((performance.now() - started) * 1e3) / 1e3;
      finish(() => {
        if (signal) {
          const n = osc.signals[signal] ?? 0;
          resolvePromise({ exitCode: 128 + n, signal: n, durationMs });
        } else {
          resolvePromise({ exitCode: code ?? 125, signal: null, durationMs });
        }
      });
    });
  });
}
if (false) {
  imageMain(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

// src/run.ts
var FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];
function tracerArgs(opts, rootSkel) {
  const args = ["--workdir", opts.workdir, "--root-skel", rootSkel];
  if (opts.chroot !== void 0) args.push("--chroot", opts.chroot);
  args.push("--epoch", String(opts.epoch));
  args.push("--seed", opts.seedText ?? BigInt(opts.seed).toString());
  for (const e of opts.env) args.push("--env", e);
  if (opts.report !== void 0) args.push("--report", opts.report);
  if (opts.timeout !== void 0) args.push("--timeout", String(opts.timeout));
  if (opts.strict) args.push("--strict");
  if (opts.debug > 0) args.push("--debug", String(opts.debug));
  if (opts.log !== void 0) args.push("--log", opts.log);
  args.push("--", ...opts.command);
  return args;
}
function signalNumber(name) {
  return osc2.signals[name] ?? 0;
}
async function runTracedDetailed(opts, io = {}) {
  if (opts.image !== void 0) return runInImage(opts, io);
  const tracer = io.tracer ?? tracerPath();
  const args = tracerArgs(opts, io.rootSkel ?? rootSkeleton());
  const forward = io.forwardSignals ?? true;
  const started = performance2.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn2(tracer, args, { stdio: io.stdio ?? "inherit", env: io.env ?? process.env });
    const handlers = /* @__PURE__ */ new Map();
    let settled = false;
    const finish = (fn) => {
      if (settled) return;
      settled = true;
      for (const [sig, h] of handlers) process.removeListener(sig, h);
      fn();
    };
    if (forward) {
      for (const sig of FORWARDED_SIGNALS) {
        const h = () => {
          if (child.exitCode === null && child.signalCode === null) child.kill(sig);
        };
        handlers.set(sig, h);
        process.on(sig, h);
      }
    }
    child.once("error", (err) => {
      const why = err.code === "ENOENT" ? "not found" : err.code === "EACCES" ? "not executable" : err.message;
      finish(() => reject(new DetError(tracer, `cannot start the native tracer: ${why}`, { cause: err })));
    });
    child.once("close", (code, signal) => {
      const durationMs = Math.round((performance2.now() - started) * 1e3) / 1e3;
      finish(() => {
        if (signal) {
          const n = signalNumber(signal);
          resolvePromise({ exitCode: 128 + n, signal: n, durationMs });
        } else {
          resolvePromise({ exitCode: code ?? 125, signal: null, durationMs });
        }
      });
    });
  });
}
async function runTraced(opts, io = {}) {
  return (await runTracedDetailed(opts, io)).exitCode;
}

// src/main.ts
var defaultIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text)
};
var debugLevel = 0;
function errorReport(err, debug = debugLevel) {
  let text = formatError(err) + "\n";
  if (debug > 0 && err instanceof Error && err.stack) text += err.stack + "\n";
  return text;
}
async function main(argv, io = defaultIO) {
  try {
    const parsed = parseArgs(argv);
    switch (parsed.kind) {
      case "help":
        io.out(helpText());
        return 0;
      case "version":
        io.out(`dettrace ${versionText()}
`);
        return 0;
      case "probe":
        return runProbe(parsed.options, io);
      case "run":
        debugLevel = parsed.options.debug;
        return await runTraced(parsed.options);
      case "verify":
        debugLevel = parsed.options.debug;
        return await runVerifyCommand(parsed.options);
    }
  } catch (err) {
    io.err(errorReport(err));
    return exitCodeOf(err);
  }
}
function probeRows(value, prefix = "") {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const rows = [];
    for (const [k, v] of Object.entries(value)) {
      rows.push(...probeRows(v, prefix ? `${prefix}.${k}` : k));
    }
    if (rows.length === 0 && prefix) rows.push([prefix, "{}"]);
    return rows;
  }
  let shown;
  if (Array.isArray(value)) shown = value.map((v) => typeof v === "string" ? v : JSON.stringify(v)).join(", ");
  else if (typeof value === "string") shown = value;
  else shown = JSON.stringify(value) ?? String(value);
  return [[prefix || "(value)", shown]];
}
function runProbe(opts, io) {
  const addon = loadAddon();
  if (typeof addon.probe !== "function") {
    throw new DetError("probe", "the native addon has no probe() (run npm run build:native)");
  }
  const text = String(addon.probe());
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DetError("probe", `the native addon returned invalid JSON: ${err.message}`);
  }
  if (typeof addon.guarantees !== "function") {
    throw new DetError("probe", "the native addon has no guarantees() (run npm run build:native)");
  }
  const guarantees = JSON.parse(String(addon.guarantees()));
  if (opts.json) {
    io.out(JSON.stringify({ host: parsed, guarantees }, null, 2) + "\n");
    return 0;
  }
  let out = `dettrace ${versionText()}` + (typeof addon.version === "string" ? ` (native ${addon.version})` : "") + "\n\n";
  out += "Sources of nondeterminism on this host\n";
  const sw = Math.max(...guarantees.map((g) => g.source.length)) + 2;
  const tw = Math.max(...guarantees.map((g) => g.status.length)) + 2;
  for (const g of guarantees) out += `  ${g.source.padEnd(sw)}${g.status.padEnd(tw)}${g.detail}
`;
  out += "\nHost capabilities\n";
  const rows = probeRows(parsed);
  const width = Math.max(0, ...rows.map(([k]) => k.length)) + 2;
  for (const [k, v] of rows) out += `  ${k.padEnd(width)}${v}
`;
  io.out(out);
  return 0;
}
async function runVerifyCommand(opts) {
  const url = new URL("./verify/index.js", import.meta.url);
  let mod;
  try {
    mod = await import(url.href);
  } catch (err) {
    const e = err;
    const missing = /Cannot find module '([^']+)'/.exec(e.message ?? "")?.[1];
    if (e.code === "ERR_MODULE_NOT_FOUND" && missing !== void 0 && missing.endsWith("/verify/index.js")) {
      throw new DetError("verify", `the verify engine is not installed (${missing} is missing; run npm run build:ts)`);
    }
    throw err;
  }
  if (typeof mod.runVerify !== "function") {
    throw new DetError("verify", "the verify engine exports no runVerify()");
  }
  return await mod.runVerify(opts);
}

// src/cli.ts
function die(err) {
  try {
    process.stderr.write(errorReport(err));
  } finally {
    process.exit(TOOL_ERROR);
  }
}
process.on("uncaughtException", die);
process.on("unhandledRejection", die);
process.stdout.on("error", (err) => {
  if (err.code !== "EPIPE") die(err);
});
main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  die
);
