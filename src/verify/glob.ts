// Glob patterns of `--artifacts`, matched against paths relative to the work dir
// ("out/app.tar.gz", forward slashes, no leading "./").
//
//   *        any run of characters within one path segment (dotfiles included)
//   ?        one character, not '/'
//   [abc] [a-z] [!a-z] [^a-z]   one character of (not of) the class
//   {a,b}    either alternative (may contain the other wildcards, not nested braces)
//   **       as a whole segment: zero or more directories ("**/*.o", "out/**")
//   \x       x literally
//
// A pattern that matches a directory selects every file below it ("out" or "out/").

export interface Glob {
  /** The pattern as given. */
  source: string;
  /** Anchored regular expression over a whole relative path. */
  regex: RegExp;
}

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Translate one segment's wildcards (no '/' inside) into regex source. */
function segmentSource(seg: string, where: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i];
    if (ch === '\\') {
      i++;
      if (i >= seg.length) throw new Error(`${where}: trailing backslash`);
      out += escapeRegex(seg[i]);
    } else if (ch === '*') {
      while (seg[i + 1] === '*') i++; // "a**b" inside a segment is the same as "a*b"
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = classEnd(seg, i);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      let cls = '';
      for (let j = 0; j < body.length; j++) {
        const c = body[j];
        if (c === '\\' && j + 1 < body.length) {
          cls += `\\${body[++j]}`;
        } else if (c === '-' && j > 0 && j < body.length - 1) {
          cls += '-';
        } else {
          cls += /[\\\]^-]/.test(c) ? `\\${c}` : c;
        }
      }
      out += negate ? `(?!/)[^${cls}]` : `[${cls}]`;
      i = end;
    } else if (ch === '{') {
      const end = seg.indexOf('}', i);
      if (end < 0) {
        out += '\\{';
        continue;
      }
      const alts = seg.slice(i + 1, end).split(',');
      out += `(?:${alts.map((a) => segmentSource(a, where)).join('|')})`;
      i = end;
    } else {
      out += escapeRegex(ch);
    }
  }
  return out;
}

/** Index of the ']' closing the class opened at `start`, or -1. A leading ']' is literal. */
function classEnd(seg: string, start: number): number {
  let j = start + 1;
  if (seg[j] === '!' || seg[j] === '^') j++;
  if (seg[j] === ']') j++;
  for (; j < seg.length; j++) {
    if (seg[j] === '\\') j++;
    else if (seg[j] === ']') return j;
  }
  return -1;
}

/** Normalize a pattern: no "./" prefix, no empty or "." segments, no trailing '/'. */
export function normalizePattern(pattern: string): string {
  return pattern
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** Compile a glob. Throws Error on a malformed pattern. */
export function compileGlob(pattern: string): Glob {
  const norm = normalizePattern(pattern);
  if (norm === '') throw new Error(`${pattern}: empty pattern`);
  // consecutive "**" segments mean the same as one
  const segs = norm.split('/').filter((s, i, all) => !(s === '**' && all[i - 1] === '**'));
  let src = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg === '**') {
      // "**" alone: everything; "**/" prefix: zero or more directories; trailing "/**": anything below
      if (last) src += i === 0 ? '.*' : '(?:/.*)?';
      else src += i === 0 ? '(?:.*/)?' : '(?:/.*)?/';
      continue;
    }
    if (i > 0 && segs[i - 1] !== '**') src += '/';
    src += segmentSource(seg, pattern);
  }
  return { source: pattern, regex: new RegExp(`^${src}$`, 's') };
}

/** Does `path` (relative, '/'-separated) match the glob itself? */
export function matchPath(glob: Glob, path: string): boolean {
  return glob.regex.test(path);
}

/** Does the glob select `path`: it matches the path or one of its parent directories. */
export function selects(glob: Glob, path: string): boolean {
  if (glob.regex.test(path)) return true;
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    if (glob.regex.test(path.slice(0, i))) return true;
  }
  return false;
}

/**
 * Select files with globs. Returns the selected paths (in input order) and, per glob, how
 * many paths it selected (so a glob that selects nothing can be reported).
 */
export function selectFiles(globs: readonly Glob[], paths: Iterable<string>): { selected: string[]; counts: number[] } {
  const counts = globs.map(() => 0);
  const selected: string[] = [];
  for (const p of paths) {
    let any = false;
    globs.forEach((g, i) => {
      if (selects(g, p)) {
        counts[i]++;
        any = true;
      }
    });
    if (any) selected.push(p);
  }
  return { selected, counts };
}
