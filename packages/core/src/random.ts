import { randomFillSync } from 'node:crypto';

/** Bytes drawn from the operating system's CSPRNG at a time. */
const POOL_BYTES = 4096;
/** The most bytes one token may take: a few tokens share each refill. */
const MAX_TOKEN_BYTES = 256;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * `bytes` random bytes from Node's CSPRNG as a base64url string, for states, bindings and ids. Drawn from a pool that
 * is refilled with one `randomFillSync` every 4 KiB: `randomBytes(32).toString('base64url')` costs a new
 * `ArrayBuffer` and a call into OpenSSL per value, about 20 times the cost of this (test/bench/README.md). Each byte
 * is handed out once and then zeroed in the pool.
 *
 * @example
 * ```ts
 * const state = randomToken(32); // 43 characters, 256 bits
 * ```
 */
export function randomToken(bytes: number): string {
  if (!(Number.isInteger(bytes) && bytes > 0 && bytes <= MAX_TOKEN_BYTES)) {
    throw new RangeError(`randomToken takes 1 to ${MAX_TOKEN_BYTES} bytes`);
  }
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const end = offset + bytes;
  const token = pool.toString('base64url', offset, end);
  pool.fill(0, offset, end);
  offset = end;
  return token;
}
