/**
 * The long-running service's scheduler: cron ticks (once per tick, even with two
 * schedulers; catch-up after downtime), fan-in after upstream runs, commit triggers,
 * concurrency limits with visible queued runs, and graceful shutdown with resume.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { compileConfig } from '../src/cli/config.js';
import { openLocalWorkspace, type LocalWorkspace } from '../src/cli/workspace.js';
import { Service, scheduleKey, ticksBetween } from '../src/service/index.js';
import { registerFolder } from '../src/service/dev-watch.js';
import type { RunRecord } from '../src/store/index.js';
import { sluice, tempProjects, tsStep } from './helpers.js';

const project = tempProjects();

/** A pipeline with one TS step sleeping `sleep_ms` and the given extra YAML. */
function pipelineYaml(name: string, extra = ''): string {
  return [
    `name: ${name}`,
    'params:',
    '  sleep_ms: { type: integer, default: 0 }',
    '  logical_date: { type: string, default: "" }',
    'steps:',
    '  work:',
    '    run: ./work.ts',
    '    inputs: [sleep_ms, logical_date]',
    '    outputs: [done]',
    extra,
  ].join('\n');
}

const WORK = tsStep(
  'await new Promise((resolve) => setTimeout(resolve, ctx.inputs.sleep_ms));\nreturn { done: ctx.inputs.logical_date || "ok" };',
);

/** A project with these pipelines registered, and a workspace opened on it. */
async function registered(
  specs: Record<string, string>,
): Promise<{ dir: string; workspace: LocalWorkspace }> {
  const dir = await project({ 'work.ts': WORK, ...specs });
  for (const file of Object.keys(specs)) {
    const created = await sluice(['pipeline', 'create', file], dir);
    expect(created.code, created.stderr).toBe(0);
  }
  return { dir, workspace: await open(dir) };
}

function open(dir: string): Promise<LocalWorkspace> {
  return openLocalWorkspace(compileConfig({}, { SLUICE_HOME: join(dir, '.sluice') }, dir, false), 'test');
}

function service(
  workspace: LocalWorkspace,
  options: Partial<ConstructorParameters<typeof Service>[0]> = {},
): Service {
  return new Service({ store: workspace.store, engine: workspace.engine, ...options });
}

async function runsOf(workspace: LocalWorkspace, pipeline: string): Promise<RunRecord[]> {
  return (await workspace.store.listRuns({ pipeline, limit: 1000 })).reverse();
}

