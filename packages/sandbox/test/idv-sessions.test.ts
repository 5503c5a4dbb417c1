import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  IDV_SESSION_STATUSES,
  IDV_WEBHOOK_RETRY_DELAYS,
  IDV_WEBHOOK_SECRET_HEADER,
  type Sandbox,
  startSandbox,
} from '../src/index.js';

let sandbox: Sandbox;
let receiver: Receiver;

/** A webhook endpoint that records what it receives and answers with the statuses it is told, then 200. */
interface Receiver {
  url: string;
  received: { headers: http.IncomingHttpHeaders; body: unknown }[];
  answers: number[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/idv`,
    received,
    answers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  [sandbox, receiver] = await Promise.all([startSandbox(), startReceiver()]);
});
afterAll(async () => {
  await Promise.all([sandbox.close(), receiver.close()]);
});
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  receiver.received.length = 0;
  receiver.answers.length = 0;
});
afterEach(() => {
  sandbox.idv.setWebhook(undefined);
});

const apiKey = () => `ApiKey ${sandbox.idv.apiKey}`;

function deeplink(body: unknown = { metadata: { externalUserId: 'user-1' } }, authorization = apiKey()) {
  return fetch(`${sandbox.idv.host}/api/v1/deeplink?workflowId=${encodeURIComponent(sandbox.idv.workflowId)}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function started(ttl = 3600) {
  const res = await deeplink({ metadata: { externalUserId: 'user-1' }, ttl });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { url: string; createdAt: string; expiresAt: string; workflowIds: string[] };
  const url = new URL(body.url);
  return {
    ...body,
    sessionId: url.searchParams.get('sessionId') ?? '',
    token: url.searchParams.get('authorization') ?? '',
  };
}

function readSession(id: string, authorization = apiKey()) {
  return fetch(`${sandbox.idv.host}/api/sessions/${encodeURIComponent(id)}`, {
    headers: { authorization, accept: 'application/json' },
  });
}

function phone(token: string, sessionId: string, step: string) {
  return fetch(`${sandbox.idv.host}/mobile`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ authorization: token, sessionId, step }),
    redirect: 'manual',
  });
}

