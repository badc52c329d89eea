import { describe, expect, it } from 'vitest';
import { DynamicBatcher } from './batcher.js';
import type { ModelRunner } from './runner.js';

/** A runner that doubles its input and records each batch's size; `hold` delays answers. */
function doubling(hold: Promise<void> = Promise.resolve()): { runner: ModelRunner; batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    runner: {
      async run(input, n) {
        batches.push(n);
        await hold;
        return { output: input.map((value) => value * 2), width: 1 };
      },
      async close() {},
    },
  };
}

const rows = (...values: number[]) => ({ input: new Float32Array(values), n: values.length });

describe('dynamic batching', () => {
  it('groups requests that arrive within the wait into one batch, each getting its own rows back', async () => {
    const { runner, batches } = doubling();
    const batcher = new DynamicBatcher(runner, 1, {
      maxBatch: 32,
      maxWaitMs: 20,
      maxQueueRows: 100,
      slots: 1,
    });
    const answers = await Promise.all([
      batcher.submit(rows(1)),
      batcher.submit(rows(2, 3)),
      batcher.submit(rows(4)),
    ]);
    expect(batches).toEqual([4]);
    expect(answers.map((answer) => Array.from(answer.output))).toEqual([[2], [4, 6], [8]]);
    expect(answers.every((answer) => answer.batchRows === 4)).toBe(true);
  });

  it('starts a batch once it is full, never splits a request, and runs alone with batching off', async () => {
    const full = doubling();
    const batcher = new DynamicBatcher(full.runner, 1, {
      maxBatch: 2,
      maxWaitMs: 10_000,
      maxQueueRows: 100,
      slots: 2,
    });
    await Promise.all([batcher.submit(rows(1)), batcher.submit(rows(2)), batcher.submit(rows(3, 4, 5))]);
    expect(full.batches).toEqual([2, 3]);

    const off = doubling();
    const single = new DynamicBatcher(off.runner, 1, {
      maxBatch: 1,
      maxWaitMs: 50,
      maxQueueRows: 100,
      slots: 1,
    });
    await Promise.all([single.submit(rows(1)), single.submit(rows(2)), single.submit(rows(3))]);
    expect(off.batches).toEqual([1, 1, 1]);
  });

  it('runs a request at once when no other is in flight, and waits for those on their way', async () => {
    const { runner, batches } = doubling();
    let inFlight = 1;
    const batcher = new DynamicBatcher(runner, 1, {
      maxBatch: 32,
      maxWaitMs: 60_000,
      maxQueueRows: 100,
      slots: 1,
      inFlight: () => inFlight,
    });
    await batcher.submit(rows(1));
    expect(batches).toEqual([1]);
    inFlight = 2;
    const first = batcher.submit(rows(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([1]);
    await Promise.all([first, batcher.submit(rows(3))]);
    expect(batches).toEqual([1, 2]);
  });

  it('batches what queued while the model was busy, and refuses beyond the queue', async () => {
    let release = () => {};
    const busy = doubling(new Promise<void>((resolve) => (release = resolve)));
    const batcher = new DynamicBatcher(busy.runner, 1, {
      maxBatch: 8,
      maxWaitMs: 0,
      maxQueueRows: 3,
      slots: 1,
    });
    const first = batcher.submit(rows(1));
    const queued = [batcher.submit(rows(2)), batcher.submit(rows(3)), batcher.submit(rows(4))];
    await expect(batcher.submit(rows(5))).rejects.toThrow(
      /3 rows are waiting for this model \(the queue holds 3\)/,
    );
    expect(batcher.pending).toBe(4);
    release();
    await Promise.all([first, ...queued]);
    expect(busy.batches).toEqual([1, 3]);
  });
});
