import { type Clock, systemClock } from './clock.js';
import { invalidOption } from './errors.js';
import type { Store } from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most entries kept. When full, the oldest 1% are evicted in one go (expired ones are swept a few at a time on
   * every write): memory stays bounded whatever arrives, and an evicted state or attempt simply fails closed.
   * Default 100,000.
   */
  maxEntries?: number;
  /** The clock that decides expiry. Default: the system clock. */
  clock?: Clock;
}

interface Entry {
  json: string;
  expiresAt: number;
}

/** How many of the oldest entries each write looks at for expiry: sweeping costs O(1) per write, no timer needed. */
const SWEEP_PER_WRITE = 4;

/**
 * A {@link Store} in this process's memory: for one app instance, development and tests. Use `RedisStore` from
 * `@passport-idv/redis` when several instances serve one site.
 *
 * Values are kept as JSON, so what comes back is a copy, just as it would be from Redis. Expired entries are swept a
 * few at a time on every write; there is no timer keeping the process alive.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ maxEntries: 50_000 });
 * await store.add('state:abc', { returnTo: '/account' }, 600_000); // true
 * await store.take('state:abc'); // { returnTo: '/account' }
 * await store.take('state:abc'); // undefined
 * ```
 */
export class MemoryStore implements Store {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #evictBatch: number;
  readonly #clock: Clock;

  constructor(options: MemoryStoreOptions = {}) {
    const { maxEntries = 100_000, clock = systemClock } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) invalidOption('maxEntries must be a positive integer');
    if (typeof clock?.now !== 'function') invalidOption('clock must have a now() method');
    this.#maxEntries = maxEntries;
    this.#evictBatch = Math.max(1, Math.floor(maxEntries / 100));
    this.#clock = clock;
  }

  /** How many entries are held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const entry = this.#live(key);
    return entry === undefined ? undefined : (JSON.parse(entry.json) as T);
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.#write(key, value, ttlMs);
  }

  async add(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    if (this.#live(key) !== undefined) return false;
    this.#write(key, value, ttlMs);
    return true;
  }

  async take<T = unknown>(key: string): Promise<T | undefined> {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    return JSON.parse(entry.json) as T;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** The entry under `key` if it has not expired; an expired one is dropped. */
  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, value: unknown, ttlMs: number): void {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new TypeError('ttlMs must be a positive, finite number');
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError('value must be JSON-serialisable');
    const now = this.#clock.now();
    this.#sweep(now, SWEEP_PER_WRITE);
    // Delete first so a rewritten key moves to the end of the insertion order (the eviction order).
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      // Full: evict a batch of the oldest entries at once, so the writes that follow find room without a scan of the
      // whole map (a full store must not make every write O(n)). Insertion order is close to expiry order.
      let evict = this.#entries.size - this.#maxEntries + this.#evictBatch;
      for (const oldest of this.#entries.keys()) {
        if (evict-- <= 0) break;
        this.#entries.delete(oldest);
      }
    }
    this.#entries.set(key, { json, expiresAt: now + ttlMs });
  }

  /** Drops expired entries among the `limit` oldest. */
  #sweep(now: number, limit: number): void {
    let seen = 0;
    for (const [key, entry] of this.#entries) {
      if (seen++ >= limit) break;
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }
}
