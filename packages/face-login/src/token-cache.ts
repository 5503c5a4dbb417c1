import { createHash } from 'node:crypto';
import { type Clock, ProviderResponseError, SharedLoader, type Store, storeCall } from '@passport-idv/core';
import { decodeJwt } from 'jose';

/** The four kinds of Alice token (docs/providers/alice.md, "Tokens"). */
export type AliceTokenKind = 'LOGIN_TOKEN' | 'BACKEND_TOKEN' | 'USER_TOKEN' | 'BACKEND_TOKEN_WITH_USER_ID';

interface CachedToken {
  token: string;
  /** `exp` of the JWT, in seconds. */
  exp: number;
}

/** Tokens one process keeps in memory in front of the store (the oldest is forgotten beyond this). */
const LOCAL_MAX = 10_000;

/**
 * The prefix of this account's keys in a shared store: `passport-idv:alice:<16 hex of sha256(account)>:`, so two
 * accounts can share a Redis without mixing their keys, and the API key never appears in one.
 */
export function accountPrefix(account: string): string {
  return `passport-idv:alice:${createHash('sha256').update(account).digest('hex').slice(0, 16)}:`;
}

/** Fetches a fresh token of a kind (for a user). */
export type TokenFetcher = (kind: AliceTokenKind, userId: string | undefined) => Promise<string>;

/**
 * Alice tokens cached per kind and per user in a {@link Store} (so one Redis serves several app instances), used
 * until `exp - margin` on the injected clock. One request is in flight per token however many callers wait, in this
 * process (callers share one promise) and across processes sharing the store: the fetcher holds a lock taken with
 * the store's atomic `add`, and the others poll the cache for its result. If no token appears within `lockMs` (the
 * holder died or hangs), a waiter fetches one itself rather than wait longer. Unlike the official SDK it never uses a
 * token past its expiry.
 *
 * Each process also keeps a copy of the tokens it used (at most 10,000, same expiry rule), so a warm call reads
 * nothing from the store: with Redis, a face login saves two round trips. A copy another instance has since replaced
 * is still valid until its own `exp`; one the API refuses is dropped here and in the store, and the call retried.
 */
export class TokenCache {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #marginMs: number;
  readonly #prefix: string;
  readonly #fetch: TokenFetcher;
  readonly #loader: SharedLoader<CachedToken>;
  /** This process's copies, by store key; insertion order is age. */
  readonly #local = new Map<string, CachedToken>();

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
    const local = this.#local.get(key);
    if (local !== undefined) {
      if (this.#lasts(local, needMs)) return local.token;
      this.#local.delete(key);
    }
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
    if (this.#local.get(key)?.token === token) this.#local.delete(key);
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

  #remember(key: string, cached: CachedToken): void {
    this.#local.delete(key);
    if (this.#local.size >= LOCAL_MAX) {
      // Full: drop the oldest 1% in one walk, so the writes that follow find room. These are copies of what the store
      // holds, so forgetting one costs a store read, never a security check.
      let evict = LOCAL_MAX / 100;
      for (const oldest of this.#local.keys()) {
        if (evict-- <= 0) break;
        this.#local.delete(oldest);
      }
    }
    this.#local.set(key, { token: cached.token, exp: cached.exp });
  }

  /** The cached token if it has more than `needMs` left. */
  async #fresh(key: string, needMs: number): Promise<CachedToken | undefined> {
    const cached = await this.#read(key);
    if (cached === undefined || !this.#lasts(cached, needMs)) return undefined;
    this.#remember(key, cached);
    return cached;
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
    if (ttl > 0) {
      await storeCall(() => this.#store.set(key, { token, exp } satisfies CachedToken, ttl));
      this.#remember(key, { token, exp });
    }
    return { token, exp };
  }
}
