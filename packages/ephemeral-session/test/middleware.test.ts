import { MemoryStore } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureDebug } from '../../../test/support/debug.js';
import { handoffApp, loggedIn } from '../../../test/support/handoff-app.js';
import { buildHandoffUrl } from '../src/index.js';
import { brokenStore, recordingProxy } from './helpers.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.requests.clear();
});
afterEach(() => {
  sandbox.faults.clear();
});

const idvCalls = () => sandbox.requests.count({ provider: 'idv' });

describe('ephemeralSession(): the two documented calls', () => {
  it('sends exactly the documented requests, in order, and nothing else', async () => {
    const proxy = await recordingProxy(sandbox.url);
    try {
      const { app } = handoffApp(sandbox, { host: `${proxy.url}/idv`, ttl: 900 });
      const agent = await loggedIn(app, 'user-7');
      const res = await agent.post('/verify/handoff').expect(201);
      expect(proxy.recorded).toHaveLength(2);
      const [ephemeral, sessions] = proxy.recorded;
      expect(ephemeral).toMatchObject({ method: 'POST', url: '/idv/api/device/ephemeral', body: '{"ttl":900}' });
      expect(ephemeral?.headers.authorization).toBe(sandbox.idv.apiKey); // the raw key, no scheme
      expect(ephemeral?.headers['content-type']).toBe('application/json');
      const token = sandbox.requests.filter({ route: 'idv.ephemeral' }).length === 1;
      expect(token).toBe(true);
      expect(sessions).toMatchObject({
        method: 'POST',
        url: `/idv/api/sessions?workflowId=${sandbox.idv.workflowId}`,
        body: '{"metadata":{"externalUserId":"user-7"}}',
      });
      expect(sessions?.headers.authorization).toMatch(/^Token /);
      expect(sessions?.headers.authorization).not.toBe(sandbox.idv.apiKey);
      expect(sessions?.headers['content-type']).toBe('application/json');
      expect(sandbox.idv.getSession(res.body.sessionId)?.metadata).toEqual({ externalUserId: 'user-7' });
    } finally {
      await proxy.close();
    }
  });

  it('answers 201 with the handoff URL in the documented form, which opens the session in the sandbox', async () => {
    const { app } = handoffApp(sandbox, { ttl: 600 });
    const agent = await loggedIn(app);
    const before = sandbox.clock.now();
    const res = await agent.post('/verify/handoff').expect(201);
    expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'handoffUrl', 'sessionId']);
    expect(sandbox.requests.filter({ provider: 'idv' }).map((r) => [r.route, r.credential])).toEqual([
      ['idv.ephemeral', 'idv_api_key'],
      ['idv.sessions', 'ephemeral_token'],
    ]);
    const { handoffUrl, sessionId, expiresAt } = res.body as {
      handoffUrl: string;
      sessionId: string;
      expiresAt: string;
    };
    expect(Date.parse(expiresAt) - before).toBeGreaterThanOrEqual(600_000);
    expect(Date.parse(expiresAt) - before).toBeLessThan(601_000);
    // Rebuild the documented form by hand: https://<IDV_HOST>/capture?url=<url-encoded(".../mobile?authorization=<token>&sessionId=<id>")>
    const token = new URL(new URL(handoffUrl).searchParams.get('url') ?? '').searchParams.get('authorization') ?? '';
    expect(token).toMatch(/^Token \S+$/);
    const inner = `${sandbox.idv.host}/mobile?authorization=${encodeURIComponent(token)}&sessionId=${encodeURIComponent(sessionId)}`;
    expect(handoffUrl).toBe(`${sandbox.idv.host}/capture?url=${encodeURIComponent(inner)}`);
    expect(handoffUrl).toContain('authorization%3DToken%2520'); // the space, encoded inside and then once more
    expect(handoffUrl).toBe(buildHandoffUrl(sandbox.idv.host, token, sessionId));

    const capture = await fetch(handoffUrl);
    expect(capture.status).toBe(200);
    const page = await capture.text();
    expect(page).toContain('<svg');
    expect(page).toContain(inner.replaceAll('&', '&amp;'));
    const mobile = await fetch(inner);
    expect(mobile.status).toBe(200);
    expect(await mobile.text()).toContain(sessionId);
    // The token lives `ttl` seconds on the sandbox clock.
    sandbox.clock.advance(600_000);
    expect((await fetch(inner)).status).toBe(401);
  });
});

