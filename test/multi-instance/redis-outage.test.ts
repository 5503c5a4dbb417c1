import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import util from 'node:util';
import { RedisStore } from '@passport-idv/redis';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { RedisStore as SessionRedisStore } from 'connect-redis';
import createDebug from 'debug';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstanceApp, type InstanceAppOptions, providerConfig } from './app.js';
import { Browser } from './browser.js';
import { OwnedRedis, ping } from './owned-redis.js';
import { waitFor } from './wait.js';

// Redis goes away under running instances: every flow must fail closed (a 503, nobody logged in, no upstream call
// that could lead to a login) and work again, with no restart of the apps, once Redis is back.
//
// Instances A and B keep passport-idv's stores (state, attempts, used ids, rate limits, Alice tokens, handoff reuse)
// in a Redis this test owns and kills, and their sessions in the machine's Redis: so the packages themselves are
// what fails closed, and who is logged in can still be asked. Instance C keeps both in the owned Redis: its session
// layer fails first.
const machineRedisURL = process.env.REDIS_URL;
if (!machineRedisURL) throw new Error('REDIS_URL is not set: run with REDIS_URL=redis://127.0.0.1:6379');

/** A client as a deployment should make it: fail fast while Redis is away, reconnect on its own (quickly here). */
const newClient = (url: string) =>
  createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(20 * (retries + 1), 200) },
  });
type Client = ReturnType<typeof newClient>;
const CALLBACK_URL = 'http://app.test/auth/authenteq/callback';
const prefix = `passport-idv-test:${randomUUID()}:`;
let owned: OwnedRedis;
let sandbox: Sandbox;
const clients: Client[] = [];
const ownedClients: Client[] = [];
const servers: http.Server[] = [];
let A: string;
let B: string;
let C: string;

const count = (route: string) => sandbox.requests.count({ route });
const logs: string[] = [];
createDebug.enable('passport-idv:*');
createDebug.log = (...args: unknown[]) => logs.push(util.format(...args));

async function client(url: string): Promise<Client> {
  const c = newClient(url);
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  if (url === owned.url) ownedClients.push(c);
  return c;
}

