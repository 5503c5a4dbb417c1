import { describe, expect, it } from 'vitest';
import { MemoryStore, StoreError } from '../src/index.js';
import { SharedLoader, storeCall } from '../src/internal.js';

function steps(store: MemoryStore, key: string, created: { count: number }) {
  return {
    read: () => store.get<string>(key),
    create: async () => {
      created.count++;
      await new Promise((resolve) => setImmediate(resolve));
      await store.set(key, 'value', 60_000);
      return 'value';
    },
    onWaitTimeout: async () => 'timed out',
  };
}

describe('SharedLoader', () => {
  it('creates once for many callers in one process and in another sharing the store', async () => {
    const store = new MemoryStore();
    const [a, b] = [
      new SharedLoader<string>(store, { lockMs: 5_000 }),
      new SharedLoader<string>(store, { lockMs: 5_000 }),
    ];
    const created = { count: 0 };
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).load('k', steps(store, 'k', created))),
    );
    expect(created.count).toBe(1);
    expect(new Set(results)).toEqual(new Set(['value']));
    expect(await store.get('k:lock')).toBeUndefined(); // released
  });

  it('stops waiting for a lock held past lockMs and lets the caller decide', async () => {
    const store = new MemoryStore();
    await store.add('k:lock', 'someone else', 60_000);
    const created = { count: 0 };
    const paused = { ms: 0 };
    const sleep = async (ms: number) => {
      paused.ms += ms;
    };
    const loader = new SharedLoader<string>(store, { lockMs: 5_000, sleep });
    expect(await loader.load('k', steps(store, 'k', created))).toBe('timed out');
    expect(paused.ms).toBeGreaterThan(4_950);
    expect(paused.ms).toBeLessThanOrEqual(5_000);
    expect(created.count).toBe(0);
    expect(await store.get('k:lock')).toBe('someone else'); // not ours: left alone
  });

  it('releases the lock when creation fails, so the next caller can try', async () => {
    const store = new MemoryStore();
    const loader = new SharedLoader<string>(store, { lockMs: 5_000 });
    const failing = { ...steps(store, 'k', { count: 0 }), create: async () => Promise.reject(new Error('upstream')) };
    await expect(loader.load('k', failing)).rejects.toThrow('upstream');
    expect(await loader.load('k', steps(store, 'k', { count: 0 }))).toBe('value');
  });

  it('turns a failing store into a StoreError', async () => {
    const store = Object.assign(new MemoryStore(), {
      add: async () => Promise.reject(new Error('ECONNREFUSED')),
    });
    const loader = new SharedLoader<string>(store, { lockMs: 5_000 });
    await expect(loader.load('k', steps(store, 'k', { count: 0 }))).rejects.toBeInstanceOf(StoreError);
  });
});

describe('storeCall', () => {
  it('passes results through and wraps any failure in a StoreError, keeping the cause', async () => {
    expect(await storeCall(async () => 42)).toBe(42);
    const cause = new Error('ECONNRESET');
    const error = await storeCall(async () => Promise.reject(cause)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).cause).toBe(cause);
    const original = new StoreError('already typed');
    expect(await storeCall(async () => Promise.reject(original)).catch((e: unknown) => e)).toBe(original);
  });
});
