/**
 * `sluice dev` as a user runs it, in a child process over a project folder, for the tests
 * that talk to it over HTTP or drive the web UI it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));

export interface Dev {
  url: string;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `sluice dev DIR --port 0 --json [args]` with its data in DIR/.sluice; resolves once
 * it serves.
 */
export async function startDev(
  dir: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<Dev> {
  const { args = [], env = {} } = options;
  const child = spawn(process.execPath, [BIN, 'dev', dir, '--port', '0', '--json', ...args], {
    cwd: dir,
    env: { ...process.env, SLUICE_HOME: join(dir, '.sluice'), NO_COLOR: '1', ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    exited.then((code) => {
      throw new Error(`sluice dev exited with ${code}: ${stderr}`);
    }),
  ]);
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    child,
    stderr: () => stderr,
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `probe` until it answers a value (every 100 ms, up to `timeoutMs`). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
