import { type Clock, ProviderTimeoutError, type Store } from '@passport-idv/core';
import { isRecord, SharedLoader, storeCall } from '@passport-idv/core/internal';

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

/** Whether the session of a stored handoff may be handed out again (it has not ended); rejects if that is unknown. */
export type ReuseCheck = (sessionId: string) => Promise<boolean>;

/**
 * Hands out one handoff per key while it is reusable, creating it at most once however many requests ask at the same
 * time: concurrent callers in this process share one promise, and callers in other processes (sharing the store)
 * wait on a lock taken with the store's atomic `add`, then read what the lock holder stored. A stored handoff is
 * handed out again only if `check` says its session has not ended; one that has is dropped, and a new one created.
 */
export class HandoffReuse {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #loader: SharedLoader<Handoff>;
  readonly #check: ReuseCheck;

  /** `lockMs`: how long a creation may hold the lock (and others wait for it), in real milliseconds. */
  constructor(store: Store, clock: Clock, lockMs: number, check: ReuseCheck) {
    this.#store = store;
    this.#clock = clock;
    this.#check = check;
    this.#loader = new SharedLoader(store, { lockMs, firstPollMs: 10, maxPollMs: 200 });
  }

  get(key: string, create: () => Promise<Created>): Promise<Handoff> {
    return this.#loader.load(key, {
      read: () => this.#read(key),
      create: async () => {
        const { handoff, reuseMs } = await create();
        if (reuseMs > 0) {
          const stored: Stored = { ...handoff, reuseUntil: this.#clock.now() + reuseMs };
          await storeCall(() => this.#store.set(key, stored, reuseMs));
        }
        return handoff;
      },
      // Someone else held the lock for the whole wait: give up rather than start a second session.
      onWaitTimeout: async () => {
        throw new ProviderTimeoutError('no session became available in time', {
          provider: 'idv',
          operation: 'start_session',
        });
      },
    });
  }

  async #read(key: string): Promise<Handoff | undefined> {
    const value = await storeCall(() => this.#store.get(key));
    // The store's own expiry may run on another clock (Redis keeps real time): the window is checked on ours too.
    if (!isStored(value) || value.reuseUntil <= this.#clock.now()) return undefined;
    const { handoffUrl, sessionId, expiresAt } = value;
    if (!(await this.#check(sessionId))) {
      // Ended (or unknown to the platform): never handed out again. If another instance replaced it meanwhile, its
      // handoff goes too, and the next request starts one more session: never a finished one.
      await storeCall(() => this.#store.delete(key));
      return undefined;
    }
    return { handoffUrl, sessionId, expiresAt };
  }
}
