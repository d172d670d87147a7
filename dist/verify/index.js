// Built by scripts/bundle.js (esbuild) from src/ — do not edit; run `npm run bundle`.
import { createRequire as __detCreateRequire } from 'node:module';
const require = __detCreateRequire(import.meta.url);

// src/verify/index.ts
import { copyFile as copyFile2, mkdir, readFile, rename as rename2, stat } from "node:fs/promises";
import { dirname as dirname3, join as join8 } from "node:path";

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

// src/native.ts
import { accessSync, constants as fsc, readFileSync, readdirSync, statSync } from "node:fs";
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

// src/verify/artifacts.ts
import { lstatSync, readdirSync as readdirSync2, readlinkSync } from "node:fs";
import { join as join2 } from "node:path";

// src/verify/glob.ts
function escapeRegex(ch) {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}
function segmentSource(seg, where) {
  let out = "";
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i];
    if (ch === "\\") {
      i++;
      if (i >= seg.length) throw new Error(`${where}: trailing backslash`);
      out += escapeRegex(seg[i]);
    } else if (ch === "*") {
      while (seg[i + 1] === "*") i++;
      out += "[^/]*";
    } else if (ch === "?") {
      out += "[^/]";
    } else if (ch === "[") {
      const end = classEnd(seg, i);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let body = seg.slice(i + 1, end);
      let negate = false;
      if (body[0] === "!" || body[0] === "^") {
        negate = true;
        body = body.slice(1);
      }
      let cls = "";
      for (let j = 0; j < body.length; j++) {
        const c = body[j];
        if (c === "\\" && j + 1 < body.length) {
          cls += `\\${body[++j]}`;
        } else if (c === "-" && j > 0 && j < body.length - 1) {
          cls += "-";
        } else {
          cls += /[\\\]^-]/.test(c) ? `\\${c}` : c;
        }
      }
      out += negate ? `(?!/)[^${cls}]` : `[${cls}]`;
      i = end;
    } else if (ch === "{") {
      const end = seg.indexOf("}", i);
      if (end < 0) {
        out += "\\{";
        continue;
      }
      const alts = seg.slice(i + 1, end).split(",");
      out += `(?:${alts.map((a) => segmentSource(a, where)).join("|")})`;
      i = end;
    } else {
      out += escapeRegex(ch);
    }
  }
  return out;
}
function classEnd(seg, start) {
  let j = start + 1;
  if (seg[j] === "!" || seg[j] === "^") j++;
  if (seg[j] === "]") j++;
  for (; j < seg.length; j++) {
    if (seg[j] === "\\") j++;
    else if (seg[j] === "]") return j;
  }
  return -1;
}
function normalizePattern(pattern) {
  return pattern.split("/").filter((s) => s !== "" && s !== ".").join("/");
}
function compileGlob(pattern) {
  const norm = normalizePattern(pattern);
  if (norm === "") throw new Error(`${pattern}: empty pattern`);
  const segs = norm.split("/").filter((s, i, all) => !(s === "**" && all[i - 1] === "**"));
  let src = "";
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg === "**") {
      if (last) src += i === 0 ? ".*" : "(?:/.*)?";
      else src += i === 0 ? "(?:.*/)?" : "(?:/.*)?/";
      continue;
    }
    if (i > 0 && segs[i - 1] !== "**") src += "/";
    src += segmentSource(seg, pattern);
  }
  return { source: pattern, regex: new RegExp(`^${src}$`, "s") };
}
function selects(glob, path) {
  if (glob.regex.test(path)) return true;
  for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) {
    if (glob.regex.test(path.slice(0, i))) return true;
  }
  return false;
}

