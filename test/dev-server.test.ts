/**
 * `sluice dev` as a user runs it: a child process serving the API, registering the
 * project's pipelines and re-registering them when a file changes, stopping on SIGTERM
 * with running work recorded `interrupted` and resumed by the next start. Also
 * `sluice init` and `sluice backfill`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDev, waitFor } from './dev-process.js';
import { sluice, tempProjects, tsStep } from './helpers.js';

const project = tempProjects();

interface ApiRun {
  id: string;
  status: string;
  trigger: { kind: string; runId?: string } | null;
  outputs: Record<string, unknown> | null;
  params: Record<string, unknown>;
}

const SPEC = [
  'name: greeter',
  'params:',
  '  who: { type: string, default: world }',
  '  sleep_ms: { type: integer, default: 0 }',
  'steps:',
  '  greet:',
  '    run: ./greet.ts',
  '    inputs: [who, sleep_ms]',
  '    outputs: [greeting]',
  '',
].join('\n');
const greet = (word: string): string =>
  tsStep(
    `await new Promise((resolve) => setTimeout(resolve, ctx.inputs.sleep_ms));\nreturn { greeting: '${word}, ' + ctx.inputs.who };`,
  );

describe('sluice dev', () => {
  it('serves the project, reloads a changed step, and stops cleanly on SIGTERM', async () => {
    const dir = await project({ 'pipeline.yaml': SPEC, 'greet.ts': greet('hello') });
    const dev = await startDev(dir);
    try {
      const launched = await fetch(`${dev.url}/api/pipelines/greeter/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ params: { who: 'bees' } }),
      });
      expect(launched.status).toBe(202);
      const { id } = (await launched.json()) as ApiRun;
      const run = await waitFor('the run', async () => {
        const body = (await (await fetch(`${dev.url}/api/runs/${id}`)).json()) as { run: ApiRun };
        return body.run.status === 'succeeded' ? body.run : undefined;
      });
      expect(run.outputs).toEqual({ greeting: 'hello, bees' });

      // Editing the step registers a new version; the next launch runs the new code.
      await writeFile(join(dir, 'greet.ts'), greet('bonjour'));
      await waitFor('version 2', async () => {
        const body = (await (await fetch(`${dev.url}/api/pipelines/greeter`)).json()) as {
          version?: number;
          pipeline?: { version: number };
        };
        return (body.pipeline?.version ?? body.version) === 2 ? true : undefined;
      });
      const second = (await (
        await fetch(`${dev.url}/api/pipelines/greeter/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ params: { who: 'bees' } }),
        })
      ).json()) as ApiRun;
      const rerun = await waitFor('the second run', async () => {
        const body = (await (await fetch(`${dev.url}/api/runs/${second.id}`)).json()) as { run: ApiRun };
        return body.run.status === 'succeeded' ? body.run : undefined;
      });
      expect(rerun.outputs).toEqual({ greeting: 'bonjour, bees' });
    } finally {
      expect(await dev.stop()).toBe(0);
    }
    expect(dev.stderr()).toMatch(/SIGTERM: stopping/);
    // The data directory is free again: a plain command opens it.
    const runs = await sluice(['runs', '--json'], dir);
    expect(runs.code).toBe(0);
    expect((JSON.parse(runs.stdout) as ApiRun[]).map((item) => item.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  });

  it('records a run cut short by SIGTERM as interrupted and resumes it on the next start', async () => {
    const dir = await project({ 'pipeline.yaml': SPEC, 'greet.ts': greet('hello') });
    const dev = await startDev(dir, { args: ['--grace', '200ms'] });
    let id: string;
    try {
      const launched = await fetch(`${dev.url}/api/pipelines/greeter/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ params: { sleep_ms: 2000 } }),
      });
      id = ((await launched.json()) as ApiRun).id;
      await waitFor('the run to start', async () => {
        const body = (await (await fetch(`${dev.url}/api/runs/${id}`)).json()) as { run: ApiRun };
        return body.run.status === 'running' ? true : undefined;
      });
    } finally {
      expect(await dev.stop()).toBe(0);
    }
    const after = JSON.parse((await sluice(['show', id, '--json'], dir)).stdout) as { run: ApiRun };
    expect(after.run.status).toBe('interrupted');

    const next = await startDev(dir);
    try {
      const resumed = await waitFor('the resumed run', async () => {
        const runs = (await (await fetch(`${next.url}/api/runs`)).json()) as ApiRun[];
        return runs.find((run) => run.trigger?.kind === 'resume' && run.status === 'succeeded');
      });
      expect(resumed.trigger).toEqual({ kind: 'resume', runId: id });
      expect(resumed.params.sleep_ms).toBe(2000);
    } finally {
      await next.stop();
    }
  });
});

describe('the CLI beside a running server', () => {
  it('reads models and tables through the server that owns the data directory', async () => {
    const dir = await project({
      'pipeline.yaml': [
        'name: scorer',
        'params:',
        '  who: { type: string, default: bees }',
        'tables:',
        '  scores:',
        '    columns: { who: text, score: integer }',
        'steps:',
        '  score:',
        '    run: ./score.ts',
        '    inputs: [who]',
        '    outputs: [saved]',
        '    tables: [scores]',
        '',
      ].join('\n'),
      'score.ts': tsStep(
        [
          "const { mkdir, writeFile } = await import('node:fs/promises');",
          "const dir = ctx.scratchDir + '/model';",
          'await mkdir(dir, { recursive: true });',
          "await writeFile(dir + '/weights.json', '{\"w\":1}');",
          "const saved = await ctx.registry.save('tiny-model', dir, { metrics: { accuracy: 0.75 } });",
          "ctx.table('scores').insert([{ who: ctx.inputs.who, score: 7 }]);",
          'return { saved: saved.version };',
        ].join('\n'),
      ),
    });
    const dev = await startDev(dir);
    try {
      const launched = (await (
        await fetch(`${dev.url}/api/pipelines/scorer/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).json()) as ApiRun;
      await waitFor('the run', async () => {
        const body = (await (await fetch(`${dev.url}/api/runs/${launched.id}`)).json()) as { run: ApiRun };
        return body.run.status === 'succeeded' ? true : undefined;
      });
      const models = await sluice(['models', 'list', '--json'], dir);
      expect(models.code, models.stderr).toBe(0);
      expect(JSON.parse(models.stdout)).toMatchObject([{ name: 'tiny-model', versions: 1, latest: 1 }]);
      const shown = await sluice(['models', 'show', 'tiny-model:1'], dir);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/accuracy/);
      const table = await sluice(['table', 'show', 'scores', '--json'], dir);
      expect(table.code, table.stderr).toBe(0);
      expect((JSON.parse(table.stdout) as { rows: unknown[] }).rows).toMatchObject([
        { who: 'bees', score: 7 },
      ]);
      const csv = await sluice(['table', 'export', 'scores', '--format', 'csv'], dir);
      expect(csv.stdout.split('\n')[0]).toMatch(/^who,score/);
      const retention = await sluice(['models', 'retention', 'tiny-model', '--keep-last', '1'], dir);
      expect(retention.code).toBe(2);
      expect(retention.stderr).toMatch(/owns; run it there, or stop the server first/);
    } finally {
      await dev.stop();
    }
  });
});

describe('sluice backfill against a server', () => {
  it('queues the backfill on the server and follows it to the end', async () => {
    const dir = await project({
      'daily.yaml': [
        'name: daily',
        'params:',
        '  logical_date: { type: string, default: "" }',
        'steps:',
        '  day:',
        '    run: ./day.ts',
        '    inputs: [logical_date]',
        '    outputs: [day]',
        'triggers:',
        '  - cron: "0 6 * * *"',
        '    catchup: none',
        '',
      ].join('\n'),
      'day.ts': tsStep('return { day: ctx.inputs.logical_date.slice(0, 10) };'),
    });
    const dev = await startDev(dir);
    try {
      const result = await sluice(
        ['backfill', 'daily', '--from', '2026-10-30', '--to', '2026-11-01', '--json'],
        dir,
      );
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { runs: { id: string; status: string }[] };
      expect(report.runs).toHaveLength(3);
      expect(report.runs.every((run) => run.status === 'succeeded')).toBe(true);
      const outputs = [];
      for (const run of report.runs) {
        const body = (await (await fetch(`${dev.url}/api/runs/${run.id}`)).json()) as { run: ApiRun };
        outputs.push(body.run.outputs);
      }
      expect(outputs).toEqual([{ day: '2026-10-30' }, { day: '2026-10-31' }, { day: '2026-11-01' }]);
      const bad = await sluice(['backfill', 'daily', '--from', 'yesterday', '--to', '2026-11-01'], dir);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--from: 'yesterday' is not a date|not|commit/);
    } finally {
      await dev.stop();
    }
  });
});

describe('sluice init', () => {
  it('scaffolds a project that validates and runs, and never overwrites', async () => {
    const dir = await project({});
    const created = await sluice(['init', 'demo'], dir);
    expect(created.code, created.stderr).toBe(0);
    const demo = join(dir, 'demo');
    const valid = await sluice(['validate', 'pipeline.yaml'], demo);
    expect(valid.code, valid.stderr).toBe(0);
    const run = await sluice(['run', 'pipeline.yaml', '-p', 'text=b a b c b a', '--json'], demo);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { outputs: unknown }).outputs).toEqual({
      summary: [
        { word: 'b', count: 3 },
        { word: 'a', count: 2 },
        { word: 'c', count: 1 },
      ],
    });
    const again = await sluice(['init', 'demo'], dir);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/pipeline\.yaml already exists/);
  });
});

describe('sluice backfill', () => {
  it('runs one run per cron tick of a date range with logical_date set', async () => {
    const dir = await project({
      'daily.yaml': [
        'name: daily',
        'params:',
        '  logical_date: { type: string, default: "" }',
        'steps:',
        '  day:',
        '    run: ./day.ts',
        '    inputs: [logical_date]',
        '    outputs: [day]',
        'triggers:',
        '  - cron: "0 16 * * *"',
        '    tz: Europe/Paris',
        '',
      ].join('\n'),
      'day.ts': tsStep('return { day: ctx.inputs.logical_date.slice(0, 13) };'),
    });
    expect((await sluice(['pipeline', 'create', 'daily.yaml'], dir)).code).toBe(0);
    const result = await sluice(
      ['backfill', 'daily', '--from', '2026-11-01', '--to', '2026-11-03', '--concurrency', '2', '--json'],
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      runs: { id: string; status: string; trigger: { tick: string } }[];
    };
    // 16:00 in Paris is 15:00 UTC in November.
    expect(report.runs.map((run) => run.trigger.tick)).toEqual([
      '2026-11-01T15:00:00.000Z',
      '2026-11-02T15:00:00.000Z',
      '2026-11-03T15:00:00.000Z',
    ]);
    expect(report.runs.every((run) => run.status === 'succeeded')).toBe(true);
    const shown = JSON.parse((await sluice(['show', report.runs[1]!.id, '--json'], dir)).stdout) as {
      run: ApiRun;
    };
    expect(shown.run.outputs).toEqual({ day: '2026-11-02T15' });
  });

  it('runs one run per input commit of a commit range, each reading its commit', async () => {
    const dir = await project({
      'size.yaml':
        'name: size\ninputs:\n  notes: { repo: notes, glob: "/" }\nsteps:\n  size:\n    run: ./size.ts\n    inputs: [notes]\n    outputs: [bytes]\n',
      'size.ts': tsStep(
        "const { readFile } = await import('node:fs/promises');\nreturn { bytes: (await readFile(ctx.inputs.notes + '/n.txt')).length };",
      ),
    });
    expect((await sluice(['repo', 'create', 'notes'], dir)).code).toBe(0);
    const commits: string[] = [];
    for (const text of ['a', 'bb', 'ccc', 'dddd']) {
      await writeFile(join(dir, 'n.txt'), text);
      const real = await sluice(['put', 'notes', 'n.txt', '--json', '--no-trigger'], dir);
      expect(real.code, real.stderr).toBe(0);
      commits.push((JSON.parse(real.stdout) as { commit: { id: string } }).commit.id);
    }
    expect((await sluice(['pipeline', 'create', 'size.yaml', '--no-run'], dir)).code).toBe(0);
    const result = await sluice(
      ['backfill', 'size', '--from', commits[1]!, '--to', commits[3]!, '--json'],
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { runs: { id: string; trigger: { commit: string } }[] };
    expect(report.runs.map((run) => run.trigger.commit)).toEqual(commits.slice(1));
    const sizes = [];
    for (const run of report.runs) {
      const shown = JSON.parse((await sluice(['show', run.id, '--json'], dir)).stdout) as { run: ApiRun };
      sizes.push(shown.run.outputs);
    }
    expect(sizes).toEqual([{ bytes: [2] }, { bytes: [3] }, { bytes: [4] }]);
  });

  it('explains a range that does not fit the pipeline', async () => {
    const dir = await project({ 'pipeline.yaml': SPEC, 'greet.ts': greet('hi') });
    expect((await sluice(['pipeline', 'create', 'pipeline.yaml'], dir)).code).toBe(0);
    const result = await sluice(['backfill', 'greeter', '--from', '2026-11-01', '--to', '2026-11-02'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no cron trigger/);
  });
});