describe('cron triggers', () => {
  it('starts one run per tick, with the tick as logical_date, even with two schedulers', async () => {
    const { workspace } = await registered({
      'every-second.yaml': pipelineYaml(
        'every-second',
        'triggers:\n  - cron: "* * * * * *"\n    catchup: none',
      ),
    });
    const first = service(workspace);
    const second = service(workspace);
    try {
      await Promise.all([first.start(), second.start()]);
      await new Promise((resolve) => setTimeout(resolve, 2600));
      await Promise.all([first.stop(5000), second.stop(5000)]);
      const runs = await runsOf(workspace, 'every-second');
      expect(runs.length).toBeGreaterThanOrEqual(2);
      const ticks = runs.map((run) => (run.trigger?.kind === 'cron' ? run.trigger.tick : 'not cron'));
      expect(new Set(ticks).size).toBe(runs.length);
      for (const run of runs) {
        expect(run.status).toBe('succeeded');
        expect(run.params.logical_date).toBe(run.trigger?.kind === 'cron' ? run.trigger.tick : '');
        expect(new Date(run.params.logical_date as string).getMilliseconds()).toBe(0);
      }
    } finally {
      await workspace.close();
    }
  });

  it('catches up missed ticks after downtime by policy, and never twice', async () => {
    const { workspace } = await registered({
      'hourly-latest.yaml': pipelineYaml('hourly-latest', 'triggers:\n  - cron: "0 * * * *"'),
      'hourly-all.yaml': pipelineYaml(
        'hourly-all',
        'triggers:\n  - cron: "0 * * * *"\n    tz: Europe/Paris\n    catchup: all',
      ),
      'hourly-none.yaml': pipelineYaml('hourly-none', 'triggers:\n  - cron: "0 * * * *"\n    catchup: none'),
    });
    try {
      const fiveHoursAgo = new Date(Date.now() - 5 * 3600_000 - 60_000);
      const schedules = { 'hourly-latest': 'UTC', 'hourly-all': 'Europe/Paris', 'hourly-none': 'UTC' };
      for (const [name, tz] of Object.entries(schedules)) {
        const last = ticksBetween(
          { cron: '0 * * * *', tz },
          new Date(fiveHoursAgo.getTime() - 3600_000),
          fiveHoursAgo,
        ).at(-1)!;
        await workspace.store.schedules.claimTick(
          name,
          scheduleKey({ cron: '0 * * * *', tz }),
          last,
          'earlier',
        );
      }
      for (let round = 0; round < 2; round++) {
        const scheduler = service(workspace);
        await scheduler.start();
        await scheduler.idle();
        await scheduler.stop();
      }
      const latest = await runsOf(workspace, 'hourly-latest');
      expect(latest).toHaveLength(1);
      const lastHour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString();
      expect(latest[0]!.trigger).toMatchObject({ kind: 'cron', tick: lastHour });
      const all = await runsOf(workspace, 'hourly-all');
      expect(all.length).toBeGreaterThanOrEqual(5);
      expect(all.length).toBeLessThanOrEqual(6);
      expect(all.every((run) => run.status === 'succeeded')).toBe(true);
      expect(await runsOf(workspace, 'hourly-none')).toHaveLength(0);
    } finally {
      await workspace.close();
    }
  });

  it('rejects a bad cron expression or time zone at validation, naming the line', async () => {
    const dir = await project({
      'work.ts': WORK,
      'bad.yaml': pipelineYaml(
        'bad',
        'triggers:\n  - cron: "61 * * * *"\n  - cron: "0 16 * * *"\n    tz: Mars/Olympus',
      ),
    });
    const result = await sluice(['validate', 'bad.yaml'], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(
      /bad\.yaml:11:\d+ '61 \* \* \* \*' is not a cron expression/,
    );
    expect(result.stderr + result.stdout).toMatch(/bad\.yaml:13:\d+ 'Mars\/Olympus' is not a time zone/);
  });
});

describe('after triggers and fan-in', () => {
  it('starts a fan-in pipeline once every upstream pipeline has succeeded since its last run', async () => {
    const { workspace } = await registered({
      'a.yaml': pipelineYaml('up-a'),
      'b.yaml': pipelineYaml('up-b'),
      'c.yaml': pipelineYaml('joined', 'triggers:\n  - after: [up-a, up-b]'),
      'd.yaml': pipelineYaml('follows-a', 'triggers:\n  - after: up-a'),
    });
    const scheduler = service(workspace);
    try {
      await scheduler.start();
      await scheduler.launch({ pipeline: 'up-a' });
      await scheduler.idle();
      expect(await runsOf(workspace, 'joined')).toHaveLength(0);
      expect(await runsOf(workspace, 'follows-a')).toHaveLength(1);
      const b = await scheduler.launch({ pipeline: 'up-b' });
      await scheduler.idle();
      const joined = await runsOf(workspace, 'joined');
      expect(joined).toHaveLength(1);
      expect(joined[0]!.status).toBe('succeeded');
      expect(joined[0]!.trigger).toMatchObject({
        kind: 'after',
        runs: expect.arrayContaining([{ pipeline: 'up-b', runId: b.id }]),
      });
      // Only one side ran again: the fan-in waits for the other.
      await scheduler.launch({ pipeline: 'up-a' });
      await scheduler.idle();
      expect(await runsOf(workspace, 'joined')).toHaveLength(1);
      expect(await runsOf(workspace, 'follows-a')).toHaveLength(2);
    } finally {
      await scheduler.stop();
      await workspace.close();
    }
  });

  it('starts pipelines reading a repo when a commit lands, and those reading their outputs', async () => {
    const dir = await project({
      'upper.ts': tsStep(
        "const { readFile } = await import('node:fs/promises');\nconst { join } = await import('node:path');\nreturn { upper: (await readFile(join(ctx.inputs.text, 'a.txt'), 'utf8')).toUpperCase() };",
      ),
      'reader.yaml':
        'name: reader\ninputs:\n  text: { repo: notes, glob: "/" }\nsteps:\n  upper:\n    run: ./upper.ts\n    inputs: [text]\n    outputs: [upper]\n',
      'count.ts': tsStep(
        "const { readdir } = await import('node:fs/promises');\nreturn { files: (await readdir(ctx.inputs.upper, { recursive: true })).length };",
      ),
      'downstream.yaml':
        'name: downstream\ninputs:\n  upper: { repo: reader, glob: "/" }\nsteps:\n  count:\n    run: ./count.ts\n    inputs: [upper]\n    outputs: [files]\n',
    });
    expect((await sluice(['repo', 'create', 'notes'], dir)).code).toBe(0);
    expect((await sluice(['pipeline', 'create', 'reader.yaml'], dir)).code).toBe(0);
    expect((await sluice(['pipeline', 'create', 'downstream.yaml'], dir)).code).toBe(0);
    const workspace = await open(dir);
    const scheduler = service(workspace);
    try {
      await scheduler.start();
      const commit = await workspace.repos.put(
        'notes',
        'main',
        { kind: 'bytes', data: Buffer.from('hello') },
        { to: '/a.txt' },
      );
      scheduler.notifyCommits([commit!]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await scheduler.idle();
      const runs = await runsOf(workspace, 'reader');
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        status: 'succeeded',
        trigger: { kind: 'commit', repo: 'notes', commit: commit!.id },
      });
      expect(runs[0]!.outputs).toEqual({ upper: ['HELLO'] });
      const downstream = await runsOf(workspace, 'downstream');
      expect(downstream).toHaveLength(1);
      expect(downstream[0]).toMatchObject({
        status: 'succeeded',
        trigger: { kind: 'commit', repo: 'reader', commit: runs[0]!.outputCommit },
      });
    } finally {
      await scheduler.stop();
      await workspace.close();
    }
  });
});

