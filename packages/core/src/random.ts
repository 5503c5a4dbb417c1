import { randomBytes } from 'node:crypto';

/**
 * `bytes` random bytes from Node's CSPRNG as a base64url string, for states, bindings and ids.
 *
 * @example
 * ```ts
 * const state = randomToken(32); // 43 characters, 256 bits
 * ```
 */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
