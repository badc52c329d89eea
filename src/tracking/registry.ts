/**
 * The model registry: named models with immutable, numbered versions (1, 2, 3...), whose
 * files live content-addressed in the object store; user aliases (`production`) that move
 * between versions; `latest`, which always names the newest version; retention rules.
 *
 * @example
 * const registry = new ModelRegistry(store, objects);
 * const v = await registry.save('beehive-kmeans', './model', { metrics: { silhouette: 0.61 } });
 * await registry.setAlias('beehive-kmeans', 'production', v.version);
 * const model = await registry.download('beehive-kmeans@production', './here');
 */
import { SluiceError } from '../core/index.js';
import type { ObjectStore } from '../data/index.js';
import { parseModelRef } from '../spec/index.js';
import type { MetadataStore, ModelVersionRecord, TrackedFile, TrackingStore } from '../store/index.js';
import { contentHash, layoutFiles, storeFiles } from './files.js';
import {
  LATEST,
  checkAlias,
  checkMetrics,
  checkName,
  plainJson,
  toVersion,
  type DeletedVersion,
  type ModelSummary,
  type ModelVersion,
  type RetentionRule,
  type SaveModelOptions,
} from './model-version.js';

/** The model registry over a metadata store and an object store. */
export class ModelRegistry {
  readonly #store: TrackingStore;
  readonly #objects: ObjectStore;

  constructor(store: MetadataStore, objects: ObjectStore) {
    this.#store = store.tracking;
    this.#objects = objects;
  }

  /**
   * Saves the files under `dir` as a new version of `name` (created on first save): files
   * are durable before the version is recorded. Saving again from the same run, step and
   * datum with the same files returns the version saved first (re-executions never
   * duplicate). A retention rule of the model is applied afterwards.
   */
  async save(name: string, dir: string, options: SaveModelOptions = {}): Promise<ModelVersion> {
    checkName(name);
    const metrics = checkMetrics(options.metrics ?? {});
    const params = plainJson(options.params ?? {}, `model '${name}' params`);
    const files = await storeFiles(this.#objects, dir, `model '${name}'`, { requireDir: true });
    return this.saveFiles(name, files, { metrics, params, ...options });
  }

  /**
   * Like {@link save} for files already stored in the object store (by hash): records the
   * version. Every file must be durable before this is called.
   */
  async saveFiles(name: string, files: TrackedFile[], options: SaveModelOptions = {}): Promise<ModelVersion> {
    checkName(name);
    if (files.length === 0)
      throw new SluiceError('USAGE', `model '${name}': a version needs at least one file`);
    const metrics = checkMetrics(options.metrics ?? {});
    const params = plainJson(options.params ?? {}, `model '${name}' params`);
    const provenance = options.provenance;
    const record = await this.#store.addModelVersion(
      {
        name,
        files,
        contentHash: contentHash(files),
        metrics,
        params,
        runId: provenance?.runId ?? null,
        step: provenance?.step ?? null,
        datum: provenance?.datum ?? null,
        pipeline: provenance?.pipeline ?? null,
        pipelineVersion: provenance?.pipelineVersion ?? null,
        inputCommits: provenance?.inputCommits ?? options.inputCommits ?? [],
      },
      provenance !== undefined,
    );
    const model = await this.#store.getModel(name);
    if (model?.keepLast) await this.applyRetention(name);
    return this.#withAliases(record);
  }

