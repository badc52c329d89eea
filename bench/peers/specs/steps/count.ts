/** Gathers every `out` datum and counts them (the fan-in of the 1 -> 200 -> 1 DAG). */
import type { StepContext } from 'sluice';

export default async function count(ctx: StepContext<{ out: number[] }>): Promise<{ total: number }> {
  return { total: ctx.inputs.out.length };
}
