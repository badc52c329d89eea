/** Shared helpers for integration tests: temp projects and running the CLI in-process. */
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { main } from '../src/cli/index.js';

/** A temporary folder holding `files` (path -> content); removed by `cleanup()`. */
export async function tempProject(
  files: Record<string, string> = {},
): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-test-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content, {
      mode: path.endsWith('.sh') || path.endsWith('.py') ? 0o755 : 0o644,
    });
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A `project(files)` function for a test file: each call makes a {@link tempProject},
 * removed after the test that made it.
 */
export function tempProjects(): (files: Record<string, string>) => Promise<string> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  return async (files) => {
    const { dir, cleanup } = await tempProject(files);
    cleanups.push(cleanup);
    return dir;
  };
}

/** What a CLI invocation printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `sluice ...args` in-process with `cwd`, capturing its output (no TTY, no colour). */
export async function sluice(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    tty: false,
    env: { ...process.env, NO_COLOR: '1', SLUICE_HOME: join(cwd, '.sluice'), ...env },
    cwd,
  });
  return { code, stdout, stderr };
}

/** A TS step module returning `body` (an expression over `ctx`) as its outputs. */
export function tsStep(body: string): string {
  return `export default async function (ctx) {\n${body}\n}\n`;
}
