import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../core/index.js';
import { joinRepoPath, normalizeRepoPath, relativeUploadPath } from './paths.js';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe('INVALID_PATH');
    return (error as SluiceError).message;
  }
  throw new Error('expected INVALID_PATH');
}

describe('normalizeRepoPath', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['//', '/'],
    ['.', '/'],
    ['a', '/a'],
    ['/a/b/c', '/a/b/c'],
    ['a/b/', '/a/b'],
    ['//a///b//', '/a/b'],
    ['./a/./b/.', '/a/b'],
    ['a..b/c...', '/a..b/c...'],
    ['.hidden/x', '/.hidden/x'],
    ['100%25/50%', '/100%25/50%'],
    ['%41%42', '/%41%42'],
    ['caméra/été.jpg', '/caméra/été.jpg'],
    ['ab:c/d:e', '/ab:c/d:e'],
  ])('turns %j into %j', (input, expected) => {
    expect(normalizeRepoPath(input)).toBe(expected);
  });

  it('refuses a .. segment instead of resolving it', () => {
    expect(refusal(() => normalizeRepoPath('a/../b'))).toMatchInlineSnapshot(
      `"path "a/../b": '..' segments are not allowed; expected a path inside the repo like /a/b.jpg"`,
    );
  });

  it('refuses a leading .. segment', () => {
    expect(refusal(() => normalizeRepoPath('../etc/passwd'))).toContain("'..' segments");
  });

  it('refuses a trailing .. segment', () => {
    expect(refusal(() => normalizeRepoPath('/a/..'))).toContain("'..' segments");
  });

  it('refuses an encoded ..', () => {
    expect(refusal(() => normalizeRepoPath('/%2e%2e/x'))).toMatchInlineSnapshot(
      `"path "/%2e%2e/x": the escape '%2e' decodes to "."; expected a path inside the repo like /a/b.jpg"`,
    );
  });

  it('refuses an upper-case encoded ..', () => {
    expect(refusal(() => normalizeRepoPath('%2E%2E'))).toContain('\'%2E\' decodes to "."');
  });

  it('refuses a double-encoded ..', () => {
    expect(refusal(() => normalizeRepoPath('/%252e%252e/x'))).toMatchInlineSnapshot(
      `"path "/%252e%252e/x": it decodes to a further escape '%2e' (double encoding); expected a path inside the repo like /a/b.jpg"`,
    );
  });

  it('refuses a double encoding built from a literal %', () => {
    expect(refusal(() => normalizeRepoPath('/%%32%65'))).toContain('double encoding');
  });

  it('refuses an encoded slash', () => {
    expect(refusal(() => normalizeRepoPath('a%2fb'))).toContain(`'%2f' decodes to "/"`);
  });

  it('refuses an encoded backslash', () => {
    expect(refusal(() => normalizeRepoPath('a%5cb'))).toContain(`'%5c' decodes to "\\\\"`);
  });

  it('refuses an encoded NUL', () => {
    expect(refusal(() => normalizeRepoPath('a%00b'))).toContain("'%00' decodes to a control character");
  });

  it('refuses a backslash', () => {
    expect(refusal(() => normalizeRepoPath('a\\b'))).toMatchInlineSnapshot(
      `"path "a\\\\b": it contains a backslash; use '/' between folders; expected a path inside the repo like /a/b.jpg"`,
    );
  });

  it('refuses a NUL character', () => {
    expect(refusal(() => normalizeRepoPath('a\0b'))).toContain('NUL');
  });

  it('refuses other control characters', () => {
    expect(refusal(() => normalizeRepoPath('a\nb'))).toContain('control character');
    expect(refusal(() => normalizeRepoPath('a\u001bb'))).toContain('control character');
  });

  it('refuses a Windows drive', () => {
    expect(refusal(() => normalizeRepoPath('C:'))).toContain('Windows drive');
  });

  it('refuses a Windows drive with a backslash', () => {
    expect(refusal(() => normalizeRepoPath('C:\\Windows'))).toContain('backslash');
  });

  it('refuses a Windows drive with a slash', () => {
    expect(refusal(() => normalizeRepoPath('c:/x'))).toContain('Windows drive');
  });

  it('refuses a segment longer than 255 bytes', () => {
    expect(normalizeRepoPath(`/${'a'.repeat(255)}`)).toHaveLength(256);
    expect(refusal(() => normalizeRepoPath(`/${'a'.repeat(256)}`))).toContain('longer than 255 bytes');
    // NOTE: bytes, not characters: 128 two-byte characters are 256 bytes.
    expect(refusal(() => normalizeRepoPath(`/${'é'.repeat(128)}`))).toContain('longer than 255 bytes');
  });

  it('refuses a path longer than 4096 bytes', () => {
    const long = Array.from({ length: 20 }, () => 'a'.repeat(250)).join('/');
    expect(refusal(() => normalizeRepoPath(long))).toContain('longer than 4096 bytes');
  });

  it('names the path by what it is', () => {
    expect(refusal(() => normalizeRepoPath('..', 'glob root'))).toMatch(/^glob root "\.\."/);
  });

  const segment = fc.oneof(
    fc.constantFrom('', '.', '..', 'a', 'b.jpg', '%2e', '%252e', '%41', 'C:', '\\', '\0', 'é', '%'),
    fc.string({ maxLength: 6 }),
  );
  const anyPath = fc.array(segment, { maxLength: 6 }).map((parts) => parts.join('/'));

  it('accepts only paths whose canonical form is safe and stable', () => {
    fc.assert(
      fc.property(anyPath, (input) => {
        let path: string;
        try {
          path = normalizeRepoPath(input);
        } catch (error) {
          expect((error as SluiceError).code).toBe('INVALID_PATH');
          return;
        }
        expect(path.startsWith('/')).toBe(true);
        expect(path.split('/')).not.toContain('..');
        expect(path).not.toContain('\\');
        expect(path).not.toContain('\0');
        expect(normalizeRepoPath(path)).toBe(path);
      }),
      { seed: 20240611, numRuns: 2000 },
    );
  });
});

describe('relativeUploadPath', () => {
  it('roots a relative name', () => {
    expect(relativeUploadPath('a/b.jpg')).toBe('/a/b.jpg');
    expect(relativeUploadPath('./a//b.jpg')).toBe('/a/b.jpg');
  });

  it('refuses an absolute name', () => {
    expect(refusal(() => relativeUploadPath('/etc/passwd'))).toMatchInlineSnapshot(
      `"upload path "/etc/passwd": it is absolute; expected a relative name like 'a/b.jpg'"`,
    );
  });

  it('refuses a name that is the root', () => {
    expect(refusal(() => relativeUploadPath(''))).toContain('names the root');
    expect(refusal(() => relativeUploadPath('.'))).toContain('names the root');
  });

  it('refuses a name that climbs out', () => {
    expect(refusal(() => relativeUploadPath('a/../../b'))).toContain("'..' segments");
  });
});

describe('joinRepoPath', () => {
  it('joins a folder and a relative path', () => {
    expect(joinRepoPath('/a', 'b/c.txt')).toBe('/a/b/c.txt');
    expect(joinRepoPath('/', 'b')).toBe('/b');
    expect(joinRepoPath('a/', '/b/')).toBe('/a/b');
    expect(joinRepoPath('/a', '')).toBe('/a');
  });

  it('refuses a relative part that climbs out', () => {
    expect(refusal(() => joinRepoPath('/a', '../b'))).toContain("'..' segments");
  });
});
