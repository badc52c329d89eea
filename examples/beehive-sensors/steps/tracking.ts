/**
 * The step context the beehive steps use (with Sluice's model registry and tables), and
 * reading a model version's files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepContext } from 'sluice';

/** The context of a beehive step. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BeehiveContext<Inputs extends Record<string, unknown> = Record<string, any>> =
  StepContext<Inputs>;

/**
 * A model version as a step receives it (a `type: model` param in its inputs) or loads it:
 * `{ name, version, dir, metrics, params }`, its files under `dir`.
 */
export type ModelVersion = Awaited<ReturnType<StepContext['registry']['load']>>;

/**
 * Reads and parses JSON file `file` of a model version.
 *
 * @throws Error naming the model version and file when it is missing or not JSON.
 */
export async function readModelJson(model: ModelVersion, file: string): Promise<unknown> {
  const where = `model ${model.name}:${model.version} file ${file}`;
  let text: string;
  try {
    text = await readFile(join(model.dir, file), 'utf8');
  } catch (error) {
    throw new Error(`${where}: cannot be read (${(error as Error).message})`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`, { cause: error });
  }
}
