import { createHash } from 'node:crypto';
import { type Clock, ProviderResponseError, type Store, StoreError } from '@passport-idv/core';
import { decodeJwt } from 'jose';

/** The four kinds of Alice token (alice-backend-authentication.txt §1). */
export type AliceTokenKind = 'LOGIN_TOKEN' | 'BACKEND_TOKEN' | 'USER_TOKEN' | 'BACKEND_TOKEN_WITH_USER_ID';

interface CachedToken {
  token: string;
  /** `exp` of the JWT, in seconds. */
  exp: number;
}

/** Fetches a fresh token of a kind (for a user). */
export type TokenFetcher = (kind: AliceTokenKind, userId: string | undefined) => Promise<string>;

/**
 * Alice tokens cached per kind and per user in a {@link Store} (so one Redis serves several app instances), used
 * until `exp - margin` on the injected clock, with one request in flight per token in this process however many
 * callers wait. Unlike the official SDK it never uses a token past its expiry.
 */
export class TokenCache {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #marginMs: number;
  readonly #prefix: string;
  readonly #fetch: TokenFetcher;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(options: {
    store: Store;
    clock: Clock;
    marginMs: number;
    /** Distinguishes accounts sharing one store; hashed, never stored as is. */
    account: string;
    fetch: TokenFetcher;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#marginMs = options.marginMs;
    this.#fetch = options.fetch;
    const account = createHash('sha256').update(options.account).digest('hex').slice(0, 16);
    this.#prefix = `passport-idv:alice:${account}:token:`;
  }

  /** A token of `kind` (for `userId`) with more than the margin left, from the cache or fetched once. */
  get(kind: AliceTokenKind, userId?: string): Promise<string> {
    const key = this.#key(kind, userId);
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const loading = this.#load(key, kind, userId).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, loading);
    return loading;
  }

  /** Forgets `token` (the API refused it), unless the cache already holds a newer one. */
  async drop(kind: AliceTokenKind, userId: string | undefined, token: string): Promise<void> {
    const key = this.#key(kind, userId);
    const cached = await this.#read(key);
    if (cached?.token === token) await guard(() => this.#store.delete(key));
  }

  #key(kind: AliceTokenKind, userId: string | undefined): string {
    return `${this.#prefix}${kind}${userId === undefined ? '' : `:${userId}`}`;
  }

  async #read(key: string): Promise<CachedToken | undefined> {
    const cached = await guard(() => this.#store.get<CachedToken>(key));
    if (cached && typeof cached.token === 'string' && typeof cached.exp === 'number') return cached;
    return undefined;
  }

  async #load(key: string, kind: AliceTokenKind, userId: string | undefined): Promise<string> {
    const now = this.#clock.now();
    const cached = await this.#read(key);
    if (cached && cached.exp * 1000 - this.#marginMs > now) return cached.token;
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
    if (ttl > 0) await guard(() => this.#store.set(key, { token, exp } satisfies CachedToken, ttl));
    return token;
  }
}

/** Runs a store call; any failure becomes a {@link StoreError} (503), so callers fail closed. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('the store did not answer', { cause: error });
  }
}
