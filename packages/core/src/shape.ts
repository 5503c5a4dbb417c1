// The shape checks a client's `parse` uses on a provider's JSON answer (see `providerRequest`).

/**
 * Thrown by shape checks; its message names the offending field (never its value) and is added to the
 * {@link ProviderResponseError}.
 */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** `true` for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads `object[key]` as a string, throwing a {@link ShapeError} naming `key` if it is not a non-empty string.
 *
 * @example
 * ```ts
 * parse: (body) => ({ token: requireString(body, 'token') })
 * ```
 */
export function requireString(object: unknown, key: string): string {
  const value = isRecord(object) ? object[key] : undefined;
  if (typeof value !== 'string' || value.length === 0) throw new ShapeError(`${key} is not a non-empty string`);
  return value;
}

/** Reads `object[key]` as a JSON object, throwing a {@link ShapeError} naming `key` otherwise. */
export function requireRecord(object: unknown, key: string): Record<string, unknown> {
  const value = isRecord(object) ? object[key] : undefined;
  if (!isRecord(value)) throw new ShapeError(`${key} is not an object`);
  return value;
}
