/** Non-maximum suppression: of overlapping boxes of one label, only the best-scored stays. */
import type { Detection } from './detection.js';

/** Intersection over union of two `[x, y, width, height]` boxes. */
export function iou(a: Detection['box'], b: Detection['box']): number {
  const width = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const height = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a[2] * a[3] + b[2] * b[3] - intersection);
}

/**
 * The detections left after greedy per-label suppression, sorted by score (highest first).
 * A box is dropped when it overlaps a better box of the same label by more than `maxIou`.
 */
export function suppressOverlaps(detections: Detection[], maxIou = 0.5): Detection[] {
  const kept: Detection[] = [];
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  for (const candidate of sorted)
    if (!kept.some((best) => best.label === candidate.label && iou(best.box, candidate.box) > maxIou))
      kept.push(candidate);
  return kept;
}