// src/verify/artifacts.ts
function kindOf(st) {
  if (st.isFile()) return "file";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isDirectory()) return "dir";
  return "other";
}
function snapshotTree(root) {
  const snap = /* @__PURE__ */ new Map();
  const visit = (abs, rel) => {
    let names;
    try {
      names = readdirSync2(abs);
    } catch {
      return;
    }
    for (const name of names) {
      const childAbs = join2(abs, name);
      const childRel = rel === "" ? name : `${rel}/${name}`;
      let st;
      try {
        st = lstatSync(childAbs, { bigint: true });
      } catch {
        continue;
      }
      const kind = kindOf(st);
      const state = {
        kind,
        size: Number(st.size),
        ino: st.ino,
        mtimeNs: st.mtimeNs,
        ctimeNs: st.ctimeNs,
        mode: Number(st.mode) & 4095
      };
      if (kind === "symlink") {
        try {
          state.target = readlinkSync(childAbs);
        } catch {
          state.target = "";
        }
      }
      snap.set(childRel, state);
      if (kind === "dir") visit(childAbs, childRel);
    }
  };
  visit(root, "");
  return snap;
}
var isArtifactKind = (k) => k === "file" || k === "symlink";
function diffSnapshots(before, after) {
  const out = { created: [], changed: [], deleted: [] };
  for (const [path, a] of after) {
    if (!isArtifactKind(a.kind)) continue;
    const b = before.get(path);
    if (b === void 0 || b.kind !== a.kind) {
      out.created.push(path);
    } else if (b.ino !== a.ino || b.size !== a.size || b.mtimeNs !== a.mtimeNs || b.ctimeNs !== a.ctimeNs || b.target !== a.target) {
      out.changed.push(path);
    }
  }
  for (const [path, b] of before) {
    if (!isArtifactKind(b.kind)) continue;
    const a = after.get(path);
    if (a === void 0 || !isArtifactKind(a.kind)) out.deleted.push(path);
  }
  for (const list of [out.created, out.changed, out.deleted]) list.sort(comparePaths);
  return out;
}
function comparePaths(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
function selectArtifacts(runs, patterns) {
  if (patterns.length > 0) {
    const globs = patterns.map((p) => compileGlob(p));
    const matches = globs.map(() => runs.map(() => 0));
    const all2 = /* @__PURE__ */ new Set();
    runs.forEach((run, r) => {
      for (const [path, st] of run.after) {
        if (!isArtifactKind(st.kind)) continue;
        let any = false;
        globs.forEach((g, i) => {
          if (selects(g, path)) {
            matches[i][r]++;
            any = true;
          }
        });
        if (any) all2.add(path);
      }
    });
    return {
      paths: [...all2].sort(comparePaths),
      globs: patterns.map((pattern, i) => ({ pattern, matches: matches[i] }))
    };
  }
  const changes = runs.map((run) => diffSnapshots(run.before ?? /* @__PURE__ */ new Map(), run.after));
  const all = /* @__PURE__ */ new Set();
  for (const c of changes) {
    for (const p of c.created) all.add(p);
    for (const p of c.changed) all.add(p);
  }
  const deletedBy = /* @__PURE__ */ new Map();
  for (const c of changes) for (const p of c.deleted) deletedBy.set(p, (deletedBy.get(p) ?? 0) + 1);
  for (const [p, n] of deletedBy) if (n < runs.length) all.add(p);
  for (const p of [...all]) if (runs.every((r) => !isArtifactKind(r.after.get(p)?.kind))) all.delete(p);
  return { paths: [...all].sort(comparePaths), globs: [], changes };
}

// src/verify/archive.ts
import { spawnSync } from "node:child_process";
import { gunzipSync, inflateRawSync } from "node:zlib";

// src/verify/compare.ts
import { open } from "node:fs/promises";
var CHUNK = 1 << 20;
async function firstDifference(a, b) {
  const fa = await open(a, "r");
  try {
    const fb = await open(b, "r");
    try {
      const sizes = [(await fa.stat()).size, (await fb.stat()).size];
      const ba = Buffer.alloc(CHUNK);
      const bb = Buffer.alloc(CHUNK);
      let pos = 0;
      for (; ; ) {
        const [ra, rb] = await Promise.all([readFull(fa, ba, pos), readFull(fb, bb, pos)]);
        const n = Math.min(ra, rb);
        const at = firstMismatch(ba, bb, n);
        if (at >= 0) return { offset: pos + at, sizes };
        if (ra !== rb) return { offset: pos + n, sizes };
        if (ra === 0) return { offset: null, sizes };
        pos += n;
      }
    } finally {
      await fb.close();
    }
  } finally {
    await fa.close();
  }
}
async function readFull(fh, buf, pos) {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
function firstMismatch(a, b, n) {
  const BLOCK = 65536;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    if (Buffer.compare(a.subarray(start, end), b.subarray(start, end)) !== 0) {
      for (let i = start; i < end; i++) if (a[i] !== b[i]) return i;
    }
  }
  return -1;
}
function firstDifferenceOfBuffers(a, b) {
  const n = Math.min(a.length, b.length);
  const at = firstMismatch(a, b, n);
  if (at >= 0) return at;
  return a.length === b.length ? null : n;
}
async function readRange(file, start, len) {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(len);
    const n = await readFull(fh, buf, start);
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}
function looksText(buf) {
  if (buf.length === 0) return true;
  let bad = 0;
  for (const c of buf) if (c === 0 || c < 32 && c !== 9 && c !== 10 && c !== 13 || c === 127) bad++;
  return bad === 0;
}
function showBytes(buf) {
  if (looksText(buf)) return JSON.stringify(Buffer.from(buf).toString("utf8"));
  let printable = 0;
  for (const c of buf) if (c >= 32 && c < 127) printable++;
  if (printable >= buf.length * 0.6) {
    let s = "";
    for (const c of buf) {
      if (c === 34 || c === 92) s += `\\${String.fromCharCode(c)}`;
      else if (c >= 32 && c < 127) s += String.fromCharCode(c);
      else if (c === 10) s += "\\n";
      else s += `\\x${c.toString(16).padStart(2, "0")}`;
    }
    return `"${s}"`;
  }
  return Buffer.from(buf).toString("hex").replace(/(..)(?!$)/g, "$1 ");
}
async function differenceContext(a, b, offset, before = 24, after = 40) {
  const start = Math.max(0, offset - before);
  const len = offset - start + after;
  const bytes = [await readRange(a, start, len), await readRange(b, start, len)];
  return { start, bytes, shown: [showBytes(bytes[0]), showBytes(bytes[1])] };
}

// src/verify/hash.ts
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
var HASH_CHUNK = 1 << 20;
var MAX_HASH_WORKERS = 4;
var WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const buf = Buffer.allocUnsafe(${HASH_CHUNK});
parentPort.on('message', (task) => {
  let fd = -1;
  try {
    const h = createHash('sha256');
    fd = openSync(task.path, 'r');
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      bytes += n;
    }
    parentPort.postMessage({ id: task.id, sha256: h.digest('hex'), bytes });
  } catch (e) {
    parentPort.postMessage({ id: task.id, error: String(e && e.message || e), code: e && e.code });
  } finally {
    if (fd >= 0) { try { closeSync(fd); } catch {} }
  }
});
`;
function sha256Hex(data) {
  return createHash("sha256").update(data).digest("hex");
}
function sha256File(path) {
  return new Promise((resolve2, reject) => {
    const h = createHash("sha256");
    const s = createReadStream(path, { highWaterMark: HASH_CHUNK });
    s.on("data", (chunk) => h.update(chunk));
    s.on("error", reject);
    s.on("end", () => resolve2(h.digest("hex")));
  });
}
function defaultHashWorkers() {
  return Math.max(1, Math.min(MAX_HASH_WORKERS, availableParallelism()));
}
async function hashFiles(paths, opts = {}) {
  const results = new Array(paths.length);
  if (paths.length === 0) return results;
  let workers = opts.workers ?? defaultHashWorkers();
  workers = Math.min(workers, paths.length);
  let doneFiles = 0;
  let doneBytes = 0;
  const progress = (o) => {
    doneFiles++;
    doneBytes += o.bytes;
    opts.onProgress?.(doneFiles, paths.length, doneBytes);
  };
  if (workers <= 0) {
    for (let i = 0; i < paths.length; i++) {
      try {
        const sha256 = await sha256File(paths[i]);
        results[i] = { sha256, bytes: 0 };
      } catch (err) {
        results[i] = { sha256: null, bytes: 0, error: err.message };
      }
      progress(results[i]);
    }
    return results;
  }
  const pool = [];
  try {
    await new Promise((resolve2, reject) => {
      let next = 0;
      let outstanding = 0;
      const send = (w) => {
        if (next >= paths.length) return;
        const id = next++;
        outstanding++;
        w.postMessage({ id, path: paths[id] });
      };
      for (let k = 0; k < workers; k++) {
        const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
        pool.push(w);
        w.on("message", (r) => {
          outstanding--;
          results[r.id] = r.sha256 !== void 0 ? { sha256: r.sha256, bytes: r.bytes ?? 0 } : { sha256: null, bytes: 0, error: r.error ?? "unreadable" };
          progress(results[r.id]);
          if (next < paths.length) send(w);
          else if (outstanding === 0) resolve2();
        });
        w.on("error", reject);
        w.on("exit", (code2) => {
          if (outstanding > 0 || next < paths.length) reject(new Error(`hash worker exited (${code2}) before finishing`));
        });
        send(w);
        send(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

// src/verify/archive.ts
function byteWindow(a, b, offset, before = 24, after = 40) {
  const start = Math.max(0, offset - before);
  const wa = a.subarray(start, offset + after);
  const wb = b.subarray(start, offset + after);
  return { start, hex: [wa.toString("hex"), wb.toString("hex")], shown: [showBytes(wa), showBytes(wb)] };
}
var MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
var MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024;
var MAX_DEPTH = 4;
var MAX_MEMBER_DIFFS = 200;
function latin1(buf, start, end) {
  return buf.toString("latin1", start, Math.min(end, buf.length));
}
function cstr(buf, start, len, enc = "utf8") {
  const end = Math.min(start + len, buf.length);
  let z = buf.indexOf(0, start);
  if (z < 0 || z > end) z = end;
  return buf.toString(enc, start, z);
}
function tarChecksumOk(h) {
  if (h.length < 512) return false;
  const stored = parseTarNumber(h, 148, 8);
  if (stored === null) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === stored;
}
function detectFormat(buf) {
  if (buf.length >= 2 && buf[0] === 31 && buf[1] === 139) return "gzip";
  if (buf.length >= 6 && buf.subarray(0, 6).equals(Buffer.from([253, 55, 122, 88, 90, 0]))) return "xz";
  if (buf.length >= 4 && buf.readUInt32LE(0) === 4247762216) return "zstd";
  if (buf.length >= 10 && latin1(buf, 0, 3) === "BZh" && buf[3] >= 49 && buf[3] <= 57) return "bzip2";
  if (buf.length >= 4 && (buf.readUInt32LE(0) === 67324752 || buf.readUInt32LE(0) === 101010256)) return "zip";
  if (buf.length >= 8 && latin1(buf, 0, 8) === "!<arch>\n") {
    return latin1(buf, 8, 8 + 16).trimEnd().replace(/\/$/, "") === "debian-binary" ? "deb" : "ar";
  }
  if (buf.length >= 512 && (latin1(buf, 257, 262) === "ustar" || tarChecksumOk(buf.subarray(0, 512)))) return "tar";
  return null;
}
function parseTarNumber(h, off, len) {
  if (h[off] & 128) {
    let v = h[off] & 63;
    const negative = (h[off] & 64) !== 0;
    for (let i = 1; i < len; i++) v = v * 256 + h[off + i];
    return negative ? -v : v;
  }
  const text = latin1(h, off, off + len).replace(/\0.*$/s, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  return parseInt(text, 8);
}
function parsePax(data) {
  const out = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(32, pos);
    if (sp < 0) break;
    const len = parseInt(data.toString("latin1", pos, sp), 10);
    if (!(len > 0)) break;
    const rec = data.toString("utf8", sp + 1, pos + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}
var TAR_KINDS = {
  "0": "file",
  "\0": "file",
  "7": "file",
  S: "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "char",
  "4": "block",
  "5": "dir",
  "6": "fifo"
};
function keyed(members) {
  const seen = /* @__PURE__ */ new Map();
  for (const m of members) {
    const n = (seen.get(m.name) ?? 0) + 1;
    seen.set(m.name, n);
    m.key = n === 1 ? m.name : `${m.name}#${n}`;
  }
  return members;
}
function listTar(buf) {
  const members = [];
  const notes = [];
  let off = 0;
  let longName = null;
  let longLink = null;
  let pax = {};
  let globalPax = {};
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    if (!tarChecksumOk(h)) {
      notes.push(`tar header checksum mismatch at offset ${off}: listing stops there`);
      break;
    }
    const type = String.fromCharCode(h[156]);
    const size = parseTarNumber(h, 124, 12) ?? 0;
    const dataStart = off + 512;
    const data = buf.subarray(dataStart, Math.min(dataStart + size, buf.length));
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (type === "K") {
      longLink = cstr(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      pax = { ...pax, ...parsePax(data) };
      continue;
    }
    if (type === "g") {
      globalPax = { ...globalPax, ...parsePax(data) };
      continue;
    }
    const magic = latin1(h, 257, 263);
    let name = cstr(h, 0, 100);
    if (magic === "ustar\0") {
      const prefix = cstr(h, 345, 155);
      if (prefix !== "") name = `${prefix}/${name}`;
    }
    const attrs = { ...globalPax, ...pax };
    if (longName !== null) name = longName;
    if (attrs.path !== void 0) name = attrs.path;
    let linkname = cstr(h, 157, 100);
    if (longLink !== null) linkname = longLink;
    if (attrs.linkpath !== void 0) linkname = attrs.linkpath;
    const kind = TAR_KINDS[type] ?? "other";
    const meta = {
      type: kind === "other" ? `type ${JSON.stringify(type)}` : kind,
      mode: (parseTarNumber(h, 100, 8) ?? 0).toString(8).padStart(4, "0"),
      uid: attrs.uid ?? parseTarNumber(h, 108, 8) ?? 0,
      gid: attrs.gid ?? parseTarNumber(h, 116, 8) ?? 0,
      uname: attrs.uname ?? cstr(h, 265, 32),
      gname: attrs.gname ?? cstr(h, 297, 32),
      mtime: attrs.mtime ?? parseTarNumber(h, 136, 12) ?? 0,
      format: magic === "ustar\0" ? "ustar" : magic === "ustar " ? "gnu" : "v7"
    };
    if (kind === "symlink" || kind === "hardlink") meta.linkname = linkname;
    if (kind === "char" || kind === "block") {
      meta.devmajor = parseTarNumber(h, 329, 8) ?? 0;
      meta.devminor = parseTarNumber(h, 337, 8) ?? 0;
    }
    for (const [k, v] of Object.entries(attrs)) {
      if (!["path", "linkpath", "uid", "gid", "uname", "gname", "mtime", "size"].includes(k)) meta[`pax ${k}`] = v;
    }
    if (magic === "ustar " && type !== "S") {
      const atime = parseTarNumber(h, 345, 12);
      const ctime = parseTarNumber(h, 357, 12);
      if (atime) meta.atime = atime;
      if (ctime) meta.ctime = ctime;
    }
    const realSize = attrs.size !== void 0 ? Number(attrs.size) : size;
    members.push({
      name,
      key: name,
      kind,
      size: realSize,
      content: kind === "file" ? sha256Hex(data) : kind === "symlink" || kind === "hardlink" ? `-> ${linkname}` : "",
      meta,
      data: kind === "file" ? data : void 0
    });
    longName = null;
    longLink = null;
    pax = {};
  }
  return { format: "tar", members: keyed(members), header: {}, notes };
}
function listAr(buf) {
  const members = [];
  const notes = [];
  let off = 8;
  let longNames = null;
  while (off + 60 <= buf.length) {
    const h = buf.subarray(off, off + 60);
    if (latin1(h, 58, 60) !== "`\n") {
      notes.push(`bad ar member header at offset ${off}: listing stops there`);
      break;
    }
    const rawName = latin1(h, 0, 16).trimEnd();
    const mtime = parseInt(latin1(h, 16, 28).trim() || "0", 10);
    const uid = parseInt(latin1(h, 28, 34).trim() || "0", 10);
    const gid = parseInt(latin1(h, 34, 40).trim() || "0", 10);
    const mode = parseInt(latin1(h, 40, 48).trim() || "0", 8);
    const size = parseInt(latin1(h, 48, 58).trim() || "0", 10);
    const dataStart = off + 60;
    let data = buf.subarray(dataStart, Math.min(dataStart + size, buf.length));
    off = dataStart + size + size % 2;
    let name;
    if (rawName === "//") {
      longNames = data;
      continue;
    } else if (rawName === "/" || rawName === "/SYM64/" || rawName === "__.SYMDEF" || rawName === "__.SYMDEF SORTED") {
      name = "(symbol table)";
    } else if (/^\/\d+$/.test(rawName) && longNames !== null) {
      const at = parseInt(rawName.slice(1), 10);
      let end = longNames.indexOf(10, at);
      if (end < 0) end = longNames.length;
      name = longNames.toString("utf8", at, end).replace(/\/$/, "");
    } else if (/^#1\/\d+$/.test(rawName)) {
      const n = parseInt(rawName.slice(3), 10);
      name = cstr(data, 0, n);
      data = data.subarray(n);
    } else {
      name = rawName.replace(/\/$/, "");
    }
    members.push({
      name,
      key: name,
      kind: "file",
      size: data.length,
      content: sha256Hex(data),
      meta: { mtime, uid, gid, mode: mode.toString(8).padStart(4, "0") },
      data
    });
  }
  const format = members[0]?.name === "debian-binary" ? "deb" : "ar";
  return { format, members: keyed(members), header: {}, notes };
}
function dosDateTime(date, time) {
  const y = 1980 + (date >> 9);
  const mo = date >> 5 & 15;
  const d = date & 31;
  const hh = time >> 11;
  const mm = time >> 5 & 63;
  const ss = (time & 31) * 2;
  const p = (n) => String(n).padStart(2, "0");
  return `${y}-${p(mo)}-${p(d)} ${p(hh)}:${p(mm)}:${p(ss)}`;
}
function readU64(buf, off) {
  return Number(buf.readBigUInt64LE(off));
}
function listZip(buf) {
  const notes = [];
  const header = {};
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 101010256) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { format: "zip", members: [], header, notes: ["no zip end-of-central-directory record"] };
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  const commentLen = buf.readUInt16LE(eocd + 20);
  header.comment = buf.toString("utf8", eocd + 22, eocd + 22 + commentLen);
  if ((count === 65535 || cdOffset === 4294967295) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === 117853008) {
    const z64 = readU64(buf, eocd - 20 + 8);
    if (z64 + 56 <= buf.length && buf.readUInt32LE(z64) === 101075792) {
      count = readU64(buf, z64 + 32);
      cdOffset = readU64(buf, z64 + 48);
    }
  }
  const members = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 33639248) {
      notes.push(`bad zip central directory entry ${i} at offset ${p}: listing stops there`);
      break;
    }
    const madeBy = buf.readUInt16LE(p + 4);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const time = buf.readUInt16LE(p + 12);
    const date = buf.readUInt16LE(p + 14);
    const crc = buf.readUInt32LE(p + 16);
    let csize = buf.readUInt32LE(p + 20);
    let usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const cLen = buf.readUInt16LE(p + 32);
    const extAttr = buf.readUInt32LE(p + 38);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.toString(flags & 2048 ? "utf8" : "latin1", p + 46, p + 46 + nameLen);
    const extra = buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    const comment = buf.toString("utf8", p + 46 + nameLen + extraLen, p + 46 + nameLen + extraLen + cLen);
    p += 46 + nameLen + extraLen + cLen;
    const meta = {
      modified: dosDateTime(date, time),
      method,
      compressedSize: csize,
      flags,
      madeBy,
      externalAttributes: extAttr.toString(16)
    };
    if (madeBy >> 8 === 3) meta.mode = (extAttr >>> 16 & 4095).toString(8).padStart(4, "0");
    if (comment !== "") meta.comment = comment;
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const len = extra.readUInt16LE(e + 2);
      const body = extra.subarray(e + 4, e + 4 + len);
      if (id === 21589 && body.length >= 5) {
        const f = body[0];
        let q = 1;
        if (f & 1 && q + 4 <= body.length) {
          meta.mtime = body.readUInt32LE(q);
          q += 4;
        }
        if (f & 2 && q + 4 <= body.length) {
          meta.atime = body.readUInt32LE(q);
          q += 4;
        }
        if (f & 4 && q + 4 <= body.length) {
          meta.ctime = body.readUInt32LE(q);
          q += 4;
        }
      } else if (id === 30837 && body.length >= 3) {
        const us = body[1];
        meta.uid = us === 4 ? body.readUInt32LE(2) : us === 2 ? body.readUInt16LE(2) : body[2];
        const gs = body[2 + us];
        meta.gid = gs === 4 ? body.readUInt32LE(3 + us) : gs === 2 ? body.readUInt16LE(3 + us) : body[3 + us];
      } else if (id === 22613 && body.length >= 8) {
        meta.atime = body.readUInt32LE(0);
        meta.mtime = body.readUInt32LE(4);
      } else if (id === 1) {
        let q = 0;
        if (usize === 4294967295 && q + 8 <= body.length) {
          usize = readU64(body, q);
          q += 8;
        }
        if (csize === 4294967295 && q + 8 <= body.length) {
          csize = readU64(body, q);
          q += 8;
        }
        if (local === 4294967295 && q + 8 <= body.length) {
          local = readU64(body, q);
          q += 8;
        }
        meta.compressedSize = csize;
      } else if (id !== 51966) {
        meta[`extra 0x${id.toString(16).padStart(4, "0")}`] = body.toString("hex");
      }
      e += 4 + len;
    }
    const kind = name.endsWith("/") ? "dir" : madeBy >> 8 === 3 && (extAttr >>> 16 & 61440) === 40960 ? "symlink" : "file";
    const at = local;
    const sizes = { csize, usize };
    members.push({
      name,
      key: name,
      kind,
      size: usize,
      content: `crc32 ${crc.toString(16).padStart(8, "0")}, ${usize} bytes`,
      meta,
      load: () => zipMemberData(buf, at, method, sizes.csize, sizes.usize)
    });
  }
  return { format: "zip", members: keyed(members), header, notes };
}
function zipMemberData(buf, local, method, csize, usize) {
  if (local + 30 > buf.length || buf.readUInt32LE(local) !== 67324752) return null;
  const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
  const raw = buf.subarray(start, start + csize);
  try {
    if (method === 0) return raw;
    if (method === 8) return inflateRawSync(raw, { maxOutputLength: Math.max(usize, 1) });
  } catch {
    return null;
  }
  return null;
}
function gzipHeader(buf) {
  const flg = buf[3];
  const h = {
    mtime: buf.readUInt32LE(4),
    xfl: buf[8],
    os: buf[9],
    flags: flg
  };
  let off = 10;
  if (flg & 4 && off + 2 <= buf.length) {
    const xlen = buf.readUInt16LE(off);
    h.extra = buf.toString("hex", off + 2, off + 2 + xlen);
    off += 2 + xlen;
  }
  if (flg & 8) {
    const z = buf.indexOf(0, off);
    h.name = buf.toString("latin1", off, z < 0 ? buf.length : z);
    off = z < 0 ? buf.length : z + 1;
  }
  if (flg & 16) {
    const z = buf.indexOf(0, off);
    h.comment = buf.toString("latin1", off, z < 0 ? buf.length : z);
  }
  return h;
}
var DECOMPRESSORS = { xz: "xz", bzip2: "bzip2", zstd: "zstd" };
function decompress(format, buf) {
  if (format === "gzip") {
    try {
      return [gunzipSync(buf, { maxOutputLength: MAX_PAYLOAD_BYTES }), void 0];
    } catch (err) {
      return [null, `cannot gunzip: ${err.message}`];
    }
  }
  const tool = DECOMPRESSORS[format];
  if (tool === void 0) return [null, `${format} is not a compressed stream`];
  const r = spawnSync(tool, ["-dc"], { input: buf, maxBuffer: MAX_PAYLOAD_BYTES, timeout: 12e4 });
  if (r.error) {
    const code2 = r.error.code;
    return [null, code2 === "ENOENT" ? `cannot look inside the ${format} stream: ${tool} is not installed` : `${tool}: ${r.error.message}`];
  }
  if (r.status !== 0) return [null, `${tool} -dc failed: ${r.stderr.toString().trim().split("\n")[0]}`];
  return [r.stdout, void 0];
}
function listArchive(buf) {
  const format = detectFormat(buf);
  if (format === null) return null;
  switch (format) {
    case "tar":
      return listTar(buf);
    case "zip":
      return listZip(buf);
    case "ar":
    case "deb":
      return listAr(buf);
    default: {
      const header = format === "gzip" ? gzipHeader(buf) : {};
      const [payload, err] = decompress(format, buf);
      return { format, members: [], header, payload: payload ?? void 0, notes: err ? [err] : [] };
    }
  }
}
function fieldDiffs(a, b) {
  const out = [];
  const keys = /* @__PURE__ */ new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const va = a[k] ?? null;
    const vb = b[k] ?? null;
    if (va !== vb) out.push({ field: k, values: [va, vb] });
  }
  return out;
}
function dataOf(m) {
  if (m.data !== void 0) return m.data;
  return m.load ? m.load() : null;
}
function diffArchives(a, b, path, depth = 0) {
  const la = listArchive(a);
  if (la === null) return null;
  const lb = listArchive(b);
  const d = {
    format: la.format,
    path,
    header: [],
    members: [],
    moreMembers: 0,
    orderDiffers: false,
    metadataOnly: true,
    notes: []
  };
  if (lb === null || lb.format !== la.format) {
    d.notes.push(`the second file is ${lb === null ? "not an archive" : `a ${lb.format} archive`}, the first a ${la.format} archive`);
    d.metadataOnly = false;
    return d;
  }
  d.notes.push(...la.notes.map((n) => `first: ${n}`), ...lb.notes.map((n) => `second: ${n}`));
  d.header = fieldDiffs(la.header, lb.header);
  if (la.payload !== void 0 || lb.payload !== void 0) {
    if (la.payload === void 0 || lb.payload === void 0) {
      d.metadataOnly = false;
      return d;
    }
    const pa = la.payload;
    const pb = lb.payload;
    if (pa.equals(pb)) return d;
    d.metadataOnly = false;
    if (depth < MAX_DEPTH && detectFormat(pa) !== null && detectFormat(pa) === detectFormat(pb)) {
      const inner = diffArchives(pa, pb, path, depth + 1);
      if (inner !== null) {
        d.inner = inner;
        d.metadataOnly = inner.metadataOnly;
        return d;
      }
    }
    d.payloadOffset = firstDifferenceOfBuffers(pa, pb) ?? void 0;
    if (d.payloadOffset !== void 0) d.payloadContext = byteWindow(pa, pb, d.payloadOffset);
    return d;
  }
  if (la.notes.length === 0 && lb.notes.length === 0 && la.members.length === 0 && lb.members.length === 0 && !a.equals(b)) {
    d.notes.push("no members in either archive, but the bytes differ");
    d.metadataOnly = false;
  }
  const byKey = new Map(lb.members.map((m) => [m.key, m]));
  const inA = new Set(la.members.map((m) => m.key));
  const diffs = [];
  for (const ma of la.members) {
    const mb = byKey.get(ma.key);
    if (mb === void 0) {
      diffs.push({ name: ma.key, change: "only-in-first", fields: [] });
      continue;
    }
    const fields = fieldDiffs({ type: ma.kind, ...ma.meta }, { type: mb.kind, ...mb.meta });
    if (ma.content !== mb.content || ma.size !== mb.size) {
      const md = { name: ma.key, change: "content", fields: fields.filter((f) => f.field !== "compressedSize") };
      const da = ma.kind === "file" ? dataOf(ma) : null;
      const db = mb.kind === "file" ? dataOf(mb) : null;
      if (da !== null && db !== null) {
        const fa = detectFormat(da);
        if (depth < MAX_DEPTH && fa !== null && fa === detectFormat(db)) {
          const inner = diffArchives(da, db, `${path}!${ma.name}`, depth + 1);
          if (inner !== null) md.inner = inner;
        }
        if (md.inner === void 0) {
          md.offset = firstDifferenceOfBuffers(da, db) ?? void 0;
          if (md.offset !== void 0) md.context = byteWindow(da, db, md.offset);
        }
      }
      diffs.push(md);
    } else if (fields.length > 0) {
      diffs.push({ name: ma.key, change: "metadata", fields });
    }
  }
  for (const mb of lb.members) if (!inA.has(mb.key)) diffs.push({ name: mb.key, change: "only-in-second", fields: [] });
  const common = new Set(la.members.filter((m) => byKey.has(m.key)).map((m) => m.key));
  const oa = la.members.filter((m) => common.has(m.key)).map((m) => m.key);
  const ob = lb.members.filter((m) => common.has(m.key)).map((m) => m.key);
  if (oa.some((k, i) => k !== ob[i])) {
    d.orderDiffers = true;
    d.order = [oa.slice(0, 10), ob.slice(0, 10)];
  }
  d.metadataOnly = d.metadataOnly && diffs.every((m) => m.change === "metadata" || m.change === "content" && m.inner?.metadataOnly === true);
  d.moreMembers = Math.max(0, diffs.length - MAX_MEMBER_DIFFS);
  d.members = diffs.slice(0, MAX_MEMBER_DIFFS);
  return d;
}
function showValue(v) {
  return v === null ? "(none)" : typeof v === "number" ? String(v) : JSON.stringify(v);
}
function showFields(fields, max = 4) {
  const shown = fields.slice(0, max).map((f) => `${f.field} ${showValue(f.values[0])} vs ${showValue(f.values[1])}`);
  if (fields.length > max) shown.push(`+${fields.length - max} more`);
  return shown.join(", ");
}
var FORMAT_NAMES = {
  tar: "tar",
  gzip: "gzip",
  zip: "zip",
  ar: "ar",
  deb: "deb (ar)",
  xz: "xz",
  bzip2: "bzip2",
  zstd: "zstd"
};
function describeArchiveDiff(d, labels = ["run 1", "run 2"], indent = "") {
  const out = [];
  const fmt = FORMAT_NAMES[d.format];
  const where = d.path.includes("!") ? ` (${d.path.slice(d.path.indexOf("!") + 1)})` : "";
  if (d.header.length > 0) out.push(`${indent}${fmt} header${where}: ${showFields(d.header)}`);
  for (const n of d.notes) out.push(`${indent}${fmt}${where}: ${n.replace(/^first: /, `${labels[0]}: `).replace(/^second: /, `${labels[1]}: `)}`);
  if (d.inner) out.push(...describeArchiveDiff(d.inner, labels, indent));
  if (d.payloadOffset !== void 0) out.push(`${indent}${fmt}${where}: decompressed data differs at byte ${d.payloadOffset}`);
  for (const m of d.members) {
    const name = `${fmt} member ${m.name}`;
    if (m.change === "only-in-first") out.push(`${indent}${name}: only in ${labels[0]}`);
    else if (m.change === "only-in-second") out.push(`${indent}${name}: only in ${labels[1]}`);
    else if (m.change === "metadata") out.push(`${indent}${name}: metadata only (${showFields(m.fields)})`);
    else {
      let line = `${indent}${name}: content differs`;
      if (m.offset !== void 0) line += ` at byte ${m.offset}`;
      if (m.fields.length > 0) line += `; also ${showFields(m.fields)}`;
      out.push(line);
      if (m.inner) out.push(...describeArchiveDiff(m.inner, labels, `${indent}  `));
    }
  }
  if (d.moreMembers > 0) out.push(`${indent}… and ${d.moreMembers} more ${fmt} members differ`);
  if (d.orderDiffers && d.order) {
    out.push(`${indent}${fmt}${where}: member order differs (${labels[0]}: ${d.order[0].join(", ")}; ${labels[1]}: ${d.order[1].join(", ")})`);
  }
  if (indent === "" && d.metadataOnly && out.length > 0) out.push("only metadata differs: every member has the same bytes");
  return out;
}
function flattenMemberDiffs(d) {
  const out = [];
  if (d.inner) out.push(...flattenMemberDiffs(d.inner));
  for (const m of d.members) {
    out.push({ archive: d.path, format: d.format, diff: m });
    if (m.inner) out.push(...flattenMemberDiffs(m.inner));
  }
  return out;
}
function flattenHeaderDiffs(d) {
  const out = [];
  for (const f of d.header) out.push({ archive: d.path, format: d.format, field: f });
  if (d.inner) out.push(...flattenHeaderDiffs(d.inner));
  for (const m of d.members) if (m.inner) out.push(...flattenHeaderDiffs(m.inner));
  return out;
}
function orderDiffs(d) {
  const out = [];
  if (d.orderDiffers) out.push(d);
  if (d.inner) out.push(...orderDiffs(d.inner));
  for (const m of d.members) if (m.inner) out.push(...orderDiffs(m.inner));
  return out;
}
function firstLeafDifference(d) {
  if (d.payloadOffset !== void 0 && d.payloadContext) return { where: d.path, offset: d.payloadOffset, context: d.payloadContext };
  if (d.inner) {
    const r = firstLeafDifference(d.inner);
    if (r) return r;
  }
  for (const m of d.members) {
    if (m.inner) {
      const r = firstLeafDifference(m.inner);
      if (r) return r;
    } else if (m.offset !== void 0 && m.context) {
      return { where: `${d.path}!${m.name}`, offset: m.offset, context: m.context };
    }
  }
  return null;
}

