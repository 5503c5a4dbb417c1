import { randomBytes, randomUUID } from 'node:crypto';
import type { RedisTarget } from '@passport-idv/example-redis-setup';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { providerConfig } from './app.js';
import { Browser } from './browser.js';
import { assertBuilt, type ForkedInstance, forkInstance } from './fork-instance.js';
import { type RedisAdmin, redisAdmin } from './redis-admin.js';

// Two app processes behind an imaginary load balancer: one Redis (or one Redis Cluster), one session secret, one
// callback URL, one sandbox (in this process), and browsers whose requests alternate between them. The same tests
// run on one Redis (REDIS_URL) and on the Redis Cluster the suite started, sessions included.
const redisURL = process.env.REDIS_URL;
if (!redisURL) throw new Error('REDIS_URL is not set: run with REDIS_URL=redis://127.0.0.1:6379 (npm run test:redis)');

const CALLBACK_URL = 'http://app.test/auth/authenteq/callback';
const TOPOLOGIES: [string, () => RedisTarget][] = [
  ['one Redis', () => ({ url: redisURL })],
  ['a Redis Cluster', () => ({ clusterNodes: inject('redisCluster') })],
];

for (const [topology, target] of TOPOLOGIES) {
  let sandbox: Sandbox;
  let redis: RedisAdmin;
  let instances: ForkedInstance[] = [];
  let A: string;
  let B: string;
  /** Forks one more instance on the same Redis, secret and sandbox. */
  let forkAnother: (name: string) => Promise<ForkedInstance>;
  /** The app's name in Redis: its keys are `passport-idv:${app}:…` and `${app}:sess:…`. */
  const app = `passport-idv-test-${randomUUID()}`;

  const count = (route: string) => sandbox.requests.count({ route });
  const callbackPath = (location: string) => {
    const url = new URL(location);
    return url.pathname + url.search;
  };

  /** A browser that has logged in with its face: begun on one instance, submitted on the other. */
  async function faceLogin(begin: string, submit: string, aliceUserId: string) {
    const browser = new Browser();
    const started = await browser.post(begin, '/login/face/begin', { aliceUserId });
    expect(started.status).toBe(200);
    const login = await browser.post(submit, '/login/face', {
      authenticationId: sandbox.alice.authenticate(aliceUserId),
    });
    return { browser, started, login };
  }

  describe(`two app instances sharing ${topology}`, () => {
    beforeAll(async () => {
      assertBuilt();
      try {
        redis = await redisAdmin(target());
      } catch (error) {
        throw new Error(`Redis is not reachable (${topology}): ${(error as Error).message}`);
      }
      sandbox = await startSandbox({ port: 0 });
      sandbox.authenteq.registerRedirectURI(CALLBACK_URL);
      const providers = providerConfig(sandbox, CALLBACK_URL);
      const sessionSecret = randomBytes(32).toString('hex');
      forkAnother = (name) => forkInstance({ name, sessionSecret, redis: target(), app, ...providers });
      instances = await Promise.all(['A', 'B'].map((name) => forkAnother(name)));
      [A, B] = instances.map((instance) => instance.url) as [string, string];
    });

    afterAll(async () => {
      await Promise.allSettled(instances.map((instance) => instance.close()));
      await sandbox?.close();
      if (redis) {
        await redis.deleteKeys(`*${app}:*`);
        await redis.close();
      }
    });

    beforeEach(() => {
      sandbox.faults.clear();
      sandbox.requests.clear();
    });

    it('are two processes answering on their own', async () => {
      const browser = new Browser();
      expect((await browser.get(A, '/me')).body).toEqual({ instance: 'A', user: null });
      expect((await browser.get(B, '/me')).body).toEqual({ instance: 'B', user: null });
    });

    it('an Authenteq flow started on A completes on B; its state replayed on A is refused', async () => {
      const browser = new Browser();
      const start = await browser.get(A, '/auth/authenteq');
      expect(start.status).toBe(302);
      expect(start.headers.get('x-instance')).toBe('A');
      const back = callbackPath(await sandbox.authenteq.complete(start.location ?? '', 'adult'));

      const done = await browser.get(B, back);
      expect(done.status).toBe(200);
      expect(done.headers.get('x-instance')).toBe('B');
      const user = done.body.user as { id: string };
      expect(user.id).toMatch(/^authenteq:/);
      expect((await browser.get(A, '/me')).body.user).toEqual(user); // one session, whichever instance answers

      // The same callback again, on A: from the same browser and from another one.
      const replay = await browser.get(A, back);
      expect(replay.status).toBe(403);
      const attacker = new Browser();
      expect((await attacker.get(A, back)).status).toBe(403);
      expect((await attacker.get(A, '/me')).body.user).toBeNull();
      expect(count('authenteq.token')).toBe(1);
      expect(count('authenteq.details')).toBe(1);
    });

    it('one callback racing on A and B logs in once, with one code exchange', async () => {
      const browser = new Browser();
      const start = await browser.get(A, '/auth/authenteq');
      const back = callbackPath(await sandbox.authenteq.complete(start.location ?? '', 'adult'));
      const answers = await Promise.all([browser.get(A, back), browser.get(B, back), browser.get(A, back)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403, 403]);
      expect(count('authenteq.token')).toBe(1);
    });

    it('a state issued on A is bound to its browser on B too', async () => {
      const victim = new Browser();
      const start = await victim.get(A, '/auth/authenteq');
      const back = callbackPath(await sandbox.authenteq.complete(start.location ?? '', 'adult'));
      const attacker = new Browser();
      await attacker.get(B, '/auth/authenteq'); // a session of its own, on the other instance
      const stolen = await attacker.get(B, back);
      expect(stolen.status).toBe(403);
      expect((await attacker.get(A, '/me')).body.user).toBeNull();
      expect(count('authenteq.token')).toBe(0);
    });

    it('a face login begun on A is submitted on B; the same authentication id then submitted on A is refused', async () => {
      const { userId } = sandbox.alice.enroll();
      const browser = new Browser();
      expect((await browser.post(A, '/login/face/begin', { aliceUserId: userId })).status).toBe(200);
      const authenticationId = sandbox.alice.authenticate(userId);
      const login = await browser.post(B, '/login/face', { authenticationId });
      expect(login.status).toBe(200);
      expect(login.body.user).toEqual({ id: `alice:${userId}` });
      expect((await browser.get(A, '/me')).body.user).toEqual({ id: `alice:${userId}` });
      expect(count('alice.authentication')).toBe(1);

      // The id again on A, with a fresh attempt: from another browser (it was seen) and from the same one.
      const attacker = new Browser();
      expect((await attacker.post(A, '/login/face/begin', { aliceUserId: userId })).status).toBe(200);
      const stolen = await attacker.post(A, '/login/face', { authenticationId });
      expect(stolen.status).toBe(401);
      expect(stolen.body.failure).toMatchObject({ code: 'authentication_id_used' });
      expect((await attacker.get(B, '/me')).body.user).toBeNull();
      expect((await browser.post(A, '/login/face/begin', { aliceUserId: userId })).status).toBe(200);
      const again = await browser.post(A, '/login/face', { authenticationId });
      expect(again.status).toBe(401);
      expect(again.body.failure).toMatchObject({ code: 'authentication_id_used' });
      expect(count('alice.authentication')).toBe(1); // refused before any upstream call
    });

    it('a double submit racing on A and B logs in exactly once (10 rounds)', async () => {
      for (let round = 0; round < 10; round++) {
        const { userId } = sandbox.alice.enroll();
        const browser = new Browser();
        await browser.post(round % 2 ? A : B, '/login/face/begin', { aliceUserId: userId });
        const authenticationId = sandbox.alice.authenticate(userId);
        const answers = await Promise.all([
          browser.post(A, '/login/face', { authenticationId }),
          browser.post(B, '/login/face', { authenticationId }),
        ]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
      }
      expect(count('alice.authentication')).toBe(10);
    });

    it('200 concurrent face logins spread over both instances cost one LOGIN_TOKEN in all', async () => {
      // A cold start: no token in Redis, and two new processes.
      await redis.deleteKeys(`passport-idv:${app}:face-login:alice:*`);
      const cold = await Promise.all(['C', 'D'].map((name) => forkAnother(name)));
      const [C, D] = cold.map((instance) => instance.url) as [string, string];
      const users = Array.from({ length: 20 }, () => sandbox.alice.enroll().userId);
      sandbox.requests.clear();
      const logins = await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const [begin, submit] = i % 2 === 0 ? [C, D] : [D, C];
          return faceLogin(begin, submit, users[i % users.length] as string);
        }),
      ).finally(() => Promise.allSettled(cold.map((instance) => instance.close())));
      expect(logins.map(({ login }) => login.status)).toEqual(Array(200).fill(200));
      expect(new Set(logins.map(({ login }) => (login.body.user as { id: string }).id)).size).toBe(users.length);
      expect(count('alice.login_token')).toBe(1);
      // One USER_TOKEN and one BACKEND_TOKEN_WITH_USER_ID per user, whichever instance needed it first.
      expect(count('alice.user_token')).toBe(users.length);
      expect(count('alice.backend_token_with_user_id')).toBe(users.length);
      expect(count('alice.authentication')).toBe(200);
    });

    it('handoff reuse holds across instances: one session per user, however the requests are spread', async () => {
      const { userId } = sandbox.alice.enroll();
      const { browser, login } = await faceLogin(A, B, userId);
      expect(login.status).toBe(200);
      const handoffs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => browser.post(i % 2 === 0 ? A : B, '/verify/handoff')),
      );
      expect(handoffs.map((h) => h.status)).toEqual(Array(20).fill(201));
      expect(new Set(handoffs.map((h) => h.body.sessionId)).size).toBe(1);
      expect(new Set(handoffs.map((h) => h.headers.get('x-instance')))).toEqual(new Set(['A', 'B']));
      expect(count('idv.sessions')).toBe(1);
      expect(count('idv.ephemeral')).toBe(1);
      const later = await browser.post(B, '/verify/handoff');
      expect(later.body.sessionId).toBe(handoffs[0]?.body.sessionId);
      expect(count('idv.sessions')).toBe(1);

      // Another user gets a session of their own.
      const other = await faceLogin(B, A, sandbox.alice.enroll().userId);
      const theirs = await other.browser.post(A, '/verify/handoff');
      expect(theirs.status).toBe(201);
      expect(theirs.body.sessionId).not.toBe(later.body.sessionId);
      expect(count('idv.sessions')).toBe(2);
    });

    it('the face-login rate limit counts failures on both instances together', async () => {
      const { userId } = sandbox.alice.enroll();
      // Five spoofs (the default per-user limit), alternating between the instances.
      for (let i = 0; i < 5; i++) {
        const browser = new Browser();
        await browser.post(i % 2 ? A : B, '/login/face/begin', { aliceUserId: userId });
        const spoof = sandbox.alice.authenticate(userId, { live: false });
        const refused = await browser.post(i % 2 ? B : A, '/login/face', { authenticationId: spoof });
        expect(refused.body.failure).toMatchObject({ code: 'liveness_too_low' });
      }
      for (const instance of [A, B]) {
        const browser = new Browser();
        await browser.post(instance, '/login/face/begin', { aliceUserId: userId });
        const genuine = await browser.post(instance, '/login/face', {
          authenticationId: sandbox.alice.authenticate(userId),
        });
        expect(genuine.status).toBe(429);
        expect(genuine.body.failure).toMatchObject({ code: 'rate_limited' });
        expect((await browser.get(instance, '/me')).body.user).toBeNull();
      }
    });
  });
}
