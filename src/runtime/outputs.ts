/**
 * Checks what a step returned against what it declared, the same way for every runtime,
 * and normalises values to plain JSON (what is stored and passed downstream).
 */
import { SluiceError } from '../core/index.js';
import type { StepSpec } from '../spec/index.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The declared outputs of `step` from `returned`, as plain JSON; `STEP_OUTPUT` when they do not match. */
export function checkOutputs(step: StepSpec, returned: unknown): Record<string, unknown> {
  const declared = step.outputs.map((output) => output.name);
  const list = declared.join(', ') || '(none)';
  if (returned === undefined && declared.length === 0) return {};
  if (typeof returned !== 'object' || returned === null || Array.isArray(returned)) {
    throw new SluiceError(
      'STEP_OUTPUT',
      `step '${step.name}' must return an object with its outputs (${list}); it returned ${describe(returned)}`,
    );
  }
  const values = returned as Record<string, unknown>;
  const extra = Object.keys(values).filter((key) => !declared.includes(key) && values[key] !== undefined);
  if (extra.length > 0) {
    throw new SluiceError(
      'STEP_OUTPUT',
      `step '${step.name}' returned undeclared output${extra.length > 1 ? 's' : ''} ${extra.map((key) => `'${key}'`).join(', ')}; declared outputs: ${list}`,
    );
  }
  const outputs: Record<string, unknown> = {};
  for (const output of step.outputs) {
    const value = values[output.name];
    if (value === undefined) {
      throw new SluiceError(
        'STEP_OUTPUT',
        `step '${step.name}' returned no value for output '${output.name}'; declared outputs: ${list}`,
      );
    }
    if (output.scatter && !Array.isArray(value)) {
      throw new SluiceError(
        'STEP_OUTPUT',
        `step '${step.name}': output '${output.name}[]' scatters, so it must be an array; it is ${describe(value)}`,
      );
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new SluiceError(
        'STEP_OUTPUT',
        `step '${step.name}': output '${output.name}' is not JSON: ${(error as Error).message}`,
      );
    }
    outputs[output.name] = json === undefined ? null : JSON.parse(json);
  }
  return outputs;
}
