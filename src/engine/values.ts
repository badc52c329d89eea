/**
 * The values a run has published so far: once-values by name, per-datum values by name and
 * datum key, and the datum keys each origin has. Everything a step reads comes from here.
 */
import { hashValue } from '../core/index.js';
import type { Pipeline, StepSpec, ValueSpec } from '../spec/index.js';

/** A published value with the hash of its canonical JSON (file sets hash by content). */
export interface Published {
  value: unknown;
  hash: string;
}

/** The resolved inputs of one task, and what its execution key is made of. */
export interface TaskInputs {
  values: Record<string, unknown>;
  /** `name=hash` per input, sorted by name. */
  hashes: string[];
}

/** Keys for `count` scattered elements: zero-padded indices, so they sort as numbers do. */
export function datumKeys(count: number): string[] {
  const width = String(Math.max(count - 1, 0)).length;
  return Array.from({ length: count }, (_, index) => String(index).padStart(width, '0'));
}

/** Published values of one run. */
export class ValueTable {
  readonly #pipeline: Pipeline;
  readonly #once = new Map<string, Published>();
  readonly #perDatum = new Map<string, Map<string, Published>>();
  readonly #keys = new Map<string, string[]>();
  /** Per-datum values whose every datum is published. */
  readonly #complete = new Set<string>();

  constructor(pipeline: Pipeline) {
    this.#pipeline = pipeline;
  }

  spec(name: string): ValueSpec {
    const spec = this.#pipeline.values[name];
    if (!spec) throw new Error(`unknown value '${name}'`);
    return spec;
  }

  /** Publishes a value that exists once. */
  publishOnce(name: string, value: unknown, hash = hashValue(value)): void {
    this.#once.set(name, { value, hash });
  }

  /** Publishes one datum of a per-datum value. */
  publishDatum(name: string, key: string, value: unknown, hash = hashValue(value)): void {
    let datums = this.#perDatum.get(name);
    if (!datums) {
      datums = new Map();
      this.#perDatum.set(name, datums);
    }
    datums.set(key, { value, hash });
  }

  /** Records the datum keys of an origin (once its scatter or input listing is known). */
  setKeys(origin: string, keys: string[]): void {
    this.#keys.set(origin, keys);
  }

  keys(origin: string): string[] | undefined {
    return this.#keys.get(origin);
  }

  markComplete(name: string): void {
    this.#complete.add(name);
  }

  /** Whether a value is fully available: once-values published, per-datum values complete. */
  isAvailable(name: string): boolean {
    const spec = this.spec(name);
    return spec.origin === null ? this.#once.has(name) : this.#complete.has(name);
  }

  /** The gathered form of a per-datum value: its datums ordered by key. */
  gathered(name: string): Published[] {
    const origin = this.spec(name).origin;
    const datums = this.#perDatum.get(name);
    const keys = origin === null ? [] : (this.#keys.get(origin) ?? []);
    return keys.map((key) => {
      const published = datums?.get(key);
      if (!published) throw new Error(`datum '${key}' of '${name}' is not published`);
      return published;
    });
  }

  /** A run-level view of a value: once-values as they are, per-datum values gathered. */
  valueOf(name: string): unknown {
    const spec = this.spec(name);
    if (spec.origin === null) return this.#once.get(name)?.value;
    return this.gathered(name).map((published) => published.value);
  }

  /**
   * The inputs of `step` for datum `key`, or `undefined` when one is not available yet.
   * Gathered inputs become arrays ordered by datum key.
   */
  resolveInputs(step: StepSpec, key: string): TaskInputs | undefined {
    const values: Record<string, unknown> = {};
    const hashes: string[] = [];
    for (const input of step.inputs) {
      const spec = this.spec(input.name);
      let published: Published | undefined;
      if (input.gather) {
        if (!this.#complete.has(input.name)) return undefined;
        const list = this.gathered(input.name);
        published = { value: list.map((item) => item.value), hash: hashValue(list.map((item) => item.hash)) };
      } else if (spec.origin === null) {
        published = this.#once.get(input.name);
      } else {
        published = this.#perDatum.get(input.name)?.get(key);
      }
      if (!published) return undefined;
      values[input.name] = published.value;
      hashes.push(`${input.gather ? `${input.name}[]` : input.name}=${published.hash}`);
    }
    hashes.sort();
    return { values, hashes };
  }
}
