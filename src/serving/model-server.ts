/**
 * The model server: answers predictions for `name@alias` / `name:version` with loaded model
 * versions, and swaps versions when an alias moves.
 *
 * A binding (one reference, e.g. `mnist-cnn@production`) holds the version it currently
 * resolves to. It is re-resolved at most every `refreshMs` (an alias moved by another
 * process), and at once when this process moves the alias (`refresh(name)`). A new target is
 * loaded completely before the binding switches to it; requests already holding the old
 * version finish on it, and it is unloaded once they have. No request waits for a swap and
 * none is dropped; every answer names the version that computed it.
 *
 * @example
 * const server = new ModelServer({ registry, repos, ...DEFAULT_SERVING });
 * const answer = await server.predict('beehive-kmeans@production', { rows: [{ temp: 31.2 }] });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError, toSluiceError, type Logger } from '../core/index.js';
import type { Repos } from '../data/index.js';
import type { ModelRegistry } from '../tracking/index.js';
import {
  bodyRows,
  jsonImages,
  prepareImages,
  prepareNumbers,
  type ImageBytes,
  type PreparedRows,
} from './request-rows.js';
import { loadServedVersion, type ServedVersion, type ServingOptions } from './served-version.js';
import type { ServingMetrics } from './serving-metrics.js';
import { formatPredictions, type Prediction } from './predictions.js';
import { trainOnline, type TrainAnswer } from './online-training.js';

/** Defaults of {@link ServingOptions}. */
export const DEFAULT_SERVING: ServingOptions = {
  maxBatch: 32,
  maxWaitMs: 2,
  maxQueueRows: 4096,
  replicas: 1,
  threads: 1,
};

/** Options of {@link ModelServer}. */
export interface ModelServerOptions extends Partial<ServingOptions> {
  registry: ModelRegistry;
  /** Where online training commits the rows it learned from (provenance). */
  repos: Repos;
  /** How often a binding re-reads its alias, in ms (default 1000). */
  refreshMs?: number;
  /** Rows one request may carry (default 4096). */
  maxRequestRows?: number;
  metrics?: ServingMetrics;
  logger?: Logger;
}

/** A prediction request: JSON rows, or files from multipart parts (by field name). */
export type PredictBody = { json: unknown } | { files: { field: string; file: ImageBytes }[] };

/** What a prediction answers. */
export interface PredictAnswer {
  model: string;
  version: number;
  /** The reference that was asked for (`mnist-cnn@production`). */
  ref: string;
  predictions: Prediction[];
  /** Rows in the batch this request ran in. */
  batchRows: number;
}

interface Binding {
  ref: string;
  name: string;
  current: Promise<ServedVersion>;
  checkedAt: number;
  refreshing: Promise<void> | undefined;
}

/** The model a reference (`name`, `name@alias`, `name:version`) names. */
function modelName(ref: string): string {
  return ref.split(/[@:]/)[0] ?? ref;
}

/** Serves model versions by reference. */
export class ModelServer {
  readonly options: ServingOptions;
  readonly #registry: ModelRegistry;
  readonly #repos: Repos;
  readonly #refreshMs: number;
  readonly #maxRequestRows: number;
  readonly #metrics: ServingMetrics | undefined;
  readonly #logger: Logger | undefined;
  readonly #bindings = new Map<string, Binding>();
  readonly #loaded = new Map<string, { served: Promise<ServedVersion>; users: number }>();
  /** Prediction requests in flight by model name, from before their body is read. */
  readonly #incoming = new Map<string, number>();
  readonly #training = new Map<string, Promise<unknown>>();
  #dir: Promise<string> | undefined;
  #closed = false;

  constructor(options: ModelServerOptions) {
    this.options = {
      maxBatch: options.maxBatch ?? DEFAULT_SERVING.maxBatch,
      maxWaitMs: options.maxWaitMs ?? DEFAULT_SERVING.maxWaitMs,
      maxQueueRows: options.maxQueueRows ?? DEFAULT_SERVING.maxQueueRows,
      replicas: options.replicas ?? DEFAULT_SERVING.replicas,
      threads: options.threads ?? DEFAULT_SERVING.threads,
    };
    this.#registry = options.registry;
    this.#repos = options.repos;
    this.#refreshMs = options.refreshMs ?? 1000;
    this.#maxRequestRows = options.maxRequestRows ?? 4096;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
  }

