/**
 * Versioned data through the CLI: repos, commits, paths that must not escape, datums and
 * incremental runs, registered pipelines with commit triggers, provenance and lineage,
 * datum states and restarts.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, tempProjects, tsStep } from './helpers.js';

const project = tempProjects();

async function ok(args: string[], cwd: string): Promise<string> {
  const result = await sluice(args, cwd);
  if (result.code !== 0) throw new Error(`sluice ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

async function okJson<T = Record<string, unknown>>(args: string[], cwd: string): Promise<T> {
  return JSON.parse(await ok([...args, '--json'], cwd)) as T;
}

const SIZES = `
name: sizes
inputs:
  files: { repo: docs, glob: "/*/*" }
steps:
  measure:
    run: ./measure.ts
    inputs: [files]
    outputs: [size]
    parallelism: 4
  total:
    run: ./total.ts
    inputs: ["size[]"]
    outputs: [total]
outputs: [size, total]
`;

const MEASURE = `
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
export default async function (ctx) {
  let size = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const text = readFileSync(path, 'utf8');
        if (text.includes('FAIL') && existsSync(join(ctx.pipelineDir, 'broken'))) throw new Error('cannot measure ' + entry.name);
        size += text.length;
      }
    }
  };
  walk(ctx.inputs.files);
  return { size };
}
`;

describe('repos', { timeout: 300_000 }, () => {
  it('puts folders, files and stdin as commits; ls, get, log, diff, rm and branches', async () => {
    const dir = await project({
      'data/a/1.txt': 'one',
      'data/a/2.txt': 'two',
      'data/b/3.txt': 'three',
      'x.txt': 'X',
    });
    await ok(['repo', 'create', 'docs'], dir);
    const first = await okJson<{ commit: { id: string; added: number } }>(
      ['put', 'docs', 'data', '--to', '/in'],
      dir,
    );
    expect(first.commit.added).toBe(3);
    expect(await ok(['ls', 'docs'], dir)).toMatch(/\/in\/ +\(3 files\)/);
    expect((await okJson<unknown[]>(['ls', 'docs:/in/a'], dir)).length).toBe(2);
    const second = await okJson<{ commit: { id: string } }>(['put', 'docs', 'x.txt', '--to', '/in/a/'], dir);
    await ok(['get', 'docs:/in/a/x.txt', '-o', 'got.txt'], dir);
    expect(await readFile(join(dir, 'got.txt'), 'utf8')).toBe('X');
    await ok(['get', `docs@${first.commit.id}:/in`, '-o', 'tree'], dir);
    expect(await readFile(join(dir, 'tree', 'b', '3.txt'), 'utf8')).toBe('three');

    const stdin = spawnSync(
      process.execPath,
      [
        join(import.meta.dirname, '..', 'bin', 'sluice.js'),
        'put',
        'docs',
        '-',
        '--to',
        '/in/c.txt',
        '-m',
        'from stdin',
      ],
      {
        cwd: dir,
        input: 'piped',
        env: { ...process.env, SLUICE_HOME: join(dir, '.sluice'), NO_COLOR: '1' },
        encoding: 'utf8',
      },
    );
    expect(stdin.status, stdin.stderr).toBe(0);
    const log = await okJson<{ id: string; message: string }[]>(['log', 'docs'], dir);
    expect(log.map((commit) => commit.message)).toEqual(['from stdin', 'put /in/a/x.txt', 'put 3 files']);

    const removed = await okJson<{ commit: { removed: number } }>(['rm', 'docs:/in/b'], dir);
    expect(removed.commit.removed).toBe(1);
    const diff = await okJson<{ path: string; before: unknown; after: unknown }[]>(
      ['diff', 'docs', first.commit.id, 'main'],
      dir,
    );
    expect(diff.map((entry) => [entry.path, entry.before !== null, entry.after !== null])).toEqual([
      ['/in/a/x.txt', false, true],
      ['/in/b/3.txt', true, false],
      ['/in/c.txt', false, true],
    ]);
    // The old commit is unchanged: immutable.
    expect((await okJson<unknown[]>(['ls', '-r', `docs@${second.commit.id}:/in`], dir)).length).toBe(4);

    await ok(['branch', 'create', 'docs@dev', '--from', first.commit.id], dir);
    await ok(['put', 'docs@dev', 'x.txt', '--to', '/dev-only.txt'], dir);
    expect((await okJson<unknown[]>(['ls', '-r', 'docs@dev'], dir)).length).toBe(4);
    expect((await okJson<unknown[]>(['ls', '-r', 'docs'], dir)).length).toBe(4);
    expect(
      (await okJson<{ name: string }[]>(['branch', 'list', 'docs'], dir)).map((branch) => branch.name),
    ).toEqual(['dev', 'main']);

    const missing = await sluice(['ls', 'docs:/nope'], dir);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/\[PATH_NOT_FOUND\].*'\/nope'/);
    expect((await sluice(['ls', 'nothere'], dir)).stderr).toMatch(
      /\[REPO_NOT_FOUND\] repo 'nothere' does not exist; repos: docs/,
    );
    expect((await sluice(['repo', 'create', 'docs'], dir)).code).toBe(6);
  });

  it.each([
    ['a parent segment', ['--to', '../outside.txt'], /'\.\.'/],
    ['a parent segment deeper in', ['--to', '/in/../../etc/passwd'], /'\.\.'/],
    ['percent-encoded dots', ['--to', '/%2e%2e/etc'], /the escape '%2e' decodes to "\."/],
    ['double-encoded dots', ['--to', '/%252e%252e/etc'], /double encoding/],
    ['an encoded slash', ['--to', '/a%2f..%2fb'], /the escape '%2f' decodes to "\/"/],
    ['a backslash', ['--to', '..\\windows'], /backslash/],
    ['a Windows drive', ['--to', 'C:\\Windows'], /drive|backslash/],
  ])('refuses %s in a destination path, committing nothing', async (_what, flags, message) => {
    const dir = await project({ 'x.txt': 'X' });
    await ok(['repo', 'create', 'docs'], dir);
    const result = await sluice(['put', 'docs', 'x.txt', ...flags], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\[INVALID_PATH\]/);
    expect(result.stderr).toMatch(message);
    expect(await okJson<unknown[]>(['log', 'docs'], dir)).toEqual([]);
  });

  it('refuses escaping paths when reading, and symlinks in an uploaded tree', async () => {
    const dir = await project({ 'tree/ok.txt': 'fine', 'secret.txt': 'secret' });
    await ok(['repo', 'create', 'docs'], dir);
    await ok(['put', 'docs', 'tree'], dir);
    for (const target of ['docs:/../secret.txt', 'docs:%2e%2e/x', 'docs:/a/..']) {
      const result = await sluice(['get', target, '-o', 'out'], dir);
      expect(result.code, target).toBe(2);
      expect(result.stderr).toMatch(/\[INVALID_PATH\]/);
    }
    await mkdir(join(dir, 'tree', 'sub'));
    await symlink(join(dir, 'secret.txt'), join(dir, 'tree', 'sub', 'link.txt'));
    const result = await sluice(['put', 'docs', 'tree'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /link\.txt is a symbolic link; uploaded trees may not contain symlinks \(nothing was put\)/,
    );
    expect((await okJson<unknown[]>(['log', 'docs'], dir)).length).toBe(1);
  });
});

describe('datums and registered pipelines', { timeout: 300_000 }, () => {
  it('splits repo heads into datums and re-runs only new ones; outputs are committed with provenance', async () => {
    const files: Record<string, string> = {
      'pipeline.yaml': SIZES,
      'measure.ts': MEASURE,
      'total.ts': tsStep('return { total: ctx.inputs.size.reduce((a, b) => a + b, 0) };'),
    };
    for (let index = 0; index < 10_000; index += 1) {
      files[`data/d${String(index % 100).padStart(2, '0')}/f${String(index).padStart(5, '0')}.txt`] =
        'x'.repeat(1 + (index % 3));
    }
    const dir = await project(files);
    await ok(['repo', 'create', 'docs'], dir);
    await ok(['put', 'docs', 'data', '-q'], dir);
    const first = await okJson<{ status: string; outputs: { total: number }; outputCommit: string }>(
      ['run', 'pipeline.yaml'],
      dir,
    );
    expect(first.status).toBe('succeeded');
    expect(first.outputs.total).toBe(19_999);

    await writeFile(join(dir, 'new.txt'), 'four');
    await ok(['put', 'docs', 'new.txt', '--to', '/d00/'], dir);
    const second = await okJson<{
      runId: string;
      outputs: { total: number; size: number[] };
      outputCommit: string;
      inputCommits: { commit: string }[];
    }>(['run', 'pipeline.yaml'], dir);
    expect(second.outputs.total).toBe(20_003);
    const datums = await okJson<{ counts: Record<string, Record<string, number>> }>(
      ['datums', second.runId],
      dir,
    );
    // Exactly one datum ran; every other one was skipped, and the counts add up.
    expect(datums.counts.measure).toEqual({ total: 10_001, success: 1, skipped: 10_000 });

    const log = await okJson<
      {
        id: string;
        provenance: { pipeline: string; runId: string; inputs: { repo: string; commit: string }[] };
      }[]
    >(['log', 'sizes'], dir);
    expect(log[0]?.id).toBe(second.outputCommit);
    expect(log[0]?.provenance).toMatchObject({
      pipeline: 'sizes',
      runId: second.runId,
      inputs: [{ repo: 'docs', commit: second.inputCommits[0]?.commit }],
    });
    await ok(['get', 'sizes:/total.json', '-o', 'total.json'], dir);
    expect(JSON.parse(await readFile(join(dir, 'total.json'), 'utf8'))).toBe(20_003);
    const lineage = await okJson<{ upstream: { repo: string; commit: string }[] }>(
      ['lineage', `sizes@${second.outputCommit}`],
      dir,
    );
    expect(lineage.upstream).toMatchObject([{ repo: 'docs', commit: second.inputCommits[0]?.commit }]);
    const derived = await okJson<{ downstream: { repo: string; commit: string }[] }>(
      ['lineage', `docs@${second.inputCommits[0]?.commit}`],
      dir,
    );
    expect(derived.downstream).toMatchObject([{ repo: 'sizes', commit: second.outputCommit }]);
  });

  it('runs registered pipelines on commits, versions updates and re-runs only changed steps', async () => {
    const dir = await project({
      'pipeline.yaml': SIZES,
      'measure.ts': MEASURE,
      'total.ts': tsStep('return { total: ctx.inputs.size.reduce((a, b) => a + b, 0) };'),
      'data/a/1.txt': 'one',
      'data/b/2.txt': 'two',
      'more.txt': 'three',
    });
    await ok(['repo', 'create', 'docs'], dir);
    // No data yet: registered, nothing runs.
    const created = await okJson<{ pipeline: { version: number }; run: null }>(
      ['pipeline', 'create', 'pipeline.yaml'],
      dir,
    );
    expect(created).toMatchObject({ pipeline: { version: 1 }, run: null });
    // A commit triggers it.
    const put = await okJson<{ triggered: { pipeline: string; status: string; outputCommit: string }[] }>(
      ['put', 'docs', 'data'],
      dir,
    );
    expect(put.triggered).toMatchObject([{ pipeline: 'sizes', status: 'succeeded' }]);
    const put2 = await okJson<{ triggered: { runId: string }[] }>(
      ['put', 'docs', 'more.txt', '--to', '/c/'],
      dir,
    );
    const runId = put2.triggered[0]?.runId ?? '';
    expect(
      (await okJson<{ counts: Record<string, Record<string, number>> }>(['datums', runId], dir)).counts
        .measure,
    ).toEqual({ total: 3, success: 1, skipped: 2 });

    // Only `total` changes: `measure` keeps its results.
    await writeFile(
      join(dir, 'total.ts'),
      tsStep('return { total: 1000 + ctx.inputs.size.reduce((a, b) => a + b, 0) };'),
    );
    const updated = await okJson<{ runId: string; outputs: { total: number } }>(
      ['pipeline', 'update', 'pipeline.yaml'],
      dir,
    );
    expect(updated.outputs.total).toBe(1011);
    const counts = (
      await okJson<{ counts: Record<string, Record<string, number>> }>(['datums', updated.runId], dir)
    ).counts;
    expect(counts.measure).toEqual({ total: 3, skipped: 3 });
    expect(counts.total).toEqual({ total: 1, success: 1 });
    expect((await okJson<{ version: number }[]>(['pipeline', 'list'], dir))[0]?.version).toBe(2);

    const reprocessed = await okJson<{ runId: string }>(
      ['pipeline', 'update', 'pipeline.yaml', '--reprocess'],
      dir,
    );
    expect(
      (await okJson<{ counts: Record<string, Record<string, number>> }>(['datums', reprocessed.runId], dir))
        .counts.measure,
    ).toEqual({ total: 3, success: 3 });

    await ok(['pipeline', 'delete', 'sizes'], dir);
    const after = await okJson<{ triggered: unknown[] }>(['put', 'docs', 'more.txt', '--to', '/d/'], dir);
    expect(after.triggered).toEqual([]);
  });

  it('lists failed datums with their errors and restarts them on the same input commits', async () => {
    const dir = await project({
      'pipeline.yaml': SIZES,
      'measure.ts': MEASURE,
      'total.ts': tsStep('return { total: ctx.inputs.size.reduce((a, b) => a + b, 0) };'),
      'data/a/1.txt': 'one',
      'data/b/2.txt': 'FAIL',
      'data/c/3.txt': 'FAIL too',
      broken: 'the measuring device is broken',
      'fixed.txt': 'fine',
    });
    await ok(['repo', 'create', 'docs'], dir);
    await ok(['put', 'docs', 'data'], dir);
    const run = await sluice(['run', 'pipeline.yaml', '--json'], dir);
    expect(run.code).toBe(1);
    const runId = (JSON.parse(run.stdout) as { runId: string }).runId;
    const listed = await okJson<{
      counts: Record<string, Record<string, number>>;
      datums: { datum: string; state: string; error: { message: string } | null }[];
    }>(['datums', runId, '--state', 'failed'], dir);
    expect(listed.counts.measure).toEqual({ total: 3, success: 1, failed: 2 });
    expect(listed.datums.map((datum) => [datum.datum, datum.error?.message])).toEqual([
      ['/b/2.txt', expect.stringContaining('cannot measure 2.txt')],
      ['/c/3.txt', expect.stringContaining('cannot measure 3.txt')],
    ]);
    const text = await ok(['datums', runId], dir);
    expect(text).toMatch(/measure +3 datums: 1 success, 2 failed/);

    // The cause is fixed, and new data arrives; a restart still reads the run's own input commit.
    await rm(join(dir, 'broken'));
    await ok(['put', 'docs', 'fixed.txt', '--to', '/d/4.txt'], dir);
    const restarted = await sluice(['restart-datum', runId, '/b/2.txt', '--json'], dir);
    // /c/3.txt was not named: left out, so the run still lacks its outputs.
    expect(restarted.code).toBe(1);
    const restartId = (JSON.parse(restarted.stdout) as { runId: string }).runId;
    const again = await okJson<{ counts: Record<string, Record<string, number>> }>(
      ['datums', restartId],
      dir,
    );
    expect(again.counts.measure).toEqual({ total: 3, skipped: 1, success: 1, cancelled: 1 });
    const all = await okJson<{ runId: string; status: string; outputs: { total: number } }>(
      ['restart-datum', runId],
      dir,
    );
    expect(all.status).toBe('succeeded');
    expect(all.outputs.total).toBe(3 + 4 + 8);
    const bad = await sluice(['restart-datum', runId, '/a/1.txt'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/did not fail/);
    expect((await sluice(['restart-datum', runId, '/zz'], dir)).stderr).toMatch(/\[DATUM_NOT_FOUND\]/);
  });

  it('joins two repos on a captured name: each step sees the matched files under their member names', async () => {
    const dir = await project({
      'pipeline.yaml': `
