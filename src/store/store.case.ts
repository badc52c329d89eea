/**
 * The conformance suite every {@link MetadataStore} implementation passes.
 */
import { describe, expect, it } from 'vitest';
import type { MetadataStore, RunRecord, TaskRecord } from './store.js';

function run(id: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    pipeline: 'p',
    pipelineVersion: 'v1',
    specFile: null,
    params: { a: 1 },
    status: 'running',
    desiredOutputs: ['x'],
    outputs: null,
    error: null,
    pid: 4242,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    startedAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: null,
    inputCommits: [],
    outputCommit: null,
    trigger: null,
    ...extra,
  };
}

function task(runId: string, step: string, datum: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    runId,
    step,
    datum,
    status: 'pending',
    execKey: null,
    attempts: 0,
    error: null,
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

/** Registers the suite for one implementation; `make` returns a fresh, empty store. */
export function describeStoreConformance(name: string, make: () => Promise<MetadataStore>): void {
  describe(`${name} metadata store`, () => {
    it('round-trips runs and keeps the last state written', async () => {
      const store = await make();
      await store.write({ runs: [run('aaaa1111')] });
      await store.write({
        runs: [
          run('aaaa1111', {
            status: 'succeeded',
            outputs: { x: [1, 'two'] },
            finishedAt: new Date('2026-01-01T00:01:00Z'),
          }),
        ],
      });
      const found = await store.getRun('aaaa1111');
      expect(found).toMatchObject({
        status: 'succeeded',
        outputs: { x: [1, 'two'] },
        params: { a: 1 },
        pid: 4242,
      });
      expect(found?.finishedAt?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
      expect(await store.getRun('nope')).toBeUndefined();
      await store.close();
    });

    it('finds runs by a unique prefix and refuses an ambiguous one', async () => {
      const store = await make();
      await store.write({ runs: [run('abc123'), run('abd456'), run('xyz789')] });
      expect((await store.findRun('abc'))?.id).toBe('abc123');
      expect((await store.findRun('xyz789'))?.id).toBe('xyz789');
      expect(await store.findRun('q')).toBeUndefined();
      await expect(store.findRun('ab')).rejects.toThrow(
        "run id prefix 'ab' is ambiguous: matches abc123, abd456",
      );
      await store.close();
    });

    it('lists runs newest first, filtered by pipeline and status', async () => {
      const store = await make();
      await store.write({
        runs: [
          run('r1', { createdAt: new Date('2026-01-01T00:00:01Z') }),
          run('r2', { createdAt: new Date('2026-01-01T00:00:02Z'), pipeline: 'q', status: 'failed' }),
          run('r3', { createdAt: new Date('2026-01-01T00:00:03Z') }),
        ],
      });
      expect((await store.listRuns()).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
      expect((await store.listRuns({ pipeline: 'p' })).map((r) => r.id)).toEqual(['r3', 'r1']);
      expect((await store.listRuns({ status: 'failed' })).map((r) => r.id)).toEqual(['r2']);
      expect((await store.listRuns({ limit: 1 })).map((r) => r.id)).toEqual(['r3']);
      await store.close();
    });

    it('upserts tasks and attempts, appends logs and metrics, and pages logs by seq', async () => {
      const store = await make();
      await store.write({
        runs: [run('r1')],
        tasks: [task('r1', 'a', ''), task('r1', 'b', '0')],
        attempts: [
          {
            runId: 'r1',
            step: 'a',
            datum: '',
            attempt: 1,
            status: 'running',
            error: null,
            startedAt: new Date(),
            finishedAt: null,
          },
        ],
        logs: [1, 2, 3].map((seq) => ({
          runId: 'r1',
          seq,
          step: seq === 2 ? 'b' : 'a',
          datum: '',
          attempt: 1,
          stream: 'stdout' as const,
          time: new Date(),
          line: `line ${seq}`,
        })),
        metrics: [{ runId: 'r1', step: 'a', datum: '', key: 'loss', value: 0.5, index: 1, time: new Date() }],
      });
      await store.write({
        tasks: [
          task('r1', 'a', '', {
            status: 'failed',
            attempts: 1,
            error: { code: 'STEP_FAILED', message: 'boom' },
          }),
        ],
        attempts: [
          {
            runId: 'r1',
            step: 'a',
            datum: '',
            attempt: 1,
            status: 'failed',
            error: { code: 'STEP_FAILED', message: 'boom' },
            startedAt: new Date(),
            finishedAt: new Date(),
          },
        ],
      });
      const tasks = await store.listTasks('r1');
      expect(tasks.find((t) => t.step === 'a')).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: { message: 'boom' },
      });
      expect(tasks).toHaveLength(2);
      expect((await store.listAttempts('r1')).map((a) => a.status)).toEqual(['failed']);
      expect((await store.listLogs('r1', { afterSeq: 1 })).map((l) => l.line)).toEqual(['line 2', 'line 3']);
      expect((await store.listLogs('r1', { step: 'a' })).map((l) => l.seq)).toEqual([1, 3]);
      expect((await store.listLogs('r1', { limit: 1 })).map((l) => l.seq)).toEqual([1]);
      expect(await store.maxLogSeq('r1')).toBe(3);
      expect(await store.maxLogSeq('r2')).toBe(0);
      expect(await store.listMetrics('r1')).toMatchObject([{ key: 'loss', value: 0.5, index: 1 }]);
      // One round trip gives the same three lists, dates and errors included.
      expect(await store.runContents('r1')).toEqual({
        tasks: await store.listTasks('r1'),
        attempts: await store.listAttempts('r1'),
        metrics: await store.listMetrics('r1'),
      });
      expect(await store.runContents('r2')).toEqual({ tasks: [], attempts: [], metrics: [] });
      await store.close();
    });

    it('stores a result once per execution key: a second write of the key keeps the first', async () => {
      const store = await make();
      const at = new Date();
      await store.write({ results: [{ execKey: 'k1', step: 's', outputs: { y: 1 }, createdAt: at }] });
      await store.write({ results: [{ execKey: 'k1', step: 's', outputs: { y: 2 }, createdAt: at }] });
      const found = await store.findResults(['k1', 'k2']);
      expect([...found.keys()]).toEqual(['k1']);
      expect(found.get('k1')?.outputs).toEqual({ y: 1 });
      await store.close();
    });

    it('marks runs left running by a dead process interrupted, with their unfinished tasks', async () => {
      const store = await make();
      await store.write({
        runs: [
          run('dead', { pid: 999_999 }),
          run('mine', { pid: process.pid }),
          run('done', { status: 'succeeded' }),
        ],
        tasks: [task('dead', 'a', '', { status: 'running' }), task('dead', 'b', '', { status: 'success' })],
      });
      expect(await store.sweepInterrupted(process.pid)).toEqual(['dead']);
      expect((await store.getRun('dead'))?.status).toBe('interrupted');
      expect((await store.getRun('dead'))?.error?.message).toContain('pid 999999');
      expect((await store.getRun('mine'))?.status).toBe('running');
      expect((await store.listTasks('dead')).map((t) => t.status).sort()).toEqual(['cancelled', 'success']);
      await store.close();
    });
  });
}
