/**
 * What one attempt records: models saved at once (a step needs the version number), and
 * table rows, params, artifacts and staged models, written by {@link AttemptTracking.commit}
 * once the engine accepts the attempt as successful.
 */
import { isAbsolute, resolve } from 'node:path';
import { SluiceError, sha256 } from '../core/index.js';
import type { ObjectStore } from '../data/index.js';
import type { LoadedModel, ModelSaveOptions, StepTracking } from '../runtime/index.js';
import type { Pipeline, StepSpec, TableSpec } from '../spec/index.js';
import type { MetadataStore, RunRecord, TableRowsBatch, TrackedFile } from '../store/index.js';
import { encodeMessage } from '../streams/codec.js';
import { ensureTopicOnce } from '../streams/ensure.js';
import type { ProduceMessage, Topics } from '../streams/index.js';
import { storeFiles } from './files.js';
import type { ModelProvenance } from './model-version.js';
import type { ModelRegistry } from './registry.js';
import { checkRows } from './rows.js';
import type { Tables } from './tables.js';

const PUBLISH_BATCH = 1000;
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Where an attempt runs. */
export interface AttemptContext {
  step: StepSpec;
  datum: string;
  scratchDir: string;
  run: RunRecord;
  pipeline: Pipeline;
}

/** What one attempt records (see {@link StepTracking}); nothing staged lands until {@link commit}. */
export class AttemptTracking implements StepTracking {
  readonly #tracking: { registry: ModelRegistry; tables: Tables; topics?: Topics | undefined };
  readonly #store: MetadataStore;
  readonly #objects: ObjectStore;
  readonly #ctx: AttemptContext;
  readonly #rows = new Map<string, Record<string, unknown>[]>();
  readonly #messages = new Map<string, ProduceMessage[]>();
  readonly #params: Record<string, unknown> = {};
  readonly #artifacts = new Map<string, TrackedFile[]>();
  readonly #models: { name: string; files: TrackedFile[]; options: ModelSaveOptions }[] = [];

  constructor(
    tracking: { registry: ModelRegistry; tables: Tables; topics?: Topics | undefined },
    store: MetadataStore,
    objects: ObjectStore,
    ctx: AttemptContext,
  ) {
    this.#tracking = tracking;
    this.#store = store;
    this.#objects = objects;
    this.#ctx = ctx;
  }