  /**
   * Predicts `body` with the version `ref` names now. A failure after the version was chosen
   * carries `details.model` and `details.version`, so the answer names the version that refused.
   */
  async predict(ref: string, body: PredictBody | Promise<PredictBody>): Promise<PredictAnswer> {
    // NOTE: counted from before its body is read, so a batch waits for requests on their way.
    const name = modelName(ref);
    this.#incoming.set(name, (this.#incoming.get(name) ?? 0) + 1);
    try {
      return await this.#predict(ref, await body);
    } finally {
      const left = (this.#incoming.get(name) ?? 1) - 1;
      if (left > 0) this.#incoming.set(name, left);
      else this.#incoming.delete(name);
    }
  }

  async #predict(ref: string, body: PredictBody): Promise<PredictAnswer> {
    const served = await this.#acquire(ref);
    try {
      const prepared = await this.#prepare(served, body);
      const result = await served.predict(prepared);
      return {
        model: served.version.name,
        version: served.version.version,
        ref,
        predictions: formatPredictions(served.manifest, result.output, prepared.n, result.width),
        batchRows: result.batchRows,
      };
    } catch (error) {
      const failure = toSluiceError(error);
      throw new SluiceError(failure.code, failure.message, {
        details: { ...failure.details, model: served.version.name, version: served.version.version },
        cause: failure,
      });
    } finally {
      served.release();
    }
  }

  /**
   * Trains the model `name` online on the request's rows (k-means: a mini-batch update) and
   * saves a new version; moves the configured alias only when the rule holds. One training
   * at a time per model.
   */
  async train(name: string, body: unknown, from?: string): Promise<TrainAnswer> {
    const previous = this.#training.get(name) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() =>
        trainOnline({
          name,
          body,
          from,
          registry: this.#registry,
          repos: this.#repos,
          maxRows: this.#maxRequestRows,
          load: (ref) => this.#borrow(ref),
          onAliasMoved: () => this.refresh(name),
        }),
      );
    this.#training.set(name, run);
    try {
      return await run;
    } finally {
      if (this.#training.get(name) === run) this.#training.delete(name);
    }
  }

  /** Re-resolves every binding of model `name` now (an alias of it moved in this process). */
  async refresh(name: string): Promise<void> {
    await Promise.all(
      [...this.#bindings.values()]
        .filter((binding) => binding.name === name)
        .map((binding) => this.#reresolve(binding)),
    );
  }

  /** What is being served: each reference with the version it answers with. */
  async bindings(): Promise<{ ref: string; model: string; version: number; flavor: string }[]> {
    const out = [];
    for (const binding of this.#bindings.values()) {
      try {
        const served = await binding.current;
        out.push({
          ref: binding.ref,
          model: served.version.name,
          version: served.version.version,
          flavor: served.manifest.flavor,
        });
      } catch {
        // NOTE: a binding whose version failed to load is retried by the next request.
      }
    }
    return out;
  }

  /** Loads `ref` now (`sluice serve` does so before it listens, so a bad model fails early). */
  async warm(ref: string): Promise<ServedVersion> {
    const served = await this.#acquire(ref);
    served.release();
    return served;
  }

  /** Unloads every version (after their requests finish) and removes the laid-out files. */
  async close(): Promise<void> {
    this.#closed = true;
    const loaded = [...this.#loaded.values()];
    this.#loaded.clear();
    this.#bindings.clear();
    await Promise.all(loaded.map(async (entry) => (await entry.served.catch(() => undefined))?.unload()));
    if (this.#dir) await rm(await this.#dir, { recursive: true, force: true });
  }

  /** The version `ref` resolves to now, acquired for one request. */
  async #acquire(ref: string): Promise<ServedVersion> {
    if (this.#closed) throw new SluiceError('INTERNAL', 'the model server is closed');
    let binding = this.#bindings.get(ref);
    if (!binding) {
      const name = modelName(ref);
      binding = {
        ref,
        name,
        current: this.#resolveAndLoad(ref),
        checkedAt: Date.now(),
        refreshing: undefined,
      };
      this.#bindings.set(ref, binding);
      binding.current.catch(() => {
        // NOTE: a failed first load is not cached: the next request tries again.
        if (this.#bindings.get(ref) === binding) this.#bindings.delete(ref);
      });
    } else if (Date.now() - binding.checkedAt > this.#refreshMs && !binding.refreshing) {
      void this.#reresolve(binding);
    }
    const served = await binding.current;
    served.acquire();
    return served;
  }

  /**
   * The version `ref` names, acquired without binding `ref` (training from a pinned version
   * must not keep it loaded); releasing it also lets it unload.
   */
  async #borrow(ref: string): Promise<ServedVersion> {
    const { name, version } = await this.#registry.get(ref);
    let served: ServedVersion;
    try {
      served = await this.#use(name, version);
    } catch (error) {
      this.#drop(name, version);
      throw error;
    }
    served.acquire();
    return {
      ...served,
      release: () => {
        served.release();
        this.#drop(name, version);
      },
    };
  }

  async #resolveAndLoad(ref: string): Promise<ServedVersion> {
    const version = await this.#registry.get(ref);
    return this.#use(version.name, version.version);
  }

  /** Checks where `binding`'s reference points now; loads and switches to a new target. */
  #reresolve(binding: Binding): Promise<void> {
    if (binding.refreshing) return binding.refreshing;
    binding.refreshing = (async () => {
      try {
        const target = await this.#registry.get(binding.ref);
        const current = await binding.current.catch(() => undefined);
        binding.checkedAt = Date.now();
        if (current && current.version.version === target.version) return;
        const next = await this.#use(target.name, target.version);
        binding.current = Promise.resolve(next);
        this.#logger?.info(
          { ref: binding.ref, from: current?.version.version, to: target.version },
          `serving ${binding.ref}: version ${current?.version.version ?? '-'} -> ${target.version}`,
        );
        if (current) this.#drop(current.version.name, current.version.version);
      } catch (error) {
        binding.checkedAt = Date.now();
        this.#logger?.warn(
          { err: error, ref: binding.ref },
          `serving ${binding.ref}: cannot re-resolve; keeping the loaded version`,
        );
      } finally {
        binding.refreshing = undefined;
      }
    })();
    return binding.refreshing;
  }

