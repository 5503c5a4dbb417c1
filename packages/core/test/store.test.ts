import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/index.js';
import { assertStore } from '../src/internal.js';

describe('assertStore', () => {
  it('accepts a Store, and a partial one when the caller names only the methods it uses', () => {
    expect(() => assertStore(new MemoryStore(), 'store')).not.toThrow();
    expect(() => assertStore({ add() {}, take() {} }, 'store', ['add', 'take'])).not.toThrow();
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'redis://'],
    ['an object missing take', { get() {}, set() {}, add() {}, delete() {} }],
    ['an object whose add is not a function', { get() {}, set() {}, add: 1, take() {}, delete() {} }],
  ])('refuses %s with a coded TypeError naming the option', (_, value) => {
    expect(() => assertStore(value, 'tokenStore')).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        code: 'ERR_INVALID_OPTION',
        message: expect.stringContaining('tokenStore'),
      }),
    );
  });
});
