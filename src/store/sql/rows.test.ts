import { describe, expect, it } from 'vitest';
import { withoutNul } from './rows.js';

describe('withoutNul', () => {
  it('replaces escaped NUL characters and keeps literal backslashes', () => {
    const json = JSON.stringify({ line: 'bin\u0000ary', literal: 'a\\u0000b', both: '\\\u0000' });
    expect(JSON.parse(withoutNul(json))).toEqual({
      line: 'bin\ufffdary',
      literal: 'a\\u0000b',
      both: '\\\ufffd',
    });
  });
});
