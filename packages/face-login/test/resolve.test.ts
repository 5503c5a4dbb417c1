import { MemoryStore, type Store } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaceLoginAppOptions, faceLoginApp } from '../../../test/support/face-login-app.js';

// A face login posted without an authentication id, as Alice's web SDK leaves it: the strategy finds the attempt's
// user's newest authentication inside the attempt's window, waiting (on the sandbox's clock) for it to appear.

let sandbox: Sandbox;
let t: ReturnType<typeof faceLoginApp>;
let pauses: number[];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.requests.clear();
  pauses = [];
});

type Agent = ReturnType<typeof request.agent>;

/** A `sleep` that moves the sandbox's clock by the pause asked for, at once, and records it in `pauses`. */
const advance = async (ms: number) => {
  pauses.push(ms);
  sandbox.clock.advance(ms);
};

function app(strategy: FaceLoginAppOptions['strategy'] = {}) {
  t = faceLoginApp(sandbox, {
    strategy: { rateLimit: false, resolveAuthentication: { sleep: advance }, ...strategy },
  });
}

/** An enrolled user and a browser with an open attempt. */
async function begun(): Promise<{ userId: string; agent: Agent }> {
  const { userId } = sandbox.alice.enroll();
  const agent = request.agent(t.app);
  await agent.post('/login/face/begin').send({ aliceUserId: userId }).expect(200);
  sandbox.requests.clear();
  return { userId, agent };
}

const post = (agent: Agent, body: object = {}) => agent.post('/login/face').send(body);
const calls = (route: string) => sandbox.requests.filter({ route }).map((r) => r.userId);