// src/verify/elf.ts
function sections(buf) {
  const out = [];
  const shoff = Number(buf.readBigUInt64LE(40));
  const shentsize = buf.readUInt16LE(58);
  const shnum = buf.readUInt16LE(60);
  for (let i = 0; i < shnum && shoff > 0; i++) {
    const s = shoff + i * shentsize;
    if (s + 64 > buf.length) break;
    out.push({
      type: buf.readUInt32LE(s + 4),
      flags: Number(buf.readBigUInt64LE(s + 8)),
      offset: Number(buf.readBigUInt64LE(s + 24)),
      size: Number(buf.readBigUInt64LE(s + 32))
    });
  }
  return out;
}
function isElf64(buf) {
  return buf.length >= 64 && buf.readUInt32BE(0) === 2135247942 && buf[4] === 2 && buf[5] === 1;
}
function elfBuildIdRange(buf) {
  if (!isElf64(buf)) return null;
  for (const sec of sections(buf)) {
    if (sec.type !== 7) continue;
    const end = Math.min(buf.length, sec.offset + sec.size);
    for (let p = sec.offset; p + 12 <= end; ) {
      const namesz = buf.readUInt32LE(p);
      const descsz = buf.readUInt32LE(p + 4);
      const type = buf.readUInt32LE(p + 8);
      const name = buf.toString("latin1", p + 12, p + 12 + namesz).replace(/\0+$/, "");
      const desc = p + 12 + Math.ceil(namesz / 4) * 4;
      if (type === 3 && name === "GNU") return [desc, desc + descsz];
      p = desc + Math.ceil(descsz / 4) * 4;
    }
  }
  return null;
}
function scanElf(buf) {
  if (!isElf64(buf)) return null;
  const ranges = [];
  for (const sec of sections(buf)) {
    if (sec.type === 8 || (sec.flags & 4) === 0) continue;
    ranges.push([sec.offset, Math.min(buf.length, sec.offset + sec.size)]);
  }
  if (ranges.length === 0) {
    const phoff = Number(buf.readBigUInt64LE(32));
    const phentsize = buf.readUInt16LE(54);
    const phnum = buf.readUInt16LE(56);
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * phentsize;
      if (p + 56 > buf.length) break;
      if (buf.readUInt32LE(p) !== 1 || (buf.readUInt32LE(p + 4) & 1) === 0) continue;
      const off = Number(buf.readBigUInt64LE(p + 8));
      const size = Number(buf.readBigUInt64LE(p + 32));
      ranges.push([off, Math.min(buf.length, off + size)]);
    }
  }
  const scan = { rdrand: 0, rdseed: 0, cpuid: 0, rdtsc: 0 };
  for (const [start, end] of ranges) {
    for (let i = start; i + 1 < end; i++) {
      if (buf[i] !== 15) continue;
      const b1 = buf[i + 1];
      if (b1 === 162) scan.cpuid++;
      else if (b1 === 49) scan.rdtsc++;
      else if (b1 === 199 && i + 2 < end && buf[i + 2] >= 240 && (i === 0 || buf[i - 1] !== 243)) {
        if (buf[i + 2] >= 248) scan.rdseed++;
        else scan.rdrand++;
      } else if (b1 === 1 && i + 2 < end && buf[i + 2] === 249) scan.rdtsc++;
    }
  }
  return scan;
}

