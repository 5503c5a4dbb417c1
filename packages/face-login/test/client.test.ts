import {
  MemoryStore,
  ProviderResponseError,
  ProviderStatusError,
  ProviderTimeoutError,
  type Store,
  StoreError,
} from '@passport-idv/core';
import { type Sandbox, sandboxMedia, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureDebug } from '../../../test/support/debug.js';
import { AliceClient, type AliceClientOptions, reviewEnrollment } from '../src/index.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.requests.clear();
});

function client(options: Partial<AliceClientOptions> = {}) {
  return new AliceClient({
    apiKey: sandbox.alice.apiKey,
    baseURL: sandbox.alice.baseURL,
    clock: sandbox.clock,
    ...options,
  });
}

const count = (route: string) => sandbox.requests.count({ route });
const media = (options?: Parameters<typeof sandboxMedia>[0]) => ({ data: sandboxMedia(options) });

describe('AliceClient', () => {
  it('covers the documented calls with typed results', async () => {
    const alice = client();
    const userId = await alice.createUser({ email: 'ana@example.com', firstName: 'Ana' });
    expect(sandbox.alice.user(userId)?.email).toBe('ana@example.com');
    expect(await alice.getReport(userId)).toMatchObject({ version: 1, faceLiveness: null });
    await alice.addSelfie(userId, media({ live: false }));
    expect((await alice.getReport(userId)).faceLiveness).toBe(12.5);
    expect((await alice.getReport(userId, { version: 0 })).faceLiveness).toBe(12.5);
    await alice.voidSelfie(userId);
    expect((await alice.getReport(userId, { version: 0 })).faceLiveness).toBeNull();
    await alice.addSelfie(userId, media());
    await alice.authorizeUser(userId);
    expect(await alice.getUserStatus(userId)).toMatchObject({ user_id: userId, authorized: true });
    const id = await alice.authenticate(userId, media());
    const v1 = await alice.getAuthentication(userId, id);
    expect(v1).toMatchObject({ version: 1, authenticationId: id, liveness: 92.5, matching: 96 });
    expect(Math.abs((v1.createdAt ?? 0) - sandbox.clock.now())).toBeLessThan(1500);
    const v0 = await alice.getAuthentication(userId, id, { version: 0 });
    expect(v0).toMatchObject({ version: 0, authenticationId: id, liveness: 92.5, matching: 96 });
    const list = await alice.listAuthentications(userId);
    expect(list.total).toBe(1);
    expect(list.authentications[0]?.authenticationId).toBe(id);
    await alice.deleteUser(userId);
    expect(sandbox.alice.user(userId)).toBeUndefined();
  });

  it('reviewEnrollment authorizes a live selfie, voids a spoof, waits without one', async () => {
    const alice = client();
    const live = sandbox.alice.enroll({ authorize: false });
    expect(await reviewEnrollment(alice, live.userId)).toBe('authorized');
    expect(sandbox.alice.user(live.userId)?.authorized).toBe(true);
    const spoof = sandbox.alice.enroll({ authorize: false, media: { live: false } });
    expect(await reviewEnrollment(alice, spoof.userId)).toBe('retry');
    expect(sandbox.alice.user(spoof.userId)).toMatchObject({ authorized: false, selfieLiveness: undefined });
    expect(await reviewEnrollment(alice, spoof.userId)).toBe('pending');
    const edge = sandbox.alice.enroll({ authorize: false, media: { liveness: 50 } });
    expect(await reviewEnrollment(client({ reportVersion: 0 }), edge.userId)).toBe('authorized');
  });

  it('caches tokens per kind and per user: 100 calls of one user cost one LOGIN_TOKEN and one BACKEND_TOKEN_WITH_USER_ID', async () => {
    const alice = client();
    const { userId } = sandbox.alice.enroll();
    const id = sandbox.alice.authenticate(userId);
    for (let i = 0; i < 100; i++) await alice.getAuthentication(userId, id);
    expect(count('alice.login_token')).toBe(1);
    expect(count('alice.backend_token_with_user_id')).toBe(1);
    expect(count('alice.authentication')).toBe(100);
  });

  it('fetches a token once however many callers wait (single flight)', async () => {
    const alice = client();
    const { userId } = sandbox.alice.enroll();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => alice.getUserToken(userId)));
    expect(new Set(tokens).size).toBe(1);
    expect(count('alice.login_token')).toBe(1);
    expect(count('alice.user_token')).toBe(1);
  });

  it('refreshes a token before its exp (sandbox clock) and never uses one after it', async () => {
    const alice = client();
    const { userId } = sandbox.alice.enroll();
    await alice.getReport(userId);
    sandbox.clock.advance(50 * 60_000); // 10 minutes left: still cached
    await alice.getReport(userId);
    expect(count('alice.backend_token_with_user_id')).toBe(1);
    sandbox.clock.advance(6 * 60_000); // 4 minutes left: inside the 5-minute margin
    await alice.getReport(userId);
    expect(count('alice.backend_token_with_user_id')).toBe(2);
    expect(count('alice.login_token')).toBe(2);
    sandbox.clock.advance(61 * 60_000);
    await alice.getReport(userId);
    expect(sandbox.requests.count({ credential: 'invalid' })).toBe(0);
    expect(sandbox.requests.filter({ route: 'alice.report' }).every((r) => r.status === 200)).toBe(true);
  });

  it('drops a token the API refuses (401) and retries once', async () => {
    const alice = client();
    const { userId } = sandbox.alice.enroll();
    await alice.getReport(userId);
    sandbox.faults.inject('alice.report', { status: 401, times: 1 });
    expect((await alice.getReport(userId)).faceLiveness).toBe(92.5);
    expect(count('alice.report')).toBe(3);
    expect(count('alice.backend_token_with_user_id')).toBe(2);
    sandbox.faults.inject('alice.report', { status: 401, times: 2 });
    await expect(alice.getReport(userId)).rejects.toMatchObject({ upstreamStatus: 401, status: 502 });
    expect(count('alice.report')).toBe(5);
  });

  it('recovers when every token was revoked: the LOGIN_TOKEN is dropped and fetched again too', async () => {
    const alice = client();
    const { userId } = sandbox.alice.enroll();
    await alice.getReport(userId);
    sandbox.alice.revokeTokens();
    expect((await alice.getReport(userId)).faceLiveness).toBe(92.5);
    expect(count('alice.login_token')).toBe(2);
  });

  it('sends Cache-Control: use-cache when asked: two clients get the same provider-cached token', async () => {
    const { userId } = sandbox.alice.enroll();
    const a = await client({ useCache: true }).getUserToken(userId);
    const b = await client({ useCache: true }).getUserToken(userId);
    const c = await client().getUserToken(userId);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('turns provider failures into typed errors: 5xx → 502, hang → 504, malformed → 502', async () => {
    const { userId } = sandbox.alice.enroll();
    const alice = client({ timeout: 300 });
    await alice.getReport(userId);
    sandbox.faults.inject('alice.report', { status: 503 });
    await expect(alice.getReport(userId)).rejects.toBeInstanceOf(ProviderStatusError);
    sandbox.faults.clear();
    sandbox.faults.inject('alice.report', { hang: true, times: 1 });
    await expect(alice.getReport(userId)).rejects.toMatchObject({ status: 504 });
    await expect(
      (async () => {
        sandbox.faults.inject('alice.report', { hang: true, times: 1 });
        await alice.getReport(userId);
      })(),
    ).rejects.toBeInstanceOf(ProviderTimeoutError);
    sandbox.faults.inject('alice.report', { malformed: true, times: 1 });
    await expect(alice.getReport(userId)).rejects.toBeInstanceOf(ProviderResponseError);
    sandbox.faults.inject('alice.report', { body: { report: { summary: { face_liveness: '93' } } }, times: 1 });
    await expect(alice.getReport(userId)).rejects.toMatchObject({ code: 'ERR_PROVIDER_RESPONSE' });
  });

  it('fails closed with a StoreError (503) when the token store fails', async () => {
    const broken: Store = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      add: () => Promise.reject(new Error('down')),
      take: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
    };
    const { userId } = sandbox.alice.enroll();
    const error = await client({ tokenStore: broken })
      .getUserToken(userId)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ status: 503 });
  });

  it('keeps the API key and backend tokens out of logs and errors', async () => {
    const lines = captureDebug();
    const alice = client({ timeout: 300 });
    const { userId } = sandbox.alice.enroll();
    const userToken = await alice.getUserToken(userId);
    sandbox.faults.inject('alice.report', { status: 500 });
    const error = await alice.getReport(userId).catch((e: unknown) => e);
    const text = `${lines.join('\n')}\n${String(error)}\n${JSON.stringify(error)}`;
    expect(lines.length).toBeGreaterThan(0);
    expect(text).not.toContain(sandbox.alice.apiKey);
    expect(text).not.toContain(userToken);
    expect(text).not.toMatch(/eyJ[\w-]{10,}/); // no JWT of any kind
  });

  it('validates its options', () => {
    for (const bad of [
      { apiKey: '' },
      { apiKey: 'k', baseURL: 'not a url' },
      { apiKey: 'k', baseURL: 'ftp://x' },
      { apiKey: 'k', timeout: 0 },
      { apiKey: 'k', reportVersion: 2 },
      { apiKey: 'k', refreshMargin: -1 },
    ]) {
      expect(() => new AliceClient(bad as AliceClientOptions), JSON.stringify(bad)).toThrow(TypeError);
    }
    expect(() => new AliceClient({ apiKey: 'k', tokenStore: new MemoryStore() })).not.toThrow();
  });
});
