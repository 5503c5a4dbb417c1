import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, Store } from '@passport-idv/core';
import { storeCall } from '@passport-idv/core';

/** A key to limit (`user:<id>`, `ip:<address>`) and the failures it may have in a window. */
export type LimitedKey = [key: string, limit: number];

/** A slot held by an attempt being evaluated, and one kept by an attempt that failed. */
const PENDING = 'pending';
const FAILED = 'failed';

/** Real milliseconds an attempt waits for slots held by attempts being evaluated, before it is refused. */
const WAIT_MS = 15_000;

/**
 * Counts failed face logins per key in fixed windows, through a {@link Store} (so instances sharing a Redis share
 * the count). A key has `limit` numbered slots per window. An attempt takes a free slot of each of its keys with the
 * store's atomic `add` **before** it is evaluated upstream, marks it failed if the attempt fails and gives it back
 * otherwise: so however many attempts run at once, at most `limit` of them are ever evaluated and counted as failures
 * in a window. When every slot is held and some are still being evaluated, an attempt waits for them (a user's
 * concurrent genuine logins all get through); when every slot is a failure, the key is limited.
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

  /** Takes one free slot of every key, or none at all: the slots taken, or `undefined` when a key is limited. */
  async reserve(keys: LimitedKey[]): Promise<string[] | undefined> {
    const deadline = performance.now() + WAIT_MS;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      const window = Math.floor(this.#clock.now() / this.#windowMs);
      const taken: string[] = [];
      let busy = false;
      for (const [key, limit] of keys) {
        const slot = await this.#take(`passport-idv:face-login:failures:${key}:${window}`, limit);
        if (slot === FAILED || slot === PENDING) {
          // Hold nothing while waiting: two attempts must not each hold a slot the other needs.
          await this.release(taken);
          if (slot === FAILED) return undefined;
          busy = true;
          break;
        }
        taken.push(slot);
      }
      if (!busy) return taken;
      if (performance.now() + wait > deadline) return undefined;
      await delay(wait);
    }
  }

  /** Keeps the slots as failures: the attempt they were taken for failed. */
  async fail(slots: string[]): Promise<void> {
    for (const slot of slots) await storeCall(() => this.#store.set(slot, FAILED, this.#windowMs));
  }

  /** Gives slots back: the attempt they were taken for did not fail. */
  async release(slots: string[]): Promise<void> {
    for (const slot of slots) await storeCall(() => this.#store.delete(slot));
  }

  /**
   * A free slot, taken; else `PENDING` if some slot is held by an attempt still being evaluated, `FAILED` if all are
   * failures. Slots are tried from a random one on, so concurrent attempts of one key rarely try the same slots one
   * after the other.
   */
  async #take(prefix: string, limit: number): Promise<string> {
    const start = Math.floor(Math.random() * limit);
    for (let i = 0; i < limit; i++) {
      const slot = `${prefix}:${(start + i) % limit}`;
      if (await storeCall(() => this.#store.add(slot, PENDING, this.#windowMs))) return slot;
    }
    for (let i = 0; i < limit; i++) {
      if ((await storeCall(() => this.#store.get(`${prefix}:${i}`))) !== FAILED) return PENDING;
    }
    return FAILED;
  }
}
