import type { Clock, Store } from '@passport-idv/core';
import { storeCall } from '@passport-idv/core';

/** A key to limit (`user:<id>`, `ip:<address>`) and the failures it may have in a window. */
export type LimitedKey = [key: string, limit: number];

/**
 * Counts failed face logins per key in fixed windows, through a {@link Store} (so instances sharing a Redis share
 * the count). A key has `limit` numbered slots per window. An attempt takes a free slot of each of its keys with the
 * store's atomic `add` **before** it is evaluated upstream, and gives the slots back unless it failed: so however many
 * attempts run at once, at most `limit` of them are ever evaluated and counted as failures in a window.
 */
export class FailureLimiter {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #windowMs: number;

  constructor(store: Store, clock: Clock, windowMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  /**
   * Takes one free slot of every key, or none at all: the slots taken, or `undefined` when a key has no free slot
   * left (limited).
   */
  async reserve(keys: LimitedKey[]): Promise<string[] | undefined> {
    const window = Math.floor(this.#clock.now() / this.#windowMs);
    const taken: string[] = [];
    for (const [key, limit] of keys) {
      const slot = await this.#take(`passport-idv:face-login:failures:${key}:${window}`, limit);
      if (slot === undefined) {
        await this.release(taken);
        return undefined;
      }
      taken.push(slot);
    }
    return taken;
  }

  /** Gives slots back: the attempt they were taken for did not fail. */
  async release(slots: string[]): Promise<void> {
    for (const slot of slots) await storeCall(() => this.#store.delete(slot));
  }

  /**
   * Tries the slots from a random one on, so concurrent attempts of one key (many users behind one IP) rarely try
   * the same slots one after the other.
   */
  async #take(prefix: string, limit: number): Promise<string | undefined> {
    const start = Math.floor(Math.random() * limit);
    for (let i = 0; i < limit; i++) {
      const slot = `${prefix}:${(start + i) % limit}`;
      if (await storeCall(() => this.#store.add(slot, 1, this.#windowMs))) return slot;
    }
    return undefined;
  }
}
