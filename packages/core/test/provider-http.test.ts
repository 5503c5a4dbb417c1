import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ProviderError,
  ProviderNetworkError,
  ProviderResponseError,
  ProviderStatusError,
  ProviderTimeoutError,
  setWarningHandler,
} from '../src/index.js';
import { providerRequest, requireString } from '../src/internal.js';

const SECRET = 'sk_live_never_show_me_0123456789';
const hits = new Map<string, number>();
const bodies = new Map<string, string>();
let connections = 0;
let hugeClosed = false;
const hung: IncomingMessage[] = [];
let server: Server;
let base: string;
/** The warning lines written while the tests run. */
const warnings: string[] = [];

function route(req: IncomingMessage, res: ServerResponse, body: string): unknown {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const count = (hits.get(path) ?? 0) + 1;
  hits.set(path, count);
  bodies.set(path, body);
  const json = (status: number, value: unknown): void =>
    void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  switch (path) {
    case '/ok':
      return json(200, { token: 'abc' });
    case '/echo':
      return json(200, { url: req.url, headers: req.headers, body });
    case '/empty':
      return void res.writeHead(200).end();
    case '/hang':
      return void hung.push(req);
    case '/hang-body':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"token":');
      return;
    case '/malformed':
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"token": ');
    case '/shape':
      return json(200, { token: 42 });
    case '/drop':
      return void req.socket.destroy();
    case '/drop-body':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"token":');
      return void setImmediate(() => req.socket.destroy());
    case '/huge': {
      // 17 MiB of JSON string, written while the client keeps reading.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'x'.repeat(1024 * 1024);
      let left = 17;
      const more = (): void => {
        while (left > 0) {
          left--;
          if (!res.write(left === 16 ? `{"token":"${chunk}` : chunk)) return void res.once('drain', more);
        }
        res.end('"}');
      };
      res.on('close', () => {
        hugeClosed = true;
      });
      return more();
    }
    case '/flaky':
      return count === 1 ? json(503, { detail: 'try later' }) : json(200, { token: 'after-retry' });
    default: {
      const status = Number(path.slice(1));
      return json(Number.isInteger(status) ? status : 404, { error: { message: `rejected ${SECRET}` } });
    }
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  setWarningHandler((line) => warnings.push(line));
});
afterAll(async () => {
  setWarningHandler(undefined);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits.clear();
  warnings.length = 0;
});

const call = { provider: 'test', operation: 'op' } as const;