name: pairs
inputs:
  matched:
    join:
      images: { repo: images, glob: "/(*).txt", join_on: "$1" }
      labels: { repo: labels, glob: "/(*).label", join_on: "$1" }
steps:
  pair:
    run: ./pair.ts
    inputs: [matched]
    outputs: [pair]
outputs: [pair]
`,
      'pair.ts': `
import { readdirSync } from 'node:fs';
export default async function (ctx) {
  const files = readdirSync(ctx.inputs.matched, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.parentPath.slice(ctx.inputs.matched.length + 1) + '/' + entry.name)
    .sort();
  return { pair: files.join(' ') };
}
`,
      'images/a.txt': 'A',
      'images/b.txt': 'B',
      'images/c.txt': 'C',
      'labels/a.label': 'cat',
      'labels/b.label': 'dog',
    });
    for (const repo of ['images', 'labels']) {
      await ok(['repo', 'create', repo], dir);
      await ok(['put', repo, repo], dir);
    }
    const run = await okJson<{ runId: string; outputs: { pair: string[] } }>(['run', 'pipeline.yaml'], dir);
    expect(run.outputs.pair).toEqual(['images/a.txt labels/a.label', 'images/b.txt labels/b.label']);
    const datums = await okJson<{ datums: { datum: string }[] }>(
      ['datums', run.runId, '--state', 'success'],
      dir,
    );
    expect(datums.datums.map((datum) => datum.datum)).toEqual([
      'on=a|images:/a.txt|labels:/a.label',
      'on=b|images:/b.txt|labels:/b.label',
    ]);
  });
});
