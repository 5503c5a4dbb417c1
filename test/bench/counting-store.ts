/** A core `MemoryStore` that counts the calls made to it: each would be one round trip with a `RedisStore`. */
import { MemoryStore, type MemoryStoreOptions, type Store } from '@passport-idv/core';

/** A {@link Store} over a `MemoryStore`, counting every call. */
export class CountingStore implements Store {
  readonly #inner: MemoryStore;
  /** Calls so far, all methods together. */
  calls = 0;

  constructor(options?: MemoryStoreOptions) {
    this.#inner = new MemoryStore(options);
  }

  /** Entries held (expired ones not yet swept included). */
  get size(): number {
    return this.#inner.size;
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    this.calls++;
    return this.#inner.get<T>(key);
  }

  set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.calls++;
    return this.#inner.set(key, value, ttlMs);
  }

  add(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    this.calls++;
    return this.#inner.add(key, value, ttlMs);
  }

  take<T = unknown>(key: string): Promise<T | undefined> {
    this.calls++;
    return this.#inner.take<T>(key);
  }

  delete(key: string): Promise<void> {
    this.calls++;
    return this.#inner.delete(key);
  }
}
