/** The `code` of the warning {@link RedisStore} emits for a Redis that evicts keys. */
export const EVICTION_WARNING = 'PASSPORT_IDV_REDIS_EVICTION';

/**
 * The value of `maxmemory-policy` in a `CONFIG GET maxmemory-policy` reply, whatever its form: a flat list (RESP2,
 * ioredis), an object or a `Map` (RESP3). `undefined` if the reply has none.
 */
export function policyOf(reply: unknown): string | undefined {
  let value: unknown;
  if (Array.isArray(reply)) value = reply[reply.indexOf('maxmemory-policy') + 1];
  else if (reply instanceof Map) value = reply.get('maxmemory-policy');
  else if (typeof reply === 'object' && reply !== null) value = (reply as Record<string, unknown>)['maxmemory-policy'];
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Warns, once, when `policy` lets Redis evict passport-idv's keys. Every key the store writes has a TTL, so the
 * `volatile-*` policies reach them as surely as the `allkeys-*` ones: only `noeviction` keeps a used single-use key
 * (an OAuth state, an authentication id) until its TTL. Under memory pressure `noeviction` refuses writes instead,
 * which the store turns into a `StoreError`: failing closed.
 */
export function warnIfEvicting(policy: string): void {
  if (policy === 'noeviction') return;
  process.emitWarning(
    `Redis maxmemory-policy is "${policy}": under memory pressure Redis may evict a used single-use key ` +
      '(an OAuth state, a face-login authentication id) before its TTL, and the same value would then be accepted ' +
      'again. Set maxmemory-policy to noeviction, or give passport-idv a Redis of its own that does not evict.',
    { type: 'PassportIdvWarning', code: EVICTION_WARNING },
  );
}
