/**
 * Explains why a run ended without some desired outputs, following the chain of missing
 * inputs back to the step that failed, was cancelled or never got its data.
 */
import type { Pipeline } from '../spec/index.js';
import type { TaskState } from './run-execution.js';
import type { ValueTable } from './values.js';

/** Why one desired output is missing. */
export interface MissingOutput {
  output: string;
  /** The step where the chain of causes ends, when there is one. */
  failedStep?: string;
  message: string;
}

/** One reason per missing desired output, e.g. "output 'summary' is missing: step ... failed: ...". */
export function explainMissing(
  pipeline: Pipeline,
  values: ValueTable,
  tasks: Map<string, TaskState[]>,
): MissingOutput[] {
  const reasons: MissingOutput[] = [];
  for (const output of pipeline.outputs) {
    if (values.isAvailable(output)) continue;
    const cause = explainValue(pipeline, values, tasks, output, new Set());
    reasons.push({
      output,
      message: `output '${output}' is missing: ${cause.text}`,
      ...(cause.step ? { failedStep: cause.step } : {}),
    });
  }
  return reasons;
}

interface Cause {
  text: string;
  step?: string;
}

function explainValue(
  pipeline: Pipeline,
  values: ValueTable,
  tasks: Map<string, TaskState[]>,
  name: string,
  seen: Set<string>,
): Cause {
  const spec = pipeline.values[name];
  if (!spec) return { text: `nothing produces '${name}'` };
  if (spec.kind !== 'step') return { text: `${spec.kind} '${name}' has no value` };
  const stepName = spec.producer;
  if (seen.has(stepName)) return { text: `step '${stepName}' did not finish` };
  seen.add(stepName);
  const step = pipeline.steps[stepName];
  const list = tasks.get(stepName) ?? [];
  const failed = list.filter((task) => task.status === 'failed');
  const first = failed[0];
  if (first) {
    const where = first.datum ? ` on datum '${first.datum}'` : '';
    const others = failed.length > 1 ? ` (and ${failed.length - 1} more datums)` : '';
    const tries = first.attempts > 1 ? ` after ${first.attempts} attempts` : '';
    const why = first.error ? `: ${first.error.message}` : '';
    return { text: `step '${stepName}' failed${where}${tries}${others}${why}`, step: stepName };
  }
  if (list.some((task) => task.status === 'cancelled')) {
    return { text: `step '${stepName}' was cancelled`, step: stepName };
  }
  if (!step) return { text: `step '${stepName}' was pruned` };
  const blocked = list.find((task) => task.status !== 'success' && task.status !== 'skipped');
  for (const input of step.inputs) {
    const available = input.gather
      ? values.isAvailable(input.name)
      : blocked !== undefined
        ? values.resolveInputs({ ...step, inputs: [input] }, blocked.datum) !== undefined
        : values.isAvailable(input.name);
    if (available && list.length > 0) continue;
    if (!available) {
      const cause = explainValue(pipeline, values, tasks, input.name, seen);
      return {
        ...cause,
        text: `step '${stepName}' could not run: input '${input.name}' is missing: ${cause.text}`,
      };
    }
  }
  return { text: `step '${stepName}' did not produce '${name}'`, step: stepName };
}
