/**
 * The phone handoff's ending under attack: a webhook body that lies, names a session the platform does not know, is
 * replayed, or comes from a stranger; and a finished verification offered again as the user's link. The app must
 * act only on what the platform answers when the session is read back, once per session and status.
 */
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handoffApp, loggedIn } from '../support/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
});

/** A session started for `user` through the app; its id. */
async function sessionFor(app: Parameters<typeof supertest.agent>[0], user: string) {
  const agent = await loggedIn(app, user);
  const res = await agent.post('/verify/handoff');
  expect(res.status).toBe(201);
  return { agent, sessionId: res.body.sessionId as string };
}

const hook = (app: Parameters<typeof supertest>[0], body: object) => supertest(app).post('/webhooks/idv').send(body);

describe('phone handoff: the webhook', () => {
  it('a body that lies about the status hands the app the platform’s status', async () => {
    const { app, handed } = handoffApp(sandbox);
    const { sessionId } = await sessionFor(app, 'alice');
    sandbox.requests.clear();
    const res = await hook(app, { sessionId, status: 3, state: 'finished', verified: true });
    expect([res.status, res.body]).toEqual([200, { received: true }]);
    expect(handed.map((s) => [s.id, s.status, s.state])).toEqual([[sessionId, 0, 'started']]);
    expect(sandbox.requests.filter({ route: 'idv.session' })).toMatchObject([{ credential: 'idv_api_key' }]);
  });

  it('a body that names another user hands over the user the platform holds for the session', async () => {
    const { app, handed } = handoffApp(sandbox);
    const { sessionId } = await sessionFor(app, 'alice');
    sandbox.idv.completeCapture(sessionId);
    await hook(app, { sessionId, externalUserId: 'mallory', metadata: { externalUserId: 'mallory' } });
    expect(handed.map((s) => [s.externalUserId, s.state])).toEqual([['alice', 'finished']]);
  });

  it('a webhook for a session the platform does not know hands over nothing (200, so it is not retried)', async () => {
    const { app, handed } = handoffApp(sandbox);
    for (const sessionId of ['00000000-0000-4000-8000-000000000000', 'made-up', 42]) {
      const res = await hook(app, { sessionId, status: 3 });
      expect([res.status, res.body]).toEqual([200, { received: true }]);
    }
    expect(handed).toEqual([]);
    expect(sandbox.requests.count({ route: 'idv.session' })).toBe(3);
  });

  it('repeats hand over once, concurrent ones too; a later status of the session is handed over', async () => {
    const { app, handed } = handoffApp(sandbox);
    const { sessionId } = await sessionFor(app, 'alice');
    sandbox.idv.completeCapture(sessionId, ['document']);
    for (let i = 0; i < 3; i++) expect((await hook(app, { sessionId })).status).toBe(200);
    const repeats = await Promise.all(Array.from({ length: 20 }, () => hook(app, { sessionId })));
    expect(repeats.map((res) => res.status).filter((status) => status !== 200 && status !== 409)).toEqual([]);
    expect(handed.map((s) => s.state)).toEqual(['document_sent']);
    sandbox.idv.completeCapture(sessionId);
    await hook(app, { sessionId });
    await hook(app, { sessionId });
    expect(handed.map((s) => s.state)).toEqual(['document_sent', 'finished']);
  });

  it('a stranger without the secret is refused (401) before the platform is asked', async () => {
    const secret = 'the-shared-webhook-secret';
    const { app, handed } = handoffApp(sandbox, {}, { secret });
    const { sessionId } = await sessionFor(app, 'alice');
    sandbox.requests.clear();
    const attempts = [
      supertest(app).post('/webhooks/idv').send({ sessionId }),
      supertest(app).post('/webhooks/idv').set('x-webhook-secret', 'guess').send({ sessionId }),
      supertest(app).post('/webhooks/idv').set('x-webhook-secret', '').send({ sessionId }),
      supertest(app).post('/webhooks/idv').set('x-webhook-secret', `${secret}x`).send({ sessionId }),
      supertest(app).post('/webhooks/idv').set('x-webhook-secret', secret.slice(0, -1)).send({ sessionId }),
      supertest(app).post('/webhooks/idv').set('x-webhook-secret', secret.toUpperCase()).send({ sessionId }),
      supertest(app).post('/webhooks/idv').set('authorization', `Bearer ${secret}`).send({ sessionId }),
      supertest(app).post('/webhooks/idv').query({ secret }).send({ sessionId }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'ERR_WEBHOOK_SECRET' });
    }
    expect(sandbox.requests.count({ provider: 'idv' })).toBe(0);
    expect(handed).toEqual([]);
    const ok = await supertest(app).post('/webhooks/idv').set('x-webhook-secret', secret).send({ sessionId });
    expect(ok.status).toBe(200);
    expect(handed).toHaveLength(1);
  });
});

describe('phone handoff: a verification that ended is never offered again', () => {
  it.each(['finished', 'failed'])(
    'a %s session is not handed out again: the next press starts a new one',
    async (end) => {
      const { app } = handoffApp(sandbox);
      const { agent, sessionId } = await sessionFor(app, 'alice');
      if (end === 'finished') sandbox.idv.completeCapture(sessionId);
      else sandbox.idv.failSession(sessionId);
      const next = await agent.post('/verify/handoff');
      expect(next.status).toBe(201);
      expect(next.body.sessionId).not.toBe(sessionId);
    },
  );

  it('when the session cannot be read back, nothing is handed out', async () => {
    const { app } = handoffApp(sandbox, { timeout: 300 });
    const { agent } = await sessionFor(app, 'alice');
    sandbox.faults.inject('idv.session', { status: 503 });
    const res = await agent.post('/verify/handoff');
    expect(res.status).toBe(502);
    expect(res.body.handoffUrl).toBeUndefined();
  });
});
