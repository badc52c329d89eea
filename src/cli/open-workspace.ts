/** Opening a data directory for a script that samples batches (`openWorkspace`). */
import { join } from 'node:path';
import { compileConfig } from './config.js';
import { openLocalWorkspace, type LocalWorkspace } from './workspace.js';
import type { BatchSource } from '../batches/client.js';

/**
 * Opens a data directory as its owner, configured like the CLI (`SLUICE_HOME`, default
 * `./.sluice`; `SLUICE_NATS_URL`...). Close it when done.
 *
 * @example
 * const workspace = await openWorkspace();
 * for await (const batch of batches(workspace, { repo: 'cardiac-mri', path: '/datapoints' })) train(batch);
 * await workspace.close();
 */
export async function openWorkspace(
  options: { home?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<LocalWorkspace & BatchSource> {
  const cwd = options.cwd ?? process.cwd();
  const config = compileConfig(
    options.home ? { home: options.home } : {},
    options.env ?? process.env,
    cwd,
    false,
  );
  const workspace = await openLocalWorkspace(config, 'script');
  return Object.assign(workspace, { objectsDir: join(config.home, 'objects'), spoolDir: config.scratchDir });
}
