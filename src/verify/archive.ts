// Which member of an archive differs, without diffoscope: tar (v7, ustar, GNU long names,
// pax headers), gzip (header fields and payload), zip/jar (central directory, extra fields),
// ar/.a (GNU and BSD long names), .deb (ar of tar.*), and xz/bzip2/zstd streams (through
// the system's decompressors, when installed). Archives inside archives are opened too
// (a .deb's data.tar.xz, a jar inside a zip), a few levels deep.
import { spawnSync } from 'node:child_process';
import { gunzipSync, inflateRawSync } from 'node:zlib';

import { firstDifferenceOfBuffers, showBytes } from './compare.js';
import { sha256Hex } from './hash.js';

export type ArchiveFormat = 'tar' | 'gzip' | 'zip' | 'ar' | 'deb' | 'xz' | 'bzip2' | 'zstd';

export type MemberKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

export interface Member {
  /** Path inside the archive. */
  name: string;
  /** name, or name#N for the N-th member of the same name (ar archives repeat names). */
  key: string;
  kind: MemberKind;
  size: number;
  /** Identity of the contents: sha256 of the data, or crc32 and size for zip. */
  content: string;
  /** Metadata compared between runs: mode, uid, gid, uname, gname, mtime, linkname, ... */
  meta: Record<string, string | number>;
  /** The member's bytes (a view into the archive), when cheap to get. */
  data?: Buffer;
  /** Get the bytes on demand (zip), or null when not possible. */
  load?: () => Buffer | null;
}

export interface Listing {
  format: ArchiveFormat;
  members: Member[];
  /** Archive-level fields (gzip header, zip comment). */
  header: Record<string, string | number>;
  /** Decompressed payload of a compressed stream (gzip, xz, bzip2, zstd). */
  payload?: Buffer;
  notes: string[];
}

export interface FieldDiff {
  field: string;
  values: [string | number | null, string | number | null];
}

export interface MemberDiff {
  name: string;
  change: 'content' | 'metadata' | 'only-in-first' | 'only-in-second';
  /** Metadata fields that differ (also for content changes). */
  fields: FieldDiff[];
  /** First differing byte inside the member's data. */
  offset?: number;
  /** The bytes around it in both versions. */
  context?: ByteWindow;
  /** The member is itself an archive: what differs inside. */
  inner?: ArchiveDiff;
}

/** Bytes around a difference: [start, start+len) of both versions, as hex and printable. */
export interface ByteWindow {
  start: number;
  hex: [string, string];
  shown: [string, string];
}

/** The window around `offset` in two buffers. */
export function byteWindow(a: Buffer, b: Buffer, offset: number, before = 24, after = 40): ByteWindow {
  const start = Math.max(0, offset - before);
  const wa = a.subarray(start, offset + after);
  const wb = b.subarray(start, offset + after);
  return { start, hex: [wa.toString('hex'), wb.toString('hex')], shown: [showBytes(wa), showBytes(wb)] };
}

export interface ArchiveDiff {
  format: ArchiveFormat;
  /** "out/x.deb" or, nested, "out/x.deb!data.tar.xz". */
  path: string;
  /** Archive-level fields that differ (gzip mtime, zip comment). */
  header: FieldDiff[];
  members: MemberDiff[];
  /** Members counted but not listed (beyond the listing limit). */
  moreMembers: number;
  /** The members both archives hold come in a different order. */
  orderDiffers: boolean;
  /** The first names of each order, when it differs. */
  order?: [string[], string[]];
  /** Compressed stream whose payload is not an archive: first differing payload byte. */
  payloadOffset?: number;
  payloadContext?: ByteWindow;
  /** Compressed stream whose payload is an archive: what differs inside. */
  inner?: ArchiveDiff;
  /** Nothing but headers, member metadata or order differs: every member's bytes are the same. */
  metadataOnly: boolean;
  notes: string[];
}

/** Archives larger than this are not opened (they are read whole). */
export const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
/** Decompressed payloads are cut off here. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024;
/** Nesting limit. */
export const MAX_DEPTH = 4;
/** Member differences listed per archive. */
export const MAX_MEMBER_DIFFS = 200;

// ---- format detection ----

function latin1(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, Math.min(end, buf.length));
}

