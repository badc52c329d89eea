/**
 * The embedded engine seen through the CLI: dataflow, retries, timeouts, cancellation,
 * failures that explain themselves, caching, and a large generated DAG.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, tempProjects, tsStep } from './helpers.js';

const project = tempProjects();

describe('sluice run', () => {
  it('runs steps as their inputs are published and prints the desired outputs', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: sums
params:
  n: { type: integer }
steps:
  double:
    run: ./double.ts
    inputs: [n]
    outputs: [doubled]
  square:
    run: ./square.ts
    inputs: [n]
    outputs: [squared]
  add:
    run: { command: [python3, add.py] }
    inputs: [doubled, squared]
    outputs: [total]
outputs: [total]
`,
      'double.ts': tsStep('return { doubled: ctx.inputs.n * 2 };'),
      'square.ts': tsStep('return { squared: ctx.inputs.n ** 2 };'),
      'add.py': `import json, os
inputs = json.load(open(os.environ["SLUICE_INPUTS"]))
print("adding", inputs["doubled"], inputs["squared"])
json.dump({"total": inputs["doubled"] + inputs["squared"]}, open(os.environ["SLUICE_OUTPUTS"], "w"))
`,
    });
    const result = await sluice(['run', 'pipeline.yaml', '-p', 'n=7', '--json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { status: string; outputs: unknown; runId: string };
    expect(parsed).toMatchObject({ status: 'succeeded', outputs: { total: 63 } });
    const logs = await sluice(['logs', parsed.runId], dir);
    expect(logs.stdout).toContain('adding 14 49');
  });

  it('scatters a list into datums, runs each datum, and gathers them back in datum order', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: fan
steps:
  split:
    run: ./split.ts
    outputs: ["items[]"]
  work:
    run: ./work.ts
    inputs: [items]
    outputs: [result]
    parallelism: 3
  join:
    run: ./join.ts
    inputs: ["result[]"]
    outputs: [all]
`,
      'split.ts': tsStep('return { items: Array.from({ length: 25 }, (_, i) => i) };'),
      'work.ts': tsStep(
        'await new Promise((r) => setTimeout(r, (25 - ctx.inputs.items) % 7)); return { result: ctx.inputs.items * 10 };',
      ),
      'join.ts': tsStep('return { all: ctx.inputs.result };'),
    });
    const result = await sluice(['run', 'pipeline.yaml', '--json'], dir);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { outputs: { all: number[] }; runId: string };
    expect(parsed.outputs.all).toEqual(Array.from({ length: 25 }, (_, i) => i * 10));
    const show = await sluice(['show', parsed.runId, '--json'], dir);
    const detail = JSON.parse(show.stdout) as { tasks: { step: string; status: string }[] };
    expect(detail.tasks.filter((task) => task.step === 'work' && task.status === 'success')).toHaveLength(25);
  });

  it('retries a failing step with backoff until it succeeds', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: flaky
steps:
  flaky:
    run: ./flaky.ts
    outputs: [value]
    retries: 3
    retry_delay: 50ms
`,
      'flaky.ts': tsStep(
        'if (ctx.attempt < 3) throw new Error(`transient failure on attempt ${ctx.attempt}`);\nreturn { value: ctx.attempt };',
      ),
    });
    const result = await sluice(['run', 'pipeline.yaml', '--json'], dir);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { outputs: { value: number }; runId: string };
    expect(parsed.outputs.value).toBe(3);
    const logs = await sluice(['logs', parsed.runId], dir);
    expect(logs.stdout).toContain('attempt 1 failed: transient failure on attempt 1; retrying in 50ms');
    expect(logs.stdout).toContain('attempt 2 failed: transient failure on attempt 2; retrying in 100ms');
  });

  it('fails the run, says which output is missing and why, and keeps running independent steps', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: broken
steps:
  bad:
    run: { command: [sh, bad.sh] }
    outputs: [a]
    retries: 1
    retry_delay: 10ms
  after_bad:
    run: ./id.ts
    inputs: [a]
    outputs: [b]
  good:
    run: ./good.ts
    outputs: [c]
outputs: [b, c]
`,
      'bad.sh': 'echo "cannot open page" >&2\nexit 3\n',
      'id.ts': tsStep('return { b: ctx.inputs.a };'),
      'good.ts': tsStep('return { c: 1 };'),
    });
    const result = await sluice(['run', 'pipeline.yaml'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "output 'b' is missing: step 'after_bad' could not run: input 'a' is missing: step 'bad' failed after 2 attempts: command exited with code 3",
    );
    const runs = await sluice(['runs', '--json'], dir);
    const [run] = JSON.parse(runs.stdout) as { id: string; status: string }[];
    expect(run?.status).toBe('failed');
    const show = await sluice(['show', run?.id ?? '', '--json'], dir);
    const detail = JSON.parse(show.stdout) as { tasks: { step: string; status: string }[] };
    expect(Object.fromEntries(detail.tasks.map((task) => [task.step, task.status]))).toEqual({
      bad: 'failed',
      after_bad: 'upstream_failed',
      good: 'success',
    });
  });

  it('kills an attempt that exceeds its timeout', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: slow
steps:
  hang:
    run: ./hang.ts
    outputs: [never]
    timeout: 300ms
`,
      'hang.ts': tsStep('for (;;) {}'),
    });
    const started = Date.now();
    const result = await sluice(['run', 'pipeline.yaml'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/step 'hang' failed: step 'hang' attempt 1 timed out after/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses a run whose data input names a repo that does not exist', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: frames
inputs:
  frames: { repo: cameras, glob: "/*" }
steps:
  look:
    run: ./look.ts
    inputs: [frames]
    outputs: [seen]
`,
      'look.ts': tsStep('return { seen: true };'),
    });
    const result = await sluice(['run', 'pipeline.yaml', '--json'], dir);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toMatchObject({
      error: {
        code: 'REPO_NOT_FOUND',
        message: expect.stringContaining("data input 'frames' reads repo 'cameras', which does not exist"),
      },
    });
  });

  it('keeps large values in the object store and loads them back for cached runs', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: big
steps:
  make:
    run: ./make.ts
    outputs: [blob]
  measure:
    run: ./measure.ts
    inputs: [blob]
    outputs: [size]
outputs: [size]
`,
      'make.ts': tsStep("return { blob: 'x'.repeat(200_000) };"),
      'measure.ts': tsStep('return { size: ctx.inputs.blob.length };'),
    });
    const first = await sluice(['run', 'pipeline.yaml', '--json'], dir);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 'succeeded', outputs: { size: 200_000 } });
    const objects = await readdir(join(dir, '.sluice', 'objects'), { recursive: true });
    expect(objects.filter((path) => /^[0-9a-f]{2}\/[0-9a-f]{62}$/.test(path))).toHaveLength(1);
    // A changed consumer reruns on the cached producer's value, read back from the object store.
    await writeFile(join(dir, 'measure.ts'), tsStep('return { size: ctx.inputs.blob.length + 1 };'));
    const second = await sluice(['run', 'pipeline.yaml', '--json'], dir);
    const parsed = JSON.parse(second.stdout) as { runId: string };
    expect(parsed).toMatchObject({ status: 'succeeded', outputs: { size: 200_001 } });
    const show = JSON.parse((await sluice(['show', parsed.runId, '--json'], dir)).stdout) as {
      tasks: { step: string; status: string }[];
    };
    expect(show.tasks.find((task) => task.step === 'make')?.status).toBe('skipped');
  });

  it('records runs whose logs, outputs and errors contain NUL characters', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: nul
steps:
  a:
    run: { command: [sh, a.sh] }
    outputs: [x]
  b:
    run: ./b.ts
    inputs: [x]
    outputs: [y]
`,
      'a.sh': 'printf "bin\\000ary\\n"\necho \'{"x": "a\\u0000b"}\' > "$SLUICE_OUTPUTS"\n',
      'b.ts': tsStep('throw new Error(`bad\\u0000char ${ctx.inputs.x.length}`);'),
    });
    const result = await sluice(['run', 'pipeline.yaml', '--json'], dir);
    const { runId } = JSON.parse(result.stdout) as { runId: string };
    const show = JSON.parse((await sluice(['show', runId, '--json'], dir)).stdout) as {
      run: { status: string };
      tasks: { step: string; status: string; error: { message: string } | null }[];
    };
    expect(show.run.status).toBe('failed');
    expect(show.tasks.find((task) => task.step === 'b')?.error?.message).toBe('bad\ufffdchar 3');
    expect((await sluice(['logs', runId], dir)).stdout).toContain('bin\ufffdary');
  });

  it('fails a run that exceeds --timeout, stopping its attempts', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: long
steps:
  sleep:
    run: { command: [sleep, '30'] }
    outputs: [never]
`,
    });
    const started = Date.now();
    const result = await sluice(['run', 'pipeline.yaml', '--timeout', '500ms', '--json'], dir);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'failed',
      error: { code: 'RUN_FAILED', message: 'the run exceeded its timeout of 500ms' },
    });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('rejects missing and ill-typed params before anything runs', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: typed
params:
  page_num: { type: integer }
  lang: { type: string, default: en }
steps:
  s:
    run: ./s.ts
    inputs: [page_num, lang]
    outputs: [o]
`,
      's.ts': tsStep('return { o: 1 };'),
    });
    const missing = await sluice(['run', 'pipeline.yaml'], dir);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("param 'page_num'");
    const wrong = await sluice(['run', 'pipeline.yaml', '-p', 'page_num=two'], dir);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('expected integer');
    const runs = await sluice(['runs', '--json'], dir);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });

  it('reuses stored results when inputs and code are unchanged, unless --no-cache', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: cached
params:
  x: { type: integer }
steps:
  inc:
    run: ./inc.ts
    inputs: [x]
    outputs: [y]
`,
      'inc.ts': tsStep('return { y: ctx.inputs.x + 1 };'),
    });
    const first = await sluice(['run', 'pipeline.yaml', '-p', 'x=1', '--json'], dir);
    const second = await sluice(['run', 'pipeline.yaml', '-p', 'x=1', '--json'], dir);
    const third = await sluice(['run', 'pipeline.yaml', '-p', 'x=1', '--json', '--no-cache'], dir);
    const statusOf = async (out: string): Promise<string | undefined> => {
      const id = (JSON.parse(out) as { runId: string }).runId;
      const show = JSON.parse((await sluice(['show', id, '--json'], dir)).stdout) as {
        tasks: { status: string }[];
      };
      return show.tasks[0]?.status;
    };
    expect(await statusOf(first.stdout)).toBe('success');
    expect(await statusOf(second.stdout)).toBe('skipped');
    expect(await statusOf(third.stdout)).toBe('success');
    expect(JSON.parse(second.stdout)).toMatchObject({ outputs: { y: 2 } });
  });
});
