import { createHash } from 'node:crypto';

/**
 * The one key scheme of everything passport-idv keeps in a `Store`: `<package>:<kind>:<id…>`, e.g.
 * `face-login:attempt:Qm9…`. A `RedisStore` puts its `prefix` (`passport-idv:` by default) in front, once.
 *
 * @internal
 * @example
 * ```ts
 * storeKey('face-login', 'attempt', attempt.id); // 'face-login:attempt:…'
 * ```
 */
export function storeKey(pkg: string, kind: string, ...ids: string[]): string {
  return [pkg, kind, ...ids].join(':');
}

/**
 * One short key part standing for several values (SHA-256 of their JSON, base64url), so user ids, hosts and states
 * stay out of the store's key space and keys keep one length.
 *
 * @internal
 * @example
 * ```ts
 * storeKey('ephemeral-session', 'handoff', keyDigest(host, workflowId, userId));
 * ```
 */
export function keyDigest(...values: (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(values)).digest('base64url');
}