  /** The loaded version `name:version` (loading it once), counted as used by one more binding. */
  #use(name: string, version: number): Promise<ServedVersion> {
    const key = `${name}:${version}`;
    let entry = this.#loaded.get(key);
    if (!entry) {
      const served = (async () => {
        const dir = await mkdtemp(join(await this.#root(), `${name}-${version}-`));
        const record = await this.#registry.get(key);
        const loaded = await loadServedVersion(this.#registry, record, dir, this.options, {
          inFlight: () => this.#incoming.get(name) ?? 0,
          onBatch: (rows, seconds) => this.#metrics?.batch(name, String(version), rows, seconds),
        });
        this.#metrics?.loaded(name, String(version), true);
        return loaded;
      })();
      entry = { served, users: 0 };
      this.#loaded.set(key, entry);
      served.catch(() => {
        if (this.#loaded.get(key) === entry) this.#loaded.delete(key);
      });
    }
    entry.users += 1;
    return entry.served;
  }

  /** One binding stopped using `name:version`; the last one unloads it once drained. */
  #drop(name: string, version: number): void {
    const key = `${name}:${version}`;
    const entry = this.#loaded.get(key);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users > 0) return;
    this.#loaded.delete(key);
    void entry.served
      .then(async (served) => {
        await served.unload();
        await rm(served.dir, { recursive: true, force: true });
        this.#metrics?.loaded(name, String(version), false);
      })
      .catch((error: unknown) => this.#logger?.warn({ err: error }, `unloading ${key} failed`));
  }

  #root(): Promise<string> {
    return (this.#dir ??= mkdtemp(join(tmpdir(), 'sluice-serving-')));
  }

  async #prepare(served: ServedVersion, body: PredictBody): Promise<PreparedRows> {
    const { manifest } = served;
    if ('files' in body) {
      const column = manifest.image?.column;
      if (!column) {
        throw new SluiceError(
          'INVALID_REQUEST',
          `invalid request: body: model ${served.version.name}:${served.version.version} takes ${Object.keys(manifest.input).join(', ')} as JSON rows, not file uploads`,
        );
      }
      const other = body.files.find((part) => part.field !== column);
      if (other) {
        throw new SluiceError(
          'INVALID_REQUEST',
          `invalid request: part '${other.field}': unknown; the model takes image files in part '${column}'`,
          {
            details: { field: other.field },
          },
        );
      }
      if (body.files.length === 0) {
        throw new SluiceError('INVALID_REQUEST', `invalid request: body: no file part named '${column}'`, {
          details: { field: column },
        });
      }
      if (body.files.length > this.#maxRequestRows) {
        throw new SluiceError(
          'PAYLOAD_TOO_LARGE',
          `body: ${body.files.length} files exceed the limit of ${this.#maxRequestRows} per request`,
        );
      }
      return prepareImages(
        body.files.map((part) => part.file),
        manifest,
      );
    }
    const rows = bodyRows(body.json, this.#maxRequestRows);
    if (manifest.image) return prepareImages(jsonImages(rows, manifest.image.column), manifest);
    return prepareNumbers(rows, manifest);
  }
}
