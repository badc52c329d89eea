/** One link of the chain: sleeps 10 ms, then publishes `v<n>` for step `s<n>` (the next link's input). */
import type { StepContext } from 'sluice';

export default async function sleep(ctx: StepContext): Promise<Record<string, number>> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return { [`v${ctx.step.slice(1)}`]: 1 };
}
