import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStore, type Store } from '@passport-idv/core';
import { IDV_WEBHOOK_RETRY_DELAYS, type Sandbox, startSandbox } from '@passport-idv/sandbox';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureDebug } from '../../../test/support/debug.js';
import { IdvClient, type IdvSessionDetails, type IdvWebhookOptions, idvWebhook } from '../src/index.js';
import { brokenStore } from './helpers.js';

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
  sandbox.idv.setWebhook(undefined);
});

/** An app with the webhook on `POST /webhooks/idv`, before the body parsers, and what it handed over. */
function webhookApp(options: Partial<IdvWebhookOptions> & { failFirst?: number } = {}) {
  const handed: IdvSessionDetails[] = [];
  let failures = options.failFirst ?? 0;
  const client = new IdvClient({ host: sandbox.idv.host, apiKey: sandbox.idv.apiKey, timeout: 1_000 });
  const app = express();
  app.post(
    '/webhooks/idv',
    idvWebhook({
      client,
      onSession: (session) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('the app is having a bad day');
        }
        handed.push(session);
      },
      ...options,
    }),
  );
  app.use(express.json());
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: 'internal', seen: (error as Error).message });
  });
  return { app, handed, client };
}

/** Listens on a free port so the sandbox can deliver to it. */
async function listen(app: express.Express) {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/idv`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function newSession(externalUserId = 'user-1'): Promise<string> {
  const token = sandbox.idv.createEphemeralToken();
  const res = await fetch(`${sandbox.idv.host}/api/sessions?workflowId=${sandbox.idv.workflowId}`, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify({ metadata: { externalUserId } }),
  });
  return ((await res.json()) as { id: string }).id;
}

const post = (app: express.Express, body: unknown) =>
  request(app)
    .post('/webhooks/idv')
    .set('content-type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));

describe('idvWebhook(): what it hands over', () => {
  it('hands over what the platform answers, for each status, as the sandbox delivers the state changes', async () => {
    const { app, handed } = webhookApp();
    const server = await listen(app);
    try {
      sandbox.idv.setWebhook(server.url);
      const id = await newSession('user-7');
      sandbox.idv.completeCapture(id, ['document']);
      await sandbox.idv.flushWebhooks();
      sandbox.idv.completeCapture(id);
      await sandbox.idv.flushWebhooks();
      // Three state changes (document sent, selfie sent, finished), read back as they stood: 1, then 3 (once).
      expect(handed.map((s) => [s.id, s.status, s.state, s.externalUserId])).toEqual([
        [id, 1, 'document_sent', 'user-7'],
        [id, 3, 'finished', 'user-7'],
      ]);
      const deliveries = sandbox.idv.webhookDeliveries();
      expect(deliveries.map((d) => [d.body.status, d.answers])).toEqual([
        [1, [200]],
        [2, [200]],
        [3, [200]],
      ]);
    } finally {
      await server.close();
    }
  });

  it('answers 409 to a repeat that arrives while the first is still being handled, so it comes back later', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handed: number[] = [];
    const { app } = webhookApp({
      onSession: async (session) => {
        await gate;
        handed.push(session.status);
      },
    });
    const id = await newSession();
    const first = post(app, { sessionId: id }).then((res) => res.status);
    let second: request.Response | undefined;
    for (let i = 0; i < 100 && second?.status !== 409; i++) second = await post(app, { sessionId: id });
    expect(second?.status).toBe(409);
    expect(second?.body).toEqual({ error: 'ERR_WEBHOOK_BUSY' });
    release();
    expect(await first).toBe(200);
    await post(app, { sessionId: id }).expect(200);
    expect(handed).toEqual([0]);
  });

  it('hands over again, through the platform’s retry, when onSession failed', async () => {
    const { app, handed } = webhookApp({ failFirst: 1 });
    const server = await listen(app);
    try {
      sandbox.idv.setWebhook(server.url);
      const id = await newSession();
      sandbox.idv.failSession(id);
      await sandbox.idv.flushWebhooks();
      expect(handed).toEqual([]);
      expect(sandbox.idv.webhookDeliveries().at(-1)).toMatchObject({ outcome: 'pending', answers: [500] });
      sandbox.clock.advance(IDV_WEBHOOK_RETRY_DELAYS[0]);
      await sandbox.idv.flushWebhooks();
      expect(handed.map((s) => s.state)).toEqual(['failed']);
      expect(sandbox.idv.webhookDeliveries().at(-1)).toMatchObject({ outcome: 'delivered', answers: [500, 200] });
    } finally {
      await server.close();
    }
  });
});

describe('idvWebhook(): refusals', () => {
  const secret = 'a-shared-webhook-secret-0123456789';

  it('takes the secret the sandbox sends, in the header it is told', async () => {
    const { app, handed } = webhookApp({ secret, secretHeader: 'X-Webhook-Secret' });
    const server = await listen(app);
    try {
      sandbox.idv.setWebhook(server.url, { secret });
      const id = await newSession();
      sandbox.idv.failSession(id);
      await sandbox.idv.flushWebhooks();
      expect(handed.map((s) => s.state)).toEqual(['failed']);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['not JSON', 'sessionId=abc'],
    ['no sessionId', { status: 3 }],
    ['a sessionId that is not an id', { sessionId: '../../api/apikey' }],
    ['a sessionId that is an object', { sessionId: { id: 'x' } }],
    ['an array', [{ sessionId: 'x' }]],
  ])('answers 400 to a body with %s, with no call to the platform', async (_, body) => {
    const { app, handed } = webhookApp();
    const res = await post(app, body).expect(400);
    expect(res.body).toEqual({ error: 'ERR_WEBHOOK_BODY' });
    expect(sandbox.requests.count({ provider: 'idv' })).toBe(0);
    expect(handed).toEqual([]);
  });

  it('answers 413 past the limit', async () => {
    const { app } = webhookApp({ limit: 64 });
    const res = await post(app, { sessionId: 'x', padding: 'y'.repeat(100) }).expect(413);
    expect(res.body).toEqual({ error: 'ERR_BODY_TOO_LARGE' });
  });

  it('says clearly when it is mounted after a body parser', async () => {
    const app = express();
    app.use(express.json());
    app.post('/webhooks/idv', idvWebhook({ client: webhookApp().client, onSession: () => undefined }));
    const res = await post(app, { sessionId: 'x' }).expect(500);
    expect(res.body).toEqual({ error: 'ERR_BODY_CONSUMED' });
  });

  it.each([
    [{ status: 503 }, 502, 'ERR_PROVIDER_STATUS'],
    [{ malformed: true }, 502, 'ERR_PROVIDER_RESPONSE'],
    [{ hang: true }, 504, 'ERR_PROVIDER_TIMEOUT'],
  ])(
    'answers %j from the platform with %d, so the platform retries, and hands nothing over',
    async (fault, status, code) => {
      const { app, handed } = webhookApp();
      const id = await newSession();
      sandbox.faults.inject('idv.session', fault);
      const res = await post(app, { sessionId: id }).expect(status);
      expect(res.body).toEqual({ error: code });
      expect(handed).toEqual([]);
      sandbox.faults.clear();
      await post(app, { sessionId: id }).expect(200);
      expect(handed).toHaveLength(1);
    },
  );

  it('fails closed with 503 when the store fails: nothing handed over', async () => {
    const { app, handed } = webhookApp({ store: brokenStore });
    const res = await post(app, { sessionId: await newSession() }).expect(503);
    expect(res.body).toEqual({ error: 'ERR_STORE' });
    expect(handed).toEqual([]);
  });

  it('keeps the API key and the secret out of every answer and log line', async () => {
    const logs = captureDebug();
    try {
      const { app } = webhookApp({ secret });
      const seen: string[] = [];
      const keep = (res: request.Response) => seen.push(JSON.stringify(res.headers), res.text);
      const id = await newSession();
      keep(await post(app, { sessionId: id }).expect(401));
      const send = (body: object) => request(app).post('/webhooks/idv').set('x-webhook-secret', secret).send(body);
      keep(await send({ sessionId: id }).expect(200));
      keep(await send({ sessionId: 'unknown' }).expect(200));
      sandbox.faults.inject('idv.session', { status: 401 });
      keep(await send({ sessionId: id }).expect(502));
      expect(logs.length).toBeGreaterThan(0);
      for (const text of [...seen, ...logs]) {
        expect(text).not.toContain(sandbox.idv.apiKey);
        expect(text).not.toContain(secret);
      }
      for (const text of seen) expect(text).not.toMatch(/Injected fault|sandbox_fault/);
    } finally {
      logs.stop();
    }
  });
});

describe('idvWebhook(): options', () => {
  const client = new IdvClient({ host: 'https://idv.example.com', apiKey: 'k' });
  it.each([
    ['no client', { client: undefined }],
    ['no onSession', { onSession: undefined }],
    ['an empty secret', { secret: '' }],
    ['a bad header name', { secretHeader: 'x webhook' }],
    ['a zero ttl', { ttl: 0 }],
    ['a zero limit', { limit: 0 }],
    ['a store without add', { store: { get() {}, set() {}, delete() {} } }],
  ])('refuses %s with a coded TypeError', (_, patch) => {
    expect(() => idvWebhook({ client, onSession: () => undefined, ...patch } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
  });

  it('remembers deliveries in the store it is given, for ttl seconds', async () => {
    let now = Date.now();
    const store: Store = new MemoryStore({ clock: { now: () => now } });
    const { app, handed } = webhookApp({ store, ttl: 60 });
    const id = await newSession();
    await post(app, { sessionId: id }).expect(200);
    await post(app, { sessionId: id }).expect(200);
    now += 60_000;
    await post(app, { sessionId: id }).expect(200);
    expect(handed).toHaveLength(2);
  });
});
