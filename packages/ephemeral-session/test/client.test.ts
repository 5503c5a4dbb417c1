import { ProviderResponseError, ProviderStatusError, ProviderTimeoutError } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdvClient, IdvSessionNotFoundError, isFinalState, SANDBOX_SESSION_STATUSES } from '../src/index.js';
import { recordingProxy } from './helpers.js';

let sandbox: Sandbox;
let client: IdvClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  client = new IdvClient({ host: sandbox.idv.host, apiKey: sandbox.idv.apiKey, timeout: 1_000 });
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

/** A session started the documented two-call way. */
async function started(externalUserId = 'user-1'): Promise<string> {
  const token = await client.createEphemeralToken(3600);
  return (await client.startSession(token, sandbox.idv.workflowId, { externalUserId })).id;
}

describe('IdvClient#getSession', () => {
  it('reads the session back with Authorization: ApiKey <key> and maps its integer status', async () => {
    const proxy = await recordingProxy(sandbox.url);
    try {
      const id = await started('user-5');
      const proxied = new IdvClient({ host: `${proxy.url}/idv`, apiKey: sandbox.idv.apiKey });
      const session = await proxied.getSession(id);
      expect(session).toEqual({
        id,
        status: 0,
        state: 'started',
        externalUserId: 'user-5',
        raw: expect.objectContaining({ id, status: 0, properties: {}, files: [] }),
      });
      const [read] = proxy.recorded;
      expect(read).toMatchObject({ method: 'GET', url: `/idv/api/sessions/${id}` });
      expect(read?.headers.authorization).toBe(`ApiKey ${sandbox.idv.apiKey}`);
      expect(read?.headers.accept).toBe('application/json');
    } finally {
      await proxy.close();
    }
  });

  it('follows the session through every state of the sandbox', async () => {
    const id = await started();
    sandbox.idv.completeCapture(id, ['document']);
    expect(await client.getSession(id)).toMatchObject({ status: 1, state: 'document_sent' });
    sandbox.idv.completeCapture(id);
    expect(await client.getSession(id)).toMatchObject({ status: 3, state: 'finished' });
    const failed = await started();
    sandbox.idv.failSession(failed);
    expect(await client.getSession(failed)).toMatchObject({ status: 4, state: 'failed' });
    expect(SANDBOX_SESSION_STATUSES).toEqual({
      0: 'started',
      1: 'document_sent',
      2: 'selfie_sent',
      3: 'finished',
      4: 'failed',
      5: 'expired',
    });
    expect(['finished', 'failed', 'expired'].every((s) => isFinalState(s as never))).toBe(true);
    expect(['started', 'document_sent', 'selfie_sent', 'unknown'].some((s) => isFinalState(s as never))).toBe(false);
  });

  it('keeps the platform’s number and maps it with the table it is given; outside it the state is unknown', async () => {
    const id = await started();
    sandbox.idv.completeCapture(id);
    const custom = new IdvClient({ host: sandbox.idv.host, apiKey: sandbox.idv.apiKey, statuses: { 3: 'failed' } });
    expect(await custom.getSession(id)).toMatchObject({ status: 3, state: 'failed' });
    const empty = new IdvClient({ host: sandbox.idv.host, apiKey: sandbox.idv.apiKey, statuses: {} });
    expect(await empty.getSession(id)).toMatchObject({ status: 3, state: 'unknown' });
  });

  it('rejects an unknown session with IdvSessionNotFoundError (404), not retried', async () => {
    const error = await client.getSession('no-such-session').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdvSessionNotFoundError);
    expect(error).toMatchObject({ code: 'ERR_IDV_SESSION_NOT_FOUND', status: 404, upstreamStatus: 404 });
    expect(sandbox.requests.count({ route: 'idv.session' })).toBe(1);
  });

  it('sends the raw key with apiKeyScheme: "raw" (which the sandbox refuses for this call, as documented)', async () => {
    const proxy = await recordingProxy(sandbox.url);
    try {
      const id = await started();
      const raw = new IdvClient({ host: `${proxy.url}/idv`, apiKey: sandbox.idv.apiKey, apiKeyScheme: 'raw' });
      const error = await raw.getSession(id).catch((e: unknown) => e);
      expect(proxy.recorded[0]?.headers.authorization).toBe(sandbox.idv.apiKey);
      expect(error).toBeInstanceOf(ProviderStatusError);
      expect((error as Error).message).not.toContain(sandbox.idv.apiKey);
    } finally {
      await proxy.close();
    }
  });

  it('retries a 503 (a GET), and refuses an answer about another session or without an integer status', async () => {
    const id = await started();
    sandbox.faults.inject('idv.session', { status: 503, times: 1 });
    expect((await client.getSession(id)).id).toBe(id);
    expect(sandbox.requests.count({ route: 'idv.session' })).toBe(2);
    for (const body of [{ id: 'another-session', status: 3 }, { id, status: '3' }, { id, status: 1.5 }, { id }]) {
      sandbox.faults.inject('idv.session', { body, times: 1 });
      await expect(client.getSession(id)).rejects.toBeInstanceOf(ProviderResponseError);
    }
    sandbox.faults.inject('idv.session', { hang: true, times: 1 });
    await expect(client.getSession(id)).rejects.toBeInstanceOf(ProviderTimeoutError);
  });

  it('reads externalUserId under properties.metadata when the top level has none', async () => {
    const id = await started();
    sandbox.faults.inject('idv.session', {
      body: { id, status: 0, properties: { metadata: { externalUserId: 'u' } } },
    });
    expect((await client.getSession(id)).externalUserId).toBe('u');
  });

  it('refuses an empty session id before any call', async () => {
    await expect(client.getSession('')).rejects.toBeInstanceOf(TypeError);
    expect(sandbox.requests.count({ provider: 'idv' })).toBe(0);
  });
});

