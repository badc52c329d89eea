/**
 * The conformance suite both step runtimes pass: the same behaviours for a TS module in a
 * worker thread and a program in a subprocess.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalObjectStore, type ObjectStore } from '../data/index.js';
import type { StepOutput, StepSpec } from '../spec/index.js';
import type { LogStream, MetricPoint, StepRuntime, StepTask } from './runtime.js';

/** Step sources for one runtime, each implementing one behaviour. */
export interface RuntimeFixtures {
  /** File name -> source; written into the test folder. */
  files: Record<string, string>;
  /** How a step runs the fixture `name` (a key of `files`). */
  run(name: string, dir: string): StepSpec['run'];
}

/** A step spec with the defaults a compiled spec would have, for runtime tests. */
export function testStep(
  name: string,
  run: StepSpec['run'],
  outputs: (string | StepOutput)[] = [],
  extra: Partial<StepSpec> = {},
): StepSpec {
  return {
    name,
    run,
    inputs: [],
    outputs: outputs.map((output) =>
      typeof output === 'string' ? { name: output, scatter: false } : output,
    ),
    parallelism: 1,
    retries: 0,
    retryDelayMs: 0,
    retryMaxDelayMs: 0,
    timeoutMs: undefined,
    cache: true,
    tables: [],
    topics: [],
    publish: {},
    ...extra,
  };
}

/** Fixture names the suite uses: each runtime provides all of them. */
export const FIXTURES = ['double', 'fail', 'hang', 'files', 'read-files', 'log', 'missing-output'] as const;

export function describeRuntimeConformance(
  name: string,
  make: (objects: ObjectStore) => StepRuntime,
  fixtures: RuntimeFixtures,
): void {
  describe(`${name} runtime`, () => {
    async function setup(): Promise<{ dir: string; runtime: StepRuntime; objects: ObjectStore }> {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-runtime-'));
      for (const [file, source] of Object.entries(fixtures.files))
        await writeFile(join(dir, file), source, { mode: 0o755 });
      const objects = openLocalObjectStore(join(dir, 'objects'));
      return { dir, runtime: make(objects), objects };
    }

    function step(
      fixture: string,
      dir: string,
      outputs: (string | StepOutput)[],
      extra: Partial<StepSpec> = {},
    ): StepSpec {
      return testStep(fixture, fixtures.run(fixture, dir), outputs, extra);
    }

    function task(
      spec: StepSpec,
      dir: string,
      inputs: Record<string, unknown>,
      signal = new AbortController().signal,
    ) {
      const logs: [LogStream, string][] = [];
      const metrics: MetricPoint[] = [];
      const value: StepTask = {
        runId: 'run1',
        step: spec,
        pipelineDir: dir,
        datum: '',
        attempt: 1,
        inputs,
        params: {},
        scratchDir: join(dir, 'scratch', String(Math.random()).slice(2)),
        log: (stream, line) => logs.push([stream, line]),
        metric: (point) => metrics.push(point),
        signal,
      };
      return { value, logs, metrics };
    }

    it('runs a step and returns its outputs', async () => {
      const { dir, runtime } = await setup();
      const spec = step('double', dir, ['y']);
      expect((await runtime.prepare(spec, dir)).codeHash).toMatch(/^[0-9a-f]{64}$/);
      const { value } = task(spec, dir, { x: 21 });
      expect(await runtime.execute(value)).toEqual({ outputs: { y: 42 } });
      await runtime.close();
    });

    it('reports a failing step as STEP_FAILED with its message', async () => {
      const { dir, runtime } = await setup();
      const { value } = task(step('fail', dir, ['y']), dir, {});
      await expect(runtime.execute(value)).rejects.toMatchObject({
        code: 'STEP_FAILED',
        message: expect.stringContaining('page not found'),
      });
      await runtime.close();
    });

    it('kills an attempt that exceeds its timeout', async () => {
      const { dir, runtime } = await setup();
      const { value } = task(step('hang', dir, ['y'], { timeoutMs: 300 }), dir, {});
      const started = Date.now();
      await expect(runtime.execute(value)).rejects.toMatchObject({ code: 'STEP_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(10_000);
      // The runtime still works after killing.
      expect(await runtime.execute(task(step('double', dir, ['y']), dir, { x: 1 }).value)).toEqual({
        outputs: { y: 2 },
      });
      await runtime.close();
    });

    it('stops an attempt when its signal aborts', async () => {
      const { dir, runtime } = await setup();
      const controller = new AbortController();
      const { value } = task(step('hang', dir, ['y']), dir, {}, controller.signal);
      setTimeout(() => controller.abort(), 300);
      await expect(runtime.execute(value)).rejects.toMatchObject({ code: 'RUN_CANCELLED' });
      await runtime.close();
    });

    it('rejects outputs that do not match the declaration', async () => {
      const { dir, runtime } = await setup();
      const { value } = task(step('missing-output', dir, ['y', 'z']), dir, {});
      await expect(runtime.execute(value)).rejects.toMatchObject({
        code: 'STEP_OUTPUT',
        message: "step 'missing-output' returned no value for output 'z'; declared outputs: y, z",
      });
      const scatter = task(step('double', dir, [{ name: 'y', scatter: true }]), dir, { x: 2 }).value;
      await expect(runtime.execute(scatter)).rejects.toMatchObject({ code: 'STEP_OUTPUT' });
      await runtime.close();
    });

    it('stores file outputs by content and lays file inputs out as directories', async () => {
      const { dir, runtime, objects } = await setup();
      const written = await runtime.execute(task(step('files', dir, ['report']), dir, {}).value);
      const report = written.outputs.report as { $files: Record<string, string> };
      expect(Object.keys(report.$files)).toEqual(['a.txt', 'sub/b.txt']);
      expect(new TextDecoder().decode(await objects.get(report.$files['a.txt'] ?? ''))).toBe('alpha\n');
      const read = await runtime.execute(task(step('read-files', dir, ['content']), dir, { report }).value);
      expect(read.outputs.content).toBe('alpha\nbeta\n');
      await runtime.close();
    });

    it('captures log lines in order and metrics', async () => {
      const { dir, runtime } = await setup();
      const { value, logs, metrics } = task(step('log', dir, ['y']), dir, {});
      await runtime.execute(value);
      expect(
        logs.filter(([stream]) => stream !== 'log').map(([stream, line]) => `${stream}: ${line}`),
      ).toEqual(['stdout: one', 'stdout: two', 'stderr: warning three']);
      expect(metrics).toEqual([{ key: 'loss', value: 0.25, step: 1 }]);
      await runtime.close();
    });
  });
}
