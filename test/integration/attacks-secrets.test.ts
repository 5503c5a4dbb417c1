/**
 * Token leakage across the three packages, and the phone handoff's own attacks: every response body and header the
 * apps send and every `passport-idv:*` debug line, over successes, refusals and provider failures, must be free of
 * client secrets, API keys, backend tokens, codes and states; the only provider token a browser receives is the
 * USER_TOKEN (and the phone link's ephemeral token, inside the handoff URL it is meant for).
 */
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTHENTEQ_CALLBACK_URL,
  authenteqApp,
  captureDebug,
  faceLoginApp,
  handoffApp,
  localPath,
  WEB_IDV_CALLBACK_URL,
  webIdvApp,
  webIdvStrategyApp,
} from '../support/index.js';

const debugLines = captureDebug();

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] },
    authenteqWebIdv: { redirectURLs: [WEB_IDV_CALLBACK_URL] },
  });
});
afterAll(() => sandbox.close());

interface Seen {
  status: number;
  headers: Record<string, unknown>;
  text?: string;
}

/** Everything a browser received, as text. */
const received: string[] = [];
function keep<T extends Seen>(res: T): T {
  received.push(`${JSON.stringify(res.headers)}\n${res.text ?? ''}`);
  return res;
}

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('token leakage', () => {
  /** Values that must appear in no response and no log line. */
  const secrets: string[] = [];
  /** Values a browser may receive in one place, but that must never be logged. */
  const neverLogged: string[] = [];

  it('sign-up: no client secret, token, code or state in any response (beyond the authorize URL) or log line', async () => {
    secrets.push(sandbox.authenteq.clientSecret);
    const { app } = authenteqApp(sandbox, { timeout: 300 });
    const TOKEN = 'authenteq-token-known-to-the-test-0123456789';
    const flow = async (identity: 'adult' | 'expired' | 'cancel' = 'adult') => {
      const agent = supertest.agent(app);
      const start = await agent.get('/auth/authenteq');
      // The state is meant for the authorize URL; nothing else there may be secret.
      expect(start.headers.location).not.toContain(sandbox.authenteq.clientSecret);
      keep({ ...start, headers: { ...start.headers, location: undefined } });
      const callback = await sandbox.authenteq.complete(start.headers.location as string, identity);
      const url = new URL(callback);
      for (const name of ['code', 'state']) {
        const value = url.searchParams.get(name);
        if (value) secrets.push(value);
      }
      return { agent, callback: localPath(callback) };
    };

    const ok = await flow();
    const details = sandbox.authenteq.identities.find((identity) => identity.id === 'adult')?.details;
    sandbox.faults.inject('authenteq.token', { body: { token: TOKEN }, times: 1 });
    sandbox.faults.inject('authenteq.details', { body: { croppedDocs: {}, details }, times: 1 });
    expect(keep(await ok.agent.get(ok.callback)).status).toBe(200);
    keep(await ok.agent.get('/me'));
    keep(await ok.agent.get(ok.callback)); // replay
    secrets.push(TOKEN);

    for (const fault of [{ status: 500 }, { malformed: true }, { hang: true }, { drop: true }]) {
      const failing = await flow();
      sandbox.faults.inject('authenteq.token', { ...fault, times: 1 });
      expect(keep(await failing.agent.get(failing.callback)).status).toBeGreaterThanOrEqual(500);
    }
    const refused = await flow('expired');
    expect(keep(await refused.agent.get(refused.callback)).status).toBe(403);
    const cancelled = await flow('cancel');
    expect(keep(await cancelled.agent.get(cancelled.callback)).status).toBe(403);
  });

  it('face login: no API key or backend token anywhere; the only token a browser gets is its USER_TOKEN', async () => {
    secrets.push(sandbox.alice.apiKey);
    const { app } = faceLoginApp(sandbox, { client: { timeout: 300 } });
    const agent = supertest.agent(app);
    const registered = keep(await agent.post('/register').send({ email: 'ana@example.com' }));
    expect(registered.status).toBe(201);
    const { userId } = sandbox.alice.enroll();
    const begin = keep(await agent.post('/login/face/begin').send({ aliceUserId: userId }));
    expect(begin.headers['cache-control']).toBe('no-store');
    expect(claimsOf(begin.body.userToken)).toMatchObject({ kind: 'USER_TOKEN', sub: userId });
    neverLogged.push(begin.body.userToken);
    expect(
      keep(await agent.post('/login/face').send({ authenticationId: sandbox.alice.authenticate(userId) })).status,
    ).toBe(200);
    keep(await agent.get('/me'));

    for (const fault of [{ status: 500 }, { malformed: true }, { hang: true }]) {
      const other = supertest.agent(app);
      keep(await other.post('/login/face/begin').send({ aliceUserId: userId }));
      sandbox.faults.inject('alice.authentication', fault); // every retry of the GET too
      const id = sandbox.alice.authenticate(userId);
      expect(keep(await other.post('/login/face').send({ authenticationId: id })).status).toBeGreaterThanOrEqual(500);
      sandbox.faults.clear();
    }
    const spoof = supertest.agent(app);
    keep(await spoof.post('/login/face/begin').send({ aliceUserId: userId }));
    const spoofId = sandbox.alice.authenticate(userId, { live: false });
    expect(keep(await spoof.post('/login/face').send({ authenticationId: spoofId })).status).toBe(401);
    // Every token revoked at the provider: the client drops its cached tokens and fetches new ones.
    sandbox.alice.revokeTokens();
    const review = keep(await supertest(app).post('/enroll/review').send({ aliceUserId: userId }));
    expect(review.body.outcome).toBe('authorized');

    const tokens = received.join('\n').match(JWT) ?? [];
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(claimsOf(token).kind).toBe('USER_TOKEN');
  });

  it('phone handoff: no API key anywhere; the ephemeral token only inside the handoff URL', async () => {
    secrets.push(sandbox.idv.apiKey);
    const { app } = handoffApp(sandbox, { timeout: 300 });
    const agent = supertest.agent(app);
    expect((await agent.post('/login/user-7')).status).toBe(204);
    const created = await agent.post('/verify/handoff');
    expect(created.status).toBe(201);
    const inner = new URL(new URL(created.body.handoffUrl).searchParams.get('url') ?? '');
    const ephemeral = inner.searchParams.get('authorization') ?? '';
    expect(ephemeral).toMatch(/^Token /);
    neverLogged.push(ephemeral);
    // The ephemeral token may appear in this body only (the handoff URL is meant for the phone).
    expect(JSON.stringify(created.headers)).not.toContain(encodeURIComponent(ephemeral));
    keep({ ...created, text: JSON.stringify({ ...created.body, handoffUrl: undefined }) });

    for (const route of ['idv.ephemeral', 'idv.sessions']) {
      for (const fault of [{ status: 500 }, { malformed: true }, { hang: true }]) {
        const other = supertest.agent(app);
        await other.post('/login/user-8');
        sandbox.faults.inject(route, { ...fault, times: 1 });
        const res = keep(await other.post('/verify/handoff'));
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.body.message).toMatch(/^[A-Z][\w ,.]+$/); // plain words
      }
    }
    keep(await supertest(app).post('/verify/handoff')); // nobody logged in
  });

  it('phone handoff results: no API key or webhook secret in the deeplink start, the read-back or the webhook', async () => {
    const webhookSecret = 'idv-webhook-secret-known-to-the-test';
    secrets.push(sandbox.idv.apiKey, webhookSecret);
    const { app } = handoffApp(sandbox, { timeout: 300, start: 'deeplink' }, { secret: webhookSecret });
    const agent = supertest.agent(app);
    expect((await agent.post('/login/user-9')).status).toBe(204);
    const created = await agent.post('/verify/handoff');
    expect(created.status).toBe(201);
    const ephemeral = new URL(created.body.handoffUrl).searchParams.get('authorization') ?? '';
    expect(ephemeral).toMatch(/^Token /);
    neverLogged.push(ephemeral);
    keep({ ...created, text: JSON.stringify({ ...created.body, handoffUrl: undefined }) });
    const { sessionId } = created.body as { sessionId: string };
    keep(await agent.post('/verify/handoff')); // reused: read back first
    keep(await agent.get(`/verify/session/${sessionId}`));
    const hook = (body: object, secret = webhookSecret) =>
      supertest(app).post('/webhooks/idv').set('x-webhook-secret', secret).send(body);
    expect(keep(await hook({ sessionId })).status).toBe(200);
    expect(keep(await hook({ sessionId })).status).toBe(200); // a repeat
    expect(keep(await hook({ sessionId: 'no-such-session' })).status).toBe(200);
    expect(keep(await hook({ sessionId }, 'not-the-secret')).status).toBe(401);
    expect(keep(await hook({ nothing: true })).status).toBe(400);
    for (const route of ['idv.session', 'idv.deeplink']) {
      for (const fault of [{ status: 500 }, { status: 401 }, { malformed: true }, { hang: true }]) {
        sandbox.faults.inject(route, fault);
        try {
          if (route === 'idv.session') {
            expect(keep(await agent.post('/verify/handoff')).status).toBeGreaterThanOrEqual(500);
            expect(keep(await hook({ sessionId })).status).toBeGreaterThanOrEqual(500);
            expect(keep(await agent.get(`/verify/session/${sessionId}`)).status).toBeGreaterThanOrEqual(500);
          } else {
            const other = supertest.agent(app);
            await other.post('/login/user-10');
            expect(keep(await other.post('/verify/handoff')).status).toBeGreaterThanOrEqual(500);
          }
        } finally {
          sandbox.faults.clear();
        }
      }
    }
  });

  it('Web IDV: no client secret, Basic credential or code in any response or log line, the webhook’s included', async () => {
    const webIdv = sandbox.authenteqWebIdv;
    secrets.push(webIdv.clientSecret, Buffer.from(`${webIdv.clientID}:${webIdv.clientSecret}`).toString('base64'));
    // Every passed verification is also POSTed, signed; the sandbox's own 404 answers it, and the test replays it.
    webIdv.setWebhookURL(`${sandbox.url}/nowhere`);
    const { app } = webIdvApp(sandbox, { timeout: 300 });
    const flow = async (choice: 'adult' | 'cancel' = 'adult') => {
      const agent = supertest.agent(app);
      const start = await agent.get('/auth/idv');
      expect(start.status).toBe(302);
      // The verification URL is meant for the browser; nothing else there may be secret, and it is never logged.
      neverLogged.push(new URL(start.headers.location as string).searchParams.get('token') ?? '');
      keep({ ...start, headers: { ...start.headers, location: undefined } });
      const back = new URL(await webIdv.complete(start.headers.location as string, choice));
      const code = back.searchParams.get('code');
      if (code) secrets.push(code);
      return { agent, callback: localPath(back.href) };
    };

    const ok = await flow();
    expect(keep(await ok.agent.get(ok.callback)).status).toBe(200);
    keep(await ok.agent.get('/me'));
    expect(keep(await ok.agent.get(ok.callback)).status).toBe(502); // the code is spent
    for (const fault of [{ status: 500 }, { status: 401 }, { malformed: true }, { hang: true }, { drop: true }]) {
      const failing = await flow();
      sandbox.faults.inject('authenteq.web_idv_result', { ...fault, times: 1 });
      expect(keep(await failing.agent.get(failing.callback)).status).toBeGreaterThanOrEqual(500);
    }
    const cancelled = await flow('cancel');
    expect(keep(await cancelled.agent.get(cancelled.callback)).status).toBe(403);
    const wrongKeys = webIdvApp(sandbox, { clientSecret: 'not-the-web-idv-secret', timeout: 300 });
    expect(keep(await supertest(wrongKeys.app).get('/auth/idv')).status).toBe(502);

    await webIdv.webhooks.idle();
    const delivery = webIdv.webhooks.deliveries.at(-1)!;
    neverLogged.push(delivery.headers['x-signature'] ?? '');
    const hook = (target: typeof app, headers: Record<string, string>, body: Buffer = delivery.body) =>
      supertest(target).post('/webhooks/authenteq').set(headers).send(body);
    expect(keep(await hook(app, delivery.headers)).status).toBe(200);
    expect(keep(await hook(app, delivery.headers)).status).toBe(200); // a repeat
    expect(keep(await hook(app, { ...delivery.headers, 'x-signature': '00'.repeat(32) })).status).toBe(401);
    expect(keep(await hook(app, { ...delivery.headers, 'x-client-id': 'someone' })).status).toBe(401);
    const small = webIdvApp(sandbox, {}, { limit: 256 });
    expect(keep(await hook(small.app, delivery.headers)).status).toBe(413);
    webIdv.setWebhookURL(undefined);
  });

  it('Web IDV strategy: no client secret, code or state in any response or log line', async () => {
    const webIdv = sandbox.authenteqWebIdv;
    secrets.push(webIdv.clientSecret, Buffer.from(`${webIdv.clientID}:${webIdv.clientSecret}`).toString('base64'));
    const { app } = webIdvStrategyApp(sandbox, { timeout: 300, policy: { minimumAge: 18 } });
    const flow = async (choice: 'adult' | 'minor' | 'cancel' = 'adult') => {
      const agent = supertest.agent(app);
      const start = keep(await agent.get('/auth/idv'));
      expect(start.status).toBe(302);
      const token = new URL(start.headers.location as string).searchParams.get('token') ?? '';
      neverLogged.push(token);
      // Our state travels to the provider inside the redirect URL, and back in the callback URL: never elsewhere.
      const state = new URL(webIdv.verifications.at(-1)?.redirectUrl ?? '').searchParams.get('state') ?? '';
      secrets.push(state);
      const back = new URL(await webIdv.complete(start.headers.location as string, choice));
      const code = back.searchParams.get('code');
      if (code) secrets.push(code);
      return { agent, callback: localPath(back.href) };
    };
    const ok = await flow();
    expect(keep(await ok.agent.get(ok.callback)).status).toBe(200);
    keep(await ok.agent.get('/me'));
    expect(keep(await ok.agent.get(ok.callback)).status).toBe(403); // replayed
    const minor = await flow('minor');
    expect(keep(await minor.agent.get(minor.callback)).status).toBe(403);
    const cancelled = await flow('cancel');
    expect(keep(await cancelled.agent.get(cancelled.callback)).status).toBe(403);
    for (const fault of [{ status: 500 }, { status: 400 }, { status: 401 }, { malformed: true }, { hang: true }]) {
      const failing = await flow();
      sandbox.faults.inject('authenteq.web_idv_result', { ...fault, times: 1 });
      expect(keep(await failing.agent.get(failing.callback)).status).toBeGreaterThanOrEqual(400);
    }
    const wrongKeys = webIdvStrategyApp(sandbox, { clientSecret: 'not-the-web-idv-secret', timeout: 300 });
    expect(keep(await supertest(wrongKeys.app).get('/auth/idv')).status).toBe(502);
  });

  it('nothing collected above holds a secret; the debug log holds no token at all', () => {
    expect(debugLines.length).toBeGreaterThan(20);
    const everything = [...received, ...debugLines];
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      for (const text of everything) expect(text).not.toContain(secret);
    }
    for (const value of neverLogged) {
      for (const line of debugLines) {
        expect(line).not.toContain(value);
        expect(line).not.toContain(encodeURIComponent(value));
      }
    }
    for (const line of debugLines) expect(line).not.toMatch(JWT);
    // Provider error bodies are kept for the developer, never shown.
    for (const text of received) expect(text).not.toMatch(/Injected fault|sandbox_fault/);
  });
});

