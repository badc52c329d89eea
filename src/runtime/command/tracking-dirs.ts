/**
 * The tracking half of the command contract, read after a command exited 0:
 * `$SLUICE_MODELS/<name>/` (+ optional `<name>.json` `{metrics, params}`) become model
 * versions, `$SLUICE_TABLES/<table>.jsonl` rows are inserted, `$SLUICE_ARTIFACTS/<name>`
 * files and folders are recorded as artifacts, `$SLUICE_TOPICS/<topic>.jsonl` messages
 * (`{"value": ..., "key": ..., "id": ...}` per line) are published. All of it lands only if
 * the attempt succeeds.
 */
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../../core/index.js';
import type { StepTask } from '../runtime.js';

/** The tracking folders of an attempt, under its scratch folder. */
export interface TrackingDirs {
  models: string;
  tables: string;
  artifacts: string;
  topics: string;
}

/** Creates the folders and returns the environment variables naming them. */
export async function prepareTrackingDirs(
  scratchDir: string,
): Promise<{ dirs: TrackingDirs; env: Record<string, string> }> {
  const dirs = {
    models: join(scratchDir, 'models'),
    tables: join(scratchDir, 'tables'),
    artifacts: join(scratchDir, 'artifacts'),
    topics: join(scratchDir, 'topics'),
  };
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));
  return {
    dirs,
    env: {
      SLUICE_MODELS: dirs.models,
      SLUICE_TABLES: dirs.tables,
      SLUICE_ARTIFACTS: dirs.artifacts,
      SLUICE_TOPICS: dirs.topics,
    },
  };
}

async function entries(dir: string) {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return [];
  }
}

async function readJsonObject(path: string, what: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SluiceError('STEP_OUTPUT', `${what} (${path}) is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SluiceError(
      'STEP_OUTPUT',
      `${what} (${path}) must hold a JSON object { "metrics": {...}, "params": {...} }`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** Reads `<dir>/<name>.jsonl`: one JSON value per non-empty line. */
async function readJsonLines(
  step: string,
  dir: string,
  entry: Dirent,
  variable: string,
  what: string,
  code: 'TABLE_ROW' | 'MESSAGE_INVALID',
): Promise<{ name: string; lines: unknown[] }> {
  if (!entry.isFile() || !entry.name.endsWith('.jsonl')) {
    throw new SluiceError(
      'STEP_OUTPUT',
      `step '${step}': $${variable}/${entry.name} is not a <${what}>.jsonl file`,
    );
  }
  const lines: unknown[] = [];
  for (const [index, line] of (await readFile(join(dir, entry.name), 'utf8')).split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line));
    } catch (error) {
      throw new SluiceError(
        code,
        `step '${step}': $${variable}/${entry.name} line ${index + 1} is not JSON: ${(error as Error).message}`,
      );
    }
  }
  return { name: entry.name.slice(0, -'.jsonl'.length), lines };
}

/** Hands what the command left in its tracking folders to the attempt's tracking. */
export async function collectTrackingDirs(task: StepTask, dirs: TrackingDirs): Promise<void> {
  const models = await entries(dirs.models);
  const tables = await entries(dirs.tables);
  const artifacts = await entries(dirs.artifacts);
  const topics = await entries(dirs.topics);
  if (models.length + tables.length + artifacts.length + topics.length === 0) return;
  const tracking = task.tracking;
  if (!tracking)
    throw new SluiceError('USAGE', 'models, tables, topics and artifacts are not available to this step');
  const step = task.step.name;

  for (const entry of tables) {
    const { name, lines } = await readJsonLines(
      step,
      dirs.tables,
      entry,
      'SLUICE_TABLES',
      'table',
      'TABLE_ROW',
    );
    tracking.insertRows(name, lines);
  }
  for (const entry of topics) {
    const { name, lines } = await readJsonLines(
      step,
      dirs.topics,
      entry,
      'SLUICE_TOPICS',
      'topic',
      'MESSAGE_INVALID',
    );
    tracking.stageMessages(name, lines);
  }

  for (const entry of artifacts) await tracking.artifact(entry.name, join(dirs.artifacts, entry.name));

  const names = new Set(models.filter((entry) => entry.isDirectory()).map((entry) => entry.name));
  for (const entry of models) {
    const sidecar = entry.isFile() && entry.name.endsWith('.json') && names.has(entry.name.slice(0, -5));
    if (!entry.isDirectory() && !sidecar) {
      throw new SluiceError(
        'STEP_OUTPUT',
        `step '${step}': $SLUICE_MODELS/${entry.name} is neither a model folder <name>/ nor the <name>.json of one`,
      );
    }
  }
  for (const name of names) {
    const sidecar = models.some((entry) => entry.isFile() && entry.name === `${name}.json`)
      ? await readJsonObject(join(dirs.models, `${name}.json`), `step '${step}': $SLUICE_MODELS/${name}.json`)
      : {};
    await tracking.stageModel(name, join(dirs.models, name), {
      ...(sidecar.metrics !== undefined ? { metrics: sidecar.metrics as Record<string, number> } : {}),
      ...(sidecar.params !== undefined ? { params: sidecar.params as Record<string, unknown> } : {}),
    });
  }
}