describe('IdvClient#createDeeplink', () => {
  it('starts a session in one call with Authorization: ApiKey <key>, and reads the session id from the url', async () => {
    const proxy = await recordingProxy(sandbox.url);
    try {
      const proxied = new IdvClient({ host: `${proxy.url}/idv`, apiKey: sandbox.idv.apiKey });
      const link = await proxied.createDeeplink(sandbox.idv.workflowId, { externalUserId: 'user-8' }, { ttl: 900 });
      expect(proxy.recorded).toHaveLength(1);
      expect(proxy.recorded[0]).toMatchObject({
        method: 'POST',
        url: `/idv/api/v1/deeplink?workflowId=${sandbox.idv.workflowId}`,
        body: '{"metadata":{"externalUserId":"user-8"},"ttl":900}',
      });
      expect(proxy.recorded[0]?.headers.authorization).toBe(`ApiKey ${sandbox.idv.apiKey}`);
      expect(link.sessionId).toBe(new URL(link.url).searchParams.get('sessionId'));
      expect(sandbox.idv.getSession(link.sessionId)?.metadata).toEqual({ externalUserId: 'user-8' });
      expect(link.expiresAt).toBe(sandbox.idv.getSession(link.sessionId)?.expiresAt);
    } finally {
      await proxy.close();
    }
  });

  it('sends a locale when given one, and refuses a ttl outside the range before any call', async () => {
    const { sessionId } = await client.createDeeplink(
      sandbox.idv.workflowId,
      { externalUserId: 'u' },
      {
        ttl: 600,
        locale: 'en-us',
      },
    );
    expect(sessionId).not.toBe('');
    await expect(client.createDeeplink('w', { externalUserId: 'u' }, { ttl: 10 })).rejects.toBeInstanceOf(RangeError);
    expect(sandbox.requests.count({ route: 'idv.deeplink' })).toBe(1);
  });

  it('refuses an answer without a usable url, and is never retried', async () => {
    for (const body of [
      {},
      { url: 'not a url' },
      { url: 'javascript:alert(1)' },
      { url: `${sandbox.idv.host}/mobile` },
    ]) {
      sandbox.requests.clear();
      sandbox.faults.inject('idv.deeplink', { body, times: 1 });
      await expect(
        client.createDeeplink(sandbox.idv.workflowId, { externalUserId: 'u' }, { ttl: 600 }),
      ).rejects.toBeInstanceOf(ProviderResponseError);
      expect(sandbox.requests.count({ route: 'idv.deeplink' })).toBe(1);
    }
    sandbox.requests.clear();
    sandbox.faults.inject('idv.deeplink', { status: 503, times: 1 });
    await expect(
      client.createDeeplink(sandbox.idv.workflowId, { externalUserId: 'u' }, { ttl: 600 }),
    ).rejects.toBeInstanceOf(ProviderStatusError);
    expect(sandbox.requests.count({ route: 'idv.deeplink' })).toBe(1);
  });
});

describe('IdvClient options', () => {
  it('refuses an unknown apiKeyScheme and a status table with unknown states', () => {
    const base = { host: 'https://idv.example.com', apiKey: 'k' };
    expect(() => new IdvClient({ ...base, apiKeyScheme: 'Bearer' as never })).toThrow(TypeError);
    expect(() => new IdvClient({ ...base, statuses: { 1: 'done' } as never })).toThrow(TypeError);
    expect(() => new IdvClient({ ...base, statuses: { x: 'finished' } as never })).toThrow(TypeError);
  });
});
