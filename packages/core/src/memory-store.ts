import { type Clock, systemClock } from './clock.js';
import { invalidOption } from './errors.js';
import { ownString } from './own-string.js';
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
  key: string;
  json: string;
  expiresAt: number;
}

/** How many of the oldest live entries each write looks at for expiry: sweeping costs O(1) per write, no timer needed. */
const SWEEP_PER_WRITE = 4;

/**
 * A {@link Store} in this process's memory: for one app instance, development and tests. Use `RedisStore` from
 * `@passport-idv/redis` when several instances serve one site.
 *
 * Values are kept as JSON, so what comes back is a copy, just as it would be from Redis; keys are kept as copies too,
 * so a key cut from a large request does not keep the request alive ({@link ownString}). Expired entries are swept a
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
  /**
   * Every entry written, in order, oldest first from `#head`. Expiry and eviction take from its front. An entry its
   * key no longer maps to (taken, deleted or rewritten) is stale and skipped. Not
   * `Map` iteration: a `Map` keeps the slots of deleted entries until it is rehashed, and each new iterator walks over
   * them from the start, so at the bound every write paid for tens of thousands of them (test/bench/README.md).
   */
  #order: Entry[] = [];
  #head = 0;
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
    this.#sweep(now);
    // A rewritten key goes to the end of the order (the eviction order); its older item becomes stale.
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      // Full: evict a batch of the oldest entries at once, so the writes that follow find room. Write order is close
      // to expiry order.
      let evict = this.#entries.size - this.#maxEntries + this.#evictBatch;
      while (evict > 0 && this.#head < this.#order.length) {
        const oldest = this.#order[this.#head++] as Entry;
        if (this.#entries.get(oldest.key) !== oldest) continue;
        this.#entries.delete(oldest.key);
        evict--;
      }
    }
    // Its own copy of the key: a key cut from a request would otherwise keep the whole URL or body alive with it.
    const own = ownString(key);
    const entry: Entry = { key: own, json, expiresAt: now + ttlMs };
    this.#entries.set(own, entry);
    this.#order.push(entry);
    this.#compact();
  }

  /**
   * Drops expired entries from the front of the order: stale items cost nothing to pass, and at most
   * {@link SWEEP_PER_WRITE} live ones are looked at, stopping at the first that has not expired.
   */
  #sweep(now: number): void {
    let looked = 0;
    while (this.#head < this.#order.length) {
      const oldest = this.#order[this.#head] as Entry;
      if (this.#entries.get(oldest.key) === oldest) {
        if (looked++ >= SWEEP_PER_WRITE || oldest.expiresAt > now) return;
        this.#entries.delete(oldest.key);
      }
      this.#head++;
    }
  }

  /**
   * Keeps the order's memory bounded: the consumed front is cut off once it is half of the array, and if stale items
   * (taken or deleted entries behind a live one) make the order more than twice the entries, they are filtered out.
   * Each is linear but happens only after as many writes, so a write costs O(1) on average.
   */
  #compact(): void {
    const length = this.#order.length;
    if (this.#head >= 1_024 && this.#head * 2 >= length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    } else if (length - this.#head > 2 * this.#entries.size + 1_024) {
      this.#order = this.#order.slice(this.#head).filter((entry) => this.#entries.get(entry.key) === entry);
      this.#head = 0;
    }
  }
}
