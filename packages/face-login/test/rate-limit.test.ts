import { MemoryStore, type Store } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faceLoginApp } from '../../../test/support/face-login-app.js';
import { FailureLimiter, WAIT_MS } from '../src/rate-limit.js';

// The failure limit when the store fails in the middle of a login: the slot an attempt holds while it is evaluated is
// a short lease, so an outage never outlives itself as a lockout, and an outcome that comes after the lease is unused.
let sandbox: Sandbox;
let t: ReturnType<typeof faceLoginApp>;
let down = false;

/** A MemoryStore that fails every call while `down` is set, as a store in an outage does. */
function failingStore(): Store {
  const memory = new MemoryStore({ clock: sandbox.clock });
  const call =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    (...args: A) =>
      down ? Promise.reject(new Error('connection lost')) : run(...args);
  return {
    get: call((key) => memory.get(key)),
    set: call((key, value, ttl) => memory.set(key, value, ttl)),
    add: call((key, value, ttl) => memory.add(key, value, ttl)),
    take: call((key) => memory.take(key)),
    delete: call((key) => memory.delete(key)),
  };
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  down = false;
  sandbox.faults.clear();
  sandbox.clock.reset();
  // Just inside a 15-minute window of the limit, so no test crosses into the next one (which would start afresh).
  sandbox.clock.advance(900_000 - (sandbox.clock.now() % 900_000) + 1_000);
  sandbox.requests.clear();
  t = faceLoginApp(sandbox, { strategy: { store: failingStore(), rateLimit: {} } });
});

type Agent = ReturnType<typeof request.agent>;

async function begin(agent: Agent, aliceUserId: string): Promise<void> {
  await agent.post('/login/face/begin').send({ aliceUserId }).expect(200);
}

function submit(agent: Agent, authenticationId: string) {
  return agent.post('/login/face').send({ authenticationId });
}

/** Resolves once the sandbox has received `n` authentication reads (they are held there by a latency fault). */
async function authenticationsArrived(n: number): Promise<void> {
  while (sandbox.requests.count({ route: 'alice.authentication' }) < n) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A gate for a sandbox fault: the requests it holds go on once `open()` is called. */
function opened(): Promise<void> & { open(): void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return Object.assign(gate, { open });
}

describe('the failure limit when the store fails during a login', () => {
  it('an outage while 5 logins are evaluated: 503, nobody in, and one lease after it the user logs in', async () => {
    const { userId } = sandbox.alice.enroll();
    const agents = Array.from({ length: 5 }, () => request.agent(t.app));
    for (const agent of agents) await begin(agent, userId);
    const ids = agents.map(() => sandbox.alice.authenticate(userId));
    // Each holds one of the user's 5 failure slots while its authentication read waits at the provider; then the
    // store goes away, so no slot can be given back.
    const gate = opened();
    sandbox.faults.inject('alice.authentication', { gate, times: 5 });
    const pending = Promise.all(agents.map((agent, i) => submit(agent, ids[i] as string)));
    await authenticationsArrived(5);
    down = true;
    gate.open();
    const results = await pending;
    expect(results.map((res) => [res.status, res.body.error])).toEqual(Array(5).fill([503, 'ERR_STORE']));
    down = false;
    for (const agent of agents) expect((await agent.get('/me')).body.user).toBeNull();

    // The store is back. The slots nobody gave back free themselves within 20 s, not at the window's end.
    sandbox.clock.advance(20_000);
    const agent = request.agent(t.app);
    await begin(agent, userId);
    const res = await submit(agent, sandbox.alice.authenticate(userId));
    expect([res.status, res.body.user]).toEqual([200, { id: userId }]);
  });

  it('an outcome that comes after the lease could have ended is not used: 504, nobody in', async () => {
    const { userId } = sandbox.alice.enroll();
    const agent = request.agent(t.app);
    await begin(agent, userId);
    const id = sandbox.alice.authenticate(userId);
    const gate = opened();
    sandbox.faults.inject('alice.authentication', { gate, times: 1 });
    const pending = submit(agent, id).then((res) => res); // supertest sends once it is awaited
    await authenticationsArrived(1);
    // The evaluation's 15 s pass while the read is at the provider: another attempt may hold the slot by now.
    sandbox.clock.advance(15_001);
    gate.open();
    const res = await pending;
    expect([res.status, res.body.error]).toEqual([504, 'ERR_PROVIDER_TIMEOUT']);
    expect((await agent.get('/me')).body.user).toBeNull();
  });
});

describe('an attempt that finds every slot held by attempts in flight', () => {
  const window = 900_000;
  /** A limiter on the sandbox clock whose pauses move that clock, as real pauses move real time. */
  function limiter(store: Store, moveClock: boolean) {
    const paused = { ms: 0 };
    const sleep = async (ms: number) => {
      paused.ms += ms;
      if (moveClock) sandbox.clock.advance(ms);
    };
    return { limiter: new FailureLimiter(store, sandbox.clock, window, sleep), paused };
  }
  const user = (id: string): [string, number] => [`user:${id}`, 5];

  it('waits for them and gets a slot once their leases end, less than one lease later', async () => {
    const store = new MemoryStore({ clock: sandbox.clock });
    const { limiter: limits, paused } = limiter(store, true);
    for (let i = 0; i < 5; i++) expect(await limits.reserve([user('u1')])).toBeDefined(); // never marked nor given back
    sandbox.clock.advance(1_000);
    expect(await limits.reserve([user('u1')])).toMatchObject({ slots: [expect.any(String)] });
    expect(paused.ms).toBeGreaterThan(18_000);
    expect(paused.ms).toBeLessThanOrEqual(WAIT_MS);
  });

  it('is refused after one lease of pauses when they stay held, and at once when they are failures', async () => {
    const store = new MemoryStore({ clock: sandbox.clock });
    const { limiter: limits, paused } = limiter(store, false);
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await limits.reserve([user('u2')]));
    expect(await limits.reserve([user('u2')])).toBeUndefined();
    expect(paused.ms).toBeGreaterThan(WAIT_MS - 100);
    expect(paused.ms).toBeLessThanOrEqual(WAIT_MS);
    for (const reservation of held) if (reservation) await limits.fail(reservation);
    paused.ms = 0;
    expect(await limits.reserve([user('u2')])).toBeUndefined();
    expect(paused.ms).toBe(0);
  });
});