describe('ephemeralSession(): who the session is for', () => {
  it('answers 401 with no upstream call when nobody is logged in', async () => {
    const { app } = handoffApp(sandbox);
    const res = await request(app).post('/verify/handoff').send({ externalUserId: 'mallory' }).expect(401);
    expect(res.body).toEqual({ error: 'ERR_NO_EXTERNAL_USER_ID', message: 'Sign in before starting a verification.' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(idvCalls()).toBe(0);
  });

  it('answers 401 when metadata() gives no usable externalUserId', async () => {
    for (const metadata of [() => undefined, () => ({ externalUserId: '' }), () => ({ externalUserId: 42 })]) {
      const { app } = handoffApp(sandbox, { metadata: metadata as never });
      await (await loggedIn(app)).post('/verify/handoff').expect(401);
    }
    expect(idvCalls()).toBe(0);
  });

  it('ignores an externalUserId sent in the request body', async () => {
    const { app } = handoffApp(sandbox);
    const agent = await loggedIn(app, 'alice');
    const res = await agent
      .post('/verify/handoff')
      .send({ externalUserId: 'mallory', metadata: { externalUserId: 'mallory' } })
      .expect(201);
    expect(sandbox.idv.getSession(res.body.sessionId)?.metadata).toEqual({ externalUserId: 'alice' });
  });

  it('defaults metadata to req.user.id', async () => {
    const { app } = handoffApp(sandbox, { metadata: undefined });
    const res = await (await loggedIn(app, 'bob')).post('/verify/handoff').expect(201);
    expect(sandbox.idv.getSession(res.body.sessionId)?.metadata).toEqual({ externalUserId: 'bob' });
  });
});

describe('ephemeralSession(): secrets and headers', () => {
  it('keeps the API key out of every response body, header and log line, the token out of logs', async () => {
    const logs = captureDebug();
    const seen: string[] = [];
    try {
      const { app } = handoffApp(sandbox, { timeout: 300 });
      const agent = await loggedIn(app);
      const record = (res: request.Response) => seen.push(JSON.stringify(res.headers), res.text);
      const ok = await agent.post('/verify/handoff').expect(201);
      record(ok);
      sandbox.clock.advance(3_600_000);
      sandbox.faults.inject('idv.ephemeral', { status: 401, times: 1 });
      record(await agent.post('/verify/handoff').expect(502));
      sandbox.faults.inject('idv.sessions', { status: 500, times: 1 });
      record(await agent.post('/verify/handoff').expect(502));
      sandbox.faults.inject('idv.sessions', { hang: true, times: 1 });
      record(await agent.post('/verify/handoff').expect(504));
      record(await request(app).post('/verify/handoff').expect(401));
      expect(logs.length).toBeGreaterThan(0);
      const token = new URL(new URL(ok.body.handoffUrl).searchParams.get('url') ?? '').searchParams.get(
        'authorization',
      );
      for (const text of [...seen, ...logs]) expect(text).not.toContain(sandbox.idv.apiKey);
      for (const line of logs) expect(line).not.toContain(token ?? 'unreachable');
      for (const res of [ok]) {
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
      }
    } finally {
      logs.stop();
    }
  });

  it('sends Cache-Control: no-store and Referrer-Policy: no-referrer on failures too', async () => {
    const { app } = handoffApp(sandbox);
    sandbox.faults.inject('idv.ephemeral', { status: 503, times: 1 });
    const res = await (await loggedIn(app)).post('/verify/handoff').expect(502);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('ephemeralSession(): reuse', () => {
  it('hands the same session back to the same user for the same workflow: one read-back, nothing started', async () => {
    const { app } = handoffApp(sandbox);
    const agent = await loggedIn(app);
    const first = await agent.post('/verify/handoff').expect(201);
    expect(idvCalls()).toBe(2);
    const second = await agent.post('/verify/handoff').expect(201);
    expect(second.body).toEqual(first.body);
    expect(sandbox.requests.filter({ provider: 'idv' }).map((r) => r.route)).toEqual([
      'idv.ephemeral',
      'idv.sessions',
      'idv.session',
    ]);
    // Another user gets another session.
    const other = await (await loggedIn(app, 'user-2')).post('/verify/handoff').expect(201);
    expect(other.body.sessionId).not.toBe(first.body.sessionId);
    expect(idvCalls()).toBe(5);
  });

  it('starts a new session for another workflow, even through a shared store', async () => {
    sandbox.idv.addWorkflow('second-workflow');
    const store = new MemoryStore({ clock: sandbox.clock });
    const a = handoffApp(sandbox, { store }).app;
    const b = handoffApp(sandbox, { store, workflowId: 'second-workflow' }).app;
    const first = await (await loggedIn(a)).post('/verify/handoff').expect(201);
    const second = await (await loggedIn(b)).post('/verify/handoff').expect(201);
    expect(second.body.sessionId).not.toBe(first.body.sessionId);
    expect(sandbox.idv.getSession(second.body.sessionId)?.workflowId).toBe('second-workflow');
  });

  it('starts a new session once the token is (nearly) expired on the clock', async () => {
    const { app } = handoffApp(sandbox, { ttl: 3600 });
    const agent = await loggedIn(app);
    const first = await agent.post('/verify/handoff').expect(201);
    sandbox.clock.advance(3_500_000); // 100 s left: more than the 60 s margin
    expect((await agent.post('/verify/handoff').expect(201)).body.sessionId).toBe(first.body.sessionId);
    sandbox.clock.advance(100_000); // expired
    const renewed = await agent.post('/verify/handoff').expect(201);
    expect(renewed.body.sessionId).not.toBe(first.body.sessionId);
    expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(2);
  });

  it('judges the reuse window on its own clock, even when the store keeps another time (as Redis does)', async () => {
    const store = new MemoryStore(); // the system clock: its entries do not see sandbox.clock.advance()
    const { app } = handoffApp(sandbox, { store, ttl: 600 });
    const agent = await loggedIn(app);
    const first = await agent.post('/verify/handoff').expect(201);
    sandbox.clock.advance(600_000);
    const renewed = await agent.post('/verify/handoff').expect(201);
    expect(renewed.body.sessionId).not.toBe(first.body.sessionId);
  });

  it('stops reusing a link 60 s before its token expires, so a user never gets a link about to die', async () => {
    const { app } = handoffApp(sandbox, { ttl: 3600 });
    const agent = await loggedIn(app);
    const first = await agent.post('/verify/handoff').expect(201);
    sandbox.clock.advance(3_540_000);
    expect((await agent.post('/verify/handoff').expect(201)).body.sessionId).not.toBe(first.body.sessionId);
  });

  it('starts one session for 50 concurrent first requests of one user', async () => {
    const { app } = handoffApp(sandbox);
    const agent = await loggedIn(app);
    const responses = await Promise.all(Array.from({ length: 50 }, () => agent.post('/verify/handoff')));
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body.sessionId)).size).toBe(1);
    expect(sandbox.requests.count({ route: 'idv.ephemeral' })).toBe(1);
    expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(1);
  });

  it('starts one session for 50 concurrent requests spread over two instances sharing a store', async () => {
    const store = new MemoryStore({ clock: sandbox.clock });
    const apps = [handoffApp(sandbox, { store }), handoffApp(sandbox, { store })];
    const starts = Array.from({ length: 50 }, (_, i) =>
      apps[i % 2]!.handoff.start({ user: { id: 'shared-user' } } as never),
    );
    const handoffs = await Promise.all(starts);
    expect(new Set(handoffs.map((h) => h.sessionId)).size).toBe(1);
    expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(1);
  });

  it('starts a new session for each request with reuse: false', async () => {
    const { app } = handoffApp(sandbox, { reuse: false });
    const agent = await loggedIn(app);
    const a = await agent.post('/verify/handoff').expect(201);
    const b = await agent.post('/verify/handoff').expect(201);
    expect(a.body.sessionId).not.toBe(b.body.sessionId);
    expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(2);
  });

  it('fails closed with 503 and no upstream call when the store fails', async () => {
    const { app } = handoffApp(sandbox, { store: brokenStore });
    const res = await (await loggedIn(app)).post('/verify/handoff').expect(503);
    expect(res.body).toEqual({ error: 'ERR_STORE', message: expect.any(String) });
    expect(res.text).not.toContain('connection refused');
    expect(idvCalls()).toBe(0);
  });
});

describe('ephemeralSession(): upstream failures', () => {
  const GENERIC_502 = 'The verification service is not available right now. Please try again in a moment.';

  it.each([
    ['idv.ephemeral', { status: 500 }, 502, 'ERR_PROVIDER_STATUS'],
    ['idv.ephemeral', { malformed: true }, 502, 'ERR_PROVIDER_RESPONSE'],
    ['idv.ephemeral', { body: { token: 'x' } }, 502, 'ERR_PROVIDER_RESPONSE'],
    ['idv.ephemeral', { drop: true }, 502, 'ERR_PROVIDER_NETWORK'],
    ['idv.ephemeral', { hang: true }, 504, 'ERR_PROVIDER_TIMEOUT'],
    ['idv.sessions', { status: 503 }, 502, 'ERR_PROVIDER_STATUS'],
    ['idv.sessions', { malformed: true }, 502, 'ERR_PROVIDER_RESPONSE'],
    ['idv.sessions', { body: { nothing: true } }, 502, 'ERR_PROVIDER_RESPONSE'],
    ['idv.sessions', { drop: true }, 502, 'ERR_PROVIDER_NETWORK'],
    ['idv.sessions', { hang: true }, 504, 'ERR_PROVIDER_TIMEOUT'],
  ])('%s %j → %d JSON with a generic message, not retried', async (route, fault, status, code) => {
    const { app } = handoffApp(sandbox, { timeout: 300 });
    const agent = await loggedIn(app);
    sandbox.faults.inject(route, { ...fault, times: 1 });
    const res = await agent.post('/verify/handoff').expect(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      error: code,
      message:
        status === 504 ? 'The verification service did not answer in time. Please try again in a moment.' : GENERIC_502,
    });
    expect(sandbox.requests.count({ route })).toBe(1);
    if (route === 'idv.ephemeral') expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(0);
    // Nothing was cached or left locked: the next request starts a session.
    await agent.post('/verify/handoff').expect(201);
  });
});
