/**
 * `sluice dev`'s project folder: every pipeline spec under it is registered (created or
 * updated), and registered again whenever a file under the folder changes, so that editing
 * a step or a spec is picked up without a command. A changed pipeline whose inputs hold
 * data is run at once, as `sluice pipeline update` would.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { toSluiceError, type Logger } from '../core/index.js';
import type { Repos } from '../data/index.js';
import type { Engine } from '../engine/index.js';
import { registerPipeline } from '../server/pipelines.js';
import type { MetadataStore } from '../store/index.js';
import type { Service } from './service.js';

/** Folders never searched for specs nor watched. */
const SKIPPED = new Set(['node_modules', 'dist', 'models', 'data']);

/** Paths of the YAML files under `dir` that look like pipeline specs (top-level `name:` and `steps:`). */
export async function findPipelineFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(folder: string): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
        const text = await readFile(path, 'utf8');
        if (/^name:/m.test(text) && /^steps:/m.test(text)) found.push(path);
      }
    }
  }
  await walk(dir);
  return found;
}

/** What one registration pass did, per spec file. */
export interface RegistrationReport {
  file: string;
  pipeline?: string;
  version?: number;
  /** `created`, `updated`, `unchanged`, or `failed` with the error. */
  outcome: 'created' | 'updated' | 'unchanged' | 'failed';
  error?: { code: string; message: string };
  changedSteps?: string[];
  /** Registered, but its first run could not start (e.g. a required param has no default). */
  runError?: { code: string; message: string };
}

/** Registers every spec under `dir`; a spec that fails is reported, the others still register. */
export async function registerFolder(
  dir: string,
  parts: { store: MetadataStore; repos: Repos; engine: Engine; service: Service },
): Promise<RegistrationReport[]> {
  const reports: RegistrationReport[] = [];
  for (const file of await findPipelineFiles(dir)) {
    const name = relative(dir, file);
    try {
      const text = await readFile(file, 'utf8');
      const declared = /^name:\s*["']?([a-z][a-z0-9_-]*)/m.exec(text)?.[1];
      const exists = declared !== undefined && (await parts.store.repos.getPipeline(declared)) !== undefined;
      const registration = await registerPipeline(parts, exists ? 'update' : 'create', file);
      const { record, previous, unchanged, hasData } = registration;
      const report: RegistrationReport = {
        file: name,
        pipeline: record.name,
        version: record.version,
        outcome: unchanged ? 'unchanged' : previous ? 'updated' : 'created',
        changedSteps: registration.changedSteps,
      };
      reports.push(report);
      if (!unchanged && hasData) {
        // NOTE: the version is registered either way; a run that cannot start is the run's problem.
        await parts.service
          .launch({
            pipeline: record.name,
            trigger: { kind: 'pipeline', action: previous ? 'update' : 'create', version: record.version },
          })
          .catch((error: unknown) => {
            report.runError = toSluiceError(error).toJSON();
          });
      }
    } catch (error) {
      reports.push({ file: name, outcome: 'failed', error: toSluiceError(error).toJSON() });
    }
  }
  await parts.service.reload();
  return reports;
}

/**
 * Watches `dir` and calls `onChange` (debounced) when a file under it changes, ignoring
 * the data directory and dot folders. Returns a function that stops watching.
 */
export function watchFolder(
  dir: string,
  onChange: () => Promise<void>,
  logger: Logger,
  debounceMs = 300,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, file) => {
    const path = String(file ?? '');
    if (path.split(/[\\/]/).some((part) => part.startsWith('.') || SKIPPED.has(part))) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running
        .then(onChange)
        .catch((error: unknown) => logger.error({ err: error }, 'reload failed'));
    }, debounceMs);
  });
  watcher.on('error', (error) => logger.error({ err: error }, 'file watching failed'));
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