  /** Every model with its version count, newest version and aliases, by name. */
  async list(): Promise<ModelSummary[]> {
    const models = await this.#store.listModels();
    return Promise.all(
      models.map(async (model) => {
        const aliases: Record<string, number> = {};
        if (model.latest !== null) aliases[LATEST] = model.latest;
        for (const alias of await this.#store.listAliases(model.name)) aliases[alias.alias] = alias.version;
        return {
          name: model.name,
          versions: model.versions,
          latest: model.latest,
          aliases,
          retention: { keepLast: model.keepLast, keepAliased: model.keepAliased },
          createdAt: model.createdAt,
        };
      }),
    );
  }

  /** Versions of `name`, newest first; `MODEL_NOT_FOUND` when there is no such model. */
  async versions(name: string): Promise<ModelVersion[]> {
    await this.#requireModel(name);
    const [records, aliases] = await Promise.all([
      this.#store.listModelVersions(name),
      this.#store.listAliases(name),
    ]);
    const latest = records[0]?.version;
    return records.map((record) => ({
      ...toVersion(record),
      aliases: [
        ...(record.version === latest ? [LATEST] : []),
        ...aliases.filter((alias) => alias.version === record.version).map((alias) => alias.alias),
      ],
    }));
  }

  /**
   * The version `ref` names: `name` (its latest), `name@alias` or `name:version`.
   * `MODEL_NOT_FOUND` says what exists instead.
   */
  async get(ref: string): Promise<ModelVersion> {
    const parsed = parseModelRef(ref);
    if ('error' in parsed) throw new SluiceError('MODEL_NOT_FOUND', parsed.error);
    await this.#requireModel(parsed.name);
    let version: number | undefined;
    if (parsed.kind === 'version') {
      version = parsed.version;
    } else if (parsed.alias === LATEST) {
      version = (await this.#store.listModelVersions(parsed.name))[0]?.version;
      if (version === undefined) {
        throw new SluiceError('MODEL_NOT_FOUND', `model '${parsed.name}' has no versions left`);
      }
    } else {
      const aliases = await this.#store.listAliases(parsed.name);
      version = aliases.find((alias) => alias.alias === parsed.alias)?.version;
      if (version === undefined) {
        const known = aliases.map((alias) => `${alias.alias} (${alias.version})`);
        throw new SluiceError(
          'MODEL_NOT_FOUND',
          `model '${parsed.name}' has no alias '${parsed.alias}'; aliases: ${[LATEST, ...known].join(', ')}`,
        );
      }
    }
    const record = await this.#store.getModelVersion(parsed.name, version);
    if (!record) {
      const versions = (await this.#store.listModelVersions(parsed.name)).map((item) => item.version);
      throw new SluiceError(
        'MODEL_NOT_FOUND',
        `model '${parsed.name}' has no version ${version}; versions: ${versions.reverse().join(', ') || '(none)'}`,
      );
    }
    return this.#withAliases(record);
  }

  /** Lays the files of the version `ref` names out under `toDir` (verified by hash). */
  async download(ref: string, toDir: string): Promise<ModelVersion> {
    const version = await this.get(ref);
    await layoutFiles(this.#objects, version.files, toDir);
    return version;
  }

  /** The bytes of one file of the version `ref` names (verified by hash); `PATH_NOT_FOUND` names the files. */
  async readFile(ref: string, path: string): Promise<{ version: ModelVersion; data: Uint8Array }> {
    const version = await this.get(ref);
    const file = version.files.find((item) => item.path === path);
    if (!file) {
      throw new SluiceError(
        'PATH_NOT_FOUND',
        `model ${version.name} version ${version.version} has no file '${path}'; files: ${version.files.map((item) => item.path).join(', ')}`,
      );
    }
    return { version, data: await this.#objects.get(file.hash) };
  }

  /** Points `alias` of `name` at `version` (moving it if it pointed elsewhere). */
  async setAlias(name: string, alias: string, version: number): Promise<ModelVersion> {
    checkAlias(alias);
    const target = await this.get(`${name}:${version}`);
    await this.#store.setAlias(name, alias, version);
    return { ...target, aliases: [...new Set([...target.aliases, alias])] };
  }

  /** Removes an alias; `MODEL_NOT_FOUND` when the model has no such alias. */
  async removeAlias(name: string, alias: string): Promise<void> {
    checkAlias(alias);
    await this.#requireModel(name);
    if (!(await this.#store.removeAlias(name, alias))) {
      throw new SluiceError('MODEL_NOT_FOUND', `model '${name}' has no alias '${alias}'`);
    }
  }

  /**
   * Deletes one version's record (its files stay in the object store, shared by hash).
   * Refuses (`MODEL_ALIASED`) while aliases other than `latest` point at it, unless `force`.
   */
  async remove(name: string, version: number, options: { force?: boolean } = {}): Promise<void> {
    const target = await this.get(`${name}:${version}`);
    const aliases = target.aliases.filter((alias) => alias !== LATEST);
    if (aliases.length > 0 && !options.force) {
      throw new SluiceError(
        'MODEL_ALIASED',
        `model '${name}' version ${version} has alias${aliases.length > 1 ? 'es' : ''} ${aliases.join(', ')}; move or remove ${aliases.length > 1 ? 'them' : 'it'} first, or force`,
      );
    }
    await this.#store.deleteModelVersions(name, [version]);
  }

  /** Sets the retention rule of `name` (applied on each save and by {@link applyRetention}). */
  async setRetention(
    name: string,
    rule: { keepLast?: number; keepAliased?: boolean },
  ): Promise<RetentionRule> {
    const model = await this.#requireModel(name);
    const keepLast = rule.keepLast ?? model.keepLast;
    if (keepLast !== null && (!Number.isInteger(keepLast) || keepLast < 1)) {
      throw new SluiceError(
        'USAGE',
        `retention keep-last must be an integer >= 1, found ${String(rule.keepLast)}`,
      );
    }
    const keepAliased = rule.keepAliased ?? model.keepAliased;
    await this.#store.setRetention(name, keepLast, keepAliased);
    return { keepLast, keepAliased };
  }

  /**
   * Deletes the versions beyond the newest `keepLast` of `name` (or of every model with a
   * rule), sparing aliased versions when the rule says `keepAliased`; returns what it deleted.
   */
  async applyRetention(name?: string): Promise<DeletedVersion[]> {
    const models = name === undefined ? await this.#store.listModels() : [await this.#requireModel(name)];
    const deleted: DeletedVersion[] = [];
    for (const model of models) {
      if (model.keepLast === null) continue;
      const [records, aliases] = await Promise.all([
        this.#store.listModelVersions(model.name),
        this.#store.listAliases(model.name),
      ]);
      const aliased = new Set(aliases.map((alias) => alias.version));
      const doomed = records
        .slice(model.keepLast)
        .map((record) => record.version)
        .filter((version) => !(model.keepAliased && aliased.has(version)));
      await this.#store.deleteModelVersions(model.name, doomed);
      for (const version of doomed.sort((a, b) => a - b)) deleted.push({ name: model.name, version });
    }
    return deleted;
  }

  async #requireModel(name: string) {
    checkName(name);
    const model = await this.#store.getModel(name);
    if (!model) {
      const known = (await this.#store.listModels()).map((item) => item.name);
      throw new SluiceError(
        'MODEL_NOT_FOUND',
        `model '${name}' does not exist; models: ${known.join(', ') || '(none yet: a step saves one with registry.save)'}`,
      );
    }
    return model;
  }

  async #withAliases(record: ModelVersionRecord): Promise<ModelVersion> {
    const [newest, aliases] = await Promise.all([
      this.#store.listModelVersions(record.name),
      this.#store.listAliases(record.name),
    ]);
    return {
      ...toVersion(record),
      aliases: [
        ...(newest[0]?.version === record.version ? [LATEST] : []),
        ...aliases.filter((alias) => alias.version === record.version).map((alias) => alias.alias),
      ],
    };
  }
}
