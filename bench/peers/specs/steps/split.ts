/** Scatters `count` items: each becomes one datum of `items` for the steps reading it. */
import type { StepContext } from 'sluice';

export default async function split(ctx: StepContext<{ count: number }>): Promise<{ items: number[] }> {
  return { items: Array.from({ length: ctx.inputs.count }, (_, i) => i) };
}
