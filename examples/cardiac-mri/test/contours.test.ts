import { describe, expect, it } from 'vitest';
import { contourSlice, InputDefect, parseContour, parseLinks } from '../lib/contours.js';
import { rasterise } from '../lib/mask.js';

describe('parseContour', () => {
  it('reads x y pairs, ignoring blank lines and CRLF', () => {
    expect(parseContour('120.50 137.50\r\n121.00 137.50\n\n121.50 138.25\n', 'a.txt')).toEqual([
      { x: 120.5, y: 137.5 },
      { x: 121, y: 137.5 },
      { x: 121.5, y: 138.25 },
    ]);
  });

  it('names the line of an odd coordinate, a non-number, and too few points', () => {
    expect(() => parseContour('1 2\n3\n4 5\n', 'c/IM-0001-0048-icontour-manual.txt')).toThrow(
      "c/IM-0001-0048-icontour-manual.txt:2: expected two numbers 'x y', found 1 field ('3')",
    );
    expect(() => parseContour('1 2\n3 four\n4 5\n', 'a.txt')).toThrow(
      "a.txt:2: expected two numbers 'x y', found '3 four'",
    );
    expect(() => parseContour('1 2\n3 4 5\n', 'a.txt')).toThrow('a.txt:2: expected two numbers');
    expect(() => parseContour('1 2\n3 4\n', 'a.txt')).toThrow(
      'a.txt: a contour needs at least 3 points to enclose an area, found 2',
    );
    expect(() => parseContour('', 'a.txt')).toThrow(InputDefect);
  });

  it('takes the slice number from the file name', () => {
    expect(contourSlice('IM-0001-0048-icontour-manual.txt')).toBe(48);
    expect(contourSlice('IM-0001-0048-ocontour-manual.txt')).toBeNull();
    expect(contourSlice('notes.txt')).toBeNull();
  });
});

describe('parseLinks', () => {
  it('reads rows and reports malformed or repeated ones by line', () => {
    const { rows, defects } = parseLinks(
      'patient_id,original_id\nSCD0000101,SC-HF-I-1\nSCD0000201\n\nSCD0000101,SC-HF-I-2\nSCD0000301,SC-HF-I-4\n',
      'link.csv',
    );
    expect(rows).toEqual([
      { patientId: 'SCD0000101', originalId: 'SC-HF-I-1', line: 2 },
      { patientId: 'SCD0000301', originalId: 'SC-HF-I-4', line: 6 },
    ]);
    expect(defects.map((defect) => defect.message)).toEqual([
      "link.csv:3: expected 2 fields with a patient_id and an original_id, found 'SCD0000201'",
      "link.csv:5: patient 'SCD0000101' is already linked on line 2",
    ]);
    expect(() => parseLinks('id,contour\n', 'link.csv')).toThrow(
      "link.csv:1: expected a header with 'patient_id' and 'original_id'",
    );
  });
});

/** The mask as rows of '#' and '.', for shapes small enough to read. */
function picture(mask: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let row = 0; row * width < mask.length; row++)
    rows.push(Array.from(mask.subarray(row * width, (row + 1) * width), (v) => (v ? '#' : '.')).join(''));
  return rows;
}

const count = (mask: Uint8Array): number => mask.reduce((sum, value) => sum + value, 0);

describe('rasterise (pixel-centre rule)', () => {
  it('covers exactly the centres with left ≤ x < right and top ≤ y < bottom', () => {
    const square = [
      { x: 1, y: 1 },
      { x: 4, y: 1 },
      { x: 4, y: 3 },
      { x: 1, y: 3 },
    ];
    expect(picture(rasterise(square, 6, 5), 6)).toEqual(['......', '.###..', '.###..', '......', '......']);
    // Half a pixel inwards moves no edge past a centre on the left/top, and one on the right/bottom.
    const inset = square.map((p) => ({ x: p.x === 1 ? 1.5 : 3.5, y: p.y === 1 ? 0.5 : 2.5 }));
    expect(picture(rasterise(inset, 6, 5), 6)).toEqual(['......', '..##..', '..##..', '......', '......']);
  });

  it('gives two rectangles sharing an edge disjoint pixels that cover their union', () => {
    const left = [
      { x: 0.3, y: 0.2 },
      { x: 3, y: 0.2 },
      { x: 3, y: 6.7 },
      { x: 0.3, y: 6.7 },
    ];
    const right = left.map((p) => ({ x: p.x === 3 ? 7.4 : 3, y: p.y }));
    const union = left.map((p) => ({ x: p.x === 3 ? 7.4 : 0.3, y: p.y }));
    const a = rasterise(left, 9, 8);
    const b = rasterise(right, 9, 8);
    expect(a.every((value, index) => !(value && b[index]))).toBe(true);
    expect(Array.from(a, (value, index) => value | b[index]!)).toEqual(Array.from(rasterise(union, 9, 8)));
  });

  it('fills a triangle, a concave L and a disc to their areas', () => {
    const triangle = [
      { x: 0, y: 0 },
      { x: 40, y: 0 },
      { x: 0, y: 40 },
    ];
    expect(Math.abs(count(rasterise(triangle, 64, 64)) - 800)).toBeLessThan(45);
    const l = [
      { x: 0.5, y: 0.5 },
      { x: 2.5, y: 0.5 },
      { x: 2.5, y: 3.5 },
      { x: 4.5, y: 3.5 },
      { x: 4.5, y: 5.5 },
      { x: 0.5, y: 5.5 },
    ];
    expect(picture(rasterise(l, 6, 6), 6)).toEqual([
      '......',
      '.##...',
      '.##...',
      '.##...',
      '.####.',
      '.####.',
    ]);
    const disc = Array.from({ length: 72 }, (_, k) => ({
      x: 50 + 20 * Math.cos((k / 72) * 2 * Math.PI),
      y: 40 + 20 * Math.sin((k / 72) * 2 * Math.PI),
    }));
    const mask = rasterise(disc, 100, 80);
    expect(Math.abs(count(mask) - Math.PI * 400) / (Math.PI * 400)).toBeLessThan(0.02);
    expect(mask[40 * 100 + 50]).toBe(1);
    expect(mask[40 * 100 + 75]).toBe(0);
  });

  it('uses even-odd for a self-crossing polygon and clips to the image', () => {
    // A pentagram drawn in one stroke: its inner pentagon is crossed twice, so it is outside.
    const star = Array.from({ length: 5 }, (_, k) => ({
      x: 30 + 25 * Math.cos(-Math.PI / 2 + (k * 4 * Math.PI) / 5),
      y: 30 + 25 * Math.sin(-Math.PI / 2 + (k * 4 * Math.PI) / 5),
    }));
    const mask = rasterise(star, 60, 60);
    expect(mask[30 * 60 + 30]).toBe(0);
    expect(mask[12 * 60 + 30]).toBe(1); // inside the top point
    const outside = [
      { x: -10, y: -10 },
      { x: 3, y: -10 },
      { x: 3, y: 2 },
      { x: -10, y: 2 },
    ];
    expect(picture(rasterise(outside, 5, 3), 5)).toEqual(['###..', '###..', '.....']);
  });
});