/** NUL-terminated string field. */
function cstr(buf: Buffer, start: number, len: number, enc: BufferEncoding = 'utf8'): string {
  const end = Math.min(start + len, buf.length);
  let z = buf.indexOf(0, start);
  if (z < 0 || z > end) z = end;
  return buf.toString(enc, start, z);
}

function tarChecksumOk(h: Buffer): boolean {
  if (h.length < 512) return false;
  const stored = parseTarNumber(h, 148, 8);
  if (stored === null) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum === stored;
}

/** Format of an archive or compressed stream from its first bytes, or null. */
export function detectFormat(buf: Buffer): ArchiveFormat | null {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
  if (buf.length >= 6 && buf.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (buf.length >= 10 && latin1(buf, 0, 3) === 'BZh' && buf[3] >= 0x31 && buf[3] <= 0x39) return 'bzip2';
  if (buf.length >= 4 && (buf.readUInt32LE(0) === 0x04034b50 || buf.readUInt32LE(0) === 0x06054b50)) return 'zip';
  if (buf.length >= 8 && latin1(buf, 0, 8) === '!<arch>\n') {
    return latin1(buf, 8, 8 + 16).trimEnd().replace(/\/$/, '') === 'debian-binary' ? 'deb' : 'ar';
  }
  if (buf.length >= 512 && (latin1(buf, 257, 262) === 'ustar' || tarChecksumOk(buf.subarray(0, 512)))) return 'tar';
  return null;
}

// ---- tar ----

/** A tar numeric field: octal text, or GNU base-256 when the high bit of the first byte is set. */
export function parseTarNumber(h: Buffer, off: number, len: number): number | null {
  if (h[off] & 0x80) {
    let v = h[off] & 0x3f;
    const negative = (h[off] & 0x40) !== 0;
    for (let i = 1; i < len; i++) v = v * 256 + h[off + i];
    return negative ? -v : v;
  }
  const text = latin1(h, off, off + len).replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  return parseInt(text, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = parseInt(data.toString('latin1', pos, sp), 10);
    if (!(len > 0)) break;
    const rec = data.toString('utf8', sp + 1, pos + len - 1); // without the trailing newline
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

const TAR_KINDS: Record<string, MemberKind> = {
  '0': 'file', '\0': 'file', '7': 'file', S: 'file',
  '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};

function keyed(members: Member[]): Member[] {
  const seen = new Map<string, number>();
  for (const m of members) {
    const n = (seen.get(m.name) ?? 0) + 1;
    seen.set(m.name, n);
    m.key = n === 1 ? m.name : `${m.name}#${n}`;
  }
  return members;
}

/** Members of a tar archive. */
export function listTar(buf: Buffer): Listing {
  const members: Member[] = [];
  const notes: string[] = [];
  let off = 0;
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
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
    if (type === 'L') {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (type === 'K') {
      longLink = cstr(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      pax = { ...pax, ...parsePax(data) };
      continue;
    }
    if (type === 'g') {
      globalPax = { ...globalPax, ...parsePax(data) };
      continue;
    }
    const magic = latin1(h, 257, 263);
    let name = cstr(h, 0, 100);
    if (magic === 'ustar\0') {
      const prefix = cstr(h, 345, 155);
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    const attrs = { ...globalPax, ...pax };
    if (longName !== null) name = longName;
    if (attrs.path !== undefined) name = attrs.path;
    let linkname = cstr(h, 157, 100);
    if (longLink !== null) linkname = longLink;
    if (attrs.linkpath !== undefined) linkname = attrs.linkpath;
    const kind = TAR_KINDS[type] ?? 'other';
    const meta: Record<string, string | number> = {
      type: kind === 'other' ? `type ${JSON.stringify(type)}` : kind,
      mode: (parseTarNumber(h, 100, 8) ?? 0).toString(8).padStart(4, '0'),
      uid: attrs.uid ?? parseTarNumber(h, 108, 8) ?? 0,
      gid: attrs.gid ?? parseTarNumber(h, 116, 8) ?? 0,
      uname: attrs.uname ?? cstr(h, 265, 32),
      gname: attrs.gname ?? cstr(h, 297, 32),
      mtime: attrs.mtime ?? parseTarNumber(h, 136, 12) ?? 0,
      format: magic === 'ustar\0' ? 'ustar' : magic === 'ustar ' ? 'gnu' : 'v7',
    };
    if (kind === 'symlink' || kind === 'hardlink') meta.linkname = linkname;
    if (kind === 'char' || kind === 'block') {
      meta.devmajor = parseTarNumber(h, 329, 8) ?? 0;
      meta.devminor = parseTarNumber(h, 337, 8) ?? 0;
    }
    for (const [k, v] of Object.entries(attrs)) {
      if (!['path', 'linkpath', 'uid', 'gid', 'uname', 'gname', 'mtime', 'size'].includes(k)) meta[`pax ${k}`] = v;
    }
    if (magic === 'ustar ' && type !== 'S') {
      // GNU: atime/ctime where ustar keeps the prefix (written with --atime-preserve / incremental)
      const atime = parseTarNumber(h, 345, 12);
      const ctime = parseTarNumber(h, 357, 12);
      if (atime) meta.atime = atime;
      if (ctime) meta.ctime = ctime;
    }
    const realSize = attrs.size !== undefined ? Number(attrs.size) : size;
    members.push({
      name, key: name, kind, size: realSize,
      content: kind === 'file' ? sha256Hex(data) : kind === 'symlink' || kind === 'hardlink' ? `-> ${linkname}` : '',
      meta, data: kind === 'file' ? data : undefined,
    });
    longName = null;
    longLink = null;
    pax = {};
  }
  return { format: 'tar', members: keyed(members), header: {}, notes };
}

// ---- ar (and .deb) ----

/** Members of an ar archive (GNU and BSD variants; .a libraries, .deb packages). */
export function listAr(buf: Buffer): Listing {
  const members: Member[] = [];
  const notes: string[] = [];
  let off = 8;
  let longNames: Buffer | null = null;
  while (off + 60 <= buf.length) {
    const h = buf.subarray(off, off + 60);
    if (latin1(h, 58, 60) !== '`\n') {
      notes.push(`bad ar member header at offset ${off}: listing stops there`);
      break;
    }
    const rawName = latin1(h, 0, 16).trimEnd();
    const mtime = parseInt(latin1(h, 16, 28).trim() || '0', 10);
    const uid = parseInt(latin1(h, 28, 34).trim() || '0', 10);
    const gid = parseInt(latin1(h, 34, 40).trim() || '0', 10);
    const mode = parseInt(latin1(h, 40, 48).trim() || '0', 8);
    const size = parseInt(latin1(h, 48, 58).trim() || '0', 10);
    const dataStart = off + 60;
    let data = buf.subarray(dataStart, Math.min(dataStart + size, buf.length));
    off = dataStart + size + (size % 2);
    let name: string;
    if (rawName === '//') {
      longNames = data;
      continue;
    } else if (rawName === '/' || rawName === '/SYM64/' || rawName === '__.SYMDEF' || rawName === '__.SYMDEF SORTED') {
      name = '(symbol table)';
    } else if (/^\/\d+$/.test(rawName) && longNames !== null) {
      const at = parseInt(rawName.slice(1), 10);
      let end = longNames.indexOf(0x0a, at);
      if (end < 0) end = longNames.length;
      name = longNames.toString('utf8', at, end).replace(/\/$/, '');
    } else if (/^#1\/\d+$/.test(rawName)) {
      const n = parseInt(rawName.slice(3), 10);
      name = cstr(data, 0, n);
      data = data.subarray(n);
    } else {
      name = rawName.replace(/\/$/, '');
    }
    members.push({
      name, key: name, kind: 'file', size: data.length, content: sha256Hex(data),
      meta: { mtime, uid, gid, mode: mode.toString(8).padStart(4, '0') }, data,
    });
  }
  const format: ArchiveFormat = members[0]?.name === 'debian-binary' ? 'deb' : 'ar';
  return { format, members: keyed(members), header: {}, notes };
}

// ---- zip ----

function dosDateTime(date: number, time: number): string {
  const y = 1980 + (date >> 9);
  const mo = (date >> 5) & 0xf;
  const d = date & 0x1f;
  const hh = time >> 11;
  const mm = (time >> 5) & 0x3f;
  const ss = (time & 0x1f) * 2;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${y}-${p(mo)}-${p(d)} ${p(hh)}:${p(mm)}:${p(ss)}`;
}

function readU64(buf: Buffer, off: number): number {
  return Number(buf.readBigUInt64LE(off));
}

/** Members of a zip (or jar, apk, whl) archive, from its central directory. */
export function listZip(buf: Buffer): Listing {
  const notes: string[] = [];
  const header: Record<string, string | number> = {};
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { format: 'zip', members: [], header, notes: ['no zip end-of-central-directory record'] };
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  const commentLen = buf.readUInt16LE(eocd + 20);
  header.comment = buf.toString('utf8', eocd + 22, eocd + 22 + commentLen);
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z64 = readU64(buf, eocd - 20 + 8);
    if (z64 + 56 <= buf.length && buf.readUInt32LE(z64) === 0x06064b50) {
      count = readU64(buf, z64 + 32);
      cdOffset = readU64(buf, z64 + 48);
    }
  }
  const members: Member[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) {
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
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    const extra = buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    const comment = buf.toString('utf8', p + 46 + nameLen + extraLen, p + 46 + nameLen + extraLen + cLen);
    p += 46 + nameLen + extraLen + cLen;

    const meta: Record<string, string | number> = {
      modified: dosDateTime(date, time),
      method,
      compressedSize: csize,
      flags,
      madeBy,
      externalAttributes: extAttr.toString(16),
    };
    if (madeBy >> 8 === 3) meta.mode = ((extAttr >>> 16) & 0o7777).toString(8).padStart(4, '0');
    if (comment !== '') meta.comment = comment;
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const len = extra.readUInt16LE(e + 2);
      const body = extra.subarray(e + 4, e + 4 + len);
      if (id === 0x5455 && body.length >= 5) {
        const f = body[0];
        let q = 1;
        if (f & 1 && q + 4 <= body.length) { meta.mtime = body.readUInt32LE(q); q += 4; }
        if (f & 2 && q + 4 <= body.length) { meta.atime = body.readUInt32LE(q); q += 4; }
        if (f & 4 && q + 4 <= body.length) { meta.ctime = body.readUInt32LE(q); q += 4; }
      } else if (id === 0x7875 && body.length >= 3) {
        const us = body[1];
        meta.uid = us === 4 ? body.readUInt32LE(2) : us === 2 ? body.readUInt16LE(2) : body[2];
        const gs = body[2 + us];
        meta.gid = gs === 4 ? body.readUInt32LE(3 + us) : gs === 2 ? body.readUInt16LE(3 + us) : body[3 + us];
      } else if (id === 0x5855 && body.length >= 8) {
        meta.atime = body.readUInt32LE(0);
        meta.mtime = body.readUInt32LE(4);
      } else if (id === 0x0001) {
        let q = 0;
        if (usize === 0xffffffff && q + 8 <= body.length) { usize = readU64(body, q); q += 8; }
        if (csize === 0xffffffff && q + 8 <= body.length) { csize = readU64(body, q); q += 8; }
        if (local === 0xffffffff && q + 8 <= body.length) { local = readU64(body, q); q += 8; }
        meta.compressedSize = csize;
      } else if (id !== 0xcafe) {
        meta[`extra 0x${id.toString(16).padStart(4, '0')}`] = body.toString('hex');
      }
      e += 4 + len;
    }
    const kind: MemberKind = name.endsWith('/') ? 'dir' : madeBy >> 8 === 3 && ((extAttr >>> 16) & 0o170000) === 0o120000 ? 'symlink' : 'file';
    const at = local;
    const sizes = { csize, usize };
    members.push({
      name, key: name, kind, size: usize,
      content: `crc32 ${crc.toString(16).padStart(8, '0')}, ${usize} bytes`,
      meta,
      load: () => zipMemberData(buf, at, method, sizes.csize, sizes.usize),
    });
  }
  return { format: 'zip', members: keyed(members), header, notes };
}

function zipMemberData(buf: Buffer, local: number, method: number, csize: number, usize: number): Buffer | null {
  if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) return null;
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

// ---- compressed streams ----

/** gzip header fields (RFC 1952) of the first member. */
export function gzipHeader(buf: Buffer): Record<string, string | number> {
  const flg = buf[3];
  const h: Record<string, string | number> = {
    mtime: buf.readUInt32LE(4),
    xfl: buf[8],
    os: buf[9],
    flags: flg,
  };
  let off = 10;
  if (flg & 4 && off + 2 <= buf.length) {
    const xlen = buf.readUInt16LE(off);
    h.extra = buf.toString('hex', off + 2, off + 2 + xlen);
    off += 2 + xlen;
  }
  if (flg & 8) {
    const z = buf.indexOf(0, off);
    h.name = buf.toString('latin1', off, z < 0 ? buf.length : z);
    off = z < 0 ? buf.length : z + 1;
  }
  if (flg & 16) {
    const z = buf.indexOf(0, off);
    h.comment = buf.toString('latin1', off, z < 0 ? buf.length : z);
  }
  return h;
}

const DECOMPRESSORS: Partial<Record<ArchiveFormat, string>> = { xz: 'xz', bzip2: 'bzip2', zstd: 'zstd' };

/** Decompress a compressed stream; [payload, error]. */
export function decompress(format: ArchiveFormat, buf: Buffer): [Buffer | null, string | undefined] {
  if (format === 'gzip') {
    try {
      return [gunzipSync(buf, { maxOutputLength: MAX_PAYLOAD_BYTES }), undefined];
    } catch (err) {
      return [null, `cannot gunzip: ${(err as Error).message}`];
    }
  }
  const tool = DECOMPRESSORS[format];
  if (tool === undefined) return [null, `${format} is not a compressed stream`];
  const r = spawnSync(tool, ['-dc'], { input: buf, maxBuffer: MAX_PAYLOAD_BYTES, timeout: 120000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return [null, code === 'ENOENT' ? `cannot look inside the ${format} stream: ${tool} is not installed` : `${tool}: ${r.error.message}`];
  }
  if (r.status !== 0) return [null, `${tool} -dc failed: ${r.stderr.toString().trim().split('\n')[0]}`];
  return [r.stdout, undefined];
}

/** List an archive or compressed stream (null: not a format we know). */
export function listArchive(buf: Buffer): Listing | null {
  const format = detectFormat(buf);
  if (format === null) return null;
  switch (format) {
    case 'tar':
      return listTar(buf);
    case 'zip':
      return listZip(buf);
    case 'ar':
    case 'deb':
      return listAr(buf);
    default: {
      const header = format === 'gzip' ? gzipHeader(buf) : {};
      const [payload, err] = decompress(format, buf);
      return { format, members: [], header, payload: payload ?? undefined, notes: err ? [err] : [] };
    }
  }
}

// ---- comparison ----

function fieldDiffs(a: Record<string, string | number>, b: Record<string, string | number>): FieldDiff[] {
  const out: FieldDiff[] = [];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const va = a[k] ?? null;
    const vb = b[k] ?? null;
    if (va !== vb) out.push({ field: k, values: [va, vb] });
  }
  return out;
}

function dataOf(m: Member): Buffer | null {
  if (m.data !== undefined) return m.data;
  return m.load ? m.load() : null;
}

/**
 * What differs between two versions of an archive `path`; null when the first is no
 * archive or compressed stream we know.
 */
export function diffArchives(a: Buffer, b: Buffer, path: string, depth = 0): ArchiveDiff | null {
  const la = listArchive(a);
  if (la === null) return null;
  const lb = listArchive(b);
  const d: ArchiveDiff = {
    format: la.format, path, header: [], members: [], moreMembers: 0, orderDiffers: false, metadataOnly: true, notes: [],
  };
  if (lb === null || lb.format !== la.format) {
    d.notes.push(`the second file is ${lb === null ? 'not an archive' : `a ${lb.format} archive`}, the first a ${la.format} archive`);
    d.metadataOnly = false;
    return d;
  }
  d.notes.push(...la.notes.map((n) => `first: ${n}`), ...lb.notes.map((n) => `second: ${n}`));
  d.header = fieldDiffs(la.header, lb.header);

  if (la.payload !== undefined || lb.payload !== undefined) {
    if (la.payload === undefined || lb.payload === undefined) {
      d.metadataOnly = false;
      return d;
    }
    const pa = la.payload;
    const pb = lb.payload;
    if (pa.equals(pb)) return d; // only the compressed stream's header/encoding differs
    d.metadataOnly = false;
    if (depth < MAX_DEPTH && detectFormat(pa) !== null && detectFormat(pa) === detectFormat(pb)) {
      const inner = diffArchives(pa, pb, path, depth + 1); // the payload's members are the file's
      if (inner !== null) {
        d.inner = inner;
        d.metadataOnly = inner.metadataOnly;
        return d;
      }
    }
    d.payloadOffset = firstDifferenceOfBuffers(pa, pb) ?? undefined;
    if (d.payloadOffset !== undefined) d.payloadContext = byteWindow(pa, pb, d.payloadOffset);
    return d;
  }

  if (la.notes.length === 0 && lb.notes.length === 0 && la.members.length === 0 && lb.members.length === 0 && !a.equals(b)) {
    d.notes.push('no members in either archive, but the bytes differ');
    d.metadataOnly = false;
  }
  const byKey = new Map(lb.members.map((m) => [m.key, m]));
  const inA = new Set(la.members.map((m) => m.key));
  const diffs: MemberDiff[] = [];
  for (const ma of la.members) {
    const mb = byKey.get(ma.key);
    if (mb === undefined) {
      diffs.push({ name: ma.key, change: 'only-in-first', fields: [] });
      continue;
    }
    const fields = fieldDiffs({ type: ma.kind, ...ma.meta }, { type: mb.kind, ...mb.meta });
    if (ma.content !== mb.content || ma.size !== mb.size) {
      const md: MemberDiff = { name: ma.key, change: 'content', fields: fields.filter((f) => f.field !== 'compressedSize') };
      const da = ma.kind === 'file' ? dataOf(ma) : null;
      const db = mb.kind === 'file' ? dataOf(mb) : null;
      if (da !== null && db !== null) {
        const fa = detectFormat(da);
        if (depth < MAX_DEPTH && fa !== null && fa === detectFormat(db)) {
          const inner = diffArchives(da, db, `${path}!${ma.name}`, depth + 1);
          if (inner !== null) md.inner = inner;
        }
        if (md.inner === undefined) {
          md.offset = firstDifferenceOfBuffers(da, db) ?? undefined;
          if (md.offset !== undefined) md.context = byteWindow(da, db, md.offset);
        }
      }
      diffs.push(md);
    } else if (fields.length > 0) {
      diffs.push({ name: ma.key, change: 'metadata', fields });
    }
  }
  for (const mb of lb.members) if (!inA.has(mb.key)) diffs.push({ name: mb.key, change: 'only-in-second', fields: [] });

  const common = new Set(la.members.filter((m) => byKey.has(m.key)).map((m) => m.key));
  const oa = la.members.filter((m) => common.has(m.key)).map((m) => m.key);
  const ob = lb.members.filter((m) => common.has(m.key)).map((m) => m.key);
  if (oa.some((k, i) => k !== ob[i])) {
    d.orderDiffers = true;
    d.order = [oa.slice(0, 10), ob.slice(0, 10)];
  }
  d.metadataOnly =
    d.metadataOnly && diffs.every((m) => m.change === 'metadata' || (m.change === 'content' && m.inner?.metadataOnly === true));
  d.moreMembers = Math.max(0, diffs.length - MAX_MEMBER_DIFFS);
  d.members = diffs.slice(0, MAX_MEMBER_DIFFS);
  return d;
}

// ---- description ----

function showValue(v: string | number | null): string {
  return v === null ? '(none)' : typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function showFields(fields: FieldDiff[], max = 4): string {
  const shown = fields.slice(0, max).map((f) => `${f.field} ${showValue(f.values[0])} vs ${showValue(f.values[1])}`);
  if (fields.length > max) shown.push(`+${fields.length - max} more`);
  return shown.join(', ');
}

const FORMAT_NAMES: Record<ArchiveFormat, string> = {
  tar: 'tar', gzip: 'gzip', zip: 'zip', ar: 'ar', deb: 'deb (ar)', xz: 'xz', bzip2: 'bzip2', zstd: 'zstd',
};

/**
 * Human lines for an archive difference, e.g.
 * "gzip header: mtime 1700000000 vs 1700000002", "tar member BUILDINFO: content differs at byte 12".
 * `labels` name the two sides (default "run 1", "run 2").
 */
export function describeArchiveDiff(d: ArchiveDiff, labels: [string, string] = ['run 1', 'run 2'], indent = ''): string[] {
  const out: string[] = [];
  const fmt = FORMAT_NAMES[d.format];
  const where = d.path.includes('!') ? ` (${d.path.slice(d.path.indexOf('!') + 1)})` : '';
  if (d.header.length > 0) out.push(`${indent}${fmt} header${where}: ${showFields(d.header)}`);
  for (const n of d.notes) out.push(`${indent}${fmt}${where}: ${n.replace(/^first: /, `${labels[0]}: `).replace(/^second: /, `${labels[1]}: `)}`);
  if (d.inner) out.push(...describeArchiveDiff(d.inner, labels, indent));
  if (d.payloadOffset !== undefined) out.push(`${indent}${fmt}${where}: decompressed data differs at byte ${d.payloadOffset}`);
  for (const m of d.members) {
    const name = `${fmt} member ${m.name}`;
    if (m.change === 'only-in-first') out.push(`${indent}${name}: only in ${labels[0]}`);
    else if (m.change === 'only-in-second') out.push(`${indent}${name}: only in ${labels[1]}`);
    else if (m.change === 'metadata') out.push(`${indent}${name}: metadata only (${showFields(m.fields)})`);
    else {
      let line = `${indent}${name}: content differs`;
      if (m.offset !== undefined) line += ` at byte ${m.offset}`;
      if (m.fields.length > 0) line += `; also ${showFields(m.fields)}`;
      out.push(line);
      if (m.inner) out.push(...describeArchiveDiff(m.inner, labels, `${indent}  `));
    }
  }
  if (d.moreMembers > 0) out.push(`${indent}… and ${d.moreMembers} more ${fmt} members differ`);
  if (d.orderDiffers && d.order) {
    out.push(`${indent}${fmt}${where}: member order differs (${labels[0]}: ${d.order[0].join(', ')}; ${labels[1]}: ${d.order[1].join(', ')})`);
  }
  if (indent === '' && d.metadataOnly && out.length > 0) out.push('only metadata differs: every member has the same bytes');
  return out;
}

/** Every member difference of a diff tree, flattened with nested paths ("x.deb!data.tar.xz!./usr/bin/x"). */
export function flattenMemberDiffs(d: ArchiveDiff): { archive: string; format: ArchiveFormat; diff: MemberDiff }[] {
  const out: { archive: string; format: ArchiveFormat; diff: MemberDiff }[] = [];
  if (d.inner) out.push(...flattenMemberDiffs(d.inner));
  for (const m of d.members) {
    out.push({ archive: d.path, format: d.format, diff: m });
    if (m.inner) out.push(...flattenMemberDiffs(m.inner));
  }
  return out;
}

/** Every archive-level header difference of a diff tree (gzip mtime, ...). */
export function flattenHeaderDiffs(d: ArchiveDiff): { archive: string; format: ArchiveFormat; field: FieldDiff }[] {
  const out: { archive: string; format: ArchiveFormat; field: FieldDiff }[] = [];
  for (const f of d.header) out.push({ archive: d.path, format: d.format, field: f });
  if (d.inner) out.push(...flattenHeaderDiffs(d.inner));
  for (const m of d.members) if (m.inner) out.push(...flattenHeaderDiffs(m.inner));
  return out;
}

/** Every archive in a diff tree whose member order differs. */
export function orderDiffs(d: ArchiveDiff): ArchiveDiff[] {
  const out: ArchiveDiff[] = [];
  if (d.orderDiffers) out.push(d);
  if (d.inner) out.push(...orderDiffs(d.inner));
  for (const m of d.members) if (m.inner) out.push(...orderDiffs(m.inner));
  return out;
}

/** The innermost first byte difference of a diff tree: the first differing member's (or payload's) window. */
export function firstLeafDifference(d: ArchiveDiff): { where: string; offset: number; context: ByteWindow } | null {
  if (d.payloadOffset !== undefined && d.payloadContext) return { where: d.path, offset: d.payloadOffset, context: d.payloadContext };
  if (d.inner) {
    const r = firstLeafDifference(d.inner);
    if (r) return r;
  }
  for (const m of d.members) {
    if (m.inner) {
      const r = firstLeafDifference(m.inner);
      if (r) return r;
    } else if (m.offset !== undefined && m.context) {
      return { where: `${d.path}!${m.name}`, offset: m.offset, context: m.context };
    }
  }
  return null;
}
