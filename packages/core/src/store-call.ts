import { StoreError } from './errors.js';

/**
 * Runs a store operation; any failure becomes a {@link StoreError} (HTTP 503), so callers fail closed whatever store
 * an app plugged in (a `RedisStore` already throws `StoreError`; a custom store may throw anything).
 *
 * @example
 * ```ts
 * const fresh = await storeCall(() => store.add(`used:${id}`, 1, ttlMs));
 * ```
 */
export async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('the store failed', { cause: error });
  }
}
