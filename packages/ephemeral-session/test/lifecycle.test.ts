import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handoffApp, loggedIn } from '../../../test/support/handoff-app.js';

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

const started = () =>
  sandbox.requests.count({ route: 'idv.sessions' }) + sandbox.requests.count({ route: 'idv.deeplink' });

describe('ephemeralSession(): a session that ended is never handed out again', () => {
  it('reuses a session while the phone is still at it', async () => {
    const agent = await loggedIn(handoffApp(sandbox).app);
    const first = (await agent.post('/verify/handoff').expect(201)).body;
    sandbox.idv.completeCapture(first.sessionId, ['document']);
    expect((await agent.post('/verify/handoff').expect(201)).body).toEqual(first);
    expect(started()).toBe(1);
  });

  it.each([
    ['finished', (id: string) => sandbox.idv.completeCapture(id)],
    ['failed', (id: string) => sandbox.idv.failSession(id)],
  ])('starts a new session once the last one %s', async (_, end) => {
    const agent = await loggedIn(handoffApp(sandbox).app);
    const first = (await agent.post('/verify/handoff').expect(201)).body;
    end(first.sessionId);
    const second = (await agent.post('/verify/handoff').expect(201)).body;
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.handoffUrl).not.toBe(first.handoffUrl);
    expect(sandbox.idv.getSession(second.sessionId)?.state).toBe('started');
    // The new one is reused in its turn.
    expect((await agent.post('/verify/handoff').expect(201)).body.sessionId).toBe(second.sessionId);
    expect(started()).toBe(2);
  });

  it('starts a new session when the platform does not know the last one', async () => {
    const agent = await loggedIn(handoffApp(sandbox).app);
    const first = (await agent.post('/verify/handoff').expect(201)).body;
    sandbox.faults.inject('idv.session', { status: 404, times: 1 });
    expect((await agent.post('/verify/handoff').expect(201)).body.sessionId).not.toBe(first.sessionId);
  });

  it('starts a new session when its status means nothing in the table (an unknown state may have ended)', async () => {
    const agent = await loggedIn(handoffApp(sandbox, { statuses: {} }).app);
    const first = (await agent.post('/verify/handoff').expect(201)).body;
    expect((await agent.post('/verify/handoff').expect(201)).body.sessionId).not.toBe(first.sessionId);
  });

  it.each([
    [{ status: 503 }, 502, 'ERR_PROVIDER_STATUS'],
    [{ hang: true }, 504, 'ERR_PROVIDER_TIMEOUT'],
  ])('hands nothing out when the session cannot be read back (%j → %d)', async (fault, status, code) => {
    const agent = await loggedIn(handoffApp(sandbox, { timeout: 300 }).app);
    await agent.post('/verify/handoff').expect(201);
    sandbox.faults.inject('idv.session', fault);
    const res = await agent.post('/verify/handoff').expect(status);
    expect(res.body.error).toBe(code);
    expect(res.body.handoffUrl).toBeUndefined();
    expect(started()).toBe(1);
  });

  it('keeps that rule across instances sharing a store', async () => {
    const { MemoryStore } = await import('@passport-idv/core');
    const store = new MemoryStore({ clock: sandbox.clock });
    const a = handoffApp(sandbox, { store });
    const b = handoffApp(sandbox, { store });
    const req = { user: { id: 'shared-user' } } as never;
    const first = await a.handoff.start(req);
    expect((await b.handoff.start(req)).sessionId).toBe(first.sessionId);
    sandbox.idv.completeCapture(first.sessionId);
    const second = await b.handoff.start(req);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect((await a.handoff.start(req)).sessionId).toBe(second.sessionId);
  });
});

describe("ephemeralSession({ start: 'deeplink' })", () => {
  it('starts the session in one call and answers the link the platform built', async () => {
    const agent = await loggedIn(handoffApp(sandbox, { start: 'deeplink', ttl: 900 }).app, 'user-3');
    const before = sandbox.clock.now();
    const res = await agent.post('/verify/handoff').expect(201);
    expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'handoffUrl', 'sessionId']);
    expect(sandbox.requests.filter({ provider: 'idv' }).map((r) => [r.route, r.credential])).toEqual([
      ['idv.deeplink', 'idv_api_key'],
    ]);
    const { handoffUrl, sessionId, expiresAt } = res.body as Record<string, string>;
    expect(new URL(handoffUrl!).pathname).toBe('/idv/mobile');
    expect(new URL(handoffUrl!).searchParams.get('sessionId')).toBe(sessionId);
    expect(sandbox.idv.getSession(sessionId!)?.metadata).toEqual({ externalUserId: 'user-3' });
    expect(Date.parse(expiresAt!) - before).toBeGreaterThanOrEqual(899_000);
    expect(Date.parse(expiresAt!) - before).toBeLessThan(901_000);
    expect(res.headers['cache-control']).toBe('no-store');
    // The link opens the phone page directly: no second QR page on the phone.
    const phone = await fetch(handoffUrl!);
    expect(phone.status).toBe(200);
    expect(await phone.text()).toContain('Take a photo of your document');
  });

  it('reuses the session like the two-call start, and starts a new one once it ended', async () => {
    const agent = await loggedIn(handoffApp(sandbox, { start: 'deeplink' }).app);
    const first = (await agent.post('/verify/handoff').expect(201)).body;
    expect((await agent.post('/verify/handoff').expect(201)).body).toEqual(first);
    sandbox.idv.completeCapture(first.sessionId);
    expect((await agent.post('/verify/handoff').expect(201)).body.sessionId).not.toBe(first.sessionId);
    expect(sandbox.requests.count({ route: 'idv.deeplink' })).toBe(2);
  });

  it.each([
    [{ status: 500 }, 502, 'ERR_PROVIDER_STATUS'],
    [{ body: { url: 'https://idv.example.com/mobile' } }, 502, 'ERR_PROVIDER_RESPONSE'],
    [{ hang: true }, 504, 'ERR_PROVIDER_TIMEOUT'],
  ])('answers a failing deeplink call (%j) with %d and a generic message, not retried', async (fault, status, code) => {
    const agent = await loggedIn(handoffApp(sandbox, { start: 'deeplink', timeout: 300 }).app);
    sandbox.faults.inject('idv.deeplink', { ...fault, times: 1 });
    const res = await agent.post('/verify/handoff').expect(status);
    expect(res.body).toEqual({ error: code, message: expect.stringMatching(/^The verification service/) });
    expect(sandbox.requests.count({ route: 'idv.deeplink' })).toBe(1);
    expect(res.text).not.toContain(sandbox.idv.apiKey);
  });

  it('refuses an unknown start mode when built', () => {
    expect(() => handoffApp(sandbox, { start: 'qr' as never })).toThrow(TypeError);
  });
});
