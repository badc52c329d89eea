/**
 * One model version loaded for serving: its files laid out, its manifest checked, its runner
 * (model threads or inline JSON parameters) and its batcher. Requests `acquire` it before
 * they prepare their rows and `release` it when answered; `unload` waits for every acquired
 * request, so a version swapped out by an alias move finishes what it holds.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../core/index.js';
import type { ModelRegistry, ModelVersion } from '../tracking/index.js';
import { DynamicBatcher, type BatcherOptions, type BatchResult } from './batcher.js';
import { readJsonModel, jsonRunner, type KMeansParams } from './json-models.js';
import { MANIFEST_FILE, parseManifest, type ModelManifest } from './manifest.js';
import type { PreparedRows } from './request-rows.js';
import type { ModelRunner } from './runner.js';
import { startThreadRunner } from './thread-runner.js';

/** How versions are run and batched (compiled once by the model server). */
export interface ServingOptions {
  /** Rows per batch at most; 1 turns batching off (default 32). */
  maxBatch: number;
  /** How long the first request of a batch waits for others, in ms (default 2). */
  maxWaitMs: number;
  /** Rows waiting per version before requests are refused with 503 (default 4096). */
  maxQueueRows: number;
  /** Model threads per TF.js / ONNX version (default 1). */
  replicas: number;
  /** Compute threads inside each model thread (default 1). */
  threads: number;
}

/** A loaded version. */
export interface ServedVersion {
  version: ModelVersion;
  manifest: ModelManifest;
  dir: string;
  /** The parameters of a JSON flavour (what online training starts from). */
  params?: KMeansParams | Record<string, unknown>;
  predict(rows: PreparedRows): Promise<BatchResult>;
  acquire(): void;
  release(): void;
  /** Waits for acquired requests, then frees the model. */
  unload(): Promise<void>;
}

/** Lays `ref`'s files out under `dir` and loads them; `hooks` tell the batcher what is in flight and see each batch. */
export async function loadServedVersion(
  registry: ModelRegistry,
  version: ModelVersion,
  dir: string,
  options: ServingOptions,
  hooks: Pick<BatcherOptions, 'inFlight' | 'onBatch'>,
): Promise<ServedVersion> {
  const where = `model ${version.name}:${version.version}`;
  if (!version.files.some((file) => file.path === MANIFEST_FILE)) {
    throw new SluiceError(
      'MODEL_MANIFEST',
      `${where} has no ${MANIFEST_FILE}, so it cannot be served; save the version with one declaring its flavor and input (see the README's Model serving section)`,
    );
  }
  await registry.download(`${version.name}:${version.version}`, dir);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    throw new SluiceError(
      'MODEL_MANIFEST',
      `${where} ${MANIFEST_FILE} is not JSON: ${(error as Error).message}`,
    );
  }
  const manifest = parseManifest(json, where);
  let runner: ModelRunner;
  let params: ServedVersion['params'];
  let slots = 1;
  if (manifest.flavor === 'kmeans' || manifest.flavor === 'linear') {
    params = (await readJsonModel(manifest.flavor, dir, manifest.rowSize, where)) as Record<string, unknown>;
    runner = jsonRunner(manifest.flavor, params as never, manifest.rowSize);
  } else {
    runner = await startThreadRunner({
      flavor: manifest.flavor,
      dir,
      rowShape: manifest.rowShape,
      replicas: options.replicas,
      threads: options.threads,
      where,
    });
    slots = options.replicas;
  }
  let acquired = 0;
  const batcher = new DynamicBatcher(runner, manifest.rowSize, {
    maxBatch: options.maxBatch,
    maxWaitMs: options.maxWaitMs,
    maxQueueRows: options.maxQueueRows,
    slots,
    ...hooks,
  });
  let drained: (() => void) | undefined;
  return {
    version,
    manifest,
    dir,
    ...(params ? { params } : {}),
    predict: (rows) => batcher.submit(rows),
    acquire() {
      acquired += 1;
    },
    release() {
      acquired -= 1;
      if (acquired === 0) drained?.();
    },
    async unload() {
      if (acquired > 0) await new Promise<void>((resolve) => (drained = resolve));
      await runner.close();
    },
  };
}
