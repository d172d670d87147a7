// Where two files differ: the first differing byte offset (streamed, 1 MiB at a time) and
// the bytes around it, shown as text when they are text and as hex otherwise.
import { open } from 'node:fs/promises';

export interface FirstDifference {
  /** Offset of the first byte that differs; when one file is a prefix of the other, the shorter one's size. Null when identical. */
  offset: number | null;
  sizes: [number, number];
}

const CHUNK = 1 << 20;

/** First differing byte of two files. */
export async function firstDifference(a: string, b: string): Promise<FirstDifference> {
  const fa = await open(a, 'r');
  try {
    const fb = await open(b, 'r');
    try {
      const sizes: [number, number] = [(await fa.stat()).size, (await fb.stat()).size];
      const ba = Buffer.alloc(CHUNK);
      const bb = Buffer.alloc(CHUNK);
      let pos = 0;
      for (;;) {
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

async function readFull(fh: import('node:fs/promises').FileHandle, buf: Buffer, pos: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** Index of the first differing byte among the first n, or -1. */
export function firstMismatch(a: Uint8Array, b: Uint8Array, n: number): number {
  // compare 64 KiB blocks natively first, then bytes inside the first unequal block
  const BLOCK = 65536;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    if (Buffer.compare(a.subarray(start, end), b.subarray(start, end)) !== 0) {
      for (let i = start; i < end; i++) if (a[i] !== b[i]) return i;
    }
  }
  return -1;
}

/** First differing offset of two buffers (the shorter length when one is a prefix), or null. */
export function firstDifferenceOfBuffers(a: Uint8Array, b: Uint8Array): number | null {
  const n = Math.min(a.length, b.length);
  const at = firstMismatch(a, b, n);
  if (at >= 0) return at;
  return a.length === b.length ? null : n;
}

/** Bytes [start, start+len) of a file (fewer at its end). */
export async function readRange(file: string, start: number, len: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(len);
    const n = await readFull(fh, buf, start);
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/** Is this mostly printable text (UTF-8, tabs, newlines)? */
export function looksText(buf: Uint8Array): boolean {
  if (buf.length === 0) return true;
  let bad = 0;
  for (const c of buf) if (c === 0 || (c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) bad++;
  return bad === 0;
}

/**
 * A short one-line rendering of bytes: a JSON string for text; for binary that is mostly
 * printable, the same with \xNN escapes; otherwise hex.
 */
export function showBytes(buf: Uint8Array): string {
  if (looksText(buf)) return JSON.stringify(Buffer.from(buf).toString('utf8'));
  let printable = 0;
  for (const c of buf) if (c >= 0x20 && c < 0x7f) printable++;
  if (printable >= buf.length * 0.6) {
    let s = '';
    for (const c of buf) {
      if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
      else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
      else if (c === 10) s += '\\n';
      else s += `\\x${c.toString(16).padStart(2, '0')}`;
    }
    return `"${s}"`;
  }
  return Buffer.from(buf).toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

export interface DifferenceContext {
  /** Offset of the window's first byte. */
  start: number;
  /** The window in each of the two files. */
  bytes: [Buffer, Buffer];
  /** Printable forms of the windows. */
  shown: [string, string];
}

/** The bytes around a difference in both files: `before` bytes before it, `after` from it. */
export async function differenceContext(a: string, b: string, offset: number, before = 24, after = 40): Promise<DifferenceContext> {
  const start = Math.max(0, offset - before);
  const len = offset - start + after;
  const bytes: [Buffer, Buffer] = [await readRange(a, start, len), await readRange(b, start, len)];
  return { start, bytes, shown: [showBytes(bytes[0]), showBytes(bytes[1])] };
}
