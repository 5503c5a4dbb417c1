import { invalidOption } from './errors.js';
import { isRecord } from './shape.js';

/**
 * Where passport-idv keeps everything that must be single-use or shared between app instances: OAuth state,
 * face-login attempts, used authentication ids, cached provider tokens, reusable ephemeral sessions.
 *
 * Values are JSON-serialisable. `add` and `take` are atomic: of many concurrent `add` calls for one key exactly one
 * returns `true`, and of many concurrent `take` calls exactly one gets the value. Implementations reject with a
 * `StoreError` when they cannot answer; callers fail closed on it.
 *
 * @example
 * ```ts
 * if (await store.add(`used:${id}`, 1, 600_000)) { ... first use ... }
 * const state = await store.take(`state:${value}`); // undefined if unknown, expired or already used
 * ```
 */
export interface Store {
  /** The value under `key`, or `undefined` if there is none or it expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Sets `key` to `value` for `ttlMs` milliseconds, replacing what was there. */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Sets `key` only if it is absent; `true` if this call set it. */
  add(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  /** Gets and deletes `key` in one step; `undefined` if there was nothing. */
  take<T = unknown>(key: string): Promise<T | undefined>;
  /** Deletes `key`. */
  delete(key: string): Promise<void>;
}

/** The methods of a {@link Store}. */
const STORE_METHODS = ['get', 'set', 'add', 'take', 'delete'] as const;

/**
 * Throws an invalid-option error unless `value` has the {@link Store} methods the caller uses (all five by default).
 *
 * @example
 * ```ts
 * if (options.store !== undefined) assertStore(options.store, 'store');
 * assertStore(options.tokenStore, 'tokenStore', ['get', 'set', 'add', 'delete']);
 * ```
 */
export function assertStore(
  value: unknown,
  name: string,
  methods: readonly (keyof Store)[] = STORE_METHODS,
): asserts value is Store {
  if (!isRecord(value) || !methods.every((method) => typeof value[method] === 'function')) {
    invalidOption(`${name} must be a Store of @passport-idv/core, with ${methods.join(', ')}`);
  }
}
