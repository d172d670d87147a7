// --artifacts globs: *, ?, [..], {a,b}, ** and directory selection.
import { compileGlob, matchPath, normalizePattern, selectFiles, selects } from '../src/verify/glob.js';

const m = (pattern: string, path: string) => matchPath(compileGlob(pattern), path);

describe('glob matching', () => {
  test.each([
    ['*.tar.gz', 'app.tar.gz', true],
    ['*.tar.gz', 'out/app.tar.gz', false],
    ['out/*', 'out/a.o', true],
    ['out/*', 'out/sub/a.o', false],
    ['out/*', 'out/.hidden', true],
    ['out/?.o', 'out/a.o', true],
    ['out/?.o', 'out/ab.o', false],
    ['out/?', 'out//', false],
    ['out/[abc].o', 'out/b.o', true],
    ['out/[abc].o', 'out/d.o', false],
    ['out/[!abc].o', 'out/d.o', true],
    ['out/[^abc].o', 'out/a.o', false],
    ['out/[a-c]x', 'out/bx', true],
    ['out/[a-c]x', 'out/dx', false],
    ['out/[]]x', 'out/]x', true],
    ['out/*.{deb,rpm}', 'out/x.deb', true],
    ['out/*.{deb,rpm}', 'out/x.rpm', true],
    ['out/*.{deb,rpm}', 'out/x.tar', false],
    ['**/*.o', 'a.o', true],
    ['**/*.o', 'x/y/z/a.o', true],
    ['**/*.o', 'x/y/z/a.c', false],
    ['out/**', 'out', true],
    ['out/**', 'out/a/b/c', true],
    ['out/**', 'outside/a', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/**/b', 'a/b', true],
    ['a/**/b', 'a/xb', false],
    ['**', 'anything/at/all', true],
    ['./out/a.o', 'out/a.o', true],
    ['out//a.o', 'out/a.o', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['a.b', 'axb', false],
    ['(x)+', '(x)+', true],
  ])('%s against %s → %s', (pattern, path, want) => {
    expect(m(pattern, path)).toBe(want);
  });

  test('a pattern naming a directory selects the files below it', () => {
    const g = compileGlob('out/');
    expect(selects(g, 'out/a/b.txt')).toBe(true);
    expect(selects(g, 'outer/b.txt')).toBe(false);
    expect(selects(compileGlob('o*'), 'out/deep/file')).toBe(true);
  });

  test('normalization', () => {
    expect(normalizePattern('./a//b/./c/')).toBe('a/b/c');
    expect(() => compileGlob('./')).toThrow(/empty/);
    expect(() => compileGlob('a\\')).toThrow(/backslash/);
  });

  test('selectFiles counts per glob, so an empty glob can be reported', () => {
    const r = selectFiles([compileGlob('*.deb'), compileGlob('out/*.o'), compileGlob('nothing-*')], ['x.deb', 'out/a.o', 'out/b.o', 'src/c.c']);
    expect(r.selected).toEqual(['x.deb', 'out/a.o', 'out/b.o']);
    expect(r.counts).toEqual([1, 2, 0]);
  });
});
