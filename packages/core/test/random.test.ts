import { describe, expect, it } from 'vitest';
import { randomToken } from '../src/index.js';

describe('randomToken', () => {
  it('returns base64url strings of the asked length, never the same twice across pool refills', () => {
    const seen = new Set<string>();
    // 32 bytes each: 4,000 tokens draw about 31 pools of 4 KiB.
    for (let i = 0; i < 4_000; i++) {
      const token = randomToken(32);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      seen.add(token);
    }
    expect(seen.size).toBe(4_000);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomToken(256)).toHaveLength(342);
  });

  it('does not hand out zeroed or repeated bytes when a token straddles the end of the pool', () => {
    // 100 bytes do not divide 4,096: some calls find too few bytes left and refill first.
    const tokens = Array.from({ length: 200 }, () => Buffer.from(randomToken(100), 'base64url'));
    expect(new Set(tokens.map((t) => t.toString('hex'))).size).toBe(200);
    for (const bytes of tokens) {
      expect(bytes).toHaveLength(100);
      expect(bytes.every((b) => b === 0)).toBe(false);
    }
  });

  it('refuses a length it cannot serve', () => {
    for (const bytes of [0, -1, 1.5, 257, Number.NaN]) expect(() => randomToken(bytes)).toThrow(RangeError);
  });
});
