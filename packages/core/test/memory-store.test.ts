import { describe, expect, it } from 'vitest';
import { type Clock, MemoryStore, StoreError } from '../src/index.js';
import { describeStoreContract } from './store-contract.js';

function manualClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

describeStoreContract('MemoryStore', async () => {
  const clock = manualClock();
  return { store: new MemoryStore({ clock }), advance: async (ms) => clock.advance(ms) };
});

describe('MemoryStore', () => {
  it('refuses a new key when full, with a StoreError (503), and evicts nothing', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) expect(await store.add(key, key, 60_000)).toBe(true);
    await expect(store.add('d', 'd', 60_000)).rejects.toMatchObject({
      name: 'StoreError',
      code: 'ERR_STORE',
      status: 503,
    });
    await expect(store.set('d', 'd', 60_000)).rejects.toBeInstanceOf(StoreError);
    // Every entry is still there: a single-use key can never be added again before its TTL.
    for (const key of ['a', 'b', 'c']) expect(await store.add(key, 'again', 60_000)).toBe(false);
    expect(store.size).toBe(3);
    // Rewriting a key already held needs no room; taking one makes room.
    await store.set('a', 'rewritten', 60_000);
    expect(await store.get('a')).toBe('rewritten');
    expect(await store.take('b')).toBe('b');
    expect(await store.add('d', 'd', 60_000)).toBe(true);
  });

  it('when full, drops expired entries first, wherever they sit in the order', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ maxEntries: 3, clock });
    await store.set('long', 1, 60_000);
    await store.set('short-1', 1, 1_000);
    await store.set('short-2', 1, 1_000);
    await expect(store.set('new', 1, 1_000)).rejects.toBeInstanceOf(StoreError);
    clock.advance(1_000);
    await store.set('new', 1, 60_000);
    expect(await store.get('long')).toBe(1);
    expect(store.size).toBe(2);
    // A short entry written after a full sweep is found by the next one.
    await store.set('short-3', 1, 1_000);
    await expect(store.set('more', 1, 1_000)).rejects.toBeInstanceOf(StoreError);
    clock.advance(1_000);
    await store.set('more', 1, 1_000);
  });

  it('drops an expired entry on read, and sweeps the oldest as it is written to, without a timer', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ clock });
    for (let i = 0; i < 100; i++) await store.set(`old${i}`, i, 1_000);
    clock.advance(1_000);
    expect(await store.get('old0')).toBeUndefined();
    for (let i = 0; i < 100; i++) await store.set(`new${i}`, i, 1_000);
    expect(store.size).toBeLessThanOrEqual(100);
  });

  it('rejects bad options and bad values', async () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => new MemoryStore({ clock: {} as Clock })).toThrow(/clock/);
    const store = new MemoryStore();
    await expect(store.set('k', 1, 0)).rejects.toThrow(/ttlMs/);
    await expect(store.set('k', 1, Number.POSITIVE_INFINITY)).rejects.toThrow(/ttlMs/);
    await expect(store.set('k', undefined, 1_000)).rejects.toThrow(/JSON/);
  });
});
