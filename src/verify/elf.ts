// ELF files among the artifacts: which instructions a built program executes that no
// tracer can hide without CPUID faulting (RDRAND, RDSEED, CPUID) or that read the CPU's
// clock (RDTSC), and where the GNU build ID lies (a hash of the whole binary: when it is the
// first difference, the interesting one comes after it).

interface Section {
  type: number;
  flags: number;
  offset: number;
  size: number;
}

function sections(buf: Buffer): Section[] {
  const out: Section[] = [];
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  for (let i = 0; i < shnum && shoff > 0; i++) {
    const s = shoff + i * shentsize;
    if (s + 64 > buf.length) break;
    out.push({
      type: buf.readUInt32LE(s + 4),
      flags: Number(buf.readBigUInt64LE(s + 8)),
      offset: Number(buf.readBigUInt64LE(s + 0x18)),
      size: Number(buf.readBigUInt64LE(s + 0x20)),
    });
  }
  return out;
}

/** Is this a little-endian ELF64 file? */
export function isElf64(buf: Buffer): boolean {
  return buf.length >= 64 && buf.readUInt32BE(0) === 0x7f454c46 && buf[4] === 2 && buf[5] === 1;
}

/** Byte range [start, end) of the GNU build ID's bytes, or null. */
export function elfBuildIdRange(buf: Buffer): [number, number] | null {
  if (!isElf64(buf)) return null;
  for (const sec of sections(buf)) {
    if (sec.type !== 7) continue; // SHT_NOTE
    const end = Math.min(buf.length, sec.offset + sec.size);
    for (let p = sec.offset; p + 12 <= end; ) {
      const namesz = buf.readUInt32LE(p);
      const descsz = buf.readUInt32LE(p + 4);
      const type = buf.readUInt32LE(p + 8);
      const name = buf.toString('latin1', p + 12, p + 12 + namesz).replace(/\0+$/, '');
      const desc = p + 12 + Math.ceil(namesz / 4) * 4;
      if (type === 3 && name === 'GNU') return [desc, desc + descsz];
      p = desc + Math.ceil(descsz / 4) * 4;
    }
  }
  return null;
}

export interface ElfScan {
  rdrand: number;
  rdseed: number;
  cpuid: number;
  rdtsc: number;
}

/** Count RDRAND/RDSEED/CPUID/RDTSC(P) encodings in the executable sections of an ELF64 file. */
export function scanElf(buf: Buffer): ElfScan | null {
  if (!isElf64(buf)) return null;
  const ranges: [number, number][] = [];
  for (const sec of sections(buf)) {
    if (sec.type === 8 || (sec.flags & 0x4) === 0) continue; // NOBITS or not executable
    ranges.push([sec.offset, Math.min(buf.length, sec.offset + sec.size)]);
  }
  if (ranges.length === 0) {
    const phoff = Number(buf.readBigUInt64LE(0x20));
    const phentsize = buf.readUInt16LE(0x36);
    const phnum = buf.readUInt16LE(0x38);
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * phentsize;
      if (p + 56 > buf.length) break;
      if (buf.readUInt32LE(p) !== 1 || (buf.readUInt32LE(p + 4) & 1) === 0) continue; // PT_LOAD, PF_X
      const off = Number(buf.readBigUInt64LE(p + 8));
      const size = Number(buf.readBigUInt64LE(p + 0x20));
      ranges.push([off, Math.min(buf.length, off + size)]);
    }
  }
  const scan: ElfScan = { rdrand: 0, rdseed: 0, cpuid: 0, rdtsc: 0 };
  for (const [start, end] of ranges) {
    for (let i = start; i + 1 < end; i++) {
      if (buf[i] !== 0x0f) continue;
      const b1 = buf[i + 1];
      if (b1 === 0xa2) scan.cpuid++;
      else if (b1 === 0x31) scan.rdtsc++;
      else if (b1 === 0xc7 && i + 2 < end && buf[i + 2] >= 0xf0 && (i === 0 || buf[i - 1] !== 0xf3)) {
        if (buf[i + 2] >= 0xf8) scan.rdseed++;
        else scan.rdrand++;
      } else if (b1 === 0x01 && i + 2 < end && buf[i + 2] === 0xf9) scan.rdtsc++;
    }
  }
  return scan;
}

