/**
 * The engine's structured logger (pino). Only `cli/` and `server/` decide where it writes;
 * everything below receives a logger as an option and defaults to a silent one.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** A logger that drops everything: the default collaborator in library code and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger writing JSON lines to a file (created with its folder) at `level`. */
export function fileLogger(path: string, level: string): Logger {
  return pino({ level }, pino.destination({ dest: path, mkdir: true, sync: false }));
}
