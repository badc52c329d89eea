import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../core/index.js';
import { compileGlob, expandTemplate, templateGroups } from './glob.js';

function refusal(pattern: string): string {
  try {
    compileGlob(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe('INVALID_GLOB');
    return (error as SluiceError).message;
  }
  throw new Error(`expected INVALID_GLOB for ${pattern}`);
}

describe('compileGlob', () => {
  it.each([
    ['/', '/', []],
    ['/', '/a', null],
    ['/*', '/', null],
    ['/*', '/a', []],
    ['/*', '/a/b', null],
    ['/*/*', '/a/b', []],
    ['/a/', '/a', []],
    ['/*.jpg', '/x.jpg', []],
    ['/*.jpg', '/x.jpeg', null],
    ['/?', '/a', []],
    ['/?', '/ab', null],
    ['/?', '/', null],
    ['/[abc]', '/b', []],
    ['/[a-c]x', '/cx', []],
    ['/[a-c]x', '/dx', null],
    ['/[!a]*', '/a1', null],
    ['/[!a]*', '/b1', []],
    ['/[-a]', '/-', []],
    ['/**', '/', []],
    ['/**', '/a/b/c', []],
    ['/**/*.jpg', '/a.jpg', []],
    ['/**/*.jpg', '/x/y/a.jpg', []],
    ['/**/*.jpg', '/x/y/a.png', null],
    ['/a/**', '/a', []],
    ['/a/**', '/a/b/c', []],
    ['/a/**', '/ab', null],
    ['/{a,b}', '/b', []],
    ['/{a,b}', '/c', null],
    ['/{a,b/c}', '/b/c', []],
    ['/(*).jpg', '/x.jpg', ['x']],
    ['/(*)/(*).dcm', '/p1/s1.dcm', ['p1', 's1']],
    ['/{(a*),b}', '/b', ['']],
    ['/a.b', '/axb', null],
    ['/a+b', '/a+b', []],
    ['/\\*', '/*', []],
    ['/\\*', '/x', null],
    ['/a,b', '/a,b', []],
    ['/a-(*)', '/a-b', ['b']],
    ['/[a\\-]', '/-', []],
    ['/[\\^a]', '/^', []],
    ['/a$b^c|d', '/a$b^c|d', []],
  ])('%s on %s gives %j', (pattern, path, expected) => {
    expect(compileGlob(pattern).match(path)).toEqual(expected);
  });

  it('counts capture groups', () => {
    expect(compileGlob('/(*)/({a,b})/*').groups).toBe(2);
    expect(compileGlob('/*').groups).toBe(0);
  });

  it('refuses a pattern that does not start at the root', () => {
    expect(refusal('*.jpg')).toMatchInlineSnapshot(
      `"glob "*.jpg": found "*"; expected '/' first (the repo root) at column 1"`,
    );
  });

  it('refuses an empty pattern', () => {
    expect(refusal('')).toContain("expected '/' first");
  });

  it('refuses an unclosed [', () => {
    expect(refusal('/a[bc')).toMatchInlineSnapshot(`"glob "/a[bc": unclosed '['; expected ']' at column 3"`);
  });

  it('refuses an unopened ]', () => {
    expect(refusal('/a]')).toContain("unexpected ']'; no '[' is open at column 3");
  });

  it('refuses an unclosed (', () => {
    expect(refusal('/(*.jpg')).toMatchInlineSnapshot(
      `"glob "/(*.jpg": unclosed '('; expected ')' at column 2"`,
    );
  });

  it('refuses an unopened )', () => {
    expect(refusal('/*)')).toContain("unexpected ')'; no '(' is open at column 3");
  });

  it('refuses an unclosed {', () => {
    expect(refusal('/{a,b')).toContain("unclosed '{'; expected '}' at column 2");
  });

  it('refuses an unopened }', () => {
    expect(refusal('/a}')).toContain("unexpected '}'; no '{' is open at column 3");
  });

  it('refuses crossed brackets', () => {
    expect(refusal('/({a)}')).toContain("unexpected ')'; expected '}' first at column 5");
  });

  it('refuses ** inside a segment', () => {
    expect(refusal('/a**')).toMatchInlineSnapshot(
      `"glob "/a**": '**' inside a segment; expected it alone between '/', as in /**/*.jpg at column 3"`,
    );
    expect(refusal('/**.jpg')).toContain("'**' inside a segment");
  });

  it('refuses an empty segment', () => {
    expect(refusal('/a//b')).toContain("empty segment '//'");
  });

  it('refuses a / inside a class', () => {
    expect(refusal('/[a/b]')).toContain("'/' inside a character class");
  });

  it('refuses a trailing backslash', () => {
    expect(refusal('/a\\')).toContain("'\\' at the end");
  });

  it('matches any name without glob syntax literally', () => {
    const name = fc.string({ minLength: 1, maxLength: 10 }).filter((text) => !/[/*?[\]{}(),\\]/.test(text));
    fc.assert(
      fc.property(name, (text) => {
        expect(compileGlob(`/${text}`).match(`/${text}`)).toEqual([]);
        expect(compileGlob(`/${text}`).match(`/${text}x`)).toBeNull();
      }),
      { seed: 11, numRuns: 1000 },
    );
  });

  it('matches * within one segment only, for any names', () => {
    const name = fc.stringMatching(/^[a-z0-9._-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 4 }), (segments) => {
        const path = `/${segments.join('/')}`;
        expect(compileGlob('/**').match(path)).toEqual([]);
        expect(compileGlob('/*').match(path) !== null).toBe(segments.length === 1);
        const depth = Array.from(segments, () => '(*)').join('/');
        expect(compileGlob(`/${depth}`).match(path)).toEqual(segments);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('templates', () => {
  it('lists the groups a template refers to', () => {
    expect(templateGroups('$1-$2')).toEqual([1, 2]);
    expect(templateGroups('plain')).toEqual([]);
  });

  it('fills a template with captures', () => {
    expect(expandTemplate('$1-$2', ['a', 'b'])).toBe('a-b');
    expect(expandTemplate('$2', ['a', 'b'])).toBe('b');
  });
});
