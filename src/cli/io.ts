/**
 * Where a command writes: results to stdout, progress and errors to stderr. Passed to every
 * command so tests can run the CLI in-process and read what a user would see.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (live progress) and colour is allowed. */
  tty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The process's own streams. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    tty: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Pretty JSON with a final newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Resolves with the first SIGTERM or SIGINT. A terminal's Ctrl-C reaches every process of
 * the group, and wrappers such as `npm run demo` forward signals too: repeats are ignored.
 */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) return;
      received = true;
      done(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
