import { describe, expect, it } from 'vitest';
import { StateWriter } from './state-writer.js';
import type { LogRecord, MetadataStore, StateBatch } from './store.js';

function log(seq: number): LogRecord {
  return {
    runId: 'r',
    seq,
    step: 's',
    datum: '',
    attempt: 1,
    stream: 'stdout',
    time: new Date(0),
    line: `line ${seq}`,
  };
}

/** A store whose writes fail while `failing` is set, recording what landed. */
function flakyStore(): { store: MetadataStore; landed: StateBatch[]; failing: { on: boolean } } {
  const landed: StateBatch[] = [];
  const failing = { on: true };
  const store = {
    write: async (batch: StateBatch) => {
      if (failing.on || batch.logs?.some((record) => record.line.includes('poison')))
        throw new Error('store down');
      landed.push(batch);
    },
  } as unknown as MetadataStore;
  return { store, landed, failing };
}

describe('StateWriter', () => {
  it('keeps the rows of a failed write and writes them with the next one, in order', async () => {
    const { store, landed, failing } = flakyStore();
    const errors: unknown[] = [];
    const writer = new StateWriter(store, { intervalMs: 1000, onError: (error) => errors.push(error) });
    writer.enqueue({ logs: [log(1)] });
    await writer.flush();
    failing.on = false;
    writer.enqueue({ logs: [log(2)] });
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(landed.flatMap((batch) => batch.logs?.map((record) => record.seq) ?? [])).toEqual([1, 2]);
  });

  it('gives up a batch the store keeps refusing, so later state still lands', async () => {
    const { store, landed, failing } = flakyStore();
    failing.on = false;
    const errors: string[] = [];
    const writer = new StateWriter(store, {
      intervalMs: 1000,
      onError: (error) => errors.push(String(error)),
    });
    writer.enqueue({ logs: [{ ...log(1), line: 'poison' }] });
    for (let i = 0; i < 3; i++) await writer.flush();
    writer.enqueue({ logs: [log(2)] });
    await writer.flush();
    expect(errors.at(-1)).toContain('gave up writing a batch of 1 rows after 3 failures');
    expect(landed.flatMap((batch) => batch.logs?.map((record) => record.seq) ?? [])).toEqual([2]);
  });
});
