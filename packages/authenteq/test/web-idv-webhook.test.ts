import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStore, type Store } from '@passport-idv/core';
import { type AuthenteqWebhookSignature, type Sandbox, signWebhook, startSandbox } from '@passport-idv/sandbox';
import express from 'express';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureDebug } from '../../../test/support/debug.js';
import {
  type AuthenteqWebhookImages,
  type AuthenteqWebhookOptions,
  AuthenteqWebIdvClient,
  type AuthenteqWebIdvResult,
  authenteqWebhook,
} from '../src/index.js';

const debugLines = captureDebug();

const REDIRECT = 'http://app.test/auth/idv/callback';
const HOUR = 60 * 60_000;
let sandbox: Sandbox;

/** One receiving app: a real Express app on a port, with what its `onResult` was handed. */
interface Receiver {
  url: string;
  app: express.Express;
  handed: { result: AuthenteqWebIdvResult; images: AuthenteqWebhookImages }[];
  /** Makes the next `onResult` calls throw. */
  failNext(times: number): void;
  /** Makes `onResult` wait until the returned function is called. */
  hold(): () => void;
}

const servers: http.Server[] = [];

async function receiver(
  options: Partial<AuthenteqWebhookOptions> = {},
  mount: (app: express.Express, handler: express.RequestHandler) => void = (app, handler) =>
    app.post('/webhooks/authenteq', handler),
): Promise<Receiver> {
  const handed: Receiver['handed'] = [];
  let failures = 0;
  let gate: Promise<void> | undefined;
  const app = express();
  const handler = authenteqWebhook({
    clientID: sandbox.authenteqWebIdv.clientID,
    clientSecret: sandbox.authenteqWebIdv.clientSecret,
    clock: sandbox.clock,
    onResult: async (result, images) => {
      await gate;
      if (failures > 0) {
        failures -= 1;
        throw new Error('the app fails on purpose');
      }
      handed.push({ result, images });
    },
    ...options,
  });
  mount(app, handler as express.RequestHandler);
  app.use((error: { status?: number; code?: string }, _req: express.Request, res: express.Response, _next: unknown) => {
    res.status(error.status ?? 500).json({ error: error.code ?? 'ERR_APP' });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/authenteq`,
    app,
    handed,
    failNext: (times) => {
      failures = times;
    },
    hold: () => {
      let open = () => {};
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

beforeAll(async () => {
  sandbox = await startSandbox({ authenteqWebIdv: { redirectURLs: [REDIRECT] } });
});
afterAll(async () => {
  await sandbox.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
beforeEach(() => {
  sandbox.clock.reset();
  sandbox.authenteqWebIdv.webhooks.clear();
  sandbox.authenteqWebIdv.webhooks.setSignature('sha256-body-secret');
});
afterEach(() => sandbox.authenteqWebIdv.webhooks.idle());

/** Passes a verification as `choice`, lets its webhook be answered, and returns the verification id. */
async function verified(choice: 'adult' | 'minor' = 'adult'): Promise<string> {
  const client = new AuthenteqWebIdvClient(sandbox.authenteqWebIdv);
  await sandbox.authenteqWebIdv.complete(await client.getVerificationURL(REDIRECT), choice);
  await sandbox.authenteqWebIdv.webhooks.idle();
  return sandbox.authenteqWebIdv.verifications.at(-1)!.id;
}

const statuses = (id: string) =>
  sandbox.authenteqWebIdv.webhooks.deliveries.filter((d) => d.verificationId === id).map((d) => d.status);

/** The last delivery the sandbox made, to replay or tamper with. */
function lastDelivery() {
  const delivery = sandbox.authenteqWebIdv.webhooks.deliveries.at(-1)!;
  return { headers: { ...delivery.headers }, body: delivery.body };
}

function post(app: express.Express, headers: Record<string, string>, body: Buffer) {
  return supertest(app).post('/webhooks/authenteq').set(headers).send(body);
}

describe('authenteqWebhook: a signed delivery is handed over once', () => {
  it('hands the result (without images) and the image parts, as bytes, to onResult; answers 200', async () => {
    const hook = await receiver();
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    const id = await verified('minor');
    expect(statuses(id)).toEqual([200]);
    expect(hook.handed).toHaveLength(1);
    const [{ result, images }] = hook.handed as [Receiver['handed'][number]];
    expect(result).toMatchObject({
      id,
      status: 'PASSED',
      documentData: { documentType: 'NID', issuingCountry: 'DEU' },
    });
    expect(result).not.toHaveProperty('livenessFaceImage');
    expect(result.documentData).not.toHaveProperty('croppedFrontImage');
    expect(Object.keys(images).sort()).toEqual([
      'croppedBackImage',
      'croppedFrontImage',
      'faceImage',
      'livenessFaceImage',
    ]);
    for (const image of Object.values(images)) expect(image.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8])); // JPEG
  });

  it('a repeat (resend, as after a lost 200) and a replay answer 200 and hand nothing more', async () => {
    const hook = await receiver();
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    const id = await verified();
    expect((await sandbox.authenteqWebIdv.webhooks.resend(id)).status).toBe(200);
    const { headers, body } = lastDelivery();
    const replay = await post(hook.app, headers, body);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ received: true });
    expect(replay.headers['cache-control']).toBe('no-store');
    expect(statuses(id)).toEqual([200, 200]);
    expect(hook.handed.map((h) => h.result.id)).toEqual([id]);
  });

  it('a duplicate arriving while the first is handled gets 409 (the provider tries again), then 200', async () => {
    const hook = await receiver();
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    const release = hook.hold();
    const client = new AuthenteqWebIdvClient(sandbox.authenteqWebIdv);
    await sandbox.authenteqWebIdv.complete(await client.getVerificationURL(REDIRECT), 'adult');
    const id = sandbox.authenteqWebIdv.verifications.at(-1)!.id;
    const duplicate = await sandbox.authenteqWebIdv.webhooks.resend(id);
    expect(duplicate.status).toBe(409);
    release();
    await sandbox.authenteqWebIdv.webhooks.idle();
    // In the order they started: the first (held, then 200), the duplicate (409).
    expect(statuses(id)).toEqual([200, 409]);
    expect((await sandbox.authenteqWebIdv.webhooks.resend(id)).status).toBe(200);
    expect(hook.handed).toHaveLength(1);
  });

  it('onResult throws once → 500; the provider retries an hour later (sandbox clock) → handed over', async () => {
    const hook = await receiver();
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    hook.failNext(1);
    const id = await verified();
    expect(statuses(id)).toEqual([500]);
    expect(hook.handed).toEqual([]);
    const [pending] = sandbox.authenteqWebIdv.webhooks.pending;
    expect(pending).toMatchObject({ verificationId: id, attempts: 1 });
    sandbox.clock.advance(HOUR);
    await sandbox.authenteqWebIdv.webhooks.idle();
    expect(statuses(id)).toEqual([500, 200]);
    expect(hook.handed.map((h) => h.result.id)).toEqual([id]);
    expect(sandbox.authenteqWebIdv.webhooks.pending).toEqual([]);
  });

  it('a replay of a delivery older than ttl is answered 200 and handed to nobody, even by a store that forgot it', async () => {
    const first = await receiver();
    sandbox.authenteqWebIdv.setWebhookURL(first.url);
    await verified();
    const { headers, body } = lastDelivery();
    // Another instance (or a restart) with an empty store, 8 days and a minute later.
    const later = await receiver({ store: new MemoryStore() });
    sandbox.clock.advance(8 * 24 * HOUR + 60_000);
    expect((await post(later.app, headers, body)).status).toBe(200);
    expect(later.handed).toEqual([]);
    // Within ttl, the same replay to a forgetful store is handed over (dedupe is the store's job).
    const fresh = await receiver({ store: new MemoryStore(), ttl: 9 * 24 * 3600 });
    expect((await post(fresh.app, headers, body)).status).toBe(200);
    expect(fresh.handed).toHaveLength(1);
  });
});

describe('authenteqWebhook: a forged delivery is refused (401), nothing parsed or handed over', () => {
  let hook: Receiver;
  let collector: Receiver;
  beforeAll(async () => {
    hook = await receiver();
    collector = await receiver();
  });
  beforeEach(() => {
    hook.handed.length = 0;
  });

  /** A genuine delivery the sandbox made (to another receiver), for `hook` to be sent forgeries of. */
  async function signed() {
    sandbox.authenteqWebIdv.setWebhookURL(collector.url);
    const id = await verified();
    return { id, ...lastDelivery() };
  }

  it.each([
    [
      'a tampered body',
      (h: Record<string, string>, b: Buffer) => [h, Buffer.from(b.toString('latin1').replace('DEU', 'AUT'), 'latin1')],
    ],
    [
      'a signature of another secret',
      (h: Record<string, string>, b: Buffer) => [{ ...h, 'x-signature': signWebhook(b, 'guess') }, b],
    ],
    ['no X-SIGNATURE', (h: Record<string, string>, b: Buffer) => [{ ...h, 'x-signature': '' }, b]],
    ['another X-CLIENT-ID', (h: Record<string, string>, b: Buffer) => [{ ...h, 'x-client-id': 'someone-else' }, b]],
    ['no X-CLIENT-ID', (h: Record<string, string>, b: Buffer) => [{ ...h, 'x-client-id': '' }, b]],
    [
      'a truncated signature',
      (h: Record<string, string>, b: Buffer) => [{ ...h, 'x-signature': h['x-signature']!.slice(0, 32) }, b],
    ],
  ] as const)('%s', async (_, forge) => {
    const { id, headers, body } = await signed();
    const [forgedHeaders, forgedBody] = forge(headers, body) as [Record<string, string>, Buffer];
    const res = await post(
      hook.app,
      Object.fromEntries(Object.entries(forgedHeaders).filter(([, v]) => v !== '')),
      forgedBody,
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'ERR_WEBHOOK_SIGNATURE' });
    expect(hook.handed).toEqual([]);
    expect(JSON.stringify(res.body)).not.toContain(sandbox.authenteqWebIdv.clientSecret);
    // The genuine delivery is still handed over: the forgery left no mark.
    expect((await post(hook.app, headers, body)).status).toBe(200);
    expect(hook.handed.map((h) => h.result.id)).toEqual([id]);
  });

  it('a delivery signed with the upper-case hex of the right digest is accepted', async () => {
    const { headers, body } = await signed();
    sandbox.authenteqWebIdv.webhooks.clear();
    const res = await post(hook.app, { ...headers, 'x-signature': headers['x-signature']!.toUpperCase() }, body);
    expect(res.status).toBe(200);
  });

  it('a signed body that is not a documented result → 400, nothing handed over', async () => {
    const secret = sandbox.authenteqWebIdv.clientSecret;
    const boundary = 'b0undary';
    const multipart = (result: string) =>
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="result"\r\n\r\n${result}\r\n--${boundary}--\r\n`,
      );
    const cases: [string, Buffer][] = [
      ['multipart/form-data; boundary=b0undary', multipart('{"id": "x"}')], // no documentData
      ['multipart/form-data; boundary=b0undary', multipart('not json')],
      [
        'multipart/form-data; boundary=b0undary',
        multipart(JSON.stringify({ id: 'x', status: 'FAILED', documentData: {} })),
      ],
      ['multipart/form-data; boundary=b0undary', Buffer.from('--b0undary\r\nno headers')],
      ['text/plain', Buffer.from('{"id": "x"}')],
    ];
    for (const [type, body] of cases) {
      const headers = {
        'content-type': type,
        'x-client-id': sandbox.authenteqWebIdv.clientID,
        'x-signature': signWebhook(body, secret),
      };
      const res = await post(hook.app, headers, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'ERR_WEBHOOK_BODY' });
    }
    expect(hook.handed).toEqual([]);
  });
});

