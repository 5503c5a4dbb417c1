import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';

/** A store under test, and how to move its time forward by `ms` (real stores may need a real wait). */
export interface StoreUnderTest {
  store: Store;
  /** Moves time forward by `ms` for this store. */
  advance(ms: number): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The contract every `Store` honours: `MemoryStore` and `RedisStore` both run it, so an app can switch stores
 * without a change of behaviour.
 */
export function describeStoreContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`${name} honours the Store contract`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    let n = 0;
    const key = (label: string) => `contract:${label}:${++n}:${Math.random().toString(36).slice(2)}`;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close?.();
    });

    it('get returns what set stored, as a JSON copy', async () => {
      const k = key('get');
      const value = { name: 'Anna', nested: { n: 1 }, list: [1, 'two'] };
      await store.set(k, value, 10_000);
      const read = await store.get<typeof value>(k);
      expect(read).toEqual(value);
      value.nested.n = 2;
      expect((await store.get<typeof value>(k))?.nested.n).toBe(1);
    });

    it('get of an unknown key is undefined', async () => {
      expect(await store.get(key('unknown'))).toBeUndefined();
    });

    it('set replaces a value', async () => {
      const k = key('replace');
      await store.set(k, 1, 10_000);
      await store.set(k, 2, 10_000);
      expect(await store.get(k)).toBe(2);
    });

    it('add sets only an absent key', async () => {
      const k = key('add');
      expect(await store.add(k, 'first', 10_000)).toBe(true);
      expect(await store.add(k, 'second', 10_000)).toBe(false);
      expect(await store.get(k)).toBe('first');
    });

    it('take returns the value once, then undefined', async () => {
      const k = key('take');
      await store.set(k, { state: 'x' }, 10_000);
      expect(await store.take(k)).toEqual({ state: 'x' });
      expect(await store.take(k)).toBeUndefined();
      expect(await store.get(k)).toBeUndefined();
    });

    it('delete removes a key', async () => {
      const k = key('delete');
      await store.set(k, true, 10_000);
      await store.delete(k);
      expect(await store.get(k)).toBeUndefined();
      await expect(store.delete(k)).resolves.toBeUndefined();
    });

    it('entries expire after their TTL, for get, take and add', async () => {
      const [a, b, c] = [key('ttl-a'), key('ttl-b'), key('ttl-c')];
      await store.set(a, 'a', 1_000);
      await store.set(b, 'b', 1_000);
      await store.set(c, 'c', 1_000);
      await store.set(key('ttl-long'), 'long', 60_000);
      await subject.advance(1_100);
      expect(await store.get(a)).toBeUndefined();
      expect(await store.take(b)).toBeUndefined();
      expect(await store.add(c, 'again', 1_000)).toBe(true);
    });

    it('10,000 concurrent add of one key: exactly one true', async () => {
      const k = key('race-add');
      const results = await Promise.all(Array.from({ length: 10_000 }, (_, i) => store.add(k, i, 10_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('1,000 concurrent take of one key: exactly one gets the value', async () => {
      const k = key('race-take');
      await store.set(k, 'once', 10_000);
      const results = await Promise.all(Array.from({ length: 1_000 }, () => store.take(k)));
      expect(results.filter((value) => value !== undefined)).toEqual(['once']);
    });

    it('keeps falsy JSON values distinct from absence', async () => {
      const k = key('falsy');
      await store.set(k, 0, 10_000);
      expect(await store.get(k)).toBe(0);
      await store.set(k, false, 10_000);
      expect(await store.take(k)).toBe(false);
      await store.set(k, null, 10_000);
      expect(await store.get(k)).toBeNull();
    });
  });
}
