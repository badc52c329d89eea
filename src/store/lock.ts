/**
 * The data-directory lock. PGlite does not lock its files, and two processes writing one
 * directory silently lose writes, so a Sluice home has exactly one owner: the process whose
 * pid is in `<home>/lock`. The lock also tells other processes how to reach the owner
 * (its control socket). A lock whose pid is dead is stale and is taken over.
 */
import { open, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../core/index.js';

/** What the lock file holds. */
export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  [key: string]: unknown;
}

/** The data directory is owned by another live process. */
export class LockHeldError extends SluiceError {
  override readonly name = 'LockHeldError';
  readonly info: LockInfo;

  constructor(home: string, info: LockInfo) {
    const what = typeof info.command === 'string' ? `${info.command}, ` : '';
    super(
      'STORE_LOCKED',
      `the Sluice data directory ${home} is in use by process ${info.pid} (${what}since ${info.startedAt}); wait for it to finish, stop it, or use another --home`,
      { details: { home, owner: info } },
    );
    this.info = info;
  }
}

/** A held lock. */
export interface HomeLock {
  readonly path: string;
  /** Rewrites the lock's information (e.g. to add the control socket). */
  update(info: Record<string, unknown>): Promise<void>;
  /** Removes the lock if this process still owns it. */
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readInfo(path: string): Promise<LockInfo | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as LockInfo;
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The owner's lock info, when a live process owns `home`. */
export async function readHomeLock(home: string): Promise<LockInfo | undefined> {
  const info = await readInfo(join(home, 'lock'));
  return info && alive(info.pid) ? info : undefined;
}

/** Takes the lock of `home` (created if missing); throws {@link LockHeldError} when a live process holds it. */
export async function acquireHomeLock(home: string, extra: Record<string, unknown> = {}): Promise<HomeLock> {
  await mkdir(home, { recursive: true });
  const path = join(home, 'lock');
  let info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    ...extra,
  };
  const text = (): string => `${JSON.stringify(info)}\n`;
  for (let tries = 0; ; tries++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(text());
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 5) throw error;
      const holder = await readInfo(path);
      if (holder && alive(holder.pid) && holder.pid !== process.pid) throw new LockHeldError(home, holder);
      if (holder && holder.pid === process.pid) throw new LockHeldError(home, holder);
      // Stale (dead pid or unreadable): replace it atomically, then make sure we won.
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, text());
      await rename(temp, path);
      const now = await readInfo(path);
      if (now?.pid === process.pid) break;
    }
  }
  return {
    path,
    async update(more) {
      info = { ...info, ...more };
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, text());
      await rename(temp, path);
    },
    async release() {
      const now = await readInfo(path);
      if (now?.pid === process.pid) await rm(path, { force: true });
    },
  };
}
