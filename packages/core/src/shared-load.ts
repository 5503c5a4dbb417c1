import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Store } from './store.js';
import { storeCall } from './store-call.js';

/** How {@link SharedLoader.load} gets a value, and what it does when another instance holds the lock too long. */
export interface SharedLoadSteps<T> {
  /** The value already stored (by this instance or another), or `undefined`. */
  read(): Promise<T | undefined>;
  /** Makes the value and stores it; called while holding the lock. */
  create(): Promise<T>;
  /** Called when another instance held the lock for longer than `lockMs`: create anyway, or throw. */
  onWaitTimeout(): Promise<T>;
}

/** Options of {@link SharedLoader}. */
export interface SharedLoaderOptions {
  /**
   * Milliseconds a creation may hold the lock, and so how long another instance waits for it: its pauses between
   * two reads add up to at most this much.
   */
  lockMs: number;
  /** First and longest pause between two reads while another instance creates the value. Default 5 and 50 ms. */
  firstPollMs?: number;
  maxPollMs?: number;
  /** How a pause is waited for. Default: a real timer (`node:timers/promises`); tests pass one that waits on nothing. */
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Makes a value at most once however many callers ask for it at the same time: callers in this process share one
 * promise, and callers in other processes sharing the store wait on a lock taken with the store's atomic `add`, then
 * read what the lock holder stored. Used for the Alice token cache and ephemeral-session reuse. Store failures become
 * `StoreError`s.
 *
 * @example
 * ```ts
 * const loader = new SharedLoader<string>(store, { lockMs: 5_000 });
 * const token = await loader.load('token:login', { read, create: fetchAndStore, onWaitTimeout: fetchAndStore });
 * ```
 */
export class SharedLoader<T> {
  readonly #store: Store;
  readonly #lockMs: number;
  readonly #firstPollMs: number;
  readonly #maxPollMs: number;
  readonly #sleep: (ms: number) => Promise<unknown>;
  readonly #inflight = new Map<string, Promise<T>>();

  constructor(store: Store, options: SharedLoaderOptions) {
    this.#store = store;
    this.#lockMs = options.lockMs;
    this.#firstPollMs = options.firstPollMs ?? 5;
    this.#maxPollMs = options.maxPollMs ?? 50;
    this.#sleep = options.sleep ?? delay;
  }

  /** The value for `key`: read, or created once (the lock lives under `${key}:lock`). */
  load(key: string, steps: SharedLoadSteps<T>): Promise<T> {
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const loading = this.#load(key, steps).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, loading);
    return loading;
  }

  async #load(key: string, steps: SharedLoadSteps<T>): Promise<T> {
    const lockKey = `${key}:lock`;
    // Counted in pauses, not on the injected clock: the lock's TTL runs on the store's clock, which for Redis is real
    // time, and the pauses alone already last as long as the lock.
    let waited = 0;
    for (let wait = this.#firstPollMs; ; wait = Math.min(wait * 2, this.#maxPollMs)) {
      const found = await steps.read();
      if (found !== undefined) return found;
      const owner = randomUUID();
      if (await storeCall(() => this.#store.add(lockKey, owner, this.#lockMs))) {
        try {
          // Another instance may have stored one between our read and our lock.
          return (await steps.read()) ?? (await steps.create());
        } finally {
          await this.#unlock(lockKey, owner);
        }
      }
      // Another instance is creating it: poll for its result, within bounds.
      if (waited + wait > this.#lockMs) return steps.onWaitTimeout();
      waited += wait;
      await this.#sleep(wait);
    }
  }

  /** Releases the lock if it is still ours (it may have expired and been taken by another instance meanwhile). */
  async #unlock(lockKey: string, owner: string): Promise<void> {
    try {
      if ((await this.#store.get(lockKey)) === owner) await this.#store.delete(lockKey);
    } catch {
      // The lock expires on its own.
    }
  }
}
