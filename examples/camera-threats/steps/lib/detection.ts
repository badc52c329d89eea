/** What the detector reports for one object. */
export interface Detection {
  /** A COCO label (`lib/coco-labels.ts`). */
  label: string;
  /** Confidence, 0..1. */
  score: number;
  /** `[x, y, width, height]` in whole pixels of the original image (as displayed). */
  box: [number, number, number, number];
}
