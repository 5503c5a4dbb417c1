import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type Clock, MemoryStore, ownString } from '../src/index.js';
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

/** V8's `gc()`, for tests that read the heap. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** A key of 43 characters cut from its own string of 64 KiB, as a query parser would cut a state from a URL. */
function keyCutFromLargeString(i: number): string {
  const url = `/auth/callback?pad=${'x'.repeat(64 * 1024)}&state=${String(i).padStart(43, 'S')}`;
  return url.slice(url.indexOf('state=') + 'state='.length);
}

describe('MemoryStore', () => {
  it('keeps its own copy of each key: a key cut from a large request does not keep the request alive', async () => {
    const gc = exposeGc();
    const store = new MemoryStore();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 500; i++) await store.add(keyCutFromLargeString(i), 1, 60_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(store.size).toBe(500);
    // With each key's 64 KiB string kept alive, 500 entries would hold more than 31 MiB.
    expect(grown).toBeLessThan(4 * 1024 * 1024);
    expect(await store.add(`${'0'.padStart(43, 'S')}`, 1, 60_000)).toBe(false);
    expect(await store.take(`${'499'.padStart(43, 'S')}`)).toBe(1);
  });

  it('stays within maxEntries, evicting the oldest first', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) await store.set(`k${i}`, i, 60_000);
    expect(store.size).toBeLessThanOrEqual(100);
    expect(await store.get('k999')).toBe(999);
    expect(await store.get('k0')).toBeUndefined();
  });

  it('evicts in write order: a rewritten key counts from its last write', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    for (let i = 0; i < 100; i++) await store.set(`k${i}`, i, 60_000);
    await store.set('k0', 'again', 60_000);
    await store.set('k100', 100, 60_000); // full: the oldest write still current (k1) goes
    expect(await store.get('k0')).toBe('again');
    expect(await store.get('k1')).toBeUndefined();
    expect(await store.get('k100')).toBe(100);
  });

  it('keeps its bound and its order through many turnovers of adds, takes and rewrites', async () => {
    const store = new MemoryStore({ maxEntries: 1_000 });
    for (let i = 0; i < 20_000; i++) {
      await store.add(`k${i}`, i, 60_000);
      if (i % 3 === 0) await store.take(`k${i - 1}`);
      if (i % 7 === 0) await store.set(`k${i - 500}`, 'rewritten', 60_000);
    }
    expect(store.size).toBeLessThanOrEqual(1_000);
    expect(await store.get('k19999')).toBe(19_999);
    expect(await store.get('k100')).toBeUndefined();
    // Taken entries stay taken.
    expect(await store.get('k19997')).toBeUndefined();
  });

  it('sweeps expired entries behind taken ones', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ clock });
    for (let i = 0; i < 5_000; i++) {
      await store.add(`state${i}`, i, 1_000);
      await store.take(`state${i}`);
    }
    for (let i = 0; i < 100; i++) await store.set(`old${i}`, i, 1_000);
    clock.advance(2_000);
    for (let i = 0; i < 100; i++) await store.set(`new${i}`, i, 1_000);
    expect(store.size).toBeLessThanOrEqual(100);
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

describe('ownString', () => {
  it('returns an equal string, lone surrogates and all', () => {
    for (const value of ['', 'a', 'state-123_ABC', 'Zoë 😀', '\ud800x\udfff', 'x'.repeat(70_000)]) {
      expect(ownString(value)).toBe(value);
    }
  });
});
