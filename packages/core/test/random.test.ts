import { describe, expect, it } from 'vitest';
import { randomToken } from '../src/internal.js';

describe('randomToken', () => {
  it('returns base64url strings of the asked length, never the same twice', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, () => randomToken(32)));
    expect(tokens.size).toBe(1_000);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