describe('authenteqWebhook: the signature rule is an option', () => {
  const variants: AuthenteqWebhookSignature[] = ['sha256-body-secret', 'sha256-secret-body', 'hmac-sha256'];

  it.each(variants)('%s: accepted when both sides use it, refused (401) under the two others', async (variant) => {
    const hooks = Object.fromEntries(
      await Promise.all(variants.map(async (v) => [v, await receiver({ signature: v })])),
    );
    sandbox.authenteqWebIdv.webhooks.setSignature(variant);
    sandbox.authenteqWebIdv.setWebhookURL(hooks[variant].url);
    const id = await verified();
    expect(statuses(id)).toEqual([200]);
    const { headers, body } = lastDelivery();
    for (const other of variants.filter((v) => v !== variant)) {
      expect((await post(hooks[other].app, headers, body)).status).toBe(401);
      expect(hooks[other].handed).toEqual([]);
    }
    expect(hooks[variant].handed).toHaveLength(1);
  });

  it('the default is the literal reading, sha256(body ‖ secret)', async () => {
    const hook = await receiver();
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    await verified();
    expect(hook.handed).toHaveLength(1);
  });
});

describe('authenteqWebhook: the body', () => {
  it('past the limit → 413, nothing handed over; the provider retries', async () => {
    const hook = await receiver({ limit: 1_024 });
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    const id = await verified();
    expect(statuses(id)).toEqual([413]);
    expect(hook.handed).toEqual([]);
    // The same, sent in chunks without a Content-Length: reading stops at the limit.
    const { headers, body } = lastDelivery();
    const res = await new Promise<number>((resolve, reject) => {
      const request = http.request(hook.url, {
        method: 'POST',
        headers: { ...headers, 'transfer-encoding': 'chunked' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      for (let i = 0; i < body.length; i += 256) request.write(body.subarray(i, i + 256));
      request.end();
    });
    expect(res).toBe(413);
    expect(hook.handed).toEqual([]);
  });

  it('mounted after a body parser that read it → the app’s error handler gets BodyConsumedError (500)', async () => {
    const errors: unknown[] = [];
    const hook = await receiver({}, (app, handler) => {
      app.use(express.raw({ type: () => true }));
      app.post('/webhooks/authenteq', handler);
      app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
        errors.push(error);
        next(error);
      });
    });
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    const id = await verified();
    expect(statuses(id)).toEqual([500]);
    expect(hook.handed).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'ERR_BODY_CONSUMED',
        message: expect.stringContaining('before any body parser'),
      }),
    ]);
  });

  it('express.json() in front does not read a multipart body: the delivery is handed over', async () => {
    const hook = await receiver({}, (app, handler) => {
      app.use(express.json());
      app.post('/webhooks/authenteq', handler);
    });
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    await verified();
    expect(hook.handed).toHaveLength(1);
  });
});

