/** A real step context for calling a step function directly in a test, in a temp folder. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepContext } from 'sluice';

/** What a step logged and recorded, for assertions. */
export interface Recorded {
  logs: Array<{ level: string; message: string }>;
  metrics: Array<{ key: string; value: number }>;
  outDir: string;
}

/** A context with `inputs`, output folders under a fresh temp folder, and recorded logs. */
export function fakeContext<Inputs extends Record<string, unknown>>(
  inputs: Inputs,
  options: { pipelineDir?: string } = {},
): StepContext<Inputs> & { recorded: Recorded } {
  const root = mkdtempSync(join(tmpdir(), 'camera-threats-'));
  const recorded: Recorded = { logs: [], metrics: [], outDir: join(root, 'out') };
  const log =
    (level: string) =>
    (message: string): void => {
      recorded.logs.push({ level, message });
    };
  return {
    inputs,
    params: {},
    runId: 'test-run',
    step: 'test',
    datum: 'test-datum',
    attempt: 1,
    pipelineDir: options.pipelineDir ?? root,
    scratchDir: join(root, 'scratch'),
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    metric: (key, value) => {
      recorded.metrics.push({ key, value });
    },
    outputDir: (name) => {
      const dir = join(recorded.outDir, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    signal: new AbortController().signal,
    registry: {
      save: () => Promise.reject(new Error('a fake context has no model registry')),
      load: () => Promise.reject(new Error('a fake context has no model registry')),
    },
    table: (name) => {
      throw new Error(`a fake context has no table '${name}'`);
    },
    publish: (topic) => {
      throw new Error(`a fake context has no topic '${topic}'`);
    },
    logParams: () => undefined,
    artifact: () => undefined,
    recorded,
  };
}
