import { randomBytes, randomUUID } from 'node:crypto';
import { StoreError } from '@passport-idv/core';
import { RedisStore } from '@passport-idv/redis';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientKind, connect } from '../redis/clients.js';
import { providerConfig } from './app.js';
import { type Answer, Browser } from './browser.js';
import { assertBuilt, type ForkedInstance, forkInstance } from './fork-instance.js';
import { OwnedCluster } from './owned-cluster.js';

// A Redis Cluster of this file's own (3 masters, 3 replicas, cluster-node-timeout 1 s) under two app instances:
// a master hangs, then a master dies during a stream of logins. While the cluster elects a replica, requests fail
// closed (a 503, nobody logged in, no single-use key accepted twice); afterwards logins work again with no restart.
const CALLBACK_URL = 'http://app.test/auth/authenteq/callback';
let cluster: OwnedCluster;
let sandbox: Sandbox;
let instances: ForkedInstance[] = [];
let A: string;
let B: string;

beforeAll(async () => {
  assertBuilt();
  cluster = await OwnedCluster.start({ nodeTimeout: 1_000 });
  sandbox = await startSandbox({ port: 0 });
  sandbox.authenteq.registerRedirectURI(CALLBACK_URL);
  const config = {
    ...providerConfig(sandbox, CALLBACK_URL),
    sessionSecret: randomBytes(32).toString('hex'),
    redis: { clusterNodes: cluster.list },
    app: `failover-${randomUUID()}`,
  };
  instances = await Promise.all(['A', 'B'].map((name) => forkInstance({ ...config, name })));
  [A, B] = instances.map((instance) => instance.url) as [string, string];
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(instances.map((instance) => instance.close()));
  await sandbox?.close();
  await cluster?.close();
});

describe('a master that hangs', () => {
  it('fails the commands on its slots with a StoreError within commandTimeout, on every cluster client', async () => {
    const kinds: ClientKind[] = ['node-redis cluster', 'ioredis Cluster'];
    const clients = await Promise.all(kinds.map((kind) => connect(kind, { url: '', nodes: cluster.list })));
    const prefix = `hang-${randomUUID()}:`;
    const stores = clients.map(({ client }) => new RedisStore({ client, prefix, commandTimeout: 200 }));
    // A key on the master that will hang, and one elsewhere.
    const hung = await cluster.masterOf(`${prefix}a`);
    const others = ['b', 'c'];
    for (const [i, key] of others.entries()) {
      while ((await cluster.masterOf(`${prefix}${others[i]}`)).port === hung.port) others[i] = `${others[i]}${key}`;
    }
    for (const store of stores) await store.set('a', 1, 60_000);
    cluster.pause(hung);
    try {
      // Short of cluster-node-timeout, so no failover starts: a pause, not a failure.
      for (const [i, store] of stores.entries()) {
        const started = performance.now();
        const error = await store.get('a').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as Error).message).toBe('Redis GET failed: no answer within 200ms');
        expect(performance.now() - started).toBeLessThan(400);
        expect(await store.add(others[i] as string, 1, 60_000)).toBe(true); // the other masters answer
      }
    } finally {
      cluster.resume(hung);
    }
    for (const store of stores) expect(await store.take('a')).toSatisfy((v) => v === 1 || v === undefined);
    await Promise.all(clients.map((c) => c.close()));
  });
});

/** One login attempt of the stream, and what came of it. */
interface Outcome {
  kind: 'face' | 'signup';
  /** The status of each request of the flow, in order. */
  statuses: number[];
  /** Who the flow logged in, if it did. */
  user?: string;
  /** The face login's authentication id, or the sign-up's callback path (its state and code). */
  secret?: string;
  browser: Browser;
  /** The user the flow was for (face logins). */
  expected?: string;
}