describe('IDV sandbox: POST /api/v1/deeplink', () => {
  it('creates a token and a session in one call and answers the documented fields', async () => {
    const before = sandbox.clock.now();
    const res = await deeplink({ metadata: { externalUserId: 'user-9' }, ttl: 600, locale: 'en-us' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['createdAt', 'expiresAt', 'url', 'workflowIds']);
    expect(body.workflowIds).toEqual([sandbox.idv.workflowId]);
    expect(Date.parse(body.expiresAt as string) - Date.parse(body.createdAt as string)).toBe(600_000);
    expect(Date.parse(body.createdAt as string)).toBeGreaterThanOrEqual(before);
    // The session id is only inside the URL, and the token in it carries its scheme, encoded: Token%20…
    const url = body.url as string;
    expect(url).toMatch(new RegExp(`^${sandbox.idv.host}/mobile\\?authorization=Token%20[\\w-]+&sessionId=`));
    const sessionId = new URL(url).searchParams.get('sessionId') ?? '';
    expect(sandbox.idv.getSession(sessionId)).toMatchObject({
      metadata: { externalUserId: 'user-9' },
      state: 'started',
    });
    expect(sandbox.requests.filter({ route: 'idv.deeplink' })).toMatchObject([{ credential: 'idv_api_key' }]);
    // The link opens the phone page until the ttl has passed.
    expect((await fetch(url)).status).toBe(200);
    sandbox.clock.advance(600_000);
    expect((await fetch(url)).status).toBe(401);
  });

  it('defaults ttl to 3600 and refuses a ttl outside 60–86400', async () => {
    const { createdAt, expiresAt } = await started();
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(3_600_000);
    for (const ttl of [59, 86_401, 1.5, '600']) expect((await deeplink({ ttl })).status).toBe(400);
  });

  it('takes the API key with the ApiKey scheme, in any case; refuses the raw key, a token and a wrong key', async () => {
    for (const scheme of ['ApiKey', 'Apikey', 'APIKEY', 'apikey']) {
      expect((await deeplink(undefined, `${scheme} ${sandbox.idv.apiKey}`)).status).toBe(200);
    }
    const raw = await deeplink(undefined, sandbox.idv.apiKey);
    expect(raw.status).toBe(401);
    const text = await raw.text();
    expect(text).toContain('ApiKey <key>');
    expect(text).not.toContain(sandbox.idv.apiKey);
    const { token } = await started();
    expect((await deeplink(undefined, token)).status).toBe(403);
    expect((await deeplink(undefined, 'ApiKey wrong')).status).toBe(401);
    expect((await deeplink(undefined, '')).status).toBe(401);
  });

  it('answers 404 for an unknown workflow and 400 without one', async () => {
    const post = (query: string) =>
      fetch(`${sandbox.idv.host}/api/v1/deeplink${query}`, {
        method: 'POST',
        headers: { authorization: apiKey(), 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await post('?workflowId=nope')).status).toBe(404);
    expect((await post('')).status).toBe(400);
  });
});

describe('IDV sandbox: the session lifecycle and GET /api/sessions/{id}', () => {
  it('moves through started → document sent → selfie sent → finished as the phone pages are completed', async () => {
    const { sessionId, token } = await started();
    const statusOf = async () => ((await (await readSession(sessionId)).json()) as { status: number }).status;
    expect(await statusOf()).toBe(IDV_SESSION_STATUSES.started);
    expect((await phone(token, sessionId, 'document')).status).toBe(302);
    expect(await statusOf()).toBe(IDV_SESSION_STATUSES.document_sent);
    expect(sandbox.idv.getSession(sessionId)?.state).toBe('document_sent');
    expect((await phone(token, sessionId, 'selfie')).status).toBe(302);
    // The sandbox's check passes as soon as the selfie is in.
    expect(await statusOf()).toBe(IDV_SESSION_STATUSES.finished);
    const page = await (
      await fetch(`${sandbox.idv.host}/mobile?${new URLSearchParams({ authorization: token, sessionId })}`)
    ).text();
    expect(page).toContain('your identity is verified');
    // A session that ended stays as it is.
    await phone(token, sessionId, 'fail');
    expect(await statusOf()).toBe(IDV_SESSION_STATUSES.finished);
  });

  it('answers the documented container: id, an integer status, properties and files with their own URLs', async () => {
    const { sessionId } = await started();
    sandbox.idv.completeCapture(sessionId, ['document']);
    const res = await readSession(sessionId);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: sessionId,
      workflowId: sandbox.idv.workflowId,
      status: 1,
      metadata: { externalUserId: 'user-1' },
      properties: { document: { capturedAt: expect.any(String) } },
      files: [{ name: 'document.png', contentType: 'image/png', url: expect.any(String) }],
    });
    const [file] = body.files as { url: string }[];
    expect((await fetch(file!.url)).status).toBe(401); // file URLs need the key too
    const image = await fetch(file!.url, { headers: { authorization: apiKey() } });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(sandbox.requests.count({ route: 'idv.session_file' })).toBe(2);
  });

  it('ends a session as failed from the phone page ("Simulate a failed verification")', async () => {
    const { sessionId, token } = await started();
    const page = await (
      await fetch(`${sandbox.idv.host}/mobile?${new URLSearchParams({ authorization: token, sessionId })}`)
    ).text();
    expect(page).toContain('Simulate a failed verification');
    await phone(token, sessionId, 'document');
    expect((await phone(token, sessionId, 'fail')).status).toBe(302);
    expect(sandbox.idv.getSession(sessionId)).toMatchObject({ state: 'failed', status: IDV_SESSION_STATUSES.failed });
    await phone(token, sessionId, 'selfie');
    expect(sandbox.idv.getSession(sessionId)?.state).toBe('failed');
    const after = await (
      await fetch(`${sandbox.idv.host}/mobile?${new URLSearchParams({ authorization: token, sessionId })}`)
    ).text();
    expect(after).toContain('did not succeed');
  });

  it('expires a session that has not ended once its ttl passes on the clock; its token then gets 401', async () => {
    const { sessionId, token, url } = await started(120);
    sandbox.clock.advance(119_000);
    expect(sandbox.idv.getSession(sessionId)?.state).toBe('started');
    sandbox.clock.advance(1_000);
    const body = (await (await readSession(sessionId)).json()) as { status: number };
    expect(body.status).toBe(IDV_SESSION_STATUSES.expired);
    expect((await fetch(url)).status).toBe(401);
    expect((await phone(token, sessionId, 'document')).status).toBe(401);
    // A finished session does not expire later.
    const other = await started(120);
    sandbox.idv.completeCapture(other.sessionId);
    sandbox.clock.advance(120_000);
    expect(sandbox.idv.getSession(other.sessionId)?.state).toBe('finished');
  });

  it('reads a session only with the ApiKey scheme (any case); raw key 401, token 403, unknown 404', async () => {
    const { sessionId, token } = await started();
    for (const scheme of ['ApiKey', 'Apikey', 'apikey']) {
      expect((await readSession(sessionId, `${scheme} ${sandbox.idv.apiKey}`)).status).toBe(200);
    }
    const raw = await readSession(sessionId, sandbox.idv.apiKey);
    expect(raw.status).toBe(401);
    expect(await raw.text()).toContain('ApiKey <key>');
    expect((await readSession(sessionId, token)).status).toBe(403);
    expect((await readSession(sessionId, '')).status).toBe(401);
    expect((await readSession('no-such-session')).status).toBe(404);
    expect(sandbox.requests.filter({ route: 'idv.session' }).map((r) => r.credential)).toEqual([
      'idv_api_key',
      'idv_api_key',
      'idv_api_key',
      'invalid',
      'ephemeral_token',
      'none',
      'idv_api_key',
    ]);
  });

  it('gets the faults injected on its routes', async () => {
    const { sessionId } = await started();
    sandbox.faults.inject('idv.session', { status: 503, times: 1 });
    expect((await readSession(sessionId)).status).toBe(503);
    expect((await readSession(sessionId)).status).toBe(200);
    sandbox.faults.inject('idv.deeplink', { malformed: true, times: 1 });
    expect(await (await deeplink()).text()).not.toMatch(/^\{.*\}$/);
  });
});

