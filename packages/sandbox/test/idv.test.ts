import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
});

function post(path: string, authorization: string | undefined, body: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  return fetch(`${sandbox.idv.host}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function token(ttl = 3600): Promise<string> {
  const res = await post('/api/device/ephemeral', sandbox.idv.apiKey, { ttl });
  expect(res.status).toBe(200);
  return ((await res.json()) as { authorization: string }).authorization;
}

async function session(authorization: string, externalUserId = 'user-1') {
  const res = await post(`/api/sessions?workflowId=${encodeURIComponent(sandbox.idv.workflowId)}`, authorization, {
    metadata: { externalUserId },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; workflowId: string; metadata: unknown; createdAt: string };
}

function mobileURL(authorization: string, sessionId: string): string {
  return `${sandbox.idv.host}/mobile?authorization=${encodeURIComponent(authorization)}&sessionId=${encodeURIComponent(sessionId)}`;
}

describe('IDV sandbox: POST /api/device/ephemeral', () => {
  it('exchanges the raw API key and a ttl for an ephemeral token that contains a space', async () => {
    const res = await post('/api/device/ephemeral', sandbox.idv.apiKey, { ttl: 3600 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['authorization']);
    expect(body.authorization).toMatch(/^Token [A-Za-z0-9_-]+$/);
    expect(sandbox.requests.filter({ route: 'idv.ephemeral' })).toMatchObject([
      { method: 'POST', path: '/idv/api/device/ephemeral', credential: 'idv_api_key', status: 200 },
    ]);
  });

  it('refuses a missing or wrong API key with 401, and names the mistake of adding a scheme', async () => {
    expect((await post('/api/device/ephemeral', undefined, { ttl: 3600 })).status).toBe(401);
    const wrong = await post('/api/device/ephemeral', 'not-the-key', { ttl: 3600 });
    expect(wrong.status).toBe(401);
    const schemed = await post('/api/device/ephemeral', `Bearer ${sandbox.idv.apiKey}`, { ttl: 3600 });
    expect(schemed.status).toBe(401);
    const text = await schemed.text();
    expect(text).toContain('raw API key');
    expect(text).not.toContain(sandbox.idv.apiKey);
    expect(sandbox.requests.filter({ route: 'idv.ephemeral' }).map((r) => r.credential)).toEqual([
      'none',
      'invalid',
      'invalid',
    ]);
  });

  it('refuses an ephemeral token in place of the API key with 403', async () => {
    const res = await post('/api/device/ephemeral', await token(), { ttl: 3600 });
    expect(res.status).toBe(403);
  });

  it.each([
    ['missing', {}],
    ['below the range', { ttl: 59 }],
    ['above the range', { ttl: 86_401 }],
    ['zero', { ttl: 0 }],
    ['not an integer', { ttl: 1.5 }],
    ['a string', { ttl: '3600' }],
  ])('answers 400 when ttl is %s', async (_, body) => {
    expect((await post('/api/device/ephemeral', sandbox.idv.apiKey, body)).status).toBe(400);
  });

  it('accepts the bounds of the documented range and answers 400 to a body that is not JSON', async () => {
    expect(sandbox.idv.ttlRange).toEqual({ min: 60, max: 86_400 });
    expect((await post('/api/device/ephemeral', sandbox.idv.apiKey, { ttl: 60 })).status).toBe(200);
    expect((await post('/api/device/ephemeral', sandbox.idv.apiKey, { ttl: 86_400 })).status).toBe(200);
    expect((await post('/api/device/ephemeral', sandbox.idv.apiKey, 'ttl=3600')).status).toBe(400);
  });
});

describe('IDV sandbox: POST /api/sessions', () => {
  it('starts a session for the workflow with the metadata, with an ephemeral token', async () => {
    const authorization = await token();
    const created = await session(authorization, 'user-42');
    expect(created).toEqual({
      id: expect.any(String),
      workflowId: sandbox.idv.workflowId,
      metadata: { externalUserId: 'user-42' },
      createdAt: new Date(Date.parse(created.createdAt)).toISOString(),
    });
    expect(sandbox.idv.getSession(created.id)).toMatchObject({ state: 'started', status: 0, steps: {} });
    expect(sandbox.requests.filter({ route: 'idv.sessions' })).toMatchObject([
      { credential: 'ephemeral_token', status: 200 },
    ]);
  });

  it('refuses the API key (403), a missing (401) or unknown token (401)', async () => {
    const path = `/api/sessions?workflowId=${sandbox.idv.workflowId}`;
    expect((await post(path, sandbox.idv.apiKey, { metadata: {} })).status).toBe(403);
    expect((await post(path, undefined, { metadata: {} })).status).toBe(401);
    expect((await post(path, 'Token nope', { metadata: {} })).status).toBe(401);
  });

  it('refuses a token once its ttl has passed on the sandbox clock', async () => {
    const authorization = await token(60);
    sandbox.clock.advance(59_000);
    await session(authorization);
    sandbox.clock.advance(1_000);
    const res = await post(`/api/sessions?workflowId=${sandbox.idv.workflowId}`, authorization, { metadata: {} });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('expired');
  });

  it('answers 404 for an unknown workflow, 400 without one, and knows workflows added by addWorkflow()', async () => {
    const authorization = await token();
    expect((await post('/api/sessions?workflowId=nope', authorization, { metadata: {} })).status).toBe(404);
    expect((await post('/api/sessions', authorization, { metadata: {} })).status).toBe(400);
    sandbox.idv.addWorkflow('kyc-2');
    expect((await post('/api/sessions?workflowId=kyc-2', authorization, { metadata: {} })).status).toBe(200);
  });

  it.each([
    ['not JSON', 'metadata'],
    ['metadata not an object', { metadata: 'x' }],
    ['externalUserId not a string', { metadata: { externalUserId: 7 } }],
  ])('answers 400 when the body is %s', async (_, body) => {
    const res = await post(`/api/sessions?workflowId=${sandbox.idv.workflowId}`, await token(), body);
    expect(res.status).toBe(400);
  });

  it('gets the faults injected on its route', async () => {
    sandbox.faults.inject('idv.sessions', { status: 503, times: 1 });
    const authorization = await token();
    expect((await post(`/api/sessions?workflowId=${sandbox.idv.workflowId}`, authorization, {})).status).toBe(503);
    await session(authorization);
  });
});

describe('IDV sandbox: /capture and /mobile pages', () => {
  it('shows the handoff link and its QR code on /capture', async () => {
    const authorization = await token();
    const { id } = await session(authorization);
    const link = mobileURL(authorization, id);
    const res = await fetch(`${sandbox.idv.host}/capture?url=${encodeURIComponent(link)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('<svg');
    expect(html).toContain(`href="${link.replaceAll('&', '&amp;')}"`);
  });

  it('refuses a /capture url that is not this platform’s mobile page', async () => {
    for (const url of ['https://evil.example/idv/mobile?x=1', `${sandbox.url}/elsewhere`, 'not a url']) {
      const res = await fetch(`${sandbox.idv.host}/capture?url=${encodeURIComponent(url)}`);
      expect(res.status).toBe(400);
      expect(await res.text()).not.toContain('<svg');
    }
    expect((await fetch(`${sandbox.idv.host}/capture`)).status).toBe(400);
  });

  it('walks the phone through the capture steps and records them on the session', async () => {
    const authorization = await token();
    const { id } = await session(authorization);
    let res = await fetch(mobileURL(authorization, id));
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toContain('Take a photo of your document');
    for (const step of ['document', 'selfie']) {
      res = await fetch(`${sandbox.idv.host}/mobile`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ authorization, sessionId: id, step }),
        redirect: 'manual',
      });
      expect(res.status).toBe(302);
    }
    expect(sandbox.idv.getSession(id)).toMatchObject({ state: 'finished', steps: { document: expect.any(String) } });
    res = await fetch(mobileURL(authorization, id));
    expect(await res.text()).toContain('Your photos were sent');
  });

  it('answers 400 to an unknown capture step and records nothing', async () => {
    const authorization = await token();
    const { id } = await session(authorization);
    const res = await fetch(`${sandbox.idv.host}/mobile`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ authorization, sessionId: id, step: 'fingerprint' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(sandbox.idv.getSession(id)).toMatchObject({ state: 'started', steps: {} });
  });

  it('refuses /mobile with a token that did not start the session, an unknown session or an expired token', async () => {
    const first = await token(120);
    const { id } = await session(first);
    const other = await token();
    await session(other);
    expect((await fetch(mobileURL(other, id))).status).toBe(401);
    expect((await fetch(mobileURL(first, 'unknown'))).status).toBe(401);
    expect((await fetch(`${sandbox.idv.host}/mobile?sessionId=${id}`)).status).toBe(401);
    const capture = await fetch(`${sandbox.idv.host}/mobile`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ authorization: other, sessionId: id, step: 'document' }),
      redirect: 'manual',
    });
    expect(capture.status).toBe(401);
    expect(sandbox.idv.getSession(id)?.steps).toEqual({});
    expect((await fetch(mobileURL(first, id))).status).toBe(200);
    sandbox.clock.advance(120_000);
    const expired = await fetch(mobileURL(first, id));
    expect(expired.status).toBe(401);
    expect(await expired.text()).toContain('expired');
  });
});

describe('IDV sandbox: programmatic API', () => {
  it('draws a random API key per start unless one is given, and mints tokens and completes captures', async () => {
    const a = await startSandbox({ idv: { apiKey: 'fixed-key', workflowId: 'wf' } });
    const b = await startSandbox();
    try {
      expect(a.idv).toMatchObject({ apiKey: 'fixed-key', workflowId: 'wf', host: `${a.url}/idv` });
      expect(b.idv.apiKey).not.toBe(sandbox.idv.apiKey);
      expect(b.idv.apiKey.length).toBeGreaterThan(20);
      const authorization = a.idv.createEphemeralToken(60);
      expect(authorization.startsWith('Token ')).toBe(true);
      expect(() => a.idv.createEphemeralToken(10)).toThrow(RangeError);
      const res = await fetch(`${a.idv.host}/api/sessions?workflowId=wf`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: '{"metadata":{}}',
      });
      const { id } = (await res.json()) as { id: string };
      expect(a.idv.completeCapture(id)?.state).toBe('finished');
      expect(a.idv.listSessions()).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
