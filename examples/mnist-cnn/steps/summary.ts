/** `mnist-predict`'s summary: how many samples the run predicted, and how many correctly. */
import type { StepContext } from 'sluice';

export default async function summary(
  ctx: StepContext<{ predicted: number[]; correct: number[]; skipped: number[] }>,
) {
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const predicted = sum(ctx.inputs.predicted);
  const correct = sum(ctx.inputs.correct);
  if (predicted > 0) ctx.metric('accuracy', correct / predicted);
  return {
    summary: {
      batches: ctx.inputs.predicted.length,
      predicted,
      correct,
      skipped: sum(ctx.inputs.skipped),
      accuracy: predicted > 0 ? correct / predicted : null,
    },
  };
}
