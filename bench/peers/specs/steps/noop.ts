/** A no-op task: passes its datum through. */
import type { StepContext } from 'sluice';

export default async function noop(ctx: StepContext<{ items: number }>): Promise<{ out: number }> {
  return { out: ctx.inputs.items };
}