// src/verify/diffoscope.ts
import { spawn } from "node:child_process";
import { accessSync as accessSync2, constants as fsc2 } from "node:fs";
import { delimiter, join as join3 } from "node:path";
function which(name, path = process.env.PATH ?? "") {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const file = join3(dir, name);
    try {
      accessSync2(file, fsc2.X_OK);
      return file;
    } catch {
    }
  }
  return null;
}
function trimLines(text, max) {
  const lines = text.replace(/\n$/, "").split("\n");
  if (lines.length <= max) return [lines.join("\n"), 0];
  return [lines.slice(0, max).join("\n"), lines.length - max];
}
async function runDiffoscope(a, b, opts = {}) {
  const exe = opts.executable ?? which("diffoscope");
  if (exe === null) return null;
  const timeoutSec = opts.timeoutSec ?? 60;
  const maxLines = opts.maxLines ?? 200;
  const args = [
    "--text",
    "-",
    "--no-progress",
    "--max-report-size",
    String(opts.maxReportSize ?? 262144),
    "--timeout",
    String(timeoutSec),
    a,
    b
  ];
  return new Promise((resolve2) => {
    const child = spawn(exe, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C.UTF-8" } });
    const chunks = [];
    let size = 0;
    const cap = 4 * 1024 * 1024;
    child.stdout.on("data", (c) => {
      if (size < cap) chunks.push(c);
      size += c.length;
    });
    const errs = [];
    child.stderr.on("data", (c) => {
      if (errs.length < 64) errs.push(c);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, (timeoutSec + 10) * 1e3);
    const finish = (exitCode, extra = "") => {
      clearTimeout(timer);
      let text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") text = Buffer.concat(errs).toString("utf8");
      text += extra;
      for (const [prefix, label] of Object.entries(opts.labels ?? {}).sort((x, y) => y[0].length - x[0].length)) {
        text = text.split(prefix).join(label);
      }
      const [trimmed, omitted] = trimLines(text, maxLines);
      resolve2({ exitCode, text: trimmed, omittedLines: omitted, timedOut });
    };
    child.once("error", (err) => finish(null, `diffoscope: ${err.message}`));
    child.once("close", (code2) => finish(code2));
  });
}

// src/verify/explain.ts
import { readFileSync as readFileSync2, statSync as statSync2 } from "node:fs";
var SOURCES_OF = {
  timestamp: ["time", "rdtsc", "file-metadata"],
  random: ["randomness", "rdrand", "rdtsc", "proc-files", "pids", "aslr"],
  order: ["directory-order", "scheduling"],
  mtime: ["file-metadata", "time"],
  mode: ["umask", "file-metadata"],
  owner: ["user", "file-metadata"],
  path: ["cwd"],
  hostname: ["hostname"],
  home: ["environment"],
  tmpdir: ["environment"],
  tz: ["environment", "time"],
  rdrand: ["rdrand"],
  cpuid: ["cpuid"],
  rdtsc: ["rdtsc"]
};
var SOURCE_TEXT = {
  time: "wall-clock time is not hidden: the build may embed the time",
  "file-metadata": "file timestamps and inode numbers are the host's: archives and listings may embed them",
  "directory-order": "directory order is the file system's: file lists and archives may follow it",
  randomness: "randomness (getrandom, /dev/urandom, AT_RANDOM) is the host's",
  rdtsc: "the time-stamp counter (RDTSC) is not hidden",
  cpuid: "CPUID faulting unavailable on this host: the build may embed CPU features",
  rdrand: "RDRAND/RDSEED cannot be hidden on this host (no CPUID faulting): a program that uses them gets fresh random values each run",
  "cpu-count": "the number of CPUs is the host's: parallelism or output may depend on it",
  "proc-files": "/proc files (meminfo, stat, uptime) are the host's",
  scheduling: "thread scheduling is not determinized",
  pids: "process ids are not determinized",
  hostname: "the host name is not hidden",
  user: "the user and group ids are the host's",
  environment: "the environment is not fixed",
  cwd: "the build path is the host's",
  umask: "the umask is the host's",
  aslr: "address-space layout randomization is on: addresses may leak into output"
};
var EVIDENCE_TEXT = {
  timestamp: "embedded timestamp-like bytes",
  random: "random-looking bytes",
  order: "member order differs",
  mtime: "member timestamps differ",
  mode: "file modes differ",
  owner: "file owners differ",
  path: "embeds the build path",
  hostname: "embeds the host name",
  home: "embeds $HOME",
  tmpdir: "embeds $TMPDIR",
  tz: "embeds the time zone",
  rdrand: "a built program executes RDRAND/RDSEED",
  cpuid: "a built program executes CPUID",
  rdtsc: "a built program executes RDTSC"
};
var STRONG = /* @__PURE__ */ new Set(["rdrand", "cpuid", "rdtsc"]);
var MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec";
var DATE_RES = [
  /\d{4}-\d{2}-\d{2}[ T_]\d{2}:\d{2}(:\d{2})?/,
  /\b\d{2}:\d{2}:\d{2}\b/,
  new RegExp(`\\b(${MONTHS}) {1,2}\\d{1,2}\\b`),
  /\b\d{4}\d{2}\d{2}T?\d{6}\b/
];
function hasTimestampText(text, around) {
  if (DATE_RES.some((re) => re.test(text))) return true;
  for (const m of text.matchAll(/\b(1[0-9]{9})(\.\d+)?\b/g)) {
    const t = Number(m[1]) * 1e3;
    if (around.some((a) => Math.abs(a - t) < 3 * 864e5)) return true;
  }
  return false;
}
function hasTimestampWord(ctx, offset, around) {
  const rel = offset - ctx.start;
  for (let i = Math.max(0, rel - 7); i <= rel; i++) {
    let hits = 0;
    for (const w of ctx.bytes) {
      if (i + 4 > w.length) continue;
      const t = w.readUInt32LE(i) * 1e3;
      if (around.some((a) => Math.abs(a - t) < 3 * 864e5)) hits++;
    }
    if (hits === 2) return true;
  }
  return false;
}
function looksRandom(ctx, offset) {
  const rel = offset - ctx.start;
  const [a, b] = ctx.bytes;
  const n = Math.min(a.length, b.length) - rel;
  if (n < 4) return false;
  const span = Math.min(n, 16);
  let differ = 0;
  for (let i = rel; i < rel + span; i++) if (a[i] !== b[i]) differ++;
  const hexA = /^[0-9a-fA-F]{6,}/.test(a.toString("latin1", Math.max(0, rel - 2), rel + span));
  const hexB = /^[0-9a-fA-F]{6,}/.test(b.toString("latin1", Math.max(0, rel - 2), rel + span));
  if ((hexA || hexB) && differ >= Math.min(span, 8) * 0.6) return true;
  return differ >= span * 0.75 && span >= 8;
}
function contentEvidence(ctx, offset, runStartsMs) {
  if (!ctx || offset === null) return [];
  const out = [];
  const texts = ctx.bytes.map((b) => b.toString("latin1"));
  if (texts.some((t) => hasTimestampText(t, runStartsMs)) || hasTimestampWord(ctx, offset, runStartsMs)) out.push("timestamp");
  else if (looksRandom(ctx, offset)) out.push("random");
  return out;
}
var MAX_SCAN_BYTES = 64 * 1024 * 1024;
function readSmall(file) {
  try {
    if (statSync2(file).size > MAX_SCAN_BYTES) return null;
    return readFileSync2(file);
  } catch {
    return null;
  }
}
function scanVariedValues(files, variations) {
  const bufs = files.map((f) => f === null ? null : readSmall(f));
  const hits = [];
  const aspects = [
    ["path", (v) => v.dir],
    ["home", (v) => v.env.HOME ?? null],
    ["tmpdir", (v) => v.env.TMPDIR ?? null],
    ["hostname", (v) => v.hostname]
  ];
  variations.forEach((v, r) => {
    const mine = bufs[r];
    if (!mine) return;
    for (const [evidence, get] of aspects) {
      const value = get(v);
      if (!value) continue;
      const others = variations.map(get);
      if (others.filter((o) => o === value).length > 1) continue;
      if (!mine.includes(value)) continue;
      if (bufs.some((b, k) => k !== r && b !== null && b.includes(value))) continue;
      if (evidence === "home" && v.dir.startsWith(value)) continue;
      hits.push({ evidence, run: v.index, value });
    }
    const tz = v.env.TZ;
    if (tz) {
      const abbr = /^[A-Za-z]{3,}/.exec(tz)?.[0];
      const othersTz = variations.filter((o) => o !== v).map((o) => o.env.TZ);
      if (abbr && !othersTz.includes(tz)) {
        const re = new RegExp(`\\b${abbr}\\b`);
        if (re.test(mine.toString("latin1")) && bufs.every((b, k) => k === r || b === null || !re.test(b.toString("latin1")))) {
          hits.push({ evidence: "tz", run: v.index, value: tz });
        }
      }
    }
  });
  return hits;
}
function scanBuiltPrograms(files) {
  const out = [];
  for (const f of files) {
    const buf = readSmall(f.file);
    if (!buf) continue;
    const scan = scanElf(buf);
    if (scan && (scan.rdrand || scan.rdseed || scan.cpuid || scan.rdtsc)) out.push({ path: f.path, scan });
  }
  return out;
}
function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
function explain(input) {
  const findings = [];
  const evidence = /* @__PURE__ */ new Set();
  const add = (f) => findings.push(f);
  for (const [run, code2] of input.failedRuns) {
    add({ kind: "run-failed", score: 100, cause: `run ${run} failed (exit ${code2}): its artifacts may be missing or incomplete` });
  }
  if (input.missingIn.length > 0) {
    const present = input.variations.map((v) => v.index).filter((i) => !input.missingIn.includes(i));
    add({
      kind: "missing",
      score: 85,
      cause: `created in run ${present.join(", ") || "(none)"} but not in run ${input.missingIn.join(", ")}: the set of output files differs (a name may embed a varying value)`
    });
  }
  const byAspect = /* @__PURE__ */ new Map();
  for (const h of input.variedHits) byAspect.set(h.evidence, [...byAspect.get(h.evidence) ?? [], h]);
  for (const [aspect, hits] of byAspect) {
    evidence.add(aspect);
    const what = { path: "the build path", home: "$HOME", tmpdir: "$TMPDIR", hostname: "the host name", tz: "the time zone" }[aspect];
    const values = hits.sort((x, y) => x.run - y.run).map((h) => `run ${h.run}: ${h.value}`).join("; ");
    add({ kind: `varied-${aspect}`, score: aspect === "tz" ? 70 : 90, cause: `embeds ${what}, which --vary changed between runs (${values})` });
  }
  if (input.archive) {
    const a = input.archive;
    for (const h of flattenHeaderDiffs(a)) {
      if (h.format === "gzip" && h.field.field === "mtime") {
        evidence.add("mtime");
        add({
          kind: "gzip-mtime",
          score: a.metadataOnly ? 92 : 60,
          cause: `differs in the gzip header mtime (${h.field.values[0]} vs ${h.field.values[1]}): gzip stores a time unless run with -n`
        });
      } else if (h.format === "gzip" && h.field.field === "name") {
        add({ kind: "gzip-name", score: 70, cause: "differs in the gzip header file name: gzip stores the input name unless run with -n" });
      } else {
        add({ kind: "archive-header", score: 50, cause: `${h.format} header field ${h.field.field} differs (${h.field.values[0]} vs ${h.field.values[1]})` });
      }
    }
    const members = flattenMemberDiffs(a);
    const withField = (names) => members.filter((m) => m.diff.fields.some((f) => names.includes(f.field)));
    const mtimes = withField(["mtime", "modified", "atime", "ctime", "pax mtime", "pax atime", "pax ctime"]);
    if (mtimes.length > 0) {
      evidence.add("mtime");
      add({
        kind: "archive-mtime",
        score: a.metadataOnly ? 88 : 62,
        cause: `${mtimes[0].format} member timestamps differ (${plural(mtimes.length, "member")}, e.g. ${mtimes[0].diff.name}): file times went into the archive (clamp them to SOURCE_DATE_EPOCH, e.g. tar --mtime)`
      });
    }
    const modes = withField(["mode", "externalAttributes"]);
    if (modes.length > 0) {
      evidence.add("mode");
      const um = input.variations.map((v) => v.varied.umask).filter(Boolean);
      add({
        kind: "archive-mode",
        score: 74,
        cause: `${modes[0].format} member modes differ (${plural(modes.length, "member")}, e.g. ${modes[0].diff.name})${um.length > 1 ? `: the umask was varied (${um.join(" vs ")})` : ""}`
      });
    }
    const owners = withField(["uid", "gid", "uname", "gname"]);
    if (owners.length > 0) {
      evidence.add("owner");
      add({ kind: "archive-owner", score: 72, cause: `${owners[0].format} member owners differ (${plural(owners.length, "member")}): the archive stores user/group` });
    }
    for (const o of orderDiffs(a)) {
      evidence.add("order");
      add({
        kind: "archive-order",
        score: 82,
        cause: `${o.format} member order differs${o.path.includes("!") ? ` in ${o.path.slice(o.path.indexOf("!") + 1)}` : ""}: the archiver followed directory order (e.g. tar --sort=name fixes it)`
      });
    }
    const added = members.filter((m) => m.diff.change === "only-in-first" || m.diff.change === "only-in-second");
    if (added.length > 0) {
      add({ kind: "archive-members", score: 60, cause: `${added[0].format} members present in one run only (${plural(added.length, "member")}, e.g. ${added[0].diff.name})` });
    }
  }
  for (const e of contentEvidence(input.context, input.offset, input.runStartsMs)) {
    evidence.add(e);
    const inside = input.offsetIn && input.offsetIn !== input.path ? ` in ${input.offsetIn.slice(input.offsetIn.indexOf("!") + 1)}` : "";
    const at = input.offset !== null ? `${inside} at byte ${input.offset}` : inside;
    const shown = input.context ? ` (${input.context.shown[0]} vs ${input.context.shown[1]})` : "";
    add({
      kind: e,
      score: e === "timestamp" ? 75 : 55,
      cause: `${EVIDENCE_TEXT[e]}${at}${e === "random" ? ": fresh randomness in each run" : ": the build embeds the time"}`,
      evidence: shown.length > 200 ? void 0 : shown.trim()
    });
  }
  for (const p of input.programs) {
    const rd = p.scan.rdrand + p.scan.rdseed;
    if (rd > 0) {
      evidence.add("rdrand");
      add({
        kind: "program-rdrand",
        score: evidence.has("random") ? 80 : 58,
        cause: `${p.path} executes RDRAND/RDSEED (${plural(rd, "site")}): hardware randomness that only CPUID faulting could hide`
      });
    }
    if (p.scan.rdtsc > 0) {
      evidence.add("rdtsc");
      add({ kind: "program-rdtsc", score: 40, cause: `${p.path} executes RDTSC (${plural(p.scan.rdtsc, "site")}): it reads the CPU's time-stamp counter` });
    }
    if (p.scan.cpuid > 0) {
      evidence.add("cpuid");
      add({ kind: "program-cpuid", score: 45, cause: `${p.path} executes CPUID (${plural(p.scan.cpuid, "site")}): output may depend on CPU features` });
    }
  }
  if (!input.trace) {
    add({ kind: "no-trace", score: 30, cause: "run without the tracer (--no-trace): time, randomness, file order and host identity are not hidden" });
  } else {
    const status = /* @__PURE__ */ new Map();
    const details = /* @__PURE__ */ new Map();
    for (const r of input.reports) {
      if (!r) continue;
      for (const [src, st] of Object.entries(r.guarantees ?? {})) {
        if (st !== "determinized") status.set(src, st);
      }
      const gd = r.guaranteeDetails;
      if (gd) for (const [k, v] of Object.entries(gd)) details.set(k, v);
    }
    for (const [src, st] of status) {
      const matched = [...evidence].filter((e) => SOURCES_OF[e].includes(src));
      let score = st === "unavailable-on-host" ? 25 : 20;
      if (matched.length > 0) {
        score += 45 - Math.min(...matched.map((m) => SOURCES_OF[m].indexOf(src))) * 5;
        if (matched.some((m) => STRONG.has(m))) score += 25;
        score += (matched.length - 1) * 5;
      }
      const label = st === "unavailable-on-host" ? "unavailable on this host" : "not handled by the tracer yet";
      const text = SOURCE_TEXT[src] ?? `${src} is not determinized`;
      add({
        kind: src,
        score,
        cause: `${text} (${src}: ${label})`,
        evidence: [matched.length ? `matches: ${matched.map((m) => EVIDENCE_TEXT[m]).join(", ")}` : "", details.get(src) ?? ""].filter(Boolean).join("; ") || void 0
      });
    }
    const claimed = /* @__PURE__ */ new Set();
    for (const r of input.reports) for (const [src, st] of Object.entries(r?.guarantees ?? {})) if (st === "determinized") claimed.add(src);
    for (const e of evidence) {
      const src = SOURCES_OF[e].find((s) => claimed.has(s) && !status.has(s));
      if (src && ["path", "hostname", "home", "tmpdir", "tz", "order", "timestamp", "random"].includes(e) && SOURCES_OF[e][0] === src) {
        add({ kind: `leak-${src}`, score: 50, cause: `${EVIDENCE_TEXT[e]} although the run report says ${src} is determinized: a path the tracer misses` });
      }
    }
    const unsupported = /* @__PURE__ */ new Map();
    for (const r of input.reports) for (const u of r?.unsupported ?? []) unsupported.set(u.syscall, (unsupported.get(u.syscall) ?? 0) + u.count);
    for (const [sc, n] of unsupported) {
      add({ kind: "unsupported", score: 40, cause: `unsupported syscall ${sc} was used (${plural(n, "time")}): it failed with ENOSYS and the build may have taken another path` });
    }
    const valid = input.reports.filter((r) => r !== null);
    if (valid.length > 1) {
      const keys = new Set(valid.flatMap((r) => Object.keys(r.intercepted ?? {})));
      for (const k of keys) {
        const counts = valid.map((r) => r.intercepted?.[k] ?? 0);
        if (counts.some((c) => c !== counts[0])) {
          add({ kind: "intercepted", score: 12, cause: `the runs intercepted different numbers of ${k} calls (${counts.join(" vs ")}): they took different paths` });
        }
      }
    }
  }
  if (findings.length === 0) {
    add({ kind: "unknown", score: 1, cause: "no specific cause found: compare the two versions (diffoscope shows the differences in detail)" });
  }
  const seen = /* @__PURE__ */ new Set();
  return findings.sort((x, y) => y.score - x.score || (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0)).filter((f) => seen.has(f.cause) ? false : (seen.add(f.cause), true));
}
function rankFindings(perArtifact) {
  const by = /* @__PURE__ */ new Map();
  for (const a of perArtifact) {
    for (const f of a.causes) {
      const r = by.get(f.cause);
      if (r) {
        r.score = Math.max(r.score, f.score);
        r.artifacts.push(a.path);
      } else {
        by.set(f.cause, { ...f, artifacts: [a.path] });
      }
    }
  }
  return [...by.values()].sort((x, y) => y.score - x.score || y.artifacts.length - x.artifacts.length);
}
function hostLimits(report) {
  if (!report) return [];
  const gd = report.guaranteeDetails ?? {};
  return Object.entries(report.guarantees ?? {}).filter(([, st]) => st !== "determinized").map(([source, status]) => ({ source, status, detail: gd[source] }));
}

// src/verify/progress.ts
function seconds(ms) {
  return `${(ms / 1e3).toFixed(1)}s`;
}
var Progress = class {
  stream;
  live;
  label = "";
  stepStart = 0;
  start = Date.now();
  timer;
  shown = false;
  constructor(stream, live = stream.isTTY === true) {
    this.stream = stream;
    this.live = live;
  }
  /** Begin a step ("run 1/2: building"); on a terminal its line shows the elapsed time. */
  step(label) {
    this.label = label;
    this.stepStart = Date.now();
    if (this.live) {
      this.draw();
      if (this.timer === void 0) {
        this.timer = setInterval(() => this.draw(), 200);
        this.timer.unref();
      }
    } else {
      this.stream.write(`${label} …
`);
    }
  }
  /** End the current step with a permanent line. */
  done(line) {
    this.clear();
    this.stream.write(`${line}
`);
    this.label = "";
  }
  /** A permanent line (a warning, a note) without ending the step. */
  note(line) {
    this.clear();
    this.stream.write(`${line}
`);
    if (this.live && this.label !== "") this.draw();
  }
  /** Elapsed time of the current step, in ms. */
  stepElapsed() {
    return Date.now() - this.stepStart;
  }
  /** Elapsed time since the verify began, in ms. */
  elapsed() {
    return Date.now() - this.start;
  }
  stop() {
    if (this.timer !== void 0) clearInterval(this.timer);
    this.timer = void 0;
    this.clear();
  }
  draw() {
    if (this.label === "") return;
    let line = `${this.label} … ${seconds(this.stepElapsed())} (total ${seconds(this.elapsed())})`;
    const cols = this.stream.columns ?? 80;
    if (line.length > cols - 1) line = line.slice(0, cols - 2) + "…";
    this.stream.write(`\r\x1B[K${line}`);
    this.shown = true;
  }
  clear() {
    if (this.live && this.shown) {
      this.stream.write("\r\x1B[K");
      this.shown = false;
    }
  }
};

// src/verify/report-json.ts
import { randomBytes } from "node:crypto";
import { rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname as dirname2, join as join4 } from "node:path";
function manifestLine(sha256, path) {
  return `${sha256}  ${path}
`;
}
var DIGEST_ALGORITHM = 'sha256 over the manifest of run 1: one line "<sha256>  <path>\\n" per artifact present in run 1, sorted by path (byte order)';
function manifestDigest(entries) {
  const lines = entries.filter((e) => e.sha256 !== null).sort((a, b) => comparePaths(a.path, b.path)).map((e) => manifestLine(e.sha256, e.path)).join("");
  return sha256Hex(lines);
}
async function writeAtomic(file, text) {
  const tmp = join4(dirname2(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 420 });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => void 0);
    const code2 = err?.code;
    throw new DetError(file, `cannot write it (${code2 ?? String(err)})`, { cause: err });
  }
}
function reportJson(report) {
  return `${JSON.stringify(report, null, 2)}
`;
}

