import { type Clock, systemClock } from './clock.js';
import { InvalidArgumentError, invalidOption, StoreError } from './errors.js';
import { assertClock } from './options.js';
import type { Store } from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most entries kept. When full (after dropping expired entries), a write that would add a key is refused with a
   * {@link StoreError} (503): nothing is evicted, so a single-use key or a failure counter is never forgotten before
   * its TTL. Default 100,000.
   */
  maxEntries?: number;
  /** The clock that decides expiry. Default: the system clock. */
  clock?: Clock;
}

interface Entry {
  json: string;
  expiresAt: number;
}

/** How many of the oldest entries each write looks at for expiry: a cheap sweep, no timer needed. */
const SWEEP_PER_WRITE = 4;

/**
 * A {@link Store} in this process's memory: for one app instance, development and tests. Use `RedisStore` from
 * `@passport-idv/redis` when several instances serve one site.
 *
 * A `Map` in insertion order with a TTL per entry. Values are kept as JSON, so what comes back is a copy, just as it
 * would be from Redis. An expired entry is dropped when it is read, and each write sweeps the few oldest entries, so
 * there is no timer keeping the process alive. When the store is full, the write fails closed: it rejects with a
 * `StoreError` rather than evict an entry that guards single use (a used id, a failure count).
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
  readonly #clock: Clock;
  /** No entry expires before this time (kept by full sweeps and writes), so a flood of refused writes does not rescan. */
  #nothingExpiresBefore = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryStoreOptions = {}) {
    const { maxEntries = 100_000, clock = systemClock } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) invalidOption('maxEntries must be a positive integer');
    assertClock(clock);
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** How many entries are held, expired ones not yet dropped included. */
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
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs))
      throw new InvalidArgumentError('ttlMs must be a positive, finite number');
    const json = JSON.stringify(value);
    if (json === undefined) throw new InvalidArgumentError('value must be JSON-serialisable');
    const now = this.#clock.now();
    this.#sweep(now);
    if (!this.#entries.has(key) && this.#entries.size >= this.#maxEntries) {
      this.#dropExpired(now);
      if (this.#entries.size >= this.#maxEntries) {
        throw new StoreError('the memory store is full: the write was refused until entries expire');
      }
    }
    // Delete first, so a rewritten key moves to the end: insertion order stays close to expiry order.
    this.#entries.delete(key);
    this.#entries.set(key, { json, expiresAt: now + ttlMs });
    this.#nothingExpiresBefore = Math.min(this.#nothingExpiresBefore, now + ttlMs);
  }

  /** Drops expired entries from the front (the oldest writes), looking at most at {@link SWEEP_PER_WRITE}. */
  #sweep(now: number): void {
    let looked = 0;
    for (const [key, entry] of this.#entries) {
      if (looked++ >= SWEEP_PER_WRITE || entry.expiresAt > now) return;
      this.#entries.delete(key);
    }
  }

  /**
   * Drops every expired entry, at most once until the earliest remaining expiry: TTLs differ, so an expired entry
   * can sit behind a live one.
   */
  #dropExpired(now: number): void {
    if (now < this.#nothingExpiresBefore) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
      else earliest = Math.min(earliest, entry.expiresAt);
    }
    this.#nothingExpiresBefore = earliest;
  }
}
