import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type Clock, isRecord, ProviderTimeoutError, type Store, StoreError } from '@passport-idv/core';

/** What the middleware answers with, and what is kept for reuse. */
export interface Handoff {
  /** The link for the phone (see `buildHandoffUrl`). */
  handoffUrl: string;
  /** The platform's session id. */
  sessionId: string;
  /** When the ephemeral token, and so the link, expires (ISO 8601). */
  expiresAt: string;
}

/** A handoff as stored: with the time (ms, on the middleware's clock) until which it may be handed out. */
interface Stored extends Handoff {
  reuseUntil: number;
}

function isStored(value: unknown): value is Stored {
  return (
    isRecord(value) &&
    typeof value.reuseUntil === 'number' &&
    typeof value.handoffUrl === 'string' &&
    typeof value.sessionId === 'string' &&
    typeof value.expiresAt === 'string'
  );
}

/** A fresh handoff and how long it may be handed out again. */
export interface Created {
  handoff: Handoff;
  reuseMs: number;
}

/**
 * Hands out one handoff per key while it is reusable, creating it at most once however many requests ask at the same
 * time: concurrent callers in this process share one promise, and callers in other processes (sharing the store)
 * wait on a lock taken with the store's atomic `add`, then read what the lock holder stored.
 */
export class HandoffReuse {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #lockMs: number;
  readonly #inflight = new Map<string, Promise<Handoff>>();

  /** `lockMs`: how long a creation may hold the lock (and others wait for it), in real milliseconds. */
  constructor(store: Store, clock: Clock, lockMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#lockMs = lockMs;
  }

  get(key: string, create: () => Promise<Created>): Promise<Handoff> {
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      pending = this.#run(key, create).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  async #run(key: string, create: () => Promise<Created>): Promise<Handoff> {
    const lockKey = `${key}:lock`;
    const deadline = performance.now() + this.#lockMs;
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      const cached = await this.#read(key);
      if (cached !== undefined) return cached;
      if (await guard(() => this.#store.add(lockKey, randomUUID(), this.#lockMs))) {
        try {
          // Another instance may have stored one between our read and our lock.
          const stored = await this.#read(key);
          if (stored !== undefined) return stored;
          const { handoff, reuseMs } = await create();
          if (reuseMs > 0) {
            const stored: Stored = { ...handoff, reuseUntil: this.#clock.now() + reuseMs };
            await guard(() => this.#store.set(key, stored, reuseMs));
          }
          return handoff;
        } finally {
          await guard(() => this.#store.delete(lockKey)).catch(() => undefined); // it expires anyway
        }
      }
      // Someone else is creating it: wait for their result (or for their lock to go, then try ourselves).
      if (performance.now() + wait > deadline) {
        throw new ProviderTimeoutError('no session became available in time', {
          provider: 'idv',
          operation: 'start_session',
        });
      }
      await delay(wait);
    }
  }

  async #read(key: string): Promise<Handoff | undefined> {
    const value = await guard(() => this.#store.get(key));
    // The store's own expiry may run on another clock (Redis keeps real time): the window is checked on ours too.
    if (!isStored(value) || value.reuseUntil <= this.#clock.now()) return undefined;
    const { handoffUrl, sessionId, expiresAt } = value;
    return { handoffUrl, sessionId, expiresAt };
  }
}

/** Runs a store operation; any failure becomes a `StoreError` (503), so the caller fails closed. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('the store failed', { cause: error });
  }
}