describe('providerRequest', () => {
  it('returns parsed, shape-checked JSON', async () => {
    const response = await providerRequest({
      ...call,
      method: 'GET',
      url: `${base}/ok`,
      parse: (body) => ({ token: requireString(body, 'token') }),
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ token: 'abc' });
  });

  it('sends JSON and multipart bodies with their content types', async () => {
    const json = await providerRequest<{ headers: Record<string, string>; body: string }>({
      ...call,
      method: 'POST',
      url: `${base}/echo`,
      json: { ttl: 3600 },
    });
    expect(json.body.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body.body)).toEqual({ ttl: 3600 });

    const multipart = await providerRequest<{ headers: Record<string, string>; body: string }>({
      ...call,
      method: 'POST',
      url: `${base}/echo`,
      multipart: {
        grantType: 'authorization_code',
        video: { filename: 'a.mp4', contentType: 'video/mp4', data: Buffer.from('VID') },
        after: 'the file',
      },
    });
    const boundary = multipart.body.headers['content-type']?.split('boundary=')[1];
    expect(boundary).toBeTruthy();
    expect(multipart.body.body).toContain(
      `--${boundary}\r\ncontent-disposition: form-data; name="grantType"\r\n\r\nauthorization_code\r\n`,
    );
    expect(multipart.body.body).toContain(
      `name="video"; filename="a.mp4"\r\ncontent-type: video/mp4\r\n\r\nVID\r\n--${boundary}\r\ncontent-disposition: form-data; name="after"\r\n\r\nthe file\r\n`,
    );
    expect(multipart.body.body.endsWith(`--${boundary}--\r\n`)).toBe(true);

    // Text only (sent as one string with the headers) and JSON, both with characters beyond ASCII: the length is in bytes.
    const text = await providerRequest<{ headers: Record<string, string>; body: string }>({
      ...call,
      method: 'POST',
      url: `${base}/echo`,
      multipart: { first_name: 'Seán', last_name: 'Ødegård' },
    });
    expect(Number(text.body.headers['content-length'])).toBe(Buffer.byteLength(text.body.body));
    expect(text.body.body).toContain('name="first_name"\r\n\r\nSeán\r\n');
    expect(text.body.body).toContain('name="last_name"\r\n\r\nØdegård\r\n');
    const unicode = await providerRequest<{ headers: Record<string, string>; body: string }>({
      ...call,
      method: 'POST',
      url: `${base}/echo`,
      json: { name: 'Zoë 😀' },
    });
    expect(JSON.parse(unicode.body.body)).toEqual({ name: 'Zoë 😀' });
    expect(Number(unicode.body.headers['content-length'])).toBe(Buffer.byteLength(unicode.body.body));
  });

  it('reuses connections (keep-alive)', async () => {
    const before = connections;
    for (let i = 0; i < 10; i++) await providerRequest({ ...call, method: 'GET', url: `${base}/ok` });
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('sends each call to its own path and query, as a string or a URL', async () => {
    for (let i = 0; i < 20; i++) {
      const url = i % 2 === 0 ? `${base}/echo?n=${i}` : new URL(`/echo?n=${i}`, base);
      const { body } = await providerRequest<{ url: string }>({ ...call, method: 'GET', url });
      expect(body.url).toBe(`/echo?n=${i}`);
    }
    const again = await providerRequest<{ url: string }>({ ...call, method: 'GET', url: `${base}/echo?n=0` });
    expect(again.body.url).toBe('/echo?n=0');
  });

  it('accepts an empty body when told to ignore it', async () => {
    const response = await providerRequest({ ...call, method: 'PATCH', url: `${base}/empty`, responseType: 'none' });
    expect(response.status).toBe(200);
  });

  it('fails a hung call within its deadline with a 504 ProviderTimeoutError', async () => {
    const started = performance.now();
    const error = await providerRequest({ ...call, method: 'POST', url: `${base}/hang`, timeout: 200 }).catch((e) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_TIMEOUT', status: 504, provider: 'test', operation: 'op' });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('fails a body that stops half-way within its deadline, GET retries included', async () => {
    const started = performance.now();
    const error = await providerRequest({ ...call, method: 'GET', url: `${base}/hang-body`, timeout: 200 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('turns a non-2xx answer into a 502 ProviderStatusError with the upstream status', async () => {
    const error = await providerRequest({ ...call, method: 'POST', url: `${base}/400` }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderStatusError);
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_STATUS', status: 502, upstreamStatus: 400 });
  });

  it('turns a body that is not JSON into a 502 ProviderResponseError', async () => {
    const error = await providerRequest({ ...call, method: 'GET', url: `${base}/malformed` }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_RESPONSE', status: 502 });
    expect(hits.get('/malformed')).toBe(1);
  });

  it('turns a wrong shape into a ProviderResponseError naming the field', async () => {
    const error = await providerRequest({
      ...call,
      method: 'GET',
      url: `${base}/shape`,
      parse: (body) => ({ token: requireString(body, 'token') }),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect(error.message).toContain('token is not a non-empty string');
  });

  it('turns a dropped connection into a 502 ProviderNetworkError', async () => {
    const error = await providerRequest({ ...call, method: 'POST', url: `${base}/drop` }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderNetworkError);
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_NETWORK', status: 502 });
    expect(error.message).toBe('test op: the connection failed');
  });

  it('turns a connection dropped half-way through the body into a 502 ProviderNetworkError', async () => {
    const error = await providerRequest({ ...call, method: 'POST', url: `${base}/drop-body` }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderNetworkError);
    expect(error.message).toBe('test op: the connection was dropped');
  });

  it('turns a refused connection into a 502 ProviderNetworkError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await providerRequest({ ...call, method: 'POST', url: `http://127.0.0.1:${port}/ok` }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ProviderNetworkError);
    expect(error).toMatchObject({ status: 502, message: 'test op: the connection failed' });
  });

  it('stops reading a body past 16 MiB: a ProviderResponseError, the connection closed, no retry', async () => {
    hugeClosed = false;
    const error = await providerRequest({ ...call, method: 'GET', url: `${base}/huge` }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect(error.message).toBe('test op: the response is too large');
    expect(hits.get('/huge')).toBe(1);
    await vi.waitFor(() => expect(hugeClosed).toBe(true));
  });

  it('closes the connection of a call stopped at its deadline', async () => {
    hung.length = 0;
    const error = await providerRequest({ ...call, method: 'POST', url: `${base}/hang`, timeout: 100 }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(hung).toHaveLength(1);
    await vi.waitFor(() => expect(hung[0]?.socket.destroyed).toBe(true));
  });

  it('refuses to send a header value with a line break: no call, a 502 ProviderError, no retry', async () => {
    const error = await providerRequest({
      ...call,
      method: 'GET',
      url: `${base}/ok`,
      headers: { authorization: `Bearer ${SECRET}\r\nx-injected: 1` },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).not.toBeInstanceOf(ProviderNetworkError);
    expect(error).toMatchObject({
      code: 'ERR_PROVIDER',
      status: 502,
      message: 'test op: the request could not be sent',
    });
    expect(hits.get('/ok')).toBeUndefined();
    expect(inspect(error, { depth: 5 })).not.toContain(SECRET);
  });

  describe("the caller's signal", () => {
    it('an aborted signal makes no call', async () => {
      const error = await providerRequest({
        ...call,
        method: 'GET',
        url: `${base}/ok`,
        signal: AbortSignal.abort(),
      }).catch((e) => e);
      expect(error).toBeInstanceOf(ProviderNetworkError);
      expect(error.message).toBe('test op: the call was cancelled');
      expect(hits.get('/ok')).toBeUndefined();
    });

    it('aborting cancels a call in flight at once, not at its deadline', async () => {
      const controller = new AbortController();
      const started = performance.now();
      const pending = providerRequest({ ...call, method: 'POST', url: `${base}/hang`, signal: controller.signal });
      await vi.waitFor(() => expect(hits.get('/hang')).toBe(1), { interval: 5 });
      controller.abort();
      const error = await pending.catch((e) => e);
      expect(error).toBeInstanceOf(ProviderNetworkError);
      expect(error).toMatchObject({ code: 'ERR_PROVIDER_NETWORK', status: 502 });
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('aborting during the pause before a retry stops the retries', async () => {
      const controller = new AbortController();
      const pending = providerRequest({
        ...call,
        method: 'GET',
        url: `${base}/503`,
        retryDelay: 2_000,
        signal: controller.signal,
      });
      await vi.waitFor(() => expect(hits.get('/503')).toBe(1), { interval: 5 });
      const started = performance.now();
      controller.abort();
      const error = await pending.catch((e) => e);
      expect(error).toBeInstanceOf(ProviderNetworkError);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(hits.get('/503')).toBe(1);
    });

    it('the deadline still wins over a signal that never aborts', async () => {
      const error = await providerRequest({
        ...call,
        method: 'POST',
        url: `${base}/hang`,
        timeout: 100,
        signal: new AbortController().signal,
      }).catch((e) => e);
      expect(error).toBeInstanceOf(ProviderTimeoutError);
    });
  });

  describe('retries', () => {
    it.each([500, 503, 429])('retries an idempotent GET on %d, bounded', async (status) => {
      const error = await providerRequest({
        ...call,
        method: 'GET',
        url: `${base}/${status}`,
        retries: 2,
        retryDelay: 1,
      }).catch((e) => e);
      expect(error).toBeInstanceOf(ProviderStatusError);
      expect(hits.get(`/${status}`)).toBe(3);
    });

    it('retries a GET on a dropped connection', async () => {
      await expect(
        providerRequest({ ...call, method: 'GET', url: `${base}/drop`, retryDelay: 1 }),
      ).rejects.toBeInstanceOf(ProviderNetworkError);
      expect(hits.get('/drop')).toBe(3);
    });

    it('succeeds when a retry does', async () => {
      const response = await providerRequest({ ...call, method: 'GET', url: `${base}/flaky`, retryDelay: 1 });
      expect(response.body).toEqual({ token: 'after-retry' });
      expect(hits.get('/flaky')).toBe(2);
    });

    it.each(['POST', 'PUT', 'PATCH', 'DELETE'] as const)('never retries a %s', async (method) => {
      await expect(providerRequest({ ...call, method, url: `${base}/503`, retryDelay: 1 })).rejects.toBeInstanceOf(
        ProviderStatusError,
      );
      await expect(providerRequest({ ...call, method, url: `${base}/drop`, retryDelay: 1 })).rejects.toBeInstanceOf(
        ProviderNetworkError,
      );
      expect(hits.get('/503')).toBe(1);
      expect(hits.get('/drop')).toBe(1);
    });

    it.each([400, 401, 404])('never retries a %d', async (status) => {
      await expect(
        providerRequest({ ...call, method: 'GET', url: `${base}/${status}`, retryDelay: 1 }),
      ).rejects.toThrow();
      expect(hits.get(`/${status}`)).toBe(1);
    });

    it('does not start a retry the deadline would cut short: the provider answer is reported, not a timeout', async () => {
      const random = vi.spyOn(Math, 'random').mockReturnValue(0.99); // the back-off: 195 ms × 1.49 = 290 ms
      try {
        const error = await providerRequest({
          ...call,
          method: 'GET',
          url: `${base}/503`,
          timeout: 300,
          retryDelay: 195,
        }).catch((e) => e);
        expect(error).toBeInstanceOf(ProviderStatusError);
        expect(error).toMatchObject({ upstreamStatus: 503 });
        expect(hits.get('/503')).toBe(1);
      } finally {
        random.mockRestore();
      }
    });

    it('does not retry a malformed body', async () => {
      await expect(
        providerRequest({ ...call, method: 'GET', url: `${base}/malformed`, retryDelay: 1 }),
      ).rejects.toThrow();
      expect(hits.get('/malformed')).toBe(1);
    });
  });

  describe('secrets', () => {
    it('keeps credentials, request bodies and the provider body out of messages, JSON and inspect', async () => {
      const failures = await Promise.all(
        ['/401', '/hang', '/drop', '/malformed', '/shape'].map((path) =>
          providerRequest({
            ...call,
            method: 'POST',
            url: `${base}${path}?code=${SECRET}`,
            headers: { authorization: `Bearer ${SECRET}` },
            multipart: { clientSecret: SECRET },
            timeout: 150,
            parse: (body) => ({ token: requireString(body, 'token') }),
          }).catch((e: unknown) => e),
        ),
      );
      expect(warnings).toHaveLength(failures.length);
      for (const line of warnings) {
        expect(line).not.toContain(SECRET);
        expect(line).not.toContain('code=');
      }
      for (const error of failures) {
        expect(error).toBeInstanceOf(ProviderError);
        expect(String(error)).not.toContain(SECRET);
        expect(JSON.stringify(error)).not.toContain(SECRET);
        expect(inspect(error, { depth: 5 })).not.toContain(SECRET);
        expect((error as Error).stack).not.toContain(SECRET);
      }
      const status = failures[0] as ProviderStatusError;
      expect(status.responseBody).toContain('rejected');
    });
  });

  describe('warnings', () => {
    it('a failed call writes one line: provider, operation, message, code, host; a success writes none', async () => {
      await providerRequest({ ...call, method: 'GET', url: `${base}/ok` });
      expect(warnings).toEqual([]);
      await providerRequest({ ...call, method: 'GET', url: `${base}/503?state=${SECRET}`, retryDelay: 1 }).catch(
        () => {},
      );
      const host = new URL(base).host;
      expect(warnings).toEqual([
        `passport-idv: test op: the provider answered 503 (ERR_PROVIDER_STATUS, host ${host}, after 3 attempts)`,
      ]);
      await providerRequest({ ...call, method: 'POST', url: `${base}/drop` }).catch(() => {});
      expect(warnings[1]).toBe(
        `passport-idv: test op: the connection failed (ERR_PROVIDER_NETWORK, host ${host}, UND_ERR_SOCKET)`,
      );
      await providerRequest({ ...call, method: 'POST', url: `${base}/hang`, timeout: 50 }).catch(() => {});
      expect(warnings[2]).toBe(`passport-idv: test op: no answer within 50ms (ERR_PROVIDER_TIMEOUT, host ${host})`);
    });

    it('null silences them, and so does PASSPORT_IDV_WARNINGS=off', async () => {
      const fail = () => providerRequest({ ...call, method: 'POST', url: `${base}/500` }).catch(() => {});
      setWarningHandler(null);
      await fail();
      setWarningHandler((line) => warnings.push(line));
      process.env.PASSPORT_IDV_WARNINGS = 'off';
      try {
        await fail();
      } finally {
        delete process.env.PASSPORT_IDV_WARNINGS;
      }
      expect(warnings).toEqual([]);
      await fail();
      expect(warnings).toHaveLength(1);
    });

    it('by default they go to console.warn', async () => {
      const consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      setWarningHandler(undefined);
      try {
        await providerRequest({ ...call, method: 'POST', url: `${base}/500` }).catch(() => {});
        expect(consoleWarn).toHaveBeenCalledTimes(1);
        expect(consoleWarn.mock.calls[0]?.[0]).toMatch(/^passport-idv: test op: the provider answered 500 /);
      } finally {
        consoleWarn.mockRestore();
        setWarningHandler((line) => warnings.push(line));
      }
    });
  });
});
