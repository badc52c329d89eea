/**
 * Produce and consume rates of topics, for the API and the UI: every `intervalMs` each
 * topic's last seq and each group's ack floor are sampled; a rate is the change between two
 * samples per second. The last hour is kept in memory (the server's, not the store's).
 */
import type { Logger } from '../core/index.js';
import type { Topics } from '../streams/index.js';

/** One point of a topic's rates, in messages per second. */
export interface RatePoint {
  time: string;
  produced: number;
  consumed: Record<string, number>;
}

interface Sample {
  at: number;
  lastSeq: number;
  floors: Map<string, number>;
}

/** Samples the rates of every topic until stopped. */
export class TopicRates {
  readonly #topics: Topics;
  readonly #intervalMs: number;
  readonly #keep: number;
  readonly #logger: Logger | undefined;
  readonly #last = new Map<string, Sample>();
  readonly #points = new Map<string, RatePoint[]>();
  #timer: NodeJS.Timeout | undefined;
  #sampling = false;

  constructor(topics: Topics, options: { intervalMs?: number; keepMs?: number; logger?: Logger } = {}) {
    this.#topics = topics;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#keep = Math.ceil((options.keepMs ?? 3_600_000) / this.#intervalMs);
    this.#logger = options.logger;
  }

  start(): void {
    if (this.#timer) return;
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The points of `topic`, oldest first (empty before two samples). */
  of(topic: string): RatePoint[] {
    return this.#points.get(topic) ?? [];
  }

  /** Takes one sample of every topic now. */
  async sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const infos = await this.#topics.list();
      const now = Date.now();
      const names = new Set(infos.map((info) => info.name));
      for (const name of [...this.#last.keys()]) {
        if (!names.has(name)) {
          this.#last.delete(name);
          this.#points.delete(name);
        }
      }
      for (const info of infos) {
        const sample: Sample = {
          at: now,
          lastSeq: info.lastSeq,
          floors: new Map(info.groups.map((group) => [group.name, group.ackFloor])),
        };
        const previous = this.#last.get(info.name);
        this.#last.set(info.name, sample);
        if (!previous) continue;
        const seconds = (now - previous.at) / 1000;
        if (seconds <= 0) continue;
        const consumed: Record<string, number> = {};
        for (const [group, floor] of sample.floors) {
          consumed[group] = Math.max(0, floor - (previous.floors.get(group) ?? floor)) / seconds;
        }
        const points = this.#points.get(info.name) ?? [];
        points.push({
          time: new Date(now).toISOString(),
          produced: Math.max(0, sample.lastSeq - previous.lastSeq) / seconds,
          consumed,
        });
        if (points.length > this.#keep) points.splice(0, points.length - this.#keep);
        this.#points.set(info.name, points);
      }
    } catch (error) {
      this.#logger?.warn({ err: error }, 'topic rates: sampling failed');
    } finally {
      this.#sampling = false;
    }
  }
}