// src/verify/report-markdown.ts
function cell(text) {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}
function code(text) {
  const ticks = text.includes("`") ? "``" : "`";
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}
function short(hash) {
  return hash === null ? "—" : code(hash.slice(0, 12));
}
function secs(ms) {
  return `${(ms / 1e3).toFixed(1)} s`;
}
var MAX_SAME_ROWS = 200;
function renderMarkdown(r) {
  const out = [];
  const icon = r.exitStatus === 0 ? "✅" : r.exitStatus === 1 ? "❌" : "⚠️";
  out.push(`# ${icon} dettrace verify: ${r.verdict}`, "");
  out.push(
    `Command ${code(r.command.join(" "))} in ${code(r.workdir)}: ${r.runs.length} runs, ${r.trace ? "traced" : "without the tracer (--no-trace)"}, ${r.vary ? "host varied between runs" : "host not varied"}.`,
    ""
  );
  out.push("| run | exit | duration | host setup |", "| ---: | ---: | ---: | --- |");
  for (const run of r.runs) {
    const v = run.varied;
    const setup = Object.keys(v).length === 0 ? "same as the other runs" : [
      v.tz && `TZ=${v.tz}`,
      v.locale && `LANG=${v.locale}`,
      v.umask && `umask ${v.umask}`,
      v.hostname && `host ${v.hostname.split(" ")[0]}`,
      v.fileOrder,
      v.cpus && `CPUs: ${v.cpus}`
    ].filter(Boolean).join(", ");
    out.push(`| ${run.index} | ${run.exitCode}${run.timedOut ? " (timeout)" : ""} | ${secs(run.durationMs)} | ${cell(setup)} |`);
  }
  out.push("");
  for (const w of r.warnings) out.push(`> **Warning:** ${cell(w)}`, "");
  if (r.artifacts.length === 0) {
    out.push("No artifacts: the build created or changed no files in the work dir.", "");
  } else {
    const head = ["artifact", ...r.runs.map((x) => `run ${x.index}`), ""];
    out.push(`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`);
    let sameShown = 0;
    let sameHidden = 0;
    for (const a of r.artifacts) {
      if (a.same && sameShown >= MAX_SAME_ROWS) {
        sameHidden++;
        continue;
      }
      if (a.same) sameShown++;
      let state = a.same ? "same" : a.status === "missing" ? `**missing** in run ${a.missingIn?.join(", ")}` : "**differs**";
      if (!a.same && a.firstDifference?.offset !== void 0 && a.firstDifference.offset !== null && a.status !== "missing") {
        state += ` at byte ${a.firstDifference.offset}`;
      }
      out.push(`| ${cell(code(a.path))} | ${a.hashes.map(short).join(" | ")} | ${state} |`);
    }
    if (sameHidden > 0) out.push(`| … ${sameHidden} more identical artifacts | ${r.runs.map(() => "").join(" | ")} | same |`);
    out.push("");
  }
  const differing = r.artifacts.filter((a) => !a.same);
  if (differing.length > 0) {
    out.push("## Differences", "");
    for (const a of differing) {
      out.push(`### ${code(a.path)}`, "");
      if (a.cause) out.push(`- **Likely cause:** ${a.cause}`);
      const more = (a.causes ?? []).slice(1, 4);
      for (const c of more) out.push(`- also possible: ${c.cause}`);
      if (a.firstDifference && a.firstDifference.offset !== null) {
        const fd = a.firstDifference;
        out.push(`- first difference between run ${fd.runs[0]} and run ${fd.runs[1]} at byte ${fd.offset} (sizes ${fd.sizes[0]} and ${fd.sizes[1]})`);
        if (fd.context) out.push(`  - run ${fd.runs[0]}: ${code(fd.context[0])}`, `  - run ${fd.runs[1]}: ${code(fd.context[1])}`);
      }
      for (const w of a.where ?? []) out.push(`- ${w}`);
      if (a.diffoscope && a.diffoscope.text.trim() !== "") {
        out.push("", "<details><summary>diffoscope</summary>", "", "```text", a.diffoscope.text.replace(/```/g, "`​``"));
        if (a.diffoscope.omittedLines > 0) out.push(`… ${a.diffoscope.omittedLines} more lines`);
        out.push("```", "", "</details>");
      }
      out.push("");
    }
  }
  if (r.findings.length > 0) {
    out.push("## Likely causes, most likely first", "");
    r.findings.slice(0, 20).forEach((f, i) => {
      const arts = f.artifacts.slice(0, 5).map(code).join(", ") + (f.artifacts.length > 5 ? ` and ${f.artifacts.length - 5} more` : "");
      out.push(`${i + 1}. ${f.cause} — ${arts}`);
    });
    out.push("");
  }
  if (r.hostLimits.length > 0) {
    out.push("## What the tracer did not determinize on this host", "", "| source | status | detail |", "| --- | --- | --- |");
    for (const h of r.hostLimits) out.push(`| ${cell(h.source)} | ${cell(h.status)} | ${cell(h.detail ?? "")} |`);
    out.push("");
  }
  if (r.artifacts.length > 0) out.push(`Digest of run 1's artifacts: ${code(r.digest)}`, "");
  return out.join("\n");
}

// src/verify/runner.ts
import { spawn as spawn2 } from "node:child_process";
import { appendFileSync, closeSync as closeSync2, existsSync, openSync as openSync2, readFileSync as readFileSync3, readSync, statSync as statSync3 } from "node:fs";
import { constants as osc } from "node:os";
import { join as join6 } from "node:path";
import { performance } from "node:perf_hooks";

// src/verify/vary.ts
import { spawnSync as spawnSync2 } from "node:child_process";
import { closeSync, mkdtempSync, openSync, opendirSync, rmSync } from "node:fs";
import { availableParallelism as availableParallelism2 } from "node:os";
import { join as join5 } from "node:path";
function rawDirOrder(dir) {
  const names = [];
  const d = opendirSync(dir);
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) names.push(e.name);
  } finally {
    d.closeSync();
  }
  return names;
}
function creationOrderVisible(dir) {
  const probe = mkdtempSync(join5(dir, ".order-probe-"));
  try {
    const names = ["m", "c", "x", "a", "q", "f", "z", "b"];
    for (const n of names) closeSync(openSync(join5(probe, n), "w"));
    const got = rawDirOrder(probe).join("");
    return got === names.join("") || got === [...names].reverse().join("");
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
function works(cmd, args) {
  try {
    const r = spawnSync2(cmd, args, { stdio: "ignore", timeout: 5e3 });
    return r.status === 0;
  } catch {
    return false;
  }
}
function probeVaryHost() {
  const root = typeof process.geteuid === "function" && process.geteuid() === 0;
  const uts = root && works("unshare", ["--uts", "true"]);
  const taskset = availableParallelism2() > 1 && works("taskset", ["-c", "0", "true"]);
  let altLocale = null;
  try {
    const r = spawnSync2("locale", ["-a"], { encoding: "utf8", timeout: 5e3 });
    const names = (r.stdout ?? "").split("\n").map((s) => s.trim()).filter(Boolean);
    altLocale = names.find((n) => !/^(C|POSIX)([._].*)?$/i.test(n)) ?? null;
  } catch {
    altLocale = null;
  }
  return { uts, taskset, altLocale };
}
var TZS = ["UTC", "DET-14", "DET+12", "DET-5:30"];
var UMASKS = [18, 2, 23];
var VARY_GAP_MS = 1100;
function formatUmask(u) {
  return u.toString(8).padStart(4, "0");
}
function planVariation(index, vary, tmpRoot, host) {
  if (!vary) {
    return {
      index,
      vary,
      dir: join5(tmpRoot, "work"),
      keepAs: join5(tmpRoot, `run-${index}`),
      env: {},
      mkdirs: [],
      umask: null,
      hostname: null,
      hostnameInNamespace: false,
      cpus: null,
      order: "sorted",
      minGapMs: 0,
      varied: {}
    };
  }
  const control = index === 1;
  const even = index % 2 === 0;
  const rel = control ? join5("b1", "build") : join5(`varied-build-path-run-${index}${"-x".repeat(index)}`, "deeper", "work");
  const dir = join5(tmpRoot, rel);
  const home = join5(tmpRoot, control ? "home1" : `home-of-run-${index}`, control ? "" : "user");
  const tmp = join5(tmpRoot, control ? "t1" : `tmp-of-run-${index}`);
  const tz = TZS[(index - 1) % TZS.length];
  const locale = control || !even ? "C.UTF-8" : host.altLocale ?? "C";
  const umask = UMASKS[(index - 1) % UMASKS.length];
  const hostname = control ? "det-verify-1" : `det-verify-host-of-run-${index}.example.org`;
  const env = {
    HOME: home,
    TMPDIR: tmp,
    TZ: tz,
    LANG: locale,
    LC_ALL: locale,
    LANGUAGE: null,
    HOSTNAME: hostname
  };
  if (!control) {
    env.DET_VERIFY_RUN = String(index);
    env.CAPTURE_ENVIRONMENT = `i_capture_the_environment_${index}`;
  }
  const order = even ? "reverse" : "sorted";
  const cpus = !control && even && host.taskset ? "0" : null;
  const varied = {
    buildPath: dir,
    home,
    tmpdir: tmp,
    tz,
    locale,
    umask: formatUmask(umask),
    hostname: host.uts ? `${hostname} (private UTS namespace)` : `${hostname} ($HOSTNAME only: the host name itself needs root to change)`,
    fileOrder: (order === "sorted" ? "entries created in byte order" : "entries created in reverse byte order") + (host.orderVisible === false ? " (readdir on this file system ignores creation order; put TMPDIR on tmpfs to vary it)" : ""),
    cpus: cpus === null ? "all" : `CPU ${cpus} only (taskset)`,
    environment: control ? "host environment" : "host environment + DET_VERIFY_RUN, CAPTURE_ENVIRONMENT",
    time: control ? "now" : `at least ${VARY_GAP_MS} ms after the previous run started`
  };
  return {
    index,
    vary,
    dir,
    keepAs: dir,
    env,
    mkdirs: [home, tmp],
    umask,
    hostname,
    hostnameInNamespace: host.uts,
    cpus,
    order,
    minGapMs: control ? 0 : VARY_GAP_MS,
    varied
  };
}
function variedEnv(base, v) {
  const env = { ...base };
  for (const [k, val] of Object.entries(v.env)) {
    if (val === null) delete env[k];
    else env[k] = val;
  }
  return env;
}
function wrapCommand(argv, v) {
  if (v.umask === null && v.hostname === null && v.cpus === null) return [...argv];
  const out = [];
  const setHost = v.hostname !== null && v.hostnameInNamespace;
  if (setHost) out.push("unshare", "--uts");
  if (v.cpus !== null) out.push("taskset", "-c", v.cpus);
  let script = "";
  if (v.umask !== null) script += `umask ${formatUmask(v.umask)} && `;
  if (setHost) script += `hostname '${v.hostname}' && `;
  script += 'exec "$@"';
  out.push("/bin/sh", "-c", script, "sh", ...argv);
  return out;
}

// src/verify/runner.ts
function cliPath() {
  return join6(packageRoot(), "bin", "dettrace.js");
}
function tracedArgv(opts, workdir, reportFile, logFile) {
  const args = [process.execPath, cliPath(), "run", "--workdir", workdir, "--report", reportFile];
  args.push("--epoch", String(opts.epoch));
  args.push("--seed", opts.seedText ?? BigInt(opts.seed).toString());
  for (const e of opts.env) args.push("--env", e);
  if (opts.chroot !== void 0) args.push("--chroot", opts.chroot);
  if (opts.image !== void 0) args.push("--image", opts.image);
  if (opts.timeout !== void 0) args.push("--timeout", String(opts.timeout));
  if (opts.strict) args.push("--strict");
  if (opts.debug > 0) args.push("--debug", String(opts.debug));
  if (logFile !== void 0) args.push("--log", logFile);
  args.push("--", ...opts.command);
  return args;
}
function readRunReport(file) {
  if (!existsSync(file)) return [null, "the tracer wrote no run report"];
  try {
    const text = readFileSync3(file, "utf8");
    const r = JSON.parse(text);
    if (r === null || typeof r !== "object" || Array.isArray(r)) return [null, "the run report is not a JSON object"];
    return [r, void 0];
  } catch (err) {
    return [null, `the run report is not valid JSON: ${err.message}`];
  }
}
function tailOf(file, lines = 20) {
  try {
    const size = statSync3(file).size;
    const fd = openSync2(file, "r");
    try {
      const len = Math.min(size, 65536);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      const text = buf.toString("utf8").replace(/\n$/, "");
      return text.split("\n").slice(-lines).join("\n");
    } finally {
      closeSync2(fd);
    }
  } catch {
    return "";
  }
}
function sha256OfFile(file) {
  try {
    return sha256Hex(readFileSync3(file));
  } catch {
    return null;
  }
}
function signalNumber(name) {
  return osc.signals[name] ?? 0;
}
async function runOnce(spec) {
  const { opts, variation: v } = spec;
  const base = opts.trace ? tracedArgv(opts, v.dir, spec.reportFile, spec.logFile) : [...opts.command];
  const argv = wrapCommand(base, v);
  const env = variedEnv(spec.baseEnv ?? process.env, v);
  const outFd = openSync2(spec.stdoutFile, "w");
  const errFd = openSync2(spec.stderrFile, "w");
  const startedAt = (/* @__PURE__ */ new Date()).toISOString();
  const t0 = performance.now();
  let timedOut = false;
  let interrupted = false;
  const result = await new Promise(
    (resolve2) => {
      let child;
      try {
        child = spawn2(argv[0], argv.slice(1), {
          cwd: opts.trace ? void 0 : v.dir,
          env,
          stdio: ["ignore", outFd, errFd],
          detached: true
        });
      } catch (err) {
        resolve2({ code: null, sig: null, spawnError: err });
        return;
      }
      const pid = child.pid;
      const killTree = (sig) => {
        if (pid === void 0) return;
        try {
          process.kill(-pid, sig);
        } catch {
        }
      };
      let timer;
      if (!opts.trace && opts.timeout !== void 0) {
        timer = setTimeout(() => {
          timedOut = true;
          killTree("SIGKILL");
        }, opts.timeout * 1e3);
      }
      let escalate;
      const onAbort = () => {
        interrupted = true;
        if (opts.trace && pid !== void 0) {
          try {
            process.kill(pid, "SIGINT");
          } catch {
          }
        } else {
          killTree("SIGINT");
        }
        escalate = setTimeout(() => killTree("SIGKILL"), 5e3);
      };
      if (spec.signal?.aborted) onAbort();
      spec.signal?.addEventListener("abort", onAbort, { once: true });
      child.once("error", (err) => {
        if (timer) clearTimeout(timer);
        if (escalate) clearTimeout(escalate);
        spec.signal?.removeEventListener("abort", onAbort);
        resolve2({ code: null, sig: null, spawnError: err });
      });
      child.once("close", (code2, sig) => {
        if (timer) clearTimeout(timer);
        if (escalate) clearTimeout(escalate);
        spec.signal?.removeEventListener("abort", onAbort);
        if (!opts.trace) killTree("SIGKILL");
        resolve2({ code: code2, sig });
      });
    }
  );
  closeSync2(outFd);
  closeSync2(errFd);
  const durationMs = Math.round((performance.now() - t0) * 1e3) / 1e3;
  let exitCode;
  let signal = null;
  if (result.spawnError) {
    const code2 = result.spawnError.code;
    exitCode = code2 === "ENOENT" ? 127 : code2 === "EACCES" ? 126 : 125;
    appendFileSync(spec.stderrFile, `${argv[0]}: ${result.spawnError.message}
`);
  } else if (timedOut) {
    exitCode = 124;
  } else if (result.sig) {
    signal = signalNumber(result.sig);
    exitCode = 128 + signal;
  } else {
    exitCode = result.code ?? 125;
  }
  let report = null;
  let reportError;
  if (opts.trace) [report, reportError] = readRunReport(spec.reportFile);
  return {
    exitCode,
    signal,
    durationMs,
    startedAt,
    report,
    reportError,
    argv,
    stdoutFile: spec.stdoutFile,
    stderrFile: spec.stderrFile,
    stdoutSha256: sha256OfFile(spec.stdoutFile),
    timedOut,
    interrupted
  };
}
function toolFailure(o, traced) {
  if (!traced || o.exitCode !== 125 || o.interrupted) return null;
  const failure = o.report?.failure;
  if (o.report !== null && (failure === null || failure === void 0)) return null;
  const lines = tailOf(o.stderrFile, 50).split("\n");
  const own = lines.filter((l) => l.startsWith("dettrace")).pop();
  if (typeof failure === "string" && failure !== "") return failure;
  if (failure !== null && typeof failure === "object") return JSON.stringify(failure);
  return own ?? lines.filter(Boolean).pop() ?? "the tracer failed without a message";
}

// src/verify/summary.ts
var MAX_SAME_LINES = 50;
var PATH_WIDTH = 56;
function fit(text, width) {
  if (text.length <= width) return text.padEnd(width);
  return `…${text.slice(text.length - width + 1)}`;
}
function secs2(ms) {
  return `${(ms / 1e3).toFixed(1)}s`;
}
function renderSummary(r) {
  const out = [];
  for (const run of r.runs) {
    let line = `run ${run.index}/${r.runs.length}: exit ${run.exitCode}${run.timedOut ? " (timed out)" : ""} in ${secs2(run.durationMs)}`;
    if (run.varied.buildPath) line += `  [${run.varied.tz ? `TZ=${run.varied.tz}, ` : ""}umask ${run.varied.umask}, ${run.varied.fileOrder.split(" (")[0]}]`;
    out.push(line);
    if (run.exitCode !== 0 && run.logTail) {
      for (const l of run.logTail.split("\n")) out.push(`  | ${l}`);
    }
  }
  out.push("");
  for (const w of r.warnings) out.push(`warning: ${w}`);
  if (r.warnings.length > 0) out.push("");
  if (r.artifacts.length === 0) {
    out.push("no artifacts: the build created or changed no files in the work dir");
  } else {
    const width = Math.min(PATH_WIDTH, Math.max(8, ...r.artifacts.map((a) => a.path.length)));
    out.push(`${"ARTIFACT".padEnd(width)}  ${r.runs.map((x) => `RUN ${x.index}`.padEnd(12)).join("  ")}  RESULT`);
    let same = 0;
    for (const a of r.artifacts) {
      if (a.same && ++same > MAX_SAME_LINES) continue;
      const hashes = a.hashes.map((h) => (h === null ? "-" : h.slice(0, 12)).padEnd(12)).join("  ");
      let result = "same";
      if (!a.same) {
        result = a.status === "missing" ? `MISSING in run ${a.missingIn?.join(", ")}` : "DIFFERS";
        if (a.status !== "missing" && a.firstDifference?.offset !== void 0 && a.firstDifference.offset !== null) {
          result += ` at byte ${a.firstDifference.offset}`;
        }
        if (a.metadataOnly) result += " (metadata only)";
      }
      out.push(`${fit(a.path, width)}  ${hashes}  ${result}`);
    }
    if (same > MAX_SAME_LINES) out.push(`… and ${same - MAX_SAME_LINES} more identical artifacts`);
  }
  const differing = r.artifacts.filter((a) => !a.same);
  for (const a of differing.slice(0, 20)) {
    out.push("", `${a.path}:`);
    const fd = a.firstDifference;
    if (fd && fd.offset !== null && fd.context && !a.where) {
      out.push(`  run ${fd.runs[0]} @${fd.contextStart ?? 0}: ${fd.context[0]}`, `  run ${fd.runs[1]} @${fd.contextStart ?? 0}: ${fd.context[1]}`);
    }
    for (const w of (a.where ?? []).slice(0, 12)) out.push(`  ${w}`);
    if ((a.where ?? []).length > 12) out.push(`  … ${(a.where ?? []).length - 12} more lines in the report`);
    if (a.cause) out.push(`  likely cause: ${a.cause}`);
    for (const c of (a.causes ?? []).slice(1, 3)) out.push(`  also possible: ${c.cause}`);
    if (a.diffoscope && a.diffoscope.text.trim() !== "") {
      const lines = a.diffoscope.text.split("\n");
      out.push("  diffoscope:");
      for (const l of lines.slice(0, 40)) out.push(`    ${l}`);
      const more = lines.length - 40 + a.diffoscope.omittedLines;
      if (more > 0) out.push(`    … ${more} more lines${a.diffoscope.omittedLines > 0 ? " (see diffoscope itself)" : " in the report"}`);
    }
  }
  if (differing.length > 20) out.push("", `… and ${differing.length - 20} more differing artifacts in the report`);
  if (r.trace && r.hostLimits.length > 0) {
    out.push("", `not determinized on this host: ${r.hostLimits.map((h) => `${h.source} (${h.status})`).join(", ")}`);
  }
  out.push("", r.verdict);
  return `${out.join("\n")}
`;
}

// src/verify/workdir.ts
import {
  accessSync as accessSync3,
  closeSync as closeSync3,
  constants as fsc3,
  chmodSync,
  lchownSync,
  linkSync,
  lstatSync as lstatSync2,
  lutimesSync,
  mkdirSync,
  openSync as openSync3,
  readdirSync as readdirSync3,
  readlinkSync as readlinkSync2,
  rmSync as rmSync2,
  statfsSync,
  symlinkSync,
  utimesSync
} from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join as join7, relative, resolve, sep } from "node:path";
var COPY_CONCURRENCY = 8;
function byteCompare(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
function orderedNames(dir, order) {
  const names = readdirSync3(dir).sort(byteCompare);
  return order === "reverse" ? names.reverse() : names;
}
function walk(root, order, exclude) {
  const out = [];
  const visit = (abs, rel) => {
    for (const name of orderedNames(abs, order)) {
      const childAbs = join7(abs, name);
      if (exclude.includes(childAbs)) continue;
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync2(childAbs, { bigint: true });
      out.push({ rel: childRel, st });
      if (st.isDirectory()) visit(childAbs, childRel);
    }
  };
  visit(root, "");
  return out;
}
function secondsOf(ns) {
  return Number(ns / 1000n) / 1e6;
}
async function copyTree(src, dst, order, exclude = []) {
  const started = Date.now();
  const rootSt = lstatSync2(src, { bigint: true });
  const entries = walk(src, order, exclude.map((x) => resolve(x)));
  const stats = {
    files: 0,
    dirs: 0,
    symlinks: 0,
    hardlinks: 0,
    skipped: [],
    bytes: 0,
    order,
    method: "copyFile(COPYFILE_FICLONE): reflink where the file system allows, else a plain copy",
    durationMs: 0
  };
  mkdirSync(dst, { mode: 448 });
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const contents = [];
  const firstLink = /* @__PURE__ */ new Map();
  for (const e of entries) {
    const to = join7(dst, e.rel);
    if (e.st.isDirectory()) {
      mkdirSync(to, { mode: 448 });
      stats.dirs++;
    } else if (e.st.isSymbolicLink()) {
      symlinkSync(readlinkSync2(join7(src, e.rel)), to);
      stats.symlinks++;
    } else if (e.st.isFile()) {
      const key = `${e.st.dev}:${e.st.ino}`;
      const linked = e.st.nlink > 1n ? firstLink.get(key) : void 0;
      if (linked !== void 0) {
        linkSync(linked, to);
        stats.hardlinks++;
        continue;
      }
      if (e.st.nlink > 1n) firstLink.set(key, to);
      closeSync3(openSync3(to, "wx", 384));
      contents.push(e);
      stats.files++;
      stats.bytes += Number(e.st.size);
    } else {
      stats.skipped.push(e.rel);
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < contents.length) {
      const e = contents[next++];
      await copyFile(join7(src, e.rel), join7(dst, e.rel), fsc3.COPYFILE_FICLONE);
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, contents.length) }, worker));
  for (const e of entries) {
    const to = join7(dst, e.rel);
    if (e.st.isSymbolicLink()) {
      if (asRoot) lchownSync(to, Number(e.st.uid), Number(e.st.gid));
      lutimesSync(to, secondsOf(e.st.atimeNs), secondsOf(e.st.mtimeNs));
    } else if (e.st.isFile()) {
      if (asRoot) lchownSync(to, Number(e.st.uid), Number(e.st.gid));
      chmodSync(to, Number(e.st.mode) & 4095);
      utimesSync(to, secondsOf(e.st.atimeNs), secondsOf(e.st.mtimeNs));
    }
  }
  const dirs = entries.filter((e) => e.st.isDirectory()).reverse();
  for (const e of dirs) {
    const to = join7(dst, e.rel);
    if (asRoot) lchownSync(to, Number(e.st.uid), Number(e.st.gid));
    chmodSync(to, Number(e.st.mode) & 4095);
    utimesSync(to, secondsOf(e.st.atimeNs), secondsOf(e.st.mtimeNs));
  }
  if (asRoot) lchownSync(dst, Number(rootSt.uid), Number(rootSt.gid));
  chmodSync(dst, Number(rootSt.mode) & 4095);
  utimesSync(dst, secondsOf(rootSt.atimeNs), secondsOf(rootSt.mtimeNs));
  stats.durationMs = Date.now() - started;
  return stats;
}
var TMPFS_MAX_TREE = 256 * 1024 * 1024;
var TMPFS_MIN_FREE = 4 * 1024 * 1024 * 1024;
function treeSize(dir, limit = Infinity) {
  let total = 0;
  const visit = (d) => {
    let names;
    try {
      names = readdirSync3(d);
    } catch {
      return true;
    }
    for (const n of names) {
      let st;
      try {
        st = lstatSync2(join7(d, n));
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!visit(join7(d, n))) return false;
      } else {
        total += st.size;
        if (total > limit) return false;
      }
    }
    return true;
  };
  return visit(dir) ? total : Infinity;
}
function chooseTempBase(workdir, vary) {
  const forced = process.env.DETTRACE_VERIFY_TMPDIR;
  if (forced) return resolve(forced);
  if (vary) {
    try {
      const fs = statfsSync("/dev/shm");
      const TMPFS_MAGIC = 16914836;
      if (fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= TMPFS_MIN_FREE && treeSize(workdir, TMPFS_MAX_TREE) <= TMPFS_MAX_TREE) {
        accessSync3("/dev/shm", fsc3.W_OK);
        return "/dev/shm";
      }
    } catch {
    }
  }
  return resolve(tmpdir());
}
async function makeTempRoot(base = resolve(tmpdir())) {
  return mkdtemp(join7(base, "det-verify-"));
}
function unlockTree(dir) {
  let st;
  try {
    st = lstatSync2(dir);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  try {
    chmodSync(dir, 448);
  } catch {
  }
  let names = [];
  try {
    names = readdirSync3(dir);
  } catch {
    return;
  }
  for (const n of names) unlockTree(join7(dir, n));
}
async function removeTree(dir) {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    unlockTree(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  }
}
function removeTreeSync(dir) {
  try {
    rmSync2(dir, { recursive: true, force: true });
  } catch {
    unlockTree(dir);
    rmSync2(dir, { recursive: true, force: true });
  }
}

// src/verify/index.ts
var MAX_DIFFOSCOPE = 10;
var MAX_ARCHIVE_DIFFS = 50;
async function packageVersion() {
  try {
    const pkg = JSON.parse(await readFile(join8(packageRoot(), "package.json"), "utf8"));
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}
function perRunFile(file, run) {
  if (run === 1) return file;
  const m = /^(.*?)(\.[^./]*)?$/.exec(file);
  return `${m[1]}.run${run}${m[2] ?? ""}`;
}
function abortableSleep(ms, signal) {
  return new Promise((resolve2) => {
    if (ms <= 0 || signal.aborted) return resolve2();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve2();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
function windowContext(w) {
  return { start: w.start, bytes: [Buffer.from(w.hex[0], "hex"), Buffer.from(w.hex[1], "hex")], shown: w.shown };
}
function shortCommand(cmd) {
  const s = cmd.join(" ");
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
async function verify(opts, ioIn = {}) {
  const io = {
    out: ioIn.out ?? ((t) => void process.stdout.write(t)),
    err: ioIn.err ?? process.stderr,
    env: ioIn.env ?? process.env,
    handleSignals: ioIn.handleSignals ?? true,
    diffoscope: ioIn.diffoscope ?? true
  };
  const startedAt = /* @__PURE__ */ new Date();
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new DetError("--runs", `must be a whole number >= 1, not ${opts.runs}`);
  if (opts.command.length === 0) throw new DetError("verify", "no command to run");
  try {
    if (!(await stat(opts.workdir)).isDirectory()) throw new Error("not a directory");
  } catch (err) {
    throw new DetError(opts.workdir, `work dir is not usable: ${err.message}`);
  }
  for (const g of opts.artifacts) {
    try {
      compileGlob(g);
    } catch (err) {
      throw new DetError("--artifacts", err.message);
    }
  }
  if (opts.trace && opts.image === void 0) tracerPath();
  const progress = new Progress(io.err);
  const abort = new AbortController();
  let tmpRoot;
  const handlers = [];
  let caught = null;
  if (io.handleSignals) {
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
      const h = () => {
        if (caught === null) {
          caught = sig;
          progress.note(`dettrace: verify: ${sig}: stopping the run and removing temporary files (again to quit at once)`);
          abort.abort();
        } else {
          if (tmpRoot !== void 0) removeTreeSync(tmpRoot);
          process.exit(128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[sig]);
        }
      };
      handlers.push([sig, h]);
      process.on(sig, h);
    }
  }
  const interrupted = () => new DetError("verify", `interrupted by ${caught ?? "a signal"}; temporary files removed`, {
    exitCode: 128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[caught ?? "SIGINT"]
  });
  try {
    tmpRoot = await makeTempRoot(chooseTempBase(opts.workdir, opts.vary));
    const host = opts.vary ? { ...probeVaryHost(), orderVisible: creationOrderVisible(tmpRoot) } : { uts: false, taskset: false, altLocale: null };
    const variations = Array.from({ length: opts.runs }, (_, i) => planVariation(i + 1, opts.vary, tmpRoot, host));
    const warnings = [];
    if (opts.vary && !host.uts) warnings.push("the host name is varied through $HOSTNAME only (changing it needs root for a private UTS namespace)");
    const runs = [];
    let prevStart = 0;
    for (const v of variations) {
      const k = v.index;
      const tag = `run ${k}/${opts.runs}`;
      if (abort.signal.aborted) throw interrupted();
      if (v.minGapMs > 0) {
        const wait = prevStart + v.minGapMs - Date.now();
        if (wait > 0) {
          progress.step(`${tag}: waiting ${seconds(wait)} so that it starts at another time`);
          await abortableSleep(wait, abort.signal);
        }
      }
      progress.step(`${tag}: copying the work dir`);
      await mkdir(dirname3(v.dir), { recursive: true });
      const copy = await copyTree(opts.workdir, v.dir, v.order, [tmpRoot]);
      for (const d of v.mkdirs) await mkdir(d, { recursive: true });
      if (copy.skipped.length > 0) warnings.push(`run ${k}: ${copy.skipped.length} special files (fifos, sockets, devices) of the work dir were not copied, e.g. ${copy.skipped[0]}`);
      const before = opts.artifacts.length === 0 ? snapshotTree(v.dir) : void 0;
      progress.step(`${tag}: ${opts.trace ? "tracing" : "running (no tracer)"} ${shortCommand(opts.command)}`);
      prevStart = Date.now();
      const outcome = await runOnce({
        opts,
        variation: v,
        reportFile: join8(tmpRoot, `run-${k}.report.json`),
        stdoutFile: join8(tmpRoot, `run-${k}.stdout.log`),
        stderrFile: join8(tmpRoot, `run-${k}.stderr.log`),
        logFile: opts.log !== void 0 ? perRunFile(opts.log, k) : void 0,
        baseEnv: io.env,
        signal: abort.signal
      });
      if (outcome.interrupted || abort.signal.aborted) throw interrupted();
      const tool = toolFailure(outcome, opts.trace);
      if (tool !== null) {
        progress.done(`${tag}: the tracer failed`);
        throw new DetError(`verify: run ${k}`, tool.replace(/^dettrace: /, ""));
      }
      let line = `${tag}: exit ${outcome.exitCode}${outcome.timedOut ? " (timed out)" : ""} in ${seconds(outcome.durationMs)}`;
      if (outcome.exitCode !== 0) line += " — FAILED";
      progress.done(line);
      if (outcome.exitCode !== 0) {
        const tail = tailOf(outcome.stderrFile, 10) || tailOf(outcome.stdoutFile, 10);
        for (const l of tail.split("\n").filter(Boolean)) progress.note(`  | ${l}`);
      }
      if (opts.report !== void 0 && outcome.report !== null) {
        await copyFile2(join8(tmpRoot, `run-${k}.report.json`), perRunFile(opts.report, k));
      }
      const after = snapshotTree(v.dir);
      if (v.keepAs !== v.dir) {
        await mkdir(dirname3(v.keepAs), { recursive: true });
        await rename2(v.dir, v.keepAs);
      }
      runs.push({ v, outcome, copy, before, after, root: v.keepAs });
    }
    const selection = selectArtifacts(runs.map((r) => ({ before: r.before, after: r.after })), opts.artifacts);
    selection.changes?.forEach((c, i) => runs[i].changes = c);
    for (const g of selection.globs) {
      if (g.matches.every((n) => n === 0)) warnings.push(`--artifacts ${g.pattern} matched no file in any run`);
      else if (g.matches.some((n) => n === 0)) {
        warnings.push(`--artifacts ${g.pattern} matched ${g.matches.map((n, i) => `${n} in run ${i + 1}`).join(", ")}`);
      }
    }
    if (selection.paths.length === 0) {
      warnings.push(
        opts.artifacts.length > 0 ? "no artifacts: the globs matched nothing" : "no artifacts: the build created or changed no files in the work dir (already built there? clean it first, or pass --artifacts)"
      );
    }
    const files = [];
    const fileSlot = selection.paths.map(() => runs.map(() => -1));
    selection.paths.forEach((p, ai) => {
      runs.forEach((r, ri) => {
        if (r.after.get(p)?.kind === "file") {
          fileSlot[ai][ri] = files.length;
          files.push(join8(r.root, p));
        }
      });
    });
    if (files.length > 0) progress.step(`hashing ${files.length} files`);
    const hashed = await hashFiles(files);
    if (abort.signal.aborted) throw interrupted();
    const artifacts = selection.paths.map((p, ai) => {
      const hashes = runs.map((r, ri) => {
        const st = r.after.get(p);
        if (st?.kind === "symlink") return sha256Hex(`symlink\0${st.target ?? ""}`);
        const slot = fileSlot[ai][ri];
        return slot >= 0 ? hashed[slot].sha256 : null;
      });
      const sizes = runs.map((r) => {
        const st = r.after.get(p);
        return st && (st.kind === "file" || st.kind === "symlink") ? st.size : null;
      });
      const kinds = runs.map((r) => r.after.get(p)?.kind).filter((x) => x === "file" || x === "symlink");
      const missingIn = runs.filter((r) => {
        const k = r.after.get(p)?.kind;
        return k !== "file" && k !== "symlink";
      }).map((r) => r.v.index);
      const unreadable = runs.some((r, ri) => fileSlot[ai][ri] >= 0 && hashed[fileSlot[ai][ri]].sha256 === null);
      const same = missingIn.length === 0 && !unreadable && hashes.every((h) => h === hashes[0]);
      const entry = {
        path: p,
        hashes,
        same,
        status: same ? "same" : missingIn.length > 0 ? "missing" : "differs",
        kind: kinds[0] ?? null,
        sizes
      };
      if (missingIn.length > 0) entry.missingIn = missingIn;
      return entry;
    });
    const differing = artifacts.filter((a) => !a.same);
    const programs = differing.length > 0 ? scanBuiltPrograms(selection.paths.flatMap((p, ai) => {
      const ri = fileSlot[ai].findIndex((s) => s >= 0);
      return ri >= 0 ? [{ path: p, file: join8(runs[ri].root, p) }] : [];
    })) : [];
    const diffoscopeExe = io.diffoscope === false ? null : typeof io.diffoscope === "string" ? io.diffoscope : which("diffoscope", io.env.PATH ?? process.env.PATH);
    const labels = {};
    for (const r of runs) labels[r.root] = `run-${r.v.index}`;
    const failedRuns = runs.filter((r) => r.outcome.exitCode !== 0).map((r) => [r.v.index, r.outcome.exitCode]);
    const runStartsMs = runs.map((r) => Date.parse(r.outcome.startedAt));
    let archiveBudget = MAX_ARCHIVE_DIFFS;
    let diffoscopeBudget = MAX_DIFFOSCOPE;
    for (const [n, a] of differing.entries()) {
      progress.step(`comparing ${n + 1}/${differing.length}: ${a.path}`);
      const ai = selection.paths.indexOf(a.path);
      const present = runs.map((r, ri) => ri).filter((ri) => a.hashes[ri] !== null);
      const first = present[0];
      const other = present.find((ri) => a.hashes[ri] !== a.hashes[first]);
      let context;
      let offset = null;
      let archive = null;
      let offsetIn;
      const bothFiles = first !== void 0 && other !== void 0 && fileSlot[ai][first] >= 0 && fileSlot[ai][other] >= 0;
      if (bothFiles) {
        const fa = join8(runs[first].root, a.path);
        const fb = join8(runs[other].root, a.path);
        const fd = await firstDifference(fa, fb);
        a.firstDifference = { runs: [first + 1, other + 1], offset: fd.offset, sizes: fd.sizes };
        if (fd.offset !== null) {
          context = await differenceContext(fa, fb, fd.offset);
          offset = fd.offset;
          a.firstDifference.context = context.shown;
          a.firstDifference.contextStart = context.start;
        }
        if (fd.offset !== null && Math.max(...fd.sizes) <= MAX_ARCHIVE_BYTES) {
          const [ba, bb] = await Promise.all([readFile(fa), readFile(fb)]);
          archive = archiveBudget > 0 ? diffArchives(ba, bb, a.path) : null;
          if (archive !== null) {
            archiveBudget--;
            a.archive = archive;
            a.metadataOnly = archive.metadataOnly;
            a.where = describeArchiveDiff(archive, [`run ${first + 1}`, `run ${other + 1}`]);
            a.members = flattenMemberDiffs(archive).map((m) => m.archive === a.path ? m.diff.name : `${m.archive.slice(a.path.length + 1)}!${m.diff.name}`);
            const leaf = firstLeafDifference(archive);
            context = leaf ? windowContext(leaf.context) : void 0;
            offset = leaf ? leaf.offset : null;
            offsetIn = leaf?.where;
          } else {
            const id = elfBuildIdRange(ba);
            if (id !== null && fd.offset >= id[0] && fd.offset < id[1]) {
              const rest = firstDifferenceOfBuffers(ba.subarray(id[1]), bb.subarray(id[1]));
              a.where = [`ELF: the GNU build ID differs (bytes ${id[0]}-${id[1] - 1}); it is a hash of the binary, so something else differs too`];
              if (rest !== null) {
                offset = id[1] + rest;
                context = windowContext(byteWindow(ba, bb, offset));
                a.where.push(`ELF: the next difference is at byte ${offset}: ${context.shown[0]} vs ${context.shown[1]}`);
              }
            }
          }
        }
        if (diffoscopeExe !== null && diffoscopeBudget > 0) {
          diffoscopeBudget--;
          progress.step(`diffoscope ${a.path}`);
          const d = await runDiffoscope(fa, fb, { executable: diffoscopeExe, labels });
          if (d) a.diffoscope = d;
        }
      }
      const causes = explain({
        path: a.path,
        trace: opts.trace,
        missingIn: a.missingIn ?? [],
        failedRuns,
        offset,
        offsetIn,
        context,
        archive,
        variedHits: opts.vary ? scanVariedValues(runs.map((r, ri) => fileSlot[ai][ri] >= 0 ? join8(r.root, a.path) : null), variations) : [],
        reports: runs.map((r) => r.outcome.report),
        variations,
        programs,
        runStartsMs
      });
      a.causes = causes;
      a.cause = causes[0]?.cause;
    }
    const stdoutHashes = runs.map((r) => r.outcome.stdoutSha256);
    if (stdoutHashes.some((h) => h !== stdoutHashes[0])) {
      warnings.push("the command's stdout differs between runs (it is not an artifact; write what matters to files)");
    }
    const missing = artifacts.filter((a) => a.status === "missing").length;
    const exitStatus = failedRuns.length > 0 ? 2 : differing.length > 0 ? 1 : 0;
    const digest = manifestDigest(artifacts.map((a) => ({ path: a.path, sha256: a.hashes[0] })));
    let verdict;
    if (failedRuns.length > 0) {
      const ok = runs.filter((r) => r.outcome.exitCode === 0).map((r) => r.v.index);
      const failed = failedRuns.map(([i, c]) => `run ${i} (exit ${c})`).join(", ");
      verdict = ok.length > 0 ? `RUN FAILED: ${failed} failed while run ${ok.join(", ")} succeeded: the build itself behaves differently between runs (exit 2)` : `RUN FAILED: every run failed: ${failed}; fix the build first (exit 2)`;
    } else if (differing.length > 0) {
      verdict = `NOT REPRODUCIBLE: ${differing.length} of ${artifacts.length} artifacts differ across ${runs.length} runs${missing ? ` (${missing} missing in some run)` : ""} (exit 1)`;
    } else {
      verdict = `REPRODUCIBLE: ${artifacts.length} artifacts identical across ${runs.length} runs, digest ${digest.slice(0, 16)}… (exit 0)`;
    }
    const runEntries = runs.map((r) => {
      const e = {
        index: r.v.index,
        exitCode: r.outcome.exitCode,
        durationMs: r.outcome.durationMs,
        report: r.outcome.report,
        signal: r.outcome.signal,
        startedAt: r.outcome.startedAt,
        timedOut: r.outcome.timedOut,
        varied: r.v.varied,
        copy: {
          files: r.copy.files,
          dirs: r.copy.dirs,
          symlinks: r.copy.symlinks,
          hardlinks: r.copy.hardlinks,
          bytes: r.copy.bytes,
          order: r.copy.order,
          durationMs: r.copy.durationMs,
          method: r.copy.method,
          skipped: r.copy.skipped.length
        },
        stdoutSha256: r.outcome.stdoutSha256
      };
      if (r.outcome.reportError !== void 0) e.reportError = r.outcome.reportError;
      if (r.outcome.exitCode !== 0) {
        e.logTail = [tailOf(r.outcome.stderrFile, 20), tailOf(r.outcome.stdoutFile, 10)].filter(Boolean).join("\n");
      }
      if (r.changes) e.changes = { created: r.changes.created.length, changed: r.changes.changed.length, deleted: r.changes.deleted.length };
      return e;
    });
    const report = {
      version: 1,
      reproducible: exitStatus === 0,
      runs: runEntries,
      artifacts,
      digest,
      tool: { name: "dettrace", version: await packageVersion() },
      command: opts.command,
      workdir: opts.workdir,
      trace: opts.trace,
      vary: opts.vary,
      digestAlgorithm: DIGEST_ALGORITHM,
      summary: {
        artifacts: artifacts.length,
        same: artifacts.length - differing.length,
        differing: differing.length,
        missing,
        failedRuns: failedRuns.map(([i]) => i)
      },
      exitStatus,
      verdict,
      findings: rankFindings(differing.map((a) => ({ path: a.path, causes: a.causes ?? [] }))),
      hostLimits: opts.trace ? hostLimits(runs[0]?.outcome.report ?? null) : [],
      warnings,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime()
    };
    if (selection.globs.length > 0) report.globs = selection.globs;
    progress.stop();
    if (opts.json !== void 0) await writeAtomic(opts.json, reportJson(report));
    if (opts.markdown !== void 0) await writeAtomic(opts.markdown, renderMarkdown(report));
    io.out(renderSummary(report));
    return { exitStatus, report };
  } finally {
    progress.stop();
    for (const [sig, h] of handlers) process.removeListener(sig, h);
    if (tmpRoot !== void 0) await removeTree(tmpRoot);
  }
}
async function runVerify(opts, io = {}) {
  return (await verify(opts, io)).exitStatus;
}
export {
  MAX_ARCHIVE_DIFFS,
  MAX_DIFFOSCOPE,
  perRunFile,
  runVerify,
  verify
};
