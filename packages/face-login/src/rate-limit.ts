import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, Store } from '@passport-idv/core';
import { storeCall, storeKey } from '@passport-idv/core/internal';

/** A key to limit (`user:<id>`, `ip:<address>`) and the failures it may have in a window. */
export type LimitedKey = [key: string, limit: number];

/** The failure slots an attempt holds while it is evaluated. */
export interface Reservation {
  readonly slots: string[];
  /** Until when (on the limiter's clock) the slots are surely still this attempt's. */
  readonly until: number;
}

/** A slot held by an attempt being evaluated, and one kept by an attempt that failed. */
const PENDING = 'pending';
const FAILED = 'failed';

/** Milliseconds an attempt may take to be evaluated (the upstream reads included) and still have its outcome used. */
export const EVALUATION_MS = 15_000;

/**
 * Milliseconds a slot held by an attempt being evaluated lasts if nobody marks it failed or gives it back: the
 * evaluation's deadline, plus time for the write that ends it. A write lost to a store error costs one lease, never
 * the rest of the window.
 */
const LEASE_MS = EVALUATION_MS + 5_000;

/**
 * Milliseconds an attempt waits (its pauses added up) for slots held by attempts being evaluated, before it is refused:
 * one lease, so every slot it waits for is marked, given back or expired in the meantime.
 */
export const WAIT_MS = LEASE_MS;

/**
 * Counts failed face logins per key in fixed windows, through a {@link Store} (so instances sharing a Redis share
 * the count). A key has `limit` numbered slots per window. An attempt takes a free slot of each of its keys with the
 * store's atomic `add` **before** it is evaluated, as a lease that frees itself shortly after the evaluation's
 * deadline; it marks the slots failed (for the window) if the attempt fails and gives them back otherwise. So however
 * many attempts run at once, at most `limit` of them are ever evaluated and counted as failures in a window (an
 * outcome that comes after its lease could have ended is not used: {@link FailureLimiter.held}), and a store that
 * fails before the attempt's slots are marked or given back costs one lease, not a lockout. When every slot is held
 * and some are still being evaluated, an attempt waits for them (a user's concurrent genuine logins all get through);
 * when every slot is a failure, the key is limited.
 */
export class FailureLimiter {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #sleep: (ms: number) => Promise<unknown>;

  /** `sleep` waits out a pause between two tries (default a real timer; tests pass one that moves their clock). */
  constructor(store: Store, clock: Clock, windowMs: number, sleep: (ms: number) => Promise<unknown> = delay) {
    this.#store = store;
    this.#clock = clock;
    this.#windowMs = windowMs;
    this.#sleep = sleep;
  }

  /** Takes one free slot of every key, or none at all: the reservation, or `undefined` when a key is limited. */
  async reserve(keys: LimitedKey[]): Promise<Reservation | undefined> {
    let waited = 0;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      // Before the first lease is taken: each lease ends at least LEASE_MS after this.
      const now = this.#clock.now();
      const window = Math.floor(now / this.#windowMs);
      const slots: string[] = [];
      let busy = false;
      for (const [key, limit] of keys) {
        const slot = await this.#take(storeKey('face-login', 'failures', key, String(window)), limit);
        if (slot === FAILED || slot === PENDING) {
          // Hold nothing while waiting: two attempts must not each hold a slot the other needs.
          await this.#giveBack(slots);
          if (slot === FAILED) return undefined;
          busy = true;
          break;
        }
        slots.push(slot);
      }
      if (!busy) return { slots, until: now + EVALUATION_MS };
      if (waited + wait > WAIT_MS) return undefined;
      waited += wait;
      await this.#sleep(wait);
    }
  }

  /**
   * Whether the reservation's slots are still surely its own. After that, an outcome must not be used: a slot whose
   * lease ended may be another attempt's, so this one would be an evaluation beyond the limit.
   */
  held(reservation: Reservation): boolean {
    return this.#clock.now() <= reservation.until;
  }

  /** Keeps the slots as failures for the window: the attempt they were taken for failed. */
  async fail(reservation: Reservation): Promise<void> {
    for (const slot of reservation.slots) await storeCall(() => this.#store.set(slot, FAILED, this.#windowMs));
  }

  /**
   * Gives the slots back: the attempt they were taken for did not fail. Past {@link held}, they are left to their
   * leases, since they may be another attempt's by now.
   */
  async release(reservation: Reservation): Promise<void> {
    if (this.held(reservation)) await this.#giveBack(reservation.slots);
  }

  async #giveBack(slots: string[]): Promise<void> {
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
      if (await storeCall(() => this.#store.add(slot, PENDING, LEASE_MS))) return slot;
    }
    for (let i = 0; i < limit; i++) {
      if ((await storeCall(() => this.#store.get(`${prefix}:${i}`))) !== FAILED) return PENDING;
    }
    return FAILED;
  }
}