describe('queue, limits and shutdown', () => {
  it('holds runs queued beyond max_active_runs and shows them', async () => {
    const { workspace } = await registered({
      'one.yaml': pipelineYaml('one-at-a-time', 'max_active_runs: 1'),
    });
    const scheduler = service(workspace);
    try {
      await scheduler.start();
      for (let index = 0; index < 3; index++)
        await scheduler.launch({ pipeline: 'one-at-a-time', params: { sleep_ms: '1000' } });
      const held = scheduler.status().queued.map((run) => run.id);
      expect(held).toHaveLength(2);
      // The store shows the held runs as queued; the first one may still read queued until the
      // engine's first state write lands, so it is only required to leave that state.
      const queued = await workspace.store.listRuns({ status: 'queued' });
      expect(queued.map((run) => run.id)).toEqual(expect.arrayContaining(held));
      const first = (await runsOf(workspace, 'one-at-a-time')).find((run) => !held.includes(run.id));
      await vi.waitFor(
        async () => expect((await workspace.store.findRun(first!.id))!.status).not.toBe('queued'),
        { timeout: 10_000, interval: 50 },
      );
      await scheduler.idle();
      const runs = await runsOf(workspace, 'one-at-a-time');
      expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      for (let index = 1; index < runs.length; index++)
        expect(runs[index]!.startedAt!.getTime()).toBeGreaterThanOrEqual(
          runs[index - 1]!.finishedAt!.getTime(),
        );
    } finally {
      await scheduler.stop();
      await workspace.close();
    }
  });

  it('rejects bad params at launch and cancels a queued run', async () => {
    const { workspace } = await registered({ 'one.yaml': pipelineYaml('guarded', 'max_active_runs: 1') });
    const scheduler = service(workspace);
    try {
      await scheduler.start();
      await expect(
        scheduler.launch({ pipeline: 'guarded', params: { sleep_ms: 'soon' } }),
      ).rejects.toMatchObject({ code: 'PARAM_TYPE' });
      await expect(scheduler.launch({ pipeline: 'nope' })).rejects.toMatchObject({
        code: 'PIPELINE_NOT_FOUND',
      });
      await scheduler.launch({ pipeline: 'guarded', params: { sleep_ms: 200 } });
      const second = await scheduler.launch({ pipeline: 'guarded' });
      const cancelled = await scheduler.cancel(second.id);
      expect(cancelled.status).toBe('cancelled');
      await scheduler.idle();
      expect((await workspace.store.getRun(second.id))!.status).toBe('cancelled');
    } finally {
      await scheduler.stop();
      await workspace.close();
    }
  });

  it('records runs still going at shutdown as interrupted and resumes them on the next start', async () => {
    const { dir, workspace } = await registered({ 'slow.yaml': pipelineYaml('slow') });
    const scheduler = service(workspace);
    await scheduler.start();
    const run = await scheduler.launch({ pipeline: 'slow', params: { sleep_ms: 1500 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await scheduler.stop(100);
    expect((await workspace.store.getRun(run.id))!.status).toBe('interrupted');
    await workspace.close();

    const reopened = await open(dir);
    const next = service(reopened);
    try {
      await next.start();
      await next.idle();
      const runs = await runsOf(reopened, 'slow');
      expect(runs).toHaveLength(2);
      expect(runs[1]).toMatchObject({
        status: 'succeeded',
        trigger: { kind: 'resume', runId: run.id },
        params: { sleep_ms: 1500 },
      });
      await next.stop();
      // A second restart does not resume it again.
      const again = service(reopened);
      await again.start();
      await again.idle();
      await again.stop();
      expect(await runsOf(reopened, 'slow')).toHaveLength(2);
    } finally {
      await reopened.close();
    }
  });

  it('applies the model registry retention rules as housekeeping', async () => {
    const { dir, workspace } = await registered({ 'a.yaml': pipelineYaml('keeper') });
    try {
      for (let version = 1; version <= 4; version++) {
        const files = join(dir, `model-${version}`);
        await mkdir(files, { recursive: true });
        await writeFile(join(files, 'weights.json'), JSON.stringify({ version }));
        await workspace.registry.save('kept-model', files, { metrics: { score: version } });
      }
      await workspace.registry.setAlias('kept-model', 'production', 2);
      await workspace.registry.setRetention('kept-model', { keepLast: 1, keepAliased: true });
      const scheduler = service(workspace, { maintenance: () => workspace.registry.applyRetention() });
      await scheduler.start();
      await scheduler.stop();
      const versions = await workspace.registry.versions('kept-model');
      expect(versions.map((version) => version.version).sort()).toEqual([2, 4]);
    } finally {
      await workspace.close();
    }
  });
});

describe('registering a folder', () => {
  it('starts a run launched by registration once, however slowly its start is recorded', async () => {
    const dir = await project({
      'work.ts': WORK,
      'pipelines/on-notes.yaml': [
        'name: on-notes',
        'inputs:',
        '  notes: { repo: notes, glob: "/" }',
        'steps:',
        '  work:',
        '    run: ../work.ts',
        '    inputs: [notes]',
        '    outputs: [done]',
        '',
      ].join('\n'),
      'data/a.txt': 'a',
    });
    expect((await sluice(['repo', 'create', 'notes'], dir)).code).toBe(0);
    expect((await sluice(['put', 'notes', 'data'], dir)).code).toBe(0);
    const workspace = await open(dir);
    // As on a loaded machine: the engine records the run `running` only after the service
    // has listed the queued runs it must pick up.
    const engine = {
      ...workspace.engine,
      startRun: async (...args: Parameters<typeof workspace.engine.startRun>) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return workspace.engine.startRun(...args);
      },
    };
    const scheduler = service(workspace, { engine });
    const started: string[] = [];
    scheduler.events.on('event', (event: { type: string; runId?: string }) => {
      if (event.type === 'started') started.push(event.runId!);
    });
    try {
      const reports = await registerFolder(join(dir, 'pipelines'), { ...workspace, service: scheduler });
      expect(reports).toMatchObject([{ pipeline: 'on-notes', outcome: 'created' }]);
      await scheduler.start();
      await scheduler.idle();
      const runs = await runsOf(workspace, 'on-notes');
      expect(runs.map((run) => run.status)).toEqual(['succeeded']);
      expect(started).toEqual([runs[0]!.id]);
    } finally {
      await scheduler.stop(5000);
      await workspace.close();
    }
  });

  it('registers a pipeline whose first run cannot start, and reports why the run did not start', async () => {
    const spec = [
      'name: needs-label',
      'params:',
      '  label: { type: string }',
      'inputs:',
      '  notes: { repo: notes, glob: "/" }',
      'steps:',
      '  work:',
      '    run: ../work.ts',
      '    inputs: [notes, label]',
      '    outputs: [done]',
      '',
    ].join('\n');
    const dir = await project({ 'work.ts': WORK, 'pipelines/needs-label.yaml': spec, 'data/a.txt': 'a' });
    expect((await sluice(['repo', 'create', 'notes'], dir)).code).toBe(0);
    expect((await sluice(['put', 'notes', 'data'], dir)).code).toBe(0);
    const workspace = await open(dir);
    try {
      const reports = await registerFolder(join(dir, 'pipelines'), {
        ...workspace,
        service: service(workspace),
      });
      expect(reports[0]?.error).toBeUndefined();
      expect(reports).toMatchObject([
        { file: 'needs-label.yaml', pipeline: 'needs-label', version: 1, outcome: 'created' },
      ]);
      expect(reports[0]!.runError?.message).toMatch(/label/);
      expect(await workspace.store.repos.getPipeline('needs-label')).toBeDefined();
    } finally {
      await workspace.close();
    }
  });
});
