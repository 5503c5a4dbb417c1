import { createHash } from 'node:crypto';
import { type Clock, ProviderResponseError, type Store } from '@passport-idv/core';
import { SharedLoader, storeCall, storeKey } from '@passport-idv/core/internal';
import { decodeJwt } from 'jose';

/** The four kinds of Alice token (docs/providers/alice.md, "Tokens"). */
export type AliceTokenKind = 'LOGIN_TOKEN' | 'BACKEND_TOKEN' | 'USER_TOKEN' | 'BACKEND_TOKEN_WITH_USER_ID';

interface CachedToken {
  token: string;
  /** `exp` of the JWT, in seconds. */
  exp: number;
}

/**
 * The prefix of this account's keys in a shared store: `face-login:alice:<16 hex of sha256(account)>:`, so two
 * accounts can share a Redis without mixing their keys, and the API key never appears in one.
 */
export function accountPrefix(account: string): string {
  return `${storeKey('face-login', 'alice', createHash('sha256').update(account).digest('hex').slice(0, 16))}:`;
}

/** Fetches a fresh token of a kind (for a user). */
export type TokenFetcher = (kind: AliceTokenKind, userId: string | undefined) => Promise<string>;

/**
 * Alice tokens cached per kind and per user in a {@link Store} (so one Redis serves several app instances), used
 * until `exp - margin` on the injected clock. One request is in flight per token however many callers wait, in this
 * process (callers share one promise) and across processes sharing the store: the fetcher holds a lock taken with
 * the store's atomic `add`, and the others poll the cache for its result. If no token appears within `lockMs` (the
 * holder died or hangs), a waiter fetches one itself rather than wait longer. Unlike the official SDK it never uses a
 * token past its expiry. A token the API refuses is dropped from the store, and the call retried.
 */
export class TokenCache {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #marginMs: number;
  readonly #prefix: string;
  readonly #fetch: TokenFetcher;
  readonly #loader: SharedLoader<CachedToken>;

  constructor(options: {
    store: Store;
    clock: Clock;
    marginMs: number;
    /** Distinguishes accounts sharing one store; hashed, never stored as is. */
    account: string;
    fetch: TokenFetcher;
    /** Milliseconds a fetch may hold the lock, and so how long another instance waits for it. */
    lockMs: number;
    /** How a waiter pauses between two reads of the cache (default a real timer; tests wait on nothing). */
    sleep?: (ms: number) => Promise<unknown>;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#marginMs = options.marginMs;
    this.#fetch = options.fetch;
    this.#loader = new SharedLoader(options.store, { lockMs: options.lockMs, sleep: options.sleep });
    this.#prefix = `${accountPrefix(options.account)}token:`;
  }

  /**
   * A token of `kind` (for `userId`) with more than the margin left, and more than `minLifeMs` if given, from the
   * cache or fetched once. A token that would still expire within `minLifeMs` (the provider handed back an old one) is
   * a `ProviderResponseError`: never a token that dies before its caller is done with it.
   */
  async get(kind: AliceTokenKind, userId?: string, minLifeMs = 0): Promise<string> {
    const key = this.#key(kind, userId);
    const needMs = Math.max(this.#marginMs, minLifeMs);
    const create = () => this.#fetchAndCache(key, kind, userId);
    // A holder that takes too long (or died holding the lock): fetch one ourselves rather than keep the user waiting.
    const steps = { read: () => this.#fresh(key, needMs), create, onWaitTimeout: create };
    // A load another caller started may have accepted a token with less left than this caller needs: load again.
    for (let round = 0; ; round++) {
      const cached = await this.#loader.load(key, steps);
      if (this.#lasts(cached, minLifeMs)) return cached.token;
      if (round > 0) {
        throw new ProviderResponseError('the token expires too soon', { provider: 'alice', operation: kind });
      }
    }
  }

  /** Forgets `token` (the API refused it), unless the cache already holds a newer one. */
  async drop(kind: AliceTokenKind, userId: string | undefined, token: string): Promise<void> {
    const key = this.#key(kind, userId);
    const cached = await this.#read(key);
    if (cached?.token === token) await storeCall(() => this.#store.delete(key));
  }

  #key(kind: AliceTokenKind, userId: string | undefined): string {
    return `${this.#prefix}${kind}${userId === undefined ? '' : `:${userId}`}`;
  }

  async #read(key: string): Promise<CachedToken | undefined> {
    const cached = await storeCall(() => this.#store.get<CachedToken>(key));
    if (cached && typeof cached.token === 'string' && typeof cached.exp === 'number') return cached;
    return undefined;
  }

  /** `true` if the token has more than `ms` left. */
  #lasts(cached: CachedToken, ms: number): boolean {
    return cached.exp * 1000 - ms > this.#clock.now();
  }

  /** The cached token if it has more than `needMs` left. */
  async #fresh(key: string, needMs: number): Promise<CachedToken | undefined> {
    const cached = await this.#read(key);
    return cached !== undefined && this.#lasts(cached, needMs) ? cached : undefined;
  }

  async #fetchAndCache(key: string, kind: AliceTokenKind, userId: string | undefined): Promise<CachedToken> {
    const token = await this.#fetch(kind, userId);
    let exp: unknown;
    try {
      exp = decodeJwt(token).exp;
    } catch {
      exp = undefined;
    }
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      throw new ProviderResponseError('the token is not a JWT with an exp', { provider: 'alice', operation: kind });
    }
    const ttl = exp * 1000 - this.#marginMs - this.#clock.now();
    // A token with less than the margin left is used for this call only, never cached.
    if (ttl > 0) await storeCall(() => this.#store.set(key, { token, exp } satisfies CachedToken, ttl));
    return { token, exp };
  }
}
