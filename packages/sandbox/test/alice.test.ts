import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, sandboxMedia, startSandbox } from '../src/index.js';
import { aliceHttp, pick, video } from './alice-support.js';

let sandbox: Sandbox;
let call: ReturnType<typeof aliceHttp>['call'];
let token: ReturnType<typeof aliceHttp>['token'];
let loginToken: ReturnType<typeof aliceHttp>['loginToken'];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  ({ call, token, loginToken } = aliceHttp(sandbox));
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clock.reset();
});

describe('Alice emulator: tokens', () => {
  it('issues the four token kinds as JWTs that last 60 minutes on the sandbox clock', async () => {
    const login = await loginToken();
    const userId = sandbox.alice.createUser();
    const claims = [
      decodeJwt(login),
      decodeJwt(await token('/backend_token', login)),
      decodeJwt(await token(`/backend_token/${userId}`, login)),
      decodeJwt(await token(`/user_token/${userId}`, login)),
    ];
    expect(claims.map((c) => c.kind)).toEqual([
      'LOGIN_TOKEN',
      'BACKEND_TOKEN',
      'BACKEND_TOKEN_WITH_USER_ID',
      'USER_TOKEN',
    ]);
    expect(claims[2]?.sub).toBe(userId);
    expect(claims[3]?.sub).toBe(userId);
    for (const c of claims) expect((c.exp ?? 0) - (c.iat ?? 0)).toBe(3600);
    sandbox.clock.advance(3_600_000);
    const expired = await call('GET', '/backend_token', login);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ detail: 'Token expired' });
  });

  it('logs the credential kind and user of each request', async () => {
    sandbox.requests.clear();
    const userId = sandbox.alice.createUser();
    await token(`/backend_token/${userId}`);
    expect(sandbox.requests.count({ route: 'alice.login_token', credential: 'apikey' })).toBe(1);
    expect(
      sandbox.requests.count({ route: 'alice.backend_token_with_user_id', credential: 'LOGIN_TOKEN', userId }),
    ).toBe(1);
  });

  it('refuses a missing or wrong API key with 401', async () => {
    expect((await call('GET', '/login_token')).status).toBe(401);
    const wrong = await call('GET', '/login_token', undefined, { headers: { apikey: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Invalid API key' });
    expect(JSON.stringify(wrong.body)).not.toContain(sandbox.alice.apiKey);
  });

  it('accepts each token kind only where the docs say', async () => {
    const login = await loginToken();
    const backend = await token('/backend_token', login);
    const { userId } = sandbox.alice.enroll();
    const user = await token(`/user_token/${userId}`, login);
    const backendUser = await token(`/backend_token/${userId}`, login);
    // Token endpoints take only a LOGIN_TOKEN.
    for (const t of [backend, user, backendUser]) expect((await call('GET', '/backend_token', t)).status).toBe(401);
    expect((await call('GET', `/user_token/${userId}`, backend)).status).toBe(401);
    // A USER_TOKEN cannot do backend calls.
    for (const [method, path] of [
      ['GET', '/user/report'],
      ['PATCH', '/user/selfie'],
      ['POST', '/user/authentication/enable'],
      ['POST', '/user/authentication/disable'],
      ['GET', '/user/authentications/ids'],
      ['DELETE', '/user'],
      ['GET', '/user/authentications'],
    ] as const) {
      const res = await call(method, path, user);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(pick(res.body, 'detail')).toBe('This endpoint does not accept a USER_TOKEN');
    }
    // Backend tokens cannot do the browser's calls; BACKEND_TOKEN cannot do per-user calls.
    expect((await call('POST', '/user/authenticate', backendUser, { body: video() })).status).toBe(401);
    expect((await call('POST', '/user/selfie', backend, { body: video() })).status).toBe(401);
    expect((await call('GET', '/user/report', backend)).status).toBe(401);
    expect((await call('POST', '/user', backendUser)).status).toBe(401);
    expect((await call('POST', '/user', 'not-a-jwt')).status).toBe(401);
    expect((await call('POST', '/user')).status).toBe(401);
  });

  it('hands back the cached token with Cache-Control: use-cache, for 30 minutes', async () => {
    const login = await loginToken();
    const get = () => call('GET', '/backend_token', login, { headers: { 'cache-control': 'use-cache' } });
    const first = pick((await get()).body, 'token');
    sandbox.clock.advance(29 * 60_000);
    expect(pick((await get()).body, 'token')).toBe(first);
    sandbox.clock.advance(2 * 60_000);
    expect(pick((await get()).body, 'token')).not.toBe(first);
    expect(pick((await call('GET', '/backend_token', login)).body, 'token')).not.toBe(first);
  });

  it('answers 401 for every token after revokeTokens()', async () => {
    const login = await loginToken();
    sandbox.alice.revokeTokens();
    const res = await call('GET', '/backend_token', login);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid token' });
  });

  it('refuses malformed Authorization headers and a missing apikey with the documented body', async () => {
    const missing = await call('GET', '/login_token');
    expect(missing.body).toEqual({ detail: 'Missing apikey header' });
    const login = await loginToken();
    for (const header of [login, `Basic ${login}`, 'Bearer', `Bearer ${login} extra`]) {
      const res = await call('GET', '/backend_token', undefined, { headers: { authorization: header } });
      expect(res.status, header.slice(0, 12)).toBe(401);
    }
    // A token signed by someone else (or tampered with) is refused.
    const [head, payload] = login.split('.');
    const forged = `${head}.${payload}.${'A'.repeat(43)}`;
    expect((await call('GET', '/backend_token', forged)).body).toEqual({ detail: 'Invalid token' });
    expect(sandbox.requests.count({ route: 'alice.backend_token', credential: 'invalid' })).toBeGreaterThan(0);
  });

  it('refuses bad version headers and list parameters with 400', async () => {
    const { userId } = sandbox.alice.enroll();
    const backendUser = await token(`/backend_token/${userId}`);
    const id = sandbox.alice.authenticate(userId);
    const bad = await call('GET', `/user/authentication/${id}`, backendUser, {
      headers: { 'alice-authentication-version': '3' },
    });
    expect(bad.status).toBe(400);
    expect((await call('GET', '/user/authentications?page=0', backendUser)).status).toBe(400);
    expect((await call('GET', '/user/authentications?page_size=x', backendUser)).status).toBe(400);
  });

  it('refuses a per-user token for an unknown user with 404', async () => {
    const res = await call('GET', '/user_token/00000000-0000-0000-0000-000000000000', await loginToken());
    expect(res.status).toBe(404);
  });
});

describe('Alice emulator: enrollment and login flow over HTTP', () => {
  it('creates a user, adds a selfie, reports V0 and V1, authorizes, authenticates, lists', async () => {
    const login = await loginToken();
    const backend = await token('/backend_token', login);
    const form = new FormData();
    form.append('email', 'ana@example.com');
    const created = await call('POST', '/user', backend, { body: form });
    expect(created.status).toBe(200);
    const userId = pick(created.body, 'user_id') as string;
    expect(sandbox.alice.user(userId)?.email).toBe('ana@example.com');
    const user = await token(`/user_token/${userId}`, login);
    const backendUser = await token(`/backend_token/${userId}`, login);

    const empty = await call('GET', '/user/report', backendUser);
    expect(pick(empty.body, 'report.summary.face_liveness')).toBeNull();
    expect((await call('POST', '/user/selfie', user)).status).toBe(400);
    const selfie = await call('POST', '/user/selfie', user, { body: video() });
    expect(selfie.status).toBe(201);
    expect(selfie.headers.get('access-control-allow-origin')).toBe('*');

    const v1 = await call('GET', '/user/report', backendUser, { headers: { 'alice-report-version': '1' } });
    expect(pick(v1.body, 'report')).toMatchObject({ user_id: userId, version: 1, summary: { face_liveness: 92.5 } });
    expect(pick(v1.body, 'report.created_at')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const v0 = await call('GET', '/user/report', backendUser, { headers: { 'alice-report-version': '0' } });
    expect(pick(v0.body, 'report')).toMatchObject({
      version: 0,
      user_summary: { authorized: false, user_id: userId, selfie: { liveness: { score: 0.925 }, voided: false } },
    });
    expect((await call('GET', '/user/report', backendUser, { headers: { 'alice-report-version': '2' } })).status).toBe(
      400,
    );

    const status = await call('GET', '/user/status', user);
    expect(pick(status.body, 'user')).toMatchObject({ user_id: userId, authorized: false });

    // Face login not enabled yet: authentication is refused with the 404 the web SDK reads as "not enabled".
    expect((await call('POST', '/user/authenticate', user, { body: video() })).status).toBe(404);
    expect((await call('POST', '/user/authentication/enable', backendUser)).status).toBe(200);
    expect(sandbox.alice.user(userId)?.authorized).toBe(true);

    const auth = await call('POST', '/user/authenticate', user, { body: video() });
    expect(auth.status).toBe(200);
    const id = pick(auth.body, 'authentication_id') as string;
    const a1 = await call('GET', `/user/authentication/${id}`, backendUser, {
      headers: { 'alice-authentication-version': '1' },
    });
    expect(pick(a1.body, 'authentication')).toMatchObject({
      authentication_id: id,
      face_liveness: 92.5,
      face_matching: 96,
    });
    expect(pick(a1.body, 'authentication.created_at')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(Date.parse(`${pick(a1.body, 'authentication.created_at')}Z`)).toBeLessThanOrEqual(sandbox.clock.now());
    const a0 = await call('GET', `/user/authentication/${id}`, backendUser, {
      headers: { 'alice-authentication-version': '0' },
    });
    expect(pick(a0.body, 'authentication')).toMatchObject({
      liveness_result: { score: 0.925 },
      match_result: { normalized: 0.96, score: 1 },
      user_id: userId,
    });

    await call('POST', '/user/authenticate', user, { body: video(sandboxMedia({ live: false })) });
    const list = await call('GET', '/user/authentications?page=1&page_size=10&descending=true', backendUser);
    expect(list.body).toMatchObject({ total: 2, version: 1 });
    expect(pick(list.body, 'authentications.1.authentication_id')).toBe(id);
    expect(pick(list.body, 'authentications.0.face_liveness')).toBe(12.5);
    const page2 = await call('GET', '/user/authentications?page=2&page_size=1&descending=false', backendUser);
    expect(pick(page2.body, 'authentications')).toHaveLength(1);
    expect(pick(page2.body, 'authentications.0.face_liveness')).toBe(12.5);

    // Voiding the selfie: the report shows no liveness, authentication is refused until a new selfie.
    expect((await call('PATCH', '/user/selfie', backendUser)).status).toBe(200);
    expect(pick((await call('GET', '/user/report', backendUser)).body, 'report.summary.face_liveness')).toBeNull();
    expect((await call('POST', '/user/authenticate', user, { body: video() })).status).toBe(409);

    expect((await call('DELETE', '/user', backendUser)).status).toBe(200);
    expect(sandbox.alice.user(userId)).toBeUndefined();
    expect((await call('GET', '/user/report', backendUser)).status).toBe(404);
  });

  it('one active selfie per user (409), a selfie limit (422), as the SDKs map them; status tells both', async () => {
    const userId = sandbox.alice.createUser();
    const login = await loginToken();
    const user = await token(`/user_token/${userId}`, login);
    const backendUser = await token(`/backend_token/${userId}`, login);
    const status = async () => pick((await call('GET', '/user/status', user)).body, 'user');
    expect(await status()).toMatchObject({ uploaded_face: false, selfie_limit_reached: false });
    expect((await call('POST', '/user/selfie', user, { body: video() })).status).toBe(201);
    expect(await status()).toMatchObject({ uploaded_face: true });
    const second = await call('POST', '/user/selfie', user, { body: video(sandboxMedia({ face: 'mallory' })) });
    expect(second).toMatchObject({ status: 409, body: { detail: 'An active selfie already exists' } });
    expect(() => sandbox.alice.addSelfie(userId, { face: 'mallory' })).toThrow(/active selfie/);
    // Re-enrolling: void the active selfie first. Five selfies in all, voided ones included.
    for (let i = 2; i <= 5; i++) {
      expect((await call('PATCH', '/user/selfie', backendUser)).status).toBe(200);
      expect((await call('POST', '/user/selfie', user, { body: video() })).status).toBe(201);
    }
    expect(sandbox.alice.user(userId)?.selfieCount).toBe(5);
    expect((await call('PATCH', '/user/selfie', backendUser)).status).toBe(200);
    expect(await status()).toMatchObject({ uploaded_face: false, selfie_limit_reached: true });
    const sixth = await call('POST', '/user/selfie', user, { body: video() });
    expect(sixth).toMatchObject({ status: 422, body: { detail: 'The maximum selfies per user was reached' } });
  });

  it('the test-only switch lets a second selfie replace the face logins are matched with', async () => {
    const { userId } = sandbox.alice.enroll();
    const user = await token(`/user_token/${userId}`);
    sandbox.alice.allowSelfieReplacement(true);
    try {
      const replaced = await call('POST', '/user/selfie', user, { body: video(sandboxMedia({ face: 'mallory' })) });
      expect(replaced.status).toBe(201);
    } finally {
      sandbox.alice.allowSelfieReplacement(false);
    }
    expect(sandbox.alice.user(userId)).toMatchObject({ authorized: true, selfieCount: 2 });
    const backendUser = await token(`/backend_token/${userId}`);
    const scores = async (id: string) =>
      pick((await call('GET', `/user/authentication/${id}`, backendUser)).body, 'authentication.face_matching');
    expect(await scores(sandbox.alice.authenticate(userId, { face: 'mallory' }))).toBe(96);
    expect(await scores(sandbox.alice.authenticate(userId))).toBe(8);
    // Off again: the API's rule.
    expect((await call('POST', '/user/selfie', user, { body: video() })).status).toBe(409);
  });

  it('decides the scores from the media: genuine, spoof, different person, forced scores, real video', async () => {
    const { userId } = sandbox.alice.enroll();
    const login = await loginToken();
    const backendUser = await token(`/backend_token/${userId}`, login);
    const scores = async (id: string) => {
      const res = await call('GET', `/user/authentication/${id}`, backendUser);
      return [pick(res.body, 'authentication.face_liveness'), pick(res.body, 'authentication.face_matching')];
    };
    expect(await scores(sandbox.alice.authenticate(userId))).toEqual([92.5, 96]);
    expect(await scores(sandbox.alice.authenticate(userId, { live: false }))).toEqual([12.5, 96]);
    expect(await scores(sandbox.alice.authenticate(userId, { face: 'mallory' }))).toEqual([92.5, 8]);
    expect(await scores(sandbox.alice.authenticate(userId, { liveness: 50, matching: 49.99 }))).toEqual([50, 49.99]);
    // Real bytes are a live face of "camera": they match a camera enrollment, not a synthetic one.
    const camera = new Uint8Array(4096).fill(7);
    expect(await scores(sandbox.alice.authenticate(userId, camera))).toEqual([92.5, 8]);
    const cam = sandbox.alice.enroll({ media: camera });
    expect(sandbox.alice.user(cam.userId)?.selfieLiveness).toBe(92.5);
  });

  it('keeps authentications to their own user (404 for another user’s id)', async () => {
    const ana = sandbox.alice.enroll();
    const bob = sandbox.alice.enroll();
    const id = sandbox.alice.authenticate(ana.userId);
    const bobToken = await token(`/backend_token/${bob.userId}`);
    expect((await call('GET', `/user/authentication/${id}`, bobToken)).status).toBe(404);
    expect(() => sandbox.alice.authenticate(sandbox.alice.createUser())).toThrow(/not enabled/);
  });

  it('answers CORS preflights for the browser SDK endpoints and serves sdk.js', async () => {
    const pre = await fetch(`${sandbox.alice.baseURL}/user/authenticate`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3002', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const sdk = await fetch(sandbox.alice.sdkURL);
    expect(sdk.headers.get('content-type')).toContain('javascript');
    const text = await sdk.text();
    expect(text).toContain('window.AliceSandboxSDK');
    expect(text).not.toContain('innerHTML');
    expect(() => new Function(text)).not.toThrow(); // valid JavaScript
    expect((await fetch(`${sandbox.alice.baseURL}/sdk`)).status).toBe(200);
  });

  it('answers CORS on the browser SDK endpoints, injected faults included', async () => {
    for (const [route, method, path] of [
      ['alice.authenticate', 'POST', '/user/authenticate'],
      ['alice.selfie', 'POST', '/user/selfie'],
      ['alice.user_status', 'GET', '/user/status'],
    ] as const) {
      const plain = await fetch(`${sandbox.alice.baseURL}${path}`, {
        method,
        headers: { origin: 'http://localhost:3002' },
      });
      expect(plain.status).toBe(401);
      expect(plain.headers.get('access-control-allow-origin')).toBe('*');
      sandbox.faults.inject(route, { status: 503, times: 1 });
      const faulted = await fetch(`${sandbox.alice.baseURL}${path}`, {
        method,
        headers: { origin: 'http://localhost:3002' },
      });
      expect(faulted.status).toBe(503);
      expect(faulted.headers.get('access-control-allow-origin')).toBe('*');
    }
    const backend = await fetch(`${sandbox.alice.baseURL}/user/authentications`, {
      headers: { origin: 'http://localhost:3002' },
    });
    expect(backend.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('applies faults to Alice routes by name', async () => {
    sandbox.faults.inject('alice.login_token', { status: 503, times: 1 });
    expect((await call('GET', '/login_token', undefined, { headers: { apikey: sandbox.alice.apiKey } })).status).toBe(
      503,
    );
    await loginToken();
  });
});