describe('phone handoff: who the session is for', () => {
  it('nobody logged in → 401 and no upstream call', async () => {
    const { app } = handoffApp(sandbox);
    sandbox.requests.clear();
    const res = await supertest(app).post('/verify/handoff');
    expect(res.status).toBe(401);
    expect(sandbox.requests.count({ provider: 'idv' })).toBe(0);
  });

  it('an externalUserId in the request body is ignored: the session is for the logged-in user', async () => {
    const { app } = handoffApp(sandbox);
    const agent = supertest.agent(app);
    await agent.post('/login/alice');
    const res = await agent.post('/verify/handoff').send({ externalUserId: 'mallory', metadata: { x: 1 } });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(sandbox.idv.getSession(res.body.sessionId)?.metadata).toEqual({ externalUserId: 'alice' });
  });

  it('a reused session is never handed to another user', async () => {
    const { app } = handoffApp(sandbox);
    const first = supertest.agent(app);
    const second = supertest.agent(app);
    await first.post('/login/user-a');
    await second.post('/login/user-b');
    const a = (await first.post('/verify/handoff')).body;
    const again = (await first.post('/verify/handoff')).body;
    const b = (await second.post('/verify/handoff')).body;
    expect(again.sessionId).toBe(a.sessionId);
    expect(b.sessionId).not.toBe(a.sessionId);
    expect(b.handoffUrl).not.toBe(a.handoffUrl);
  });
});
