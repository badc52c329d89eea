import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../store.case.js';
import { sqlStore } from '../sql-store.js';
import { StateWriter } from '../state-writer.js';
import { openPgliteClient } from './pglite-client.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fresh() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-store-'));
  dirs.push(dir);
  return sqlStore(await openPgliteClient(join(dir, 'db')));
}

describeStoreConformance('PGlite', fresh);

describe('StateWriter on PGlite', () => {
  it('writes 10,000 task changes in a few transactions, the last state of each winning', async () => {
    const store = await fresh();
    const writer = new StateWriter(store, { intervalMs: 5 });
    writer.enqueue({
      runs: [
        {
          id: 'r',
          pipeline: 'p',
          pipelineVersion: 'v',
          specFile: null,
          params: {},
          status: 'running',
          desiredOutputs: [],
          outputs: null,
          error: null,
          pid: null,
          createdAt: new Date(),
          startedAt: null,
          finishedAt: null,
          inputCommits: [],
          outputCommit: null,
          trigger: null,
        },
      ],
    });
    for (const status of ['pending', 'running', 'success'] as const) {
      for (let i = 0; i < 3334; i++) {
        writer.enqueue({
          tasks: [
            {
              runId: 'r',
              step: 's',
              datum: String(i),
              status,
              execKey: null,
              attempts: 1,
              error: null,
              startedAt: null,
              finishedAt: null,
            },
          ],
        });
      }
    }
    await writer.flush();
    expect(writer.writes).toBeLessThanOrEqual(5);
    const tasks = await store.listTasks('r');
    expect(tasks).toHaveLength(3334);
    expect(new Set(tasks.map((task) => task.status))).toEqual(new Set(['success']));
    await store.close();
  });
});
