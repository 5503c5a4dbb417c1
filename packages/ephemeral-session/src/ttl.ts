/**
 * The ephemeral-token lifetimes, in seconds, passport-idv accepts: one minute to one day. The provider documents only
 * the example `3600`; the sandbox enforces the same range, so a value outside it is refused when the middleware is
 * built rather than on a user's first request.
 */
export const TTL_RANGE = { min: 60, max: 86_400 } as const;

/** `true` if `ttl` is an integer number of seconds within {@link TTL_RANGE}. */
export function isValidTtl(ttl: unknown): ttl is number {
  return typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= TTL_RANGE.min && ttl <= TTL_RANGE.max;
}
