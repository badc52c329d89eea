/**
 * The tracking half of the command contract, read after a command exited 0:
 * `$SLUICE_MODELS/<name>/` (+ optional `<name>.json` `{metrics, params}`) become model
 * versions, `$SLUICE_TABLES/<table>.jsonl` rows are inserted, `$SLUICE_ARTIFACTS/<name>`
 * files and folders are recorded as artifacts. All of it lands only if the attempt succeeds.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../../core/index.js';
import type { StepTask } from '../runtime.js';

/** The three folders of an attempt, under its scratch folder. */
export interface TrackingDirs {
  models: string;
  tables: string;
  artifacts: string;
}

/** Creates the folders and returns the environment variables naming them. */
export async function prepareTrackingDirs(
  scratchDir: string,
): Promise<{ dirs: TrackingDirs; env: Record<string, string> }> {
  const dirs = {
    models: join(scratchDir, 'models'),
    tables: join(scratchDir, 'tables'),
    artifacts: join(scratchDir, 'artifacts'),
  };
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));
  return {
    dirs,
    env: { SLUICE_MODELS: dirs.models, SLUICE_TABLES: dirs.tables, SLUICE_ARTIFACTS: dirs.artifacts },
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

/** Hands what the command left in its tracking folders to the attempt's tracking. */
export async function collectTrackingDirs(task: StepTask, dirs: TrackingDirs): Promise<void> {
  const models = await entries(dirs.models);
  const tables = await entries(dirs.tables);
  const artifacts = await entries(dirs.artifacts);
  if (models.length + tables.length + artifacts.length === 0) return;
  const tracking = task.tracking;
  if (!tracking)
    throw new SluiceError('USAGE', 'models, tables and artifacts are not available to this step');
  const step = task.step.name;

  for (const entry of tables) {
    const path = join(dirs.tables, entry.name);
    if (!entry.isFile() || !entry.name.endsWith('.jsonl')) {
      throw new SluiceError(
        'STEP_OUTPUT',
        `step '${step}': $SLUICE_TABLES/${entry.name} is not a <table>.jsonl file`,
      );
    }
    const table = entry.name.slice(0, -'.jsonl'.length);
    const rows: unknown[] = [];
    for (const [index, line] of (await readFile(path, 'utf8')).split('\n').entries()) {
      if (line.trim() === '') continue;
      try {
        rows.push(JSON.parse(line));
      } catch (error) {
        throw new SluiceError(
          'TABLE_ROW',
          `step '${step}': $SLUICE_TABLES/${entry.name} line ${index + 1} is not JSON: ${(error as Error).message}`,
        );
      }
    }
    tracking.insertRows(table, rows);
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