describe('a face login posted without an authentication id', () => {
  it('logs in with the authentication made in this attempt: one list read and one authentication read', async () => {
    app();
    const { userId, agent } = await begun();
    const id = sandbox.alice.authenticate(userId);
    const res = await post(agent).expect(200);
    expect(res.body.user).toEqual({ id: userId });
    expect((await agent.get('/me')).body.faceLogin).toMatchObject({ authenticationId: id, aliceUserId: userId });
    expect(calls('alice.authentication_ids')).toEqual([userId]);
    expect(calls('alice.authentication')).toEqual([userId]);
    expect(pauses).toEqual([]);
  });

  it('an empty id field is read as no id (a form whose hidden field the SDK never filled)', async () => {
    app();
    const { userId, agent } = await begun();
    sandbox.alice.authenticate(userId);
    expect((await post(agent, { authenticationId: '' }).expect(200)).body.user).toEqual({ id: userId });
  });

  it('waits for an upload that is stored after the login was posted, pausing 250 ms, 500 ms, …', async () => {
    const { userId, agent } = await (async () => {
      let stored = false;
      let user = '';
      app({
        resolveAuthentication: {
          sleep: async (ms) => {
            await advance(ms);
            // The SDK's upload lands during the second pause.
            if (pauses.length === 2 && !stored) {
              stored = true;
              sandbox.alice.authenticate(user);
            }
          },
        },
      });
      const begin = await begun();
      user = begin.userId;
      return begin;
    })();
    expect((await post(agent).expect(200)).body.user).toEqual({ id: userId });
    expect(pauses).toEqual([250, 500]);
    expect(calls('alice.authentication_ids')).toHaveLength(3);
    expect(calls('alice.authentication')).toHaveLength(1);
  });

  it('nothing appears: refused after at most 5 s of pauses (six list reads), counted as a failure', async () => {
    app();
    const { agent } = await begun();
    const res = await post(agent).expect(401);
    expect(res.body.failure.code).toBe('authentication_not_found');
    // The last pause is what is left of the 5 s (the sandbox's clock also moves with real time).
    expect(pauses.slice(0, 4)).toEqual([250, 500, 1_000, 2_000]);
    expect(pauses).toHaveLength(5);
    expect(pauses.reduce((a, b) => a + b)).toBeLessThanOrEqual(5_000);
    expect(calls('alice.authentication_ids')).toHaveLength(6);
    expect(calls('alice.authentication')).toHaveLength(0);
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('wait: 0 reads the list once', async () => {
    app({ resolveAuthentication: { wait: 0, sleep: advance } });
    const { agent } = await begun();
    expect((await post(agent).expect(401)).body.failure.code).toBe('authentication_not_found');
    expect(calls('alice.authentication_ids')).toHaveLength(1);
  });

  it('an authentication created before begin() is never taken (and read only once)', async () => {
    app();
    const { userId } = sandbox.alice.enroll();
    sandbox.alice.authenticate(userId);
    sandbox.clock.advance(60_000);
    const agent = request.agent(t.app);
    await agent.post('/login/face/begin').send({ aliceUserId: userId }).expect(200);
    sandbox.requests.clear();
    expect((await post(agent).expect(401)).body.failure.code).toBe('authentication_not_found');
    expect(calls('alice.authentication')).toHaveLength(1);
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('a low score is refused as with a posted id', async () => {
    app();
    const { userId, agent } = await begun();
    sandbox.alice.authenticate(userId, { live: false });
    expect((await post(agent).expect(401)).body.failure.code).toBe('liveness_too_low');
    const other = await begun();
    sandbox.alice.authenticate(other.userId, { face: 'mallory' });
    expect((await post(other.agent).expect(401)).body.failure.code).toBe('face_mismatch');
  });

  it('a double submit logs in once: in sequence the second finds no attempt, concurrently one of ten wins', async () => {
    app();
    const first = await begun();
    sandbox.alice.authenticate(first.userId);
    await post(first.agent).expect(200);
    expect((await post(first.agent).expect(401)).body.failure.code).toBe('no_attempt');

    const second = await begun();
    sandbox.alice.authenticate(second.userId);
    const results = await Promise.all(Array.from({ length: 10 }, () => post(second.agent)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(calls('alice.authentication_ids')).toHaveLength(1);
  });

  it('the id it took cannot be posted again, and a posted id cannot be taken again', async () => {
    app();
    const { userId, agent } = await begun();
    const id = sandbox.alice.authenticate(userId);
    await post(agent).expect(200);
    await agent.post('/login/face/begin').send({ aliceUserId: userId }).expect(200);
    expect((await post(agent, { authenticationId: id }).expect(401)).body.failure.code).toBe('authentication_id_used');

    const other = await begun();
    const posted = sandbox.alice.authenticate(other.userId);
    await post(other.agent, { authenticationId: posted }).expect(200);
    await other.agent.post('/login/face/begin').send({ aliceUserId: other.userId }).expect(200);
    expect((await post(other.agent).expect(401)).body.failure.code).toBe('authentication_id_used');
  });

  it("reads only the attempt's user, with that user's token: another user's authentication is never taken", async () => {
    app();
    const mallory = await begun();
    const victim = sandbox.alice.enroll();
    sandbox.alice.authenticate(victim.userId);
    expect((await post(mallory.agent).expect(401)).body.failure.code).toBe('authentication_not_found');
    const reads = sandbox.requests.filter({ provider: 'alice' }).filter((r) => r.route.startsWith('alice.auth'));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.userId === mallory.userId && r.credential === 'BACKEND_TOKEN_WITH_USER_ID')).toBe(true);
  });

  it.each([
    ['the list', 'alice.authentication_ids'],
    ['the authentication', 'alice.authentication'],
  ])('a provider error on %s fails closed: 502, nobody logged in', async (_, route) => {
    app();
    const { userId, agent } = await begun();
    sandbox.alice.authenticate(userId);
    sandbox.faults.inject(route, { status: 500, times: 5 });
    expect((await post(agent).expect(502)).body.error).toBe('ERR_PROVIDER_STATUS');
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('a store error fails closed: 503, nobody logged in', async () => {
    let down = false;
    const memory = new MemoryStore({ clock: sandbox.clock });
    const store: Store = {
      get: (k) => memory.get(k),
      set: (k, v, ttl) => memory.set(k, v, ttl),
      add: (k, v, ttl) => (down ? Promise.reject(new Error('connection lost')) : memory.add(k, v, ttl)),
      take: (k) => memory.take(k),
      delete: (k) => memory.delete(k),
    };
    app({ store });
    const { userId, agent } = await begun();
    sandbox.alice.authenticate(userId);
    down = true;
    expect((await post(agent).expect(503)).body.error).toBe('ERR_STORE');
    expect((await agent.get('/me')).body.user).toBeNull();
  });

  it('failures without an id count toward the rate limit', async () => {
    app({ rateLimit: { perUser: 2 } });
    const { userId } = sandbox.alice.enroll();
    for (const expected of [401, 401, 429]) {
      const agent = request.agent(t.app);
      await agent.post('/login/face/begin').send({ aliceUserId: userId }).expect(200);
      sandbox.alice.authenticate(userId, { live: false });
      expect((await post(agent)).status).toBe(expected);
    }
  });

  it('resolveAuthentication: false requires a posted id (400, no upstream call)', async () => {
    app({ resolveAuthentication: false });
    const { userId, agent } = await begun();
    sandbox.alice.authenticate(userId);
    expect((await post(agent).expect(400)).body.failure.code).toBe('authentication_id_missing');
    expect(sandbox.requests.count({ provider: 'alice' })).toBe(0);
  });

  it('checks its option', () => {
    expect(() => app({ resolveAuthentication: { wait: 11 } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    expect(() => app({ resolveAuthentication: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
  });
});
