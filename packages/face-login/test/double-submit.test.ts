import { MemoryStore, type Store } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceLoginApp } from '../../../test/support/face-login-app.js';

// A remote store (Redis, several instances) answers in any order. Here the request that spends the authentication
// id hears back last: the duplicate must not take the attempt from under it, or a double submit logs nobody in.
let sandbox: Sandbox;
let t: ReturnType<typeof faceLoginApp>;
let loserDone: () => void = () => undefined;

/** Delays the answer of the `add` that spends an id until an `add` of the same id has been refused and acted on. */
function winnerHearsLast(inner: Store): Store {
  return {
    get: (key) => inner.get(key),
    set: (key, value, ttl) => inner.set(key, value, ttl),
    async add(key, value, ttl) {
      const added = await inner.add(key, value, ttl);
      if (!key.includes(':used:')) return added;
      if (!added) {
        loserDone();
        return added;
      }
      await new Promise<void>((resolve) => {
        loserDone = resolve;
      });
      // Let the refused request run its next store calls first.
      await new Promise((resolve) => setImmediate(resolve));
      return added;
    },
    take: (key) => inner.take(key),
    delete: (key) => inner.delete(key),
  };
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = faceLoginApp(sandbox, {
    strategy: { rateLimit: false, store: winnerHearsLast(new MemoryStore({ clock: sandbox.clock })) },
  });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('a double submit when the store answers out of order', () => {
  it('logs in exactly once: the duplicate is refused and leaves the attempt to the first', async () => {
    const { userId } = sandbox.alice.enroll();
    const agent = request.agent(t.app);
    await agent.post('/login/face/begin').send({ aliceUserId: userId }).expect(200);
    const authenticationId = sandbox.alice.authenticate(userId);
    const [first, second] = await Promise.all([
      agent.post('/login/face').send({ authenticationId }),
      agent.post('/login/face').send({ authenticationId }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 401]);
    const refused = first.status === 401 ? first : second;
    expect(refused.body.failure.code).toBe('authentication_id_used');
    expect(sandbox.requests.count({ route: 'alice.authentication' })).toBe(1);
  });
});
