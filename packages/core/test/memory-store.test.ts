import { describe, expect, it } from 'vitest';
import { type Clock, MemoryStore } from '../src/index.js';
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
  it('stays within maxEntries, evicting the oldest first', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) await store.set(`k${i}`, i, 60_000);
    expect(store.size).toBeLessThanOrEqual(100);
    expect(await store.get('k999')).toBe(999);
    expect(await store.get('k0')).toBeUndefined();
  });

  it('sweeps expired entries as it is written to, without a timer', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ clock });
    for (let i = 0; i < 100; i++) await store.set(`old${i}`, i, 1_000);
    clock.advance(2_000);
    for (let i = 0; i < 100; i++) await store.set(`new${i}`, i, 1_000);
    expect(store.size).toBeLessThanOrEqual(100);
  });

  it('rejects bad options and bad values', async () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => new MemoryStore({ clock: {} as Clock })).toThrow(/clock/);
    const store = new MemoryStore();
    await expect(store.set('k', 1, 0)).rejects.toThrow(/ttlMs/);
    await expect(store.set('k', undefined, 1_000)).rejects.toThrow(/JSON/);
  });
});