async function instance(
  name: string,
  providers: Omit<InstanceAppOptions, 'name' | 'store' | 'sessionStore'>,
  sessionsURL: string,
): Promise<string> {
  const storeClient = await client(owned.url);
  const sessionClient = await client(sessionsURL);
  const app = createInstanceApp({
    name,
    ...providers,
    store: new RedisStore({ client: storeClient, prefix, commandTimeout: 300 }),
    sessionStore: new SessionRedisStore({ client: sessionClient, prefix: `${prefix}sess:` }),
  });
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A browser with an open face-login attempt (begun on `on`) and the authentication id its SDK got. */
async function faceAttempt(on: string, aliceUserId: string) {
  const browser = new Browser();
  expect((await browser.post(on, '/login/face/begin', { aliceUserId })).status).toBe(200);
  return { browser, authenticationId: sandbox.alice.authenticate(aliceUserId) };
}

/** A browser back from the identity check (begun on `on`), with the callback path it would open next. */
async function authenteqAttempt(on: string) {
  const browser = new Browser();
  const start = await browser.get(on, '/auth/authenteq');
  expect(start.status).toBe(302);
  const back = new URL(await sandbox.authenteq.complete(start.location ?? '', 'adult'));
  return { browser, callback: back.pathname + back.search };
}

/** A 503 from the store failure (the app's error handler answers `{error: 'ERR_STORE'}`), not a redirect. */
function expectStoreFailure(
  answer: { status: number; body: Record<string, unknown>; location: string | undefined },
  body: Record<string, unknown> = { error: 'ERR_STORE' },
) {
  expect(answer.status).toBe(503);
  expect(answer.body).toEqual(body);
  expect(answer.location).toBeUndefined();
}

beforeAll(async () => {
  owned = await OwnedRedis.start();
  sandbox = await startSandbox({ port: 0 });
  sandbox.authenteq.registerRedirectURI(CALLBACK_URL);
  const providers = {
    ...providerConfig(sandbox, CALLBACK_URL),
    sessionSecret: randomBytes(32).toString('hex'),
    clock: sandbox.clock,
    timeout: 2_000,
  };
  A = await instance('A', providers, machineRedisURL);
  B = await instance('B', providers, machineRedisURL);
  C = await instance('C', providers, owned.url);
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  owned?.resume();
  await owned?.kill();
  const machine = clients.find((c) => !ownedClients.includes(c) && c.isReady);
  if (machine) {
    for await (const keys of machine.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await machine.del(keys);
    }
  }
  for (const c of clients) c.destroy();
  await sandbox?.close();
});

describe('Redis down under running instances', () => {
  it('every flow fails closed with a 503 while Redis is down, and works again once it is back', async () => {
    // Before the outage: flows half done, and users logged in.
    const signup = await authenteqAttempt(A);
    const { userId } = sandbox.alice.enroll();
    const face = await faceAttempt(A, userId);
    const member = await faceAttempt(A, userId);
    expect((await member.browser.post(B, '/login/face', { authenticationId: member.authenticationId })).status).toBe(
      200,
    );
    const onC = await faceAttempt(C, userId);
    expect((await onC.browser.post(C, '/login/face', { authenticationId: onC.authenticationId })).status).toBe(200);
    expect((await onC.browser.get(C, '/me')).body.user).toEqual({ id: `alice:${userId}` });

    await owned.kill();
    await waitFor(() => ownedClients.every((c) => !c.isReady), { what: 'the clients to see Redis go' });
    sandbox.requests.clear();

    // Sign-up: no state can be kept, so no redirect; a callback cannot be checked, so no code exchange.
    expectStoreFailure(await new Browser().get(A, '/auth/authenteq'));
    expectStoreFailure(await signup.browser.get(B, signup.callback));
    expect((await signup.browser.get(A, '/me')).body.user).toBeNull();
    // Face login: no attempt can begin (no token, no attempt record) and none can be submitted.
    expectStoreFailure(await new Browser().post(B, '/login/face/begin', { aliceUserId: userId }));
    expectStoreFailure(await face.browser.post(B, '/login/face', { authenticationId: face.authenticationId }));
    expect((await face.browser.get(A, '/me')).body.user).toBeNull();
    // Handoff: a logged-in user gets no session (reuse cannot be checked), and stays logged in.
    // (ephemeralSession answers its own JSON error.)
    expectStoreFailure(await member.browser.post(A, '/verify/handoff'), {
      error: 'ERR_STORE',
      message: 'Verification is temporarily unavailable. Please try again in a moment.',
    });
    expect((await member.browser.get(B, '/me')).body.user).toEqual({ id: `alice:${userId}` });
    // Sessions in the same Redis: nothing can be read or written.
    expectStoreFailure(await onC.browser.get(C, '/me'));
    expectStoreFailure(await new Browser().get(C, '/auth/authenteq'));
    const fresh = sandbox.alice.authenticate(userId);
    expectStoreFailure(await onC.browser.post(C, '/login/face', { authenticationId: fresh }));
    // Not one call that could lead to a login left the app.
    // The failures were logged, without a secret, a state or an authentication id.
    const secrets = [
      sandbox.authenteq.clientSecret,
      sandbox.alice.apiKey,
      sandbox.idv.apiKey,
      new URL(signup.callback, 'http://x').searchParams.get('state') ?? 'no state',
      new URL(signup.callback, 'http://x').searchParams.get('code') ?? 'no code',
      face.authenticationId,
      fresh,
    ];
    expect(logs.join('\n')).toMatch(/ERR_STORE|store/i);
    for (const secret of secrets) expect(logs.join('\n')).not.toContain(secret);
    for (const route of [
      'authenteq.token',
      'authenteq.details',
      'alice.login_token',
      'alice.user_token',
      'alice.authentication',
      'idv.sessions',
    ]) {
      expect(count(route), route).toBe(0);
    }

    // Redis returns (empty: it had no persistence); the apps reconnect on their own.
    await owned.start();
    await waitFor(() => ownedClients.every((c) => c.isReady), { what: 'the clients to reconnect' });

    // The state issued before the outage is gone: refused, not accepted.
    const stale = await signup.browser.get(B, signup.callback);
    expect(stale.status).toBe(403);
    expect((await signup.browser.get(A, '/me')).body.user).toBeNull();
    // Fresh flows work, across instances.
    const again = await authenteqAttempt(A);
    const signedUp = await again.browser.get(B, again.callback);
    expect(signedUp.status).toBe(200);
    expect((await again.browser.get(A, '/me')).body.user).toEqual(signedUp.body.user);
    const retry = await faceAttempt(B, userId);
    expect((await retry.browser.post(A, '/login/face', { authenticationId: retry.authenticationId })).status).toBe(200);
    const handoff = await member.browser.post(A, '/verify/handoff');
    expect(handoff.status).toBe(201);
    expect((await member.browser.post(B, '/verify/handoff')).body.sessionId).toBe(handoff.body.sessionId);
    expect(count('idv.sessions')).toBe(1);
    // C lost its sessions with Redis: the user is logged out (not in), and can log in again.
    expect((await onC.browser.get(C, '/me')).body.user).toBeNull();
    const back = await faceAttempt(C, userId);
    expect((await back.browser.post(C, '/login/face', { authenticationId: back.authenticationId })).status).toBe(200);
  });

  it('a Redis that stops answering fails closed after the command timeout, and recovers when it answers again', async () => {
    if (!(await ping(owned.port))) await owned.start(); // whatever the test before left
    await waitFor(() => ownedClients.every((c) => c.isReady), { what: 'the clients to connect' });
    const { userId } = sandbox.alice.enroll();
    const face = await faceAttempt(A, userId);
    const signup = await authenteqAttempt(B);
    sandbox.requests.clear();

    owned.pause();
    try {
      const started = performance.now();
      expectStoreFailure(await face.browser.post(B, '/login/face', { authenticationId: face.authenticationId }));
      expectStoreFailure(await signup.browser.get(A, signup.callback));
      expect(performance.now() - started).toBeLessThan(5_000); // bounded by the store's commandTimeout
      expect((await face.browser.get(A, '/me')).body.user).toBeNull();
      expect((await signup.browser.get(A, '/me')).body.user).toBeNull();
      expect(count('alice.authentication') + count('authenteq.token')).toBe(0);
    } finally {
      owned.resume();
    }

    // Answering again: new attempts go through (the ones above may or may not have been spent by the late commands).
    await waitFor(async () => (await new Browser().get(A, '/auth/authenteq')).status === 302, {
      what: 'the instances to work again',
    });
    const retry = await faceAttempt(A, userId);
    expect((await retry.browser.post(B, '/login/face', { authenticationId: retry.authenticationId })).status).toBe(200);
  });
});
