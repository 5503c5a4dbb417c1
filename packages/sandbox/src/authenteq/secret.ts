import { timingSafeEqual } from 'node:crypto';

/** Compares a presented secret with the expected one in constant time (for equal lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The `id:secret` of an `Authorization: Basic …` header; `undefined` when it is absent, not Basic or has no `id:`. */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? '');
  const decoded = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon <= 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
