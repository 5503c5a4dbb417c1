/**
 * A copy of `value` that keeps nothing else alive, for a string held long after the request it came from (a store
 * key, a cache key). In V8, a substring of 13 characters or more is a slice that keeps its whole parent string alive:
 * a state or an id cut from a query string or a JSON body holds on to the whole URL or body (up to the body parser's
 * limit, 100 KB by default) for as long as it is kept. A bound on the number of entries is then no bound on their
 * bytes. UTF-16 in and out, so any string, lone surrogates included, comes back equal.
 *
 * @example
 * ```ts
 * const key = ownString(req.query.state as string); // 43 characters, not the whole callback URL
 * ```
 */
export function ownString(value: string): string {
  return Buffer.from(value, 'utf16le').toString('utf16le');
}
