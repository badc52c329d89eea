/** Decides whether the frame's detections are a threat under the rules (see `lib/match-threat.ts`). */
import type { StepContext } from 'sluice';
import type { Detection } from './lib/detection.js';
import { matchThreat, type FrameFacts, type Threat } from './lib/match-threat.js';
import type { Rule } from './lib/rules.js';

export default async function threat(
  ctx: StepContext<{ detections: Detection[]; frame: FrameFacts; rules: Rule[] }>,
): Promise<{ threat: Threat | null }> {
  const { detections, frame, rules } = ctx.inputs;
  const found = matchThreat(detections, frame, rules);
  if (found)
    ctx.log.info(
      `${found.severity} threat on ${frame.path}: ${found.label} ${found.score} (rule ${found.rule})`,
    );
  else ctx.log.info(`no threat on ${frame.path} (${detections.length} detections, ${rules.length} rules)`);
  return { threat: found };
}
