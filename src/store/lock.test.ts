import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockHeldError, acquireHomeLock, readHomeLock } from './lock.js';

describe('the data-directory lock', () => {
  it('refuses a second owner while a live process holds the lock, naming it', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sluice-lock-'));
    // Another process owns the directory: a lock file naming a live child's pid.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(
        join(home, 'lock'),
        JSON.stringify({
          pid: child.pid,
          hostname: 'h',
          startedAt: '2026-01-01T00:00:00Z',
          command: 'sluice run x.yaml',
        }),
      );
      const error = await acquireHomeLock(home).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as LockHeldError).message).toBe(
        `the Sluice data directory ${home} is in use by process ${child.pid} (sluice run x.yaml, since 2026-01-01T00:00:00Z); wait for it to finish, stop it, or use another --home`,
      );
      expect((await readHomeLock(home))?.pid).toBe(child.pid);
    } finally {
      child.kill();
    }
  });

  it('takes over a stale lock whose process is dead, and releases only its own lock', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sluice-lock-'));
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(join(home, 'lock'), JSON.stringify({ pid: child.pid, hostname: 'h', startedAt: 'then' }));
    expect(await readHomeLock(home)).toBeUndefined();
    const lock = await acquireHomeLock(home);
    expect(JSON.parse(await readFile(join(home, 'lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.update({ socket: '/x.sock' });
    expect((await readHomeLock(home))?.socket).toBe('/x.sock');
    await lock.release();
    expect(existsSync(join(home, 'lock'))).toBe(false);
  });
});