describe('authenteqWebhook: the store and the options', () => {
  it('a store that fails → 503 and nothing handed over; the provider retries', async () => {
    const failing: Store = {
      ...new MemoryStore(),
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      add: () => Promise.reject(new Error('down')),
      take: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
    };
    const hook = await receiver({ store: failing });
    sandbox.authenteqWebIdv.setWebhookURL(hook.url);
    const id = await verified();
    expect(statuses(id)).toEqual([503]);
    expect(hook.handed).toEqual([]);
  });

  it.each([
    ['no clientSecret', { clientSecret: '' }],
    ['no onResult', { onResult: undefined }],
    ['an unknown signature', { signature: 'md5' }],
    ['a limit of 0', { limit: 0 }],
    ['a ttl shorter than the week of retries', { ttl: 3600 }],
    ['a store without add', { store: { get: () => undefined } }],
  ])('%s → TypeError ERR_INVALID_OPTION', (_, options) => {
    expect(() =>
      authenteqWebhook({ clientID: 'c', clientSecret: 's', onResult: () => {}, ...options } as AuthenteqWebhookOptions),
    ).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_OPTION' }));
  });

  it('never logs the secret, a signature or the result', () => {
    expect(debugLines.some((line) => line.includes('authenteq-webhook'))).toBe(true);
    for (const line of debugLines) {
      expect(line).not.toContain(sandbox.authenteqWebIdv.clientSecret);
      expect(line).not.toMatch(/[0-9a-f]{64}/);
      expect(line).not.toContain('SCHMIDT');
    }
  });
});