describe('IDV sandbox: webhooks', () => {
  // A sandbox per test: moving the clock expires the sessions of other tests, and expiries are webhooks too.
  let shared: Sandbox;
  beforeEach(async () => {
    shared = sandbox;
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
    sandbox = shared;
  });

  it('posts {sessionId, workflowId, status} on every state change, in order, with the secret header', async () => {
    sandbox.idv.setWebhook(receiver.url, { secret: 'webhook-secret-for-the-test' });
    const { sessionId } = await started();
    sandbox.idv.completeCapture(sessionId);
    await sandbox.idv.flushWebhooks();
    expect(receiver.received.map((r) => r.body)).toEqual(
      [1, 2, 3].map((status) => ({ sessionId, workflowId: sandbox.idv.workflowId, status })),
    );
    for (const { headers } of receiver.received) {
      expect(headers['content-type']).toBe('application/json');
      expect(headers[IDV_WEBHOOK_SECRET_HEADER]).toBe('webhook-secret-for-the-test');
    }
    expect(sandbox.idv.webhookDeliveries().map((d) => d.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('sends nothing without a registered endpoint, and no secret header without a secret', async () => {
    const { sessionId } = await started();
    sandbox.idv.failSession(sessionId);
    sandbox.idv.setWebhook(receiver.url);
    await sandbox.idv.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
    const other = await started();
    sandbox.idv.failSession(other.sessionId);
    await sandbox.idv.flushWebhooks();
    expect(receiver.received.map((r) => r.body)).toEqual([
      { sessionId: other.sessionId, workflowId: sandbox.idv.workflowId, status: 4 },
    ]);
    expect(receiver.received[0]?.headers[IDV_WEBHOOK_SECRET_HEADER]).toBeUndefined();
  });

  it('tries a delivery again on the sandbox clock after a non-2xx answer, and gives up after six attempts', async () => {
    sandbox.idv.setWebhook(receiver.url);
    receiver.answers.push(500, 503);
    const { sessionId } = await started();
    sandbox.idv.failSession(sessionId);
    await sandbox.idv.flushWebhooks();
    const [first] = sandbox.idv.webhookDeliveries().slice(-1);
    expect(first).toMatchObject({ outcome: 'pending', attempts: 1, answers: [500] });
    expect(Date.parse(first!.nextAttemptAt!) - sandbox.clock.now()).toBeGreaterThan(
      IDV_WEBHOOK_RETRY_DELAYS[0] - 1_000,
    );
    // Not due yet: nothing is sent however often the sandbox looks.
    await sandbox.idv.flushWebhooks();
    expect(receiver.received).toHaveLength(1);
    sandbox.clock.advance(IDV_WEBHOOK_RETRY_DELAYS[0]);
    await sandbox.idv.flushWebhooks();
    sandbox.clock.advance(IDV_WEBHOOK_RETRY_DELAYS[1]);
    await sandbox.idv.flushWebhooks();
    expect(sandbox.idv.webhookDeliveries().slice(-1)[0]).toMatchObject({
      outcome: 'delivered',
      attempts: 3,
      answers: [500, 503, 200],
    });
    expect(receiver.received).toHaveLength(3);

    receiver.answers.push(...Array(6).fill(500));
    const other = await started();
    sandbox.idv.failSession(other.sessionId);
    await sandbox.idv.flushWebhooks();
    for (const delay of IDV_WEBHOOK_RETRY_DELAYS) {
      sandbox.clock.advance(delay);
      await sandbox.idv.flushWebhooks();
    }
    expect(sandbox.idv.webhookDeliveries().slice(-1)[0]).toMatchObject({ outcome: 'failed', attempts: 6 });
  });

  it('counts an endpoint that cannot be reached as a failed attempt', async () => {
    sandbox.idv.setWebhook('http://127.0.0.1:9/webhooks/idv');
    const { sessionId } = await started();
    sandbox.idv.failSession(sessionId);
    await sandbox.idv.flushWebhooks();
    expect(sandbox.idv.webhookDeliveries().slice(-1)[0]).toMatchObject({ outcome: 'pending', answers: [0] });
  });

  it('notifies an expiry once the clock passes it', async () => {
    sandbox.idv.setWebhook(receiver.url);
    const { sessionId } = await started(60);
    sandbox.clock.advance(60_000);
    await sandbox.idv.flushWebhooks();
    expect(receiver.received.map((r) => r.body)).toEqual([
      { sessionId, workflowId: sandbox.idv.workflowId, status: IDV_SESSION_STATUSES.expired },
    ]);
  });

  it('takes the endpoint from startSandbox({ idv: { webhook } }) and refuses a URL that is not http(s)', async () => {
    const other = await startSandbox({ idv: { webhook: { url: receiver.url, secret: 's3cret-value' } } });
    try {
      const token = other.idv.createEphemeralToken();
      const res = await fetch(`${other.idv.host}/api/sessions?workflowId=${other.idv.workflowId}`, {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/json' },
        body: '{"metadata":{}}',
      });
      const { id } = (await res.json()) as { id: string };
      other.idv.failSession(id);
      await other.idv.flushWebhooks();
      expect(receiver.received.map((r) => r.headers[IDV_WEBHOOK_SECRET_HEADER])).toEqual(['s3cret-value']);
      expect(() => other.idv.setWebhook('ftp://example.test/')).toThrow(TypeError);
    } finally {
      await other.close();
    }
  });
});
