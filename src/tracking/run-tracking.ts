/**
 * Tracking inside runs: model params resolved when a run starts, models laid out for the
 * steps that read them, and what each attempt records — model versions, table rows,
 * params, artifacts — written once the engine accepts the attempt as successful.
 */
import { join } from 'node:path';
import { SluiceError } from '../core/index.js';
import type { ObjectStore } from '../data/index.js';
import type { LoadedModel } from '../runtime/index.js';
import type { Pipeline, StepSpec } from '../spec/index.js';
import type { MetadataStore, RunRecord } from '../store/index.js';
import type { Topics } from '../streams/index.js';
import { AttemptTracking } from './attempt-tracking.js';
import { ModelRegistry } from './registry.js';
import { Tables } from './tables.js';

/** The registry and tables of one data directory, and the tracking of runs over them. */
export class Tracking {
  readonly registry: ModelRegistry;
  readonly tables: Tables;
  /** Where steps publish messages (`ctx.publish`); without it, publishing fails the attempt. */
  readonly topics: Topics | undefined;
  readonly #store: MetadataStore;
  readonly #objects: ObjectStore;

  constructor(
    store: MetadataStore,
    objects: ObjectStore,
    parts: { registry?: ModelRegistry; tables?: Tables; topics?: Topics } = {},
  ) {
    this.#store = store;
    this.#objects = objects;
    this.topics = parts.topics;
    this.registry = parts.registry ?? new ModelRegistry(store, objects);
    this.tables = parts.tables ?? new Tables(store);
  }

  /**
   * Resolves each `type: model` param to the concrete `name:version` it names now, so the
   * run records exactly which model it used and execution keys change with the model.
   * `MODEL_NOT_FOUND` when a reference names nothing.
   */
  async resolveModelParams(
    pipeline: Pipeline,
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const resolved = { ...params };
    for (const spec of Object.values(pipeline.params)) {
      const ref = params[spec.name];
      if (spec.type !== 'model' || typeof ref !== 'string') continue;
      try {
        const version = await this.registry.get(ref);
        resolved[spec.name] = `${version.name}:${version.version}`;
      } catch (error) {
        if (error instanceof SluiceError && error.code === 'MODEL_NOT_FOUND') {
          throw new SluiceError('MODEL_NOT_FOUND', `param '${spec.name}' (${ref}): ${error.message}`, {
            cause: error,
          });
        }
        throw error;
      }
    }
    return resolved;
  }

  /** Tracking of one run; `scratchDir` is the run's scratch root (removed when it ends). */
  forRun(run: RunRecord, pipeline: Pipeline, scratchDir: string): RunTracking {
    return new RunTracking(this, this.#store, this.#objects, run, pipeline, scratchDir);
  }
}

/** Tracking of one run. */
export class RunTracking {
  readonly #tracking: Tracking;
  readonly #store: MetadataStore;
  readonly #objects: ObjectStore;
  readonly #run: RunRecord;
  readonly #pipeline: Pipeline;
  readonly #scratchDir: string;
  readonly #models = new Map<string, Promise<LoadedModel>>();

  constructor(
    tracking: Tracking,
    store: MetadataStore,
    objects: ObjectStore,
    run: RunRecord,
    pipeline: Pipeline,
    scratchDir: string,
  ) {
    this.#tracking = tracking;
    this.#store = store;
    this.#objects = objects;
    this.#run = run;
    this.#pipeline = pipeline;
    this.#scratchDir = scratchDir;
  }

  /**
   * Replaces the model params `step` reads (`name:version`) by the model laid out as a
   * folder — once per run and version, shared by the run's attempts.
   */
  async withModels(
    step: StepSpec,
    inputs: Record<string, unknown>,
    params: Record<string, unknown>,
  ): Promise<{ inputs: Record<string, unknown>; params: Record<string, unknown> }> {
    const models = step.inputs.filter((input) => this.#pipeline.params[input.name]?.type === 'model');
    if (models.length === 0) return { inputs, params };
    const withInputs = { ...inputs };
    const withParams = { ...params };
    for (const { name } of models) {
      const ref = this.#run.params[name];
      if (typeof ref !== 'string') continue;
      const model = await this.#layout(ref);
      withInputs[name] = model;
      withParams[name] = model;
    }
    return { inputs: withInputs, params: withParams };
  }

  /** What one attempt records; pass it to the runtime, then `commit` it on success. */
  attempt(step: StepSpec, datum: string, scratchDir: string): AttemptTracking {
    return new AttemptTracking(this.#tracking, this.#store, this.#objects, {
      step,
      datum,
      scratchDir,
      run: this.#run,
      pipeline: this.#pipeline,
    });
  }

  #layout(ref: string): Promise<LoadedModel> {
    let loaded = this.#models.get(ref);
    if (!loaded) {
      loaded = (async () => {
        const version = await this.#tracking.registry.get(ref);
        const dir = join(this.#scratchDir, '_models', version.name, String(version.version));
        await this.#tracking.registry.download(`${version.name}:${version.version}`, dir);
        return {
          name: version.name,
          version: version.version,
          dir,
          metrics: version.metrics,
          params: version.params,
        };
      })();
      this.#models.set(ref, loaded);
      loaded.catch(() => this.#models.delete(ref));
    }
    return loaded;
  }
}