  get #provenance(): ModelProvenance {
    const { run, step, datum, pipeline } = this.#ctx;
    return {
      runId: run.id,
      step: step.name,
      datum,
      pipeline: pipeline.name,
      pipelineVersion: run.pipelineVersion,
      inputCommits: run.inputCommits,
    };
  }

  #path(path: string): string {
    return isAbsolute(path) ? path : resolve(this.#ctx.scratchDir, path);
  }

  async saveModel(
    name: string,
    dir: string,
    options: ModelSaveOptions = {},
  ): Promise<{ name: string; version: number }> {
    const saved = await this.#tracking.registry.save(name, this.#path(dir), {
      ...options,
      provenance: this.#provenance,
    });
    return { name: saved.name, version: saved.version };
  }

  async stageModel(name: string, dir: string, options: ModelSaveOptions = {}): Promise<void> {
    const files = await storeFiles(this.#objects, this.#path(dir), `model '${name}'`, { requireDir: true });
    this.#models.push({ name, files, options });
  }

  async loadModel(ref: string, toDir: string): Promise<LoadedModel> {
    const dir = this.#path(toDir);
    const version = await this.#tracking.registry.download(ref, dir);
    return {
      name: version.name,
      version: version.version,
      dir,
      metrics: version.metrics,
      params: version.params,
    };
  }

  async artifact(name: string, path: string): Promise<void> {
    if (!ARTIFACT_NAME.test(name)) {
      throw new SluiceError(
        'USAGE',
        `artifact name '${name}' is not valid: use letters, digits, '.', '_' and '-' (at most 128 characters)`,
      );
    }
    this.#artifacts.set(name, await storeFiles(this.#objects, this.#path(path), `artifact '${name}'`));
  }

  insertRows(table: string, rows: unknown[]): void {
    const spec = this.#table(table);
    if (!Array.isArray(rows)) {
      throw new SluiceError('TABLE_ROW', `table '${table}': insert() expects a list of rows`);
    }
    const staged = this.#rows.get(table) ?? [];
    staged.push(...checkRows(spec, rows, staged.length));
    this.#rows.set(table, staged);
  }

  stageMessages(topic: string, messages: unknown[]): void {
    const { step } = this.#ctx;
    if (!step.topics.includes(topic)) {
      throw new SluiceError(
        'USAGE',
        `step '${step.name}' publishes to topic '${topic}', which it does not list under 'topics'; it lists: ${step.topics.join(', ') || '(none)'}`,
      );
    }
    if (!Array.isArray(messages)) {
      throw new SluiceError('MESSAGE_INVALID', `topic '${topic}': publish() expects a list of messages`);
    }
    const staged = this.#messages.get(topic) ?? [];
    messages.forEach((message, index) => {
      // Checked now, so a malformed message fails the attempt instead of its commit.
      encodeMessage(message as ProduceMessage, staged.length + index);
      staged.push(message as ProduceMessage);
    });
    this.#messages.set(topic, staged);
  }

  logParams(params: Record<string, unknown>): void {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new SluiceError('USAGE', 'logParams() expects an object { name: value }');
    }
    let plain: Record<string, unknown>;
    try {
      plain = JSON.parse(JSON.stringify(params)) as Record<string, unknown>;
    } catch (error) {
      throw new SluiceError('USAGE', `logParams(): params must be JSON: ${(error as Error).message}`);
    }
    Object.assign(this.#params, plain);
  }

  /**
   * Writes what the attempt staged: table rows (keyed by `execKey`, so a re-executed datum
   * adds none), params, artifacts, then staged model versions. Called before the task is
   * recorded as succeeded; a failure fails the attempt.
   */
  async commit(execKey: string): Promise<void> {
    const { run, step, datum } = this.#ctx;
    if (this.#rows.size > 0) {
      // NOTE: a step with `cache: false` reads something outside its inputs (a topic, the
      // network): its rows are new data in every run, so the run is part of their key.
      const key = step.cache ? execKey : sha256(`${execKey}\n${run.id}`);
      const specs: TableSpec[] = [];
      const batches: TableRowsBatch[] = [];
      for (const [table, rows] of this.#rows) {
        const spec = this.#table(table);
        specs.push(spec);
        batches.push({
          table,
          columns: spec.columns,
          runId: run.id,
          step: step.name,
          datum,
          execKey: key,
          rows,
        });
      }
      await this.#tracking.tables.insert(specs, batches);
    }
    const now = new Date();
    const params = Object.entries(this.#params);
    if (params.length > 0) {
      await this.#store.tracking.logParams(
        params.map(([key, value]) => ({ runId: run.id, step: step.name, datum, key, value, time: now })),
      );
    }
    if (this.#artifacts.size > 0) {
      await this.#store.tracking.addArtifacts(
        [...this.#artifacts].map(([name, files]) => ({
          runId: run.id,
          step: step.name,
          datum,
          name,
          files,
          bytes: files.reduce((sum, file) => sum + file.size, 0),
          createdAt: now,
        })),
      );
    }
    for (const model of this.#models) {
      await this.#tracking.registry.saveFiles(model.name, model.files, {
        ...model.options,
        provenance: this.#provenance,
      });
    }
    await this.#publish(execKey);
  }

  /**
   * Publishes staged messages. A message without its own `id` gets one derived from the
   * execution key and its place, so a re-executed datum's messages are dropped as
   * duplicates instead of published twice.
   */
  async #publish(execKey: string): Promise<void> {
    if (this.#messages.size === 0) return;
    const topics = this.#tracking.topics;
    if (!topics) {
      throw new SluiceError(
        'TOPIC_UNAVAILABLE',
        `step '${this.#ctx.step.name}' published messages, and no topics are open`,
      );
    }
    for (const [topic, messages] of this.#messages) {
      // Topics a step publishes to are declared in its spec: created on first use, as Kafka does.
      await ensureTopicOnce(topics, topic);
      const withIds = messages.map((message, index) => ({
        ...message,
        id: message.id ?? `${execKey}:${topic}:${index}`,
      }));
      for (let start = 0; start < withIds.length; start += PUBLISH_BATCH) {
        await topics.produce(topic, withIds.slice(start, start + PUBLISH_BATCH));
      }
    }
  }

  #table(name: string): TableSpec {
    const { step, pipeline } = this.#ctx;
    const spec = pipeline.tables[name];
    if (!spec || !step.tables.includes(name)) {
      throw new SluiceError(
        'SPEC_UNDECLARED_TABLE',
        `step '${step.name}' wrote table '${name}', which it does not list under 'tables'; it lists: ${step.tables.join(', ') || '(none)'}`,
      );
    }
    return spec;
  }
}
