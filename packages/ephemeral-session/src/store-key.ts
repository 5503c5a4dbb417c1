import { createHash } from 'node:crypto';

/**
 * A store key from a prefix and the values it stands for, hashed with SHA-256 so keys stay short and user ids and
 * session ids stay out of the store's key space.
 */
export function storeKey(prefix: string, ...parts: (string | number)[]): string {
  return `${prefix}:${createHash('sha256').update(JSON.stringify(parts)).digest('base64url')}`;
}
