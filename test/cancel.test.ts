/**
 * Cancelling a run from another "shell" (through the owner's control socket), and the data
 * directory lock that keeps a second process out.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sluice, tempProject, tsStep } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const SLOW_PIPELINE = {
  'pipeline.yaml': `
name: slow
steps:
  sleep:
    run: { command: [sh, sleep.sh] }
    outputs: [done]
  after:
    run: ./after.ts
    inputs: [done]
    outputs: [final]
`,
  'sleep.sh': 'echo started\nsleep 30\necho \'{"done": true}\' > "$SLUICE_OUTPUTS"\n',
  'after.ts': tsStep('return { final: 1 };'),
};

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (process.env.DEBUG_WAIT) console.log(what, i, value);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('cancellation', () => {
  it('`sluice cancel RUN` from another shell stops running attempts and records the run as cancelled', async () => {
    const { dir, cleanup } = await tempProject(SLOW_PIPELINE);
    cleanups.push(cleanup);
    const running = sluice(['run', 'pipeline.yaml'], dir);
    const runId = await waitFor(async () => {
      const runs = await sluice(['runs', '--json'], dir);
      if (runs.code !== 0) return undefined;
      const list = JSON.parse(runs.stdout) as { id: string; status: string }[];
      return list.find((run) => run.status === 'running')?.id;
    }, 'the run to start');
    await waitFor(async () => {
      const logs = await sluice(['logs', runId], dir);
      return logs.stdout.includes('started') ? true : undefined;
    }, 'the command to start');
    const started = Date.now();
    const cancel = await sluice(['cancel', runId.slice(0, 6)], dir);
    expect(cancel.stdout).toBe(`run ${runId} cancelled\n`);
    const result = await running;
    expect(result.code).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000);
    const show = JSON.parse((await sluice(['show', runId, '--json'], dir)).stdout) as {
      run: { status: string };
      tasks: { step: string; status: string }[];
    };
    expect(show.run.status).toBe('cancelled');
    expect(show.tasks.map((task) => [task.step, task.status])).toEqual([
      ['sleep', 'cancelled'],
      ['after', 'cancelled'],
    ]);
  });

  it('Ctrl-C (SIGINT) cancels the run of a real `sluice` process', async () => {
    const { dir, cleanup } = await tempProject(SLOW_PIPELINE);
    cleanups.push(cleanup);
    const bin = join(import.meta.dirname, '..', 'bin', 'sluice.js');
    expect(
      existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'main.js')),
      'run `npm run build` first',
    ).toBe(true);
    const child = spawn(process.execPath, [bin, 'run', 'pipeline.yaml'], {
      cwd: dir,
      env: { ...process.env, SLUICE_HOME: join(dir, '.sluice') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitFor(async () => (stderr.includes('started;') ? true : undefined), 'the run to start');
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('cancelling the run');
    const runs = JSON.parse((await sluice(['runs', '--json'], dir)).stdout) as { status: string }[];
    expect(runs[0]?.status).toBe('cancelled');
  });

  it('`sluice logs -f` from another shell follows a running run until it ends', async () => {
    const { dir, cleanup } = await tempProject({
      'pipeline.yaml': `
name: ticker
steps:
  tick:
    run: { command: [sh, tick.sh] }
    outputs: [done]
`,
      'tick.sh':
        'for i in 1 2 3 4 5; do echo "tick $i"; sleep 0.3; done\necho \'{"done": true}\' > "$SLUICE_OUTPUTS"\n',
    });
    cleanups.push(cleanup);
    const running = sluice(['run', 'pipeline.yaml'], dir);
    const runId = await waitFor(async () => {
      const runs = await sluice(['runs', '--json'], dir);
      return runs.code === 0 ? (JSON.parse(runs.stdout) as { id: string }[])[0]?.id : undefined;
    }, 'the run to start');
    const followed = await sluice(['logs', runId, '--follow'], dir);
    expect(followed.code).toBe(0);
    expect(followed.stdout.match(/tick \d/g)).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5']);
    expect((await running).code).toBe(0);
  });

  it('refuses a second process on a data directory in use, naming the owner', async () => {
    const { dir, cleanup } = await tempProject(SLOW_PIPELINE);
    cleanups.push(cleanup);
    const running = sluice(['run', 'pipeline.yaml'], dir);
    await waitFor(
      async () => (existsSync(join(dir, '.sluice', 'control.sock')) ? true : undefined),
      'the socket',
    );
    const second = await sluice(['run', 'pipeline.yaml'], dir);
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`in use by process ${process.pid}`);
    const runs = JSON.parse((await sluice(['runs', '--json'], dir)).stdout) as { id: string }[];
    await sluice(['cancel', runs[0]?.id ?? ''], dir);
    await running;
  });
});
