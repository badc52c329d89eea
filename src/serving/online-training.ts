/**
 * Online learning: `POST /api/models/{name}/train` with new rows updates a model version
 * that supports it (k-means: one mini-batch update) and saves the result as a new version.
 *
 * 1. The version trained from is `from` (an alias or a number) when given, else the alias the
 *    manifest's `online.alias` names (when it exists), else `latest`.
 * 2. The rows are checked against the version's input columns, then committed to the data
 *    repo `<model>-online` — the new version's provenance points at that commit.
 * 3. Both versions are scored on the same rows (silhouette, Calinski-Harabasz,
 *    Davies-Bouldin, mean inertia; at most 2,000 rows, a deterministic sample beyond).
 * 4. The new version is saved with those metrics and the previous ones (`previous_*`).
 * 5. The alias moves to it only if `online.promote_if` holds; otherwise it stays put and the
 *    answer says which comparison failed.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { SluiceError, newId } from '../core/index.js';
import type { Repos } from '../data/index.js';
import { clusterMetrics } from '../ml/cluster-metrics.js';
import type { ModelRegistry } from '../tracking/index.js';
import { assign, JSON_MODEL_FILES, scaledRows, updateKMeans, type KMeansParams } from './json-models.js';
import { MANIFEST_FILE, parseManifest } from './manifest.js';
import { checkPromoteRule } from './promote-rule.js';
import { bodyRows, prepareNumbers } from './request-rows.js';
import type { ServedVersion } from './served-version.js';

/** Rows scored at most per training request (silhouette is O(n²)). */
const SCORED_ROWS = 2000;

/** What a training request answers. */
export interface TrainAnswer {
  model: string;
  /** The version trained from. */
  from: number;
  /** The new version. */
  version: number;
  metrics: Record<string, number>;
  previous: Record<string, number>;
  promoted: boolean;
  alias: string | null;
  rule: string | null;
  reason: string;
  /** Where the request's rows were committed. */
  data: { repo: string; branch: string; commit: string; path: string };
}

/** What {@link trainOnline} needs. */
export interface TrainRequest {
  name: string;
  body: unknown;
  /** An alias or a version number to train from. */
  from: string | undefined;
  registry: ModelRegistry;
  repos: Repos;
  maxRows: number;
  /** The loaded version a reference names, acquired (released here). */
  load(ref: string): Promise<ServedVersion>;
  onAliasMoved(): Promise<void>;
}

async function baseRef(request: TrainRequest): Promise<string> {
  const { name, from, registry } = request;
  if (from !== undefined) return /^\d+$/.test(from) ? `${name}:${from}` : `${name}@${from}`;
  // NOTE: the manifest is read from the store, so training loads nothing it does not train.
  let alias: string | undefined;
  try {
    const { version, data } = await registry.readFile(`${name}@latest`, MANIFEST_FILE);
    alias = parseManifest(JSON.parse(Buffer.from(data).toString('utf8')), `model ${name}:${version.version}`)
      .online?.alias;
  } catch (error) {
    if (!(error instanceof SluiceError) || error.code === 'MODEL_NOT_FOUND') throw error;
    // NOTE: a latest version without a usable manifest fails below, when it is loaded, with the reason.
  }
  if (!alias) return `${name}@latest`;
  try {
    await registry.get(`${name}@${alias}`);
    return `${name}@${alias}`;
  } catch (error) {
    if ((error as SluiceError).code === 'MODEL_NOT_FOUND') return `${name}@latest`;
    throw error;
  }
}

/** Scores of a clustering of `points` by `centers` (silhouette & co when defined, and mean inertia). */
function score(centers: number[][], points: Float64Array[]): Record<string, number> {
  const { labels, inertia } = assign(centers, points);
  const plain = points.map((point) => Array.from(point));
  const scored = clusterMetrics(plain, Array.from(labels));
  return { ...(scored.metrics ?? {}), inertia: inertia / Math.max(points.length, 1) };
}

/** Every `step`-th row, so scoring a large request stays bounded (and repeatable). */
function sample(points: Float64Array[]): Float64Array[] {
  if (points.length <= SCORED_ROWS) return points;
  const step = points.length / SCORED_ROWS;
  return Array.from({ length: SCORED_ROWS }, (_, index) => points[Math.floor(index * step)] as Float64Array);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** Trains `request.name` on the request's rows; see the module comment. */
export async function trainOnline(request: TrainRequest): Promise<TrainAnswer> {
  const { name, registry, repos } = request;
  const ref = await baseRef(request);
  const served = await request.load(ref);
  try {
    const { manifest, version } = served;
    const where = `model ${name}:${version.version}`;
    if (manifest.flavor !== 'kmeans' || !served.params) {
      throw new SluiceError(
        'MODEL_UNSUPPORTED',
        `${where} has flavor '${manifest.flavor}', which does not learn online; only kmeans versions do`,
      );
    }
    const rows = bodyRows(request.body, request.maxRows);
    const prepared = prepareNumbers(rows, manifest);
    const params = served.params as KMeansParams;
    const next = updateKMeans(
      params,
      prepared.input,
      prepared.n,
      manifest.rowSize,
      manifest.online?.learningRate,
    );
    const points = sample(scaledRows(params, prepared.input, prepared.n, manifest.rowSize));
    const previous = score(params.centers, points);
    const metrics: Record<string, number> = { ...score(next.centers, points), rows: prepared.n };
    for (const [key, value] of Object.entries(previous)) metrics[`previous_${key}`] = value;

    const repo = `${name}-online`;
    if (!(await repos.records.getRepo(repo))) {
      await repos.create(repo, `rows model ${name} learned from online`).catch((error: SluiceError) => {
        if (error.code !== 'REPO_EXISTS') throw error;
      });
    }
    const path = `requests/${new Date().toISOString().replace(/[:.]/g, '-')}-${newId(6)}.json`;
    const commit = await repos.put(
      repo,
      'main',
      {
        kind: 'bytes',
        data: Buffer.from(`${JSON.stringify({ model: name, from: version.version, rows })}\n`),
      },
      { to: path, message: `online training rows for ${name} (from version ${version.version})` },
    );
    if (!commit) throw new SluiceError('INTERNAL', `committing the training rows to ${repo} changed nothing`);

    const dir = await mkdtemp(join(tmpdir(), 'sluice-online-'));
    let saved;
    try {
      for (const file of await listFiles(served.dir)) {
        await mkdir(join(dir, file, '..'), { recursive: true });
        await copyFile(join(served.dir, file), join(dir, file));
      }
      await writeFile(join(dir, JSON_MODEL_FILES.kmeans), `${JSON.stringify(next, null, 2)}\n`);
      saved = await registry.save(name, dir, {
        metrics,
        params: { ...version.params, trained_from: version.version, online_rows: prepared.n },
        inputCommits: [{ input: 'request', repo, branch: 'main', commit: commit.id }],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const online = manifest.online;
    let promoted = false;
    let reason = `no promotion rule: ${where} declares no online.promote_if, so no alias moved`;
    if (online) {
      const verdict = checkPromoteRule(online.promoteIf, metrics, previous);
      promoted = verdict.holds;
      reason = verdict.reason;
      if (promoted) {
        await registry.setAlias(name, online.alias, saved.version);
        await request.onAliasMoved();
      }
    }
    return {
      model: name,
      from: version.version,
      version: saved.version,
      metrics,
      previous,
      promoted,
      alias: online?.alias ?? null,
      rule: online?.promoteIf.text ?? null,
      reason,
      data: { repo, branch: 'main', commit: commit.id, path },
    };
  } finally {
    served.release();
  }
}