/** One face login (begun on `begin`, submitted on `submit`) or one sign-up, stopping at the first failure. */
async function flow(kind: 'face' | 'signup', begin: string, submit: string, aliceUserId: string): Promise<Outcome> {
  const browser = new Browser();
  const statuses: number[] = [];
  // A dropped connection is status 0: express-session saves a session as the response ends, and when that save
  // fails the response has begun, so Express can only close the connection. Nobody is logged in by it.
  const dropped: Answer = { status: 0, headers: new Headers(), location: undefined, body: {} };
  const step = async (answer: Promise<Answer>) => {
    const done = await answer.catch(() => dropped);
    statuses.push(done.status);
    return done;
  };
  if (kind === 'face') {
    const started = await step(browser.post(begin, '/login/face/begin', { aliceUserId }));
    if (started.status !== 200) return { kind, statuses, browser };
    const secret = sandbox.alice.authenticate(aliceUserId);
    const login = await step(browser.post(submit, '/login/face', { authenticationId: secret }));
    const user = (login.body.user as { id?: string } | undefined)?.id;
    return { kind, statuses, browser, secret, expected: `alice:${aliceUserId}`, ...(user ? { user } : {}) };
  }
  const start = await step(browser.get(begin, '/auth/authenteq'));
  if (start.status !== 302) return { kind, statuses, browser };
  const back = new URL(await sandbox.authenteq.complete(start.location ?? '', 'adult'));
  const secret = back.pathname + back.search;
  const done = await step(browser.get(submit, secret));
  const user = (done.body.user as { id?: string } | undefined)?.id;
  return { kind, statuses, browser, secret, ...(user ? { user } : {}) };
}

describe('a master killed during a stream of logins', () => {
  it('fails closed while a replica is elected, accepts no single-use key twice, and logs in again after', async () => {
    const users = Array.from({ length: 4 }, () => sandbox.alice.enroll().userId);
    const outcomes: Outcome[] = [];
    let phase: 'before' | 'during' | 'after' = 'before';
    const byPhase = { before: [] as Outcome[], during: [] as Outcome[], after: [] as Outcome[] };
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop && i < 2_000; i++) {
        const [begin, submit] = (i + w) % 2 ? [A, B] : [B, A];
        const outcome = await flow(i % 2 ? 'face' : 'signup', begin, submit, users[w % users.length] as string);
        outcomes.push(outcome);
        byPhase[phase].push(outcome);
      }
    };
    const workers = Promise.all([0, 1, 2, 3].map(worker));
    const succeeded = (list: Outcome[]) => list.filter((o) => o.user !== undefined).length;
    const deadline = performance.now() + 40_000;
    const until = async (condition: () => boolean | Promise<boolean>) => {
      while (!(await condition())) {
        if (performance.now() > deadline) throw new Error(`the stream did not reach the ${phase} phase's goal`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await until(() => succeeded(byPhase.before) >= 8);
      phase = 'during';
      await cluster.kill(await cluster.masterOf('any key'));
      await cluster.waitUntilHealthy();
      phase = 'after';
      // Without a restart, both instances find the new master: the flows succeed again, 16 in a row (their keys
      // fall on every master).
      await until(() => byPhase.after.length >= 16 && byPhase.after.slice(-16).every((o) => o.user !== undefined));
    } finally {
      stop = true;
      await workers;
    }

    // While the master was gone, flows failed closed: a 503 from the store, or a "start again" for a flow whose
    // state, attempt or session went with it; never a 500, never someone logged in as another.
    expect(byPhase.during.some((o) => o.statuses.includes(503))).toBe(true);
    for (const outcome of outcomes) {
      for (const status of outcome.statuses) expect([0, 200, 302, 401, 403, 503]).toContain(status);
      if (outcome.kind === 'face' && outcome.user) expect(outcome.user).toBe(outcome.expected);
      if (outcome.kind === 'signup' && outcome.user) expect(outcome.user).toMatch(/^authenteq:/);
    }
    // Whoever a browser's session says is logged in is who logged in there (or nobody: its session was lost).
    for (const outcome of outcomes.filter((o) => o.user)) {
      const me = await outcome.browser.get(A, '/me');
      expect(me.status).toBe(200);
      expect([null, outcome.user]).toContainEqual((me.body.user as { id?: string } | null)?.id ?? null);
    }

    // Every single-use key that logged someone in is refused when used again, now that the cluster is whole.
    sandbox.requests.clear();
    for (const outcome of outcomes.filter((o) => o.user && o.secret)) {
      if (outcome.kind === 'face') {
        const again = new Browser();
        const aliceUserId = (outcome.expected ?? '').slice('alice:'.length);
        expect((await again.post(B, '/login/face/begin', { aliceUserId })).status).toBe(200);
        const replay = await again.post(A, '/login/face', { authenticationId: outcome.secret });
        // Refused as used (401), or, once this user's refusals reach the limit, rate-limited (429).
        expect([401, 429]).toContain(replay.status);
        expect((await again.get(B, '/me')).body.user).toBeNull();
      } else {
        const replay = await outcome.browser.get(B, outcome.secret as string);
        expect(replay.status).toBe(403);
      }
    }
    expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(0);
    expect(sandbox.requests.count({ route: 'alice.authentication' })).toBe(0);
  }, 60_000);
});
