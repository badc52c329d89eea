/**
 * Polygon rasterisation to a boolean mask.
 *
 * The pixel-centre rule: pixel (column c, row r) covers the unit square centred on (c, r) —
 * the convention of the Sunnybrook contours, whose points are pixel coordinates — and it is
 * in the mask when that centre is inside the polygon by the even-odd rule. A centre exactly
 * on an edge is inside for a left edge and outside for a right edge, and a row of centres
 * exactly on a horizontal edge is inside for a top edge and outside for a bottom one (half-open
 * spans), so two polygons sharing an edge never both claim a pixel and a rectangle from
 * (a, b) to (c, d) covers exactly the centres with a ≤ x < c and b ≤ y < d. Points outside the
 * image are allowed: the polygon is clipped to it.
 */
import type { Point } from './contours.js';

/** A `height × width` mask (1 inside, 0 outside), row-major. */
export function rasterise(polygon: readonly Point[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const n = polygon.length;
  if (n < 3) return mask;
  const crossings: number[] = [];
  for (let row = 0; row < height; row++) {
    const y = row;
    crossings.length = 0;
    for (let i = 0; i < n; i++) {
      const a = polygon[i]!;
      const b = polygon[(i + 1) % n]!;
      // Half-open in y: an edge counts for rows with min(y) ≤ y < max(y); horizontal edges never.
      if ((a.y <= y && y < b.y) || (b.y <= y && y < a.y))
        crossings.push(a.x + ((y - a.y) / (b.y - a.y)) * (b.x - a.x));
    }
    if (crossings.length < 2) continue;
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // Centres with left ≤ x < right.
      const from = Math.max(0, Math.ceil(crossings[k]!));
      const to = Math.min(width - 1, Math.ceil(crossings[k + 1]!) - 1);
      if (from <= to) mask.fill(1, row * width + from, row * width + to + 1);
    }
  }
  return mask;
}
