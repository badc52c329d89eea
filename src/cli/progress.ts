/**
 * Live progress of a run: on a terminal, one redrawn line per step with a bar and counts;
 * elsewhere, plain lines as steps finish or fail, so logs of CI jobs stay readable.
 */
import { pc } from './colors.js';
import type { RunEvent } from '../engine/index.js';
import type { TaskStatus } from '../store/index.js';

interface StepProgress {
  total: number;
  done: number;
  skipped: number;
  failed: number;
  running: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  announced: boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Draws progress for the steps of one run on `write` (stderr). */
export class ProgressView {
  readonly #steps = new Map<string, StepProgress>();
  readonly #status = new Map<string, TaskStatus>();
  readonly #tty: boolean;
  readonly #write: (text: string) => void;
  #drawn = 0;
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(steps: string[], options: { tty: boolean; write: (text: string) => void }) {
    this.#tty = options.tty;
    this.#write = options.write;
    for (const step of steps) {
      this.#steps.set(step, {
        total: 0,
        done: 0,
        skipped: 0,
        failed: 0,
        running: 0,
        startedAt: undefined,
        finishedAt: undefined,
        announced: false,
      });
    }
  }

  /** Starts redrawing (on a terminal); call after printing anything that should stay above. */
  begin(): void {
    if (!this.#tty || this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => this.#draw(), 100);
    this.#timer.unref();
  }

  /** Feeds one run event. */
  onEvent(event: RunEvent): void {
    if (event.type !== 'task') return;
    const step = this.#steps.get(event.step);
    if (!step) return;
    const key = `${event.step}\0${event.datum}`;
    const previous = this.#status.get(key);
    this.#status.set(key, event.status);
    if (previous === undefined) step.total += 1;
    if (previous === 'running') step.running -= 1;
    const status: TaskStatus = event.status;
    switch (status) {
      case 'running':
        step.running += 1;
        step.startedAt ??= Date.now();
        break;
      case 'success':
        step.done += 1;
        break;
      case 'skipped':
        step.done += 1;
        step.skipped += 1;
        break;
      case 'failed':
      case 'upstream_failed':
      case 'cancelled':
        step.failed += 1;
        if (!this.#tty && event.status === 'failed') {
          const where = event.datum ? ` datum ${event.datum}` : '';
          this.#write(`✗ ${event.step}${where} failed: ${event.error?.message ?? 'unknown error'}\n`);
        }
        break;
      case 'pending':
        break;
      default: {
        const never: never = status;
        throw new Error(`unknown task status ${String(never)}`);
      }
    }
    if (step.done + step.failed === step.total && step.running === 0 && step.total > 0) {
      step.finishedAt = Date.now();
      if (!this.#tty && !step.announced && step.failed === 0) {
        step.announced = true;
        const cached = step.skipped > 0 ? `, ${step.skipped} cached` : '';
        const count = step.total > 1 ? ` ${step.total} datums${cached}` : cached ? ' (cached)' : '';
        this.#write(
          `✓ ${event.step}${count} ${formatSeconds((step.finishedAt - (step.startedAt ?? step.finishedAt)) / 1000)}\n`,
        );
      }
    }
  }

  /** Draws the final state once and stops redrawing; later calls do nothing. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#tty) this.#draw();
  }

  #draw(): void {
    this.#frame = (this.#frame + 1) % FRAMES.length;
    const width = Math.max(...[...this.#steps.keys()].map((name) => name.length), 4);
    const lines: string[] = [];
    for (const [name, step] of this.#steps) {
      const ratio = step.total === 0 ? 0 : (step.done + step.failed) / step.total;
      const filled = Math.round(ratio * 20);
      const bar = '█'.repeat(filled) + '░'.repeat(20 - filled);
      const icon =
        step.failed > 0
          ? pc.red('✗')
          : step.total > 0 && step.done === step.total
            ? pc.green('✓')
            : step.running > 0
              ? pc.cyan(FRAMES[this.#frame] ?? '·')
              : pc.dim('·');
      const elapsed =
        step.startedAt === undefined
          ? ''
          : formatSeconds(((step.finishedAt ?? Date.now()) - step.startedAt) / 1000);
      const extra = [
        step.running > 0 ? `${step.running} running` : '',
        step.skipped > 0 ? `${step.skipped} cached` : '',
        step.failed > 0 ? pc.red(`${step.failed} failed`) : '',
      ]
        .filter(Boolean)
        .join(', ');
      const count = step.total === 0 ? pc.dim('waiting for inputs') : `${step.done}/${step.total}`;
      lines.push(`${icon} ${name.padEnd(width)} ${bar} ${count} ${elapsed} ${extra}`.trimEnd());
    }
    const up = this.#drawn > 0 ? `\x1b[${this.#drawn}F` : '';
    this.#write(`${up}${lines.map((line) => `\x1b[2K${line}`).join('\n')}\n`);
    this.#drawn = lines.length;
  }
}

/** `0.42s`, `12.3s`, `2m05s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)}s`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
