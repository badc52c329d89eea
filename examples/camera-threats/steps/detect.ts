/**
 * Finds objects in a frame with the CenterNet COCO detector (`lib/centernet.ts`); the
 * model files are read from `models/` beside the pipeline spec.
 */
import { join } from 'node:path';
import type { StepContext } from 'sluice';
import { loadDetector } from './lib/centernet.js';
import { singleDatumFile } from './lib/datum-files.js';
import type { Detection } from './lib/detection.js';

export default async function detect(
  ctx: StepContext<{ image: string; frame: { path: string }; min_score: number }>,
): Promise<{ detections: Detection[] }> {
  const { image, frame, min_score } = ctx.inputs;
  if (typeof min_score !== 'number' || !(min_score >= 0 && min_score <= 1))
    throw new Error(`min_score must be a number from 0 to 1, found ${JSON.stringify(min_score)}`);
  const detector = await loadDetector(join(ctx.pipelineDir, 'models', 'centernet.json'));
  const file = join(image, await singleDatumFile(image, 'image'));
  const started = performance.now();
  const detections = await detector.detect(file, min_score);
  const ms = performance.now() - started;
  ctx.metric('detect_ms', Math.round(ms));
  ctx.metric('detections', detections.length);
  ctx.log.info(
    `${frame.path}: ${detections.map((d) => `${d.label} ${d.score}`).join(', ') || 'nothing'} ` +
      `at min_score ${min_score} (${Math.round(ms)} ms; model loaded in ${Math.round(detector.loadMs)} ms)`,
  );
  return { detections };
}
