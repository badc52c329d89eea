/**
 * The typed TypeScript builder. `defineStep` and `definePipeline` produce the same raw spec
 * a YAML file holds, and it goes through the same checks into the same model.
 *
 * @example
 * import { definePipeline, defineStep } from 'sluice';
 * const load = defineStep({ name: 'load', run: './steps/load.ts', inputs: ['id'], outputs: ['page'] });
 * export default definePipeline({ name: 'docs', params: { id: { type: 'string' } }, steps: [load], outputs: ['page'] });
 */
import type { RawPipelineInput, RawStepInput } from './schema.js';

/** A step built with {@link defineStep}; `Inputs`/`Outputs` keep the literal names. */
export type StepDefinition<Inputs extends string = string, Outputs extends string = string> = Omit<
  RawStepInput,
  'inputs' | 'outputs'
> & {
  name: string;
  inputs?: readonly Inputs[];
  outputs?: readonly Outputs[];
};

/** A pipeline built with {@link definePipeline}: what a `.ts` pipeline file default-exports. */
export interface PipelineDefinition {
  readonly kind: 'sluice.pipeline';
  /** The raw spec, in the YAML shape. */
  readonly spec: RawPipelineInput;
}

/** Defines a step; the result goes into `definePipeline({ steps: [...] })`. */
export function defineStep<const Inputs extends string, const Outputs extends string>(
  step: StepDefinition<Inputs, Outputs>,
): StepDefinition<Inputs, Outputs> {
  return step;
}

/** What {@link definePipeline} accepts: the YAML shape, with steps as a list or a record. */
export type PipelineInput = Omit<RawPipelineInput, 'steps'> & {
  steps: readonly StepDefinition[] | Record<string, Omit<StepDefinition, 'name'>>;
};

/** Defines a pipeline in code. Check and compile it with `compilePipeline` or the CLI. */
export function definePipeline(pipeline: PipelineInput): PipelineDefinition {
  const steps: RawPipelineInput['steps'] = {};
  if (Array.isArray(pipeline.steps)) {
    for (const step of pipeline.steps as readonly StepDefinition[]) {
      const { name, inputs, outputs, ...rest } = step;
      steps[name] = {
        ...rest,
        ...(inputs ? { inputs: [...inputs] } : {}),
        ...(outputs ? { outputs: [...outputs] } : {}),
      };
    }
  } else {
    for (const [name, step] of Object.entries(
      pipeline.steps as Record<string, Omit<StepDefinition, 'name'>>,
    )) {
      const { inputs, outputs, ...rest } = step;
      steps[name] = {
        ...rest,
        ...(inputs ? { inputs: [...inputs] } : {}),
        ...(outputs ? { outputs: [...outputs] } : {}),
      };
    }
  }
  return { kind: 'sluice.pipeline', spec: { ...pipeline, steps } };
}

/** Whether a module's export is a {@link PipelineDefinition}. */
export function isPipelineDefinition(value: unknown): value is PipelineDefinition {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sluice.pipeline'
  );
}
