/**
 * The one key scheme of everything passport-idv keeps in a `Store`: `<package>:<kind>:<id…>`, e.g.
 * `face-login:attempt:Qm9…`. A `RedisStore` adds its `prefix` (`passport-idv:` by default) once, in front.
 *
 * @internal
 * @example
 * ```ts
 * storeKey('authenteq', 'state', hash(state)); // 'authenteq:state:…'
 * ```
 */
export function storeKey(pkg: string, kind: string, ...ids: string[]): string {
  return [pkg, kind, ...ids].join(':');
}
