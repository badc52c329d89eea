/**
 * The mnist-cnn workload end to end through the CLI: PyTorch trains and exports ONNX,
 * `mnist-stream` publishes grey and RGB samples, `mnist-predict` consumes them until the
 * topic goes quiet and writes one row per sample — into PGlite, then into a real
 * PostgreSQL server with SLUICE_TABLES_URL. A malformed message is skipped and reported.
 */
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../../src/store/index.js';
import { createEmbeddedTopics } from '../../../src/streams/index.js';
import { cliJson, preparedImages } from './fixtures.js';

const images = preparedImages(1500);

interface Run {
  status: string;
  outputs: Record<string, unknown> | null;
  error: { message: string } | null;
}

describe('mnist-cnn: train with PyTorch, stream, predict', () => {
  it('predicts every streamed sample once, grey and RGB, into PGlite and PostgreSQL', async () => {
    const env = { SLUICE_HOME: join(images.root, 'home') };
    const trained = await cliJson<Run>(
      ['run', 'train-torch.yaml', '-p', `data_dir=${images.data}`, '-p', 'epochs=3'],
      env,
    );
    expect(trained.status, trained.error?.message).toBe('succeeded');
    expect(trained.outputs?.test_accuracy).toBeGreaterThan(0.6);
    const version = await cliJson<{ params: Record<string, unknown>; metrics: Record<string, number> }>(
      ['models', 'show', 'mnist-cnn:1'],
      env,
    );
    expect(version.params).toMatchObject({ flavor: 'onnx', image_size: 28 });

    const grey = await cliJson<Run>(
      ['run', 'stream.yaml', '-p', `data_dir=${images.data}`, '-p', 'count=120'],
      env,
    );
    expect(grey.outputs).toEqual({ published: 120 });
    const rgb = await cliJson<Run>(
      [
        'run',
        'stream.yaml',
        '-p',
        `data_dir=${images.data}`,
        '-p',
        'count=40',
        '-p',
        'split=train',
        '-p',
        'rgb=true',
      ],
      env,
    );
    expect(rgb.outputs).toEqual({ published: 40 });
    // A message that is no sample: reported and skipped, the rest of its batch predicted.
    const { store, lock } = await openEmbeddedStore({ home: env.SLUICE_HOME });
    const topics = await createEmbeddedTopics(store.sql);
    await topics.produce('mnist-samples', [
      { key: 'bad', value: { id: 'bad', label: 3, image: 'bm90IGEgcG5n' } },
    ]);
    await topics.close();
    await store.close();
    await lock.release();

    const predicted = await cliJson<Run>(['run', 'predict.yaml', '-p', 'stream_timeout_ms=1000'], env);
    expect(predicted.status, predicted.error?.message).toBe('succeeded');
    const summary = predicted.outputs?.summary as { predicted: number; skipped: number; accuracy: number };
    expect(summary).toMatchObject({ predicted: 160, skipped: 1 });
    expect(summary.accuracy).toBeGreaterThan(0.6);
    const table = await cliJson<{ total: number; rows: { id: string; prediction: number; label: number }[] }>(
      ['table', 'show', 'digit_predictions', '--limit', '1000'],
      env,
    );
    expect(table.total).toBe(160);
    expect(new Set(table.rows.map((row) => row.id)).size).toBe(160);

    // Nothing new on the topic: the next run predicts nothing and adds no row.
    const idle = await cliJson<Run>(['run', 'predict.yaml', '-p', 'stream_timeout_ms=300'], env);
    expect((idle.outputs?.summary as { predicted: number }).predicted).toBe(0);

    // The same pipeline writing to a real PostgreSQL server.
    const database = `mnist_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const url = `postgres://postgres@127.0.0.1:5432/${database}`;
      await cliJson<Run>(['run', 'stream.yaml', '-p', `data_dir=${images.data}`, '-p', 'count=30'], env);
      const onServer = await cliJson<Run>(['run', 'predict.yaml', '-p', 'stream_timeout_ms=1000'], {
        ...env,
        SLUICE_TABLES_URL: url,
      });
      expect(onServer.status, onServer.error?.message).toBe('succeeded');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ count: number; labelled: number }>(
        'SELECT count(*) AS count, count(label) AS labelled FROM sluice_tables.digit_predictions',
      );
      await client.end();
      expect(rows[0]).toEqual({ count: 30, labelled: 30 });
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });
});
