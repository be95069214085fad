/**
 * A small in-process cache with a time to live and a size cap, for lookups that every message
 * would otherwise repeat (a chatbot, a channel). Values may be up to `ttlMs` stale; callers cache
 * only what can be.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value for `key`, or `load()`'s (a failed load is not cached). */
  get(key: string, load: () => PromiseLike<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    // Awaited once here: `load` may return a thenable (a mongoose query) that runs on every `then`.
    const value = (async () => load())();
    this.entries.set(key, { at: Date.now(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  /** Forget a key (the value is known to have changed). */
  delete(key: string): void {
    this.entries.delete(key);
  }
}
