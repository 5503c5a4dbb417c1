import type { Clock, Store } from '@passport-idv/core';
import { storeCall } from '@passport-idv/core';

/**
 * Counts failed face logins per key in fixed windows, through a {@link Store} (so instances sharing a Redis share
 * the count). Each failure takes the first free numbered slot with the atomic `add`; a key is limited once its last
 * slot is taken. Checking costs one read; only failures write.
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

  #slot(key: string, i: number): string {
    const window = Math.floor(this.#clock.now() / this.#windowMs);
    return `passport-idv:face-login:failures:${key}:${window}:${i}`;
  }

  /** `true` when `key` already had `limit` failures in this window. */
  async limited(key: string, limit: number): Promise<boolean> {
    return (await storeCall(() => this.#store.get(this.#slot(key, limit - 1)))) !== undefined;
  }

  /** Records one failure of `key`. */
  async record(key: string, limit: number): Promise<void> {
    for (let i = 0; i < limit; i++) {
      if (await storeCall(() => this.#store.add(this.#slot(key, i), 1, this.#windowMs))) return;
    }
  }
}
