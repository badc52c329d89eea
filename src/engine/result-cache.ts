/**
 * Looks up stored results by execution key. Lookups that arrive in the same tick are sent
 * as one query, so 10,000 datums that become ready together cost one round trip; results
 * produced earlier in this process are answered from memory.
 */
import type { MetadataStore, ResultRecord } from '../store/index.js';

export class ResultCache {
  readonly #store: MetadataStore;
  readonly #local = new Map<string, Record<string, unknown>>();
  #pending = new Map<string, ((outputs: Record<string, unknown> | undefined) => void)[]>();
  #scheduled = false;

  constructor(store: MetadataStore) {
    this.#store = store;
  }

  /** Remembers a result produced in this process (it may not be flushed to the store yet). */
  remember(execKey: string, outputs: Record<string, unknown>): void {
    this.#local.set(execKey, outputs);
  }

  /** The outputs stored under `execKey`, if any. */
  lookup(execKey: string): Promise<Record<string, unknown> | undefined> {
    const local = this.#local.get(execKey);
    if (local) return Promise.resolve(local);
    return new Promise((resolve, reject) => {
      const waiting = this.#pending.get(execKey);
      if (waiting) waiting.push(resolve);
      else this.#pending.set(execKey, [resolve]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#drain().catch(reject);
        });
      }
    });
  }

  async #drain(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#scheduled = false;
    let found: Map<string, ResultRecord>;
    try {
      found = await this.#store.findResults([...batch.keys()]);
    } catch (error) {
      // NOTE: a failed lookup is a miss: the step runs again, which is always safe.
      found = new Map();
      void error;
    }
    for (const [key, resolvers] of batch) {
      const outputs = found.get(key)?.outputs;
      for (const resolve of resolvers) resolve(outputs);
    }
  }
}
