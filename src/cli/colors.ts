/**
 * Colours for the CLI's output, on only when the command's own terminal wants them
 * (stderr is a TTY, no NO_COLOR, TERM is not dumb) — not whatever picocolors guesses from
 * the process environment (it turns colour on whenever `CI` is set, even into a pipe).
 */
import picocolors from 'picocolors';

type Colors = ReturnType<typeof picocolors.createColors>;

let current: Colors = picocolors.createColors(false);

/** Sets whether the CLI colours its output; `main` calls it once per command. */
export function useColors(enabled: boolean): void {
  current = picocolors.createColors(enabled);
}

/** The current colour functions (`pc.red(text)`); plain text while colour is off. */
export const pc: Colors = new Proxy({} as Colors, {
  get: (_target, key) => current[key as keyof Colors],
});
