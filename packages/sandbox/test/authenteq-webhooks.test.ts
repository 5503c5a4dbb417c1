import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthenteqWebhookSignature,
  type AuthenteqWebIdvClient,
  type Sandbox,
  startSandbox,
} from '../src/index.js';

const REDIRECT = 'https://app.example/auth/idv/callback';
const HOUR = 60 * 60_000;

/** A webhook endpoint: records what it receives and answers with `status` (or never, with `hang`). */
interface Receiver {
  url: string;
  received: { headers: IncomingHttpHeaders; body: Buffer }[];
  status: number;
  hang: boolean;
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const state = { received: [] as Receiver['received'], status: 200, hang: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      if (!state.hang) res.writeHead(state.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/webhooks/authenteq`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** The parts of a multipart body. */
function parts(headers: IncomingHttpHeaders, body: Buffer) {
  return new Promise<{ fields: Record<string, string>; files: Record<string, { type: string; data: Buffer }> }>(
    (resolve, reject) => {
      const found = {
        fields: {} as Record<string, string>,
        files: {} as Record<string, { type: string; data: Buffer }>,
      };
      const parser = busboy({ headers });
      parser.on('field', (name, value) => {
        found.fields[name] = value;
      });
      parser.on('file', (name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          found.files[name] = { type: info.mimeType, data: Buffer.concat(chunks) };
        });
      });
      parser.on('close', () => resolve(found));
      parser.on('error', reject);
      parser.end(body);
    },
  );
}

let sandbox: Sandbox;
let hook: Receiver;

beforeAll(async () => {
  hook = await receiver();
  sandbox = await startSandbox({ authenteqWebIdv: { redirectURLs: [REDIRECT], webhookURL: hook.url } });
});
afterAll(async () => {
  await sandbox.close();
  await hook.close();
});
beforeEach(() => {
  sandbox.clock.reset();
  sandbox.authenteqWebIdv.webhooks.clear();
  sandbox.authenteqWebIdv.webhooks.setSignature('sha256-body-secret');
  sandbox.authenteqWebIdv.setWebhookURL(hook.url);
  hook.received.length = 0;
  hook.status = 200;
  hook.hang = false;
});
afterEach(() => sandbox.authenteqWebIdv.webhooks.idle());

/** Runs a verification to its end with `client`'s keys, on `target` (the shared sandbox by default). */
async function verify(
  choice: 'adult' | 'minor' | 'cancel' | 'fail' = 'adult',
  client: AuthenteqWebIdvClient = sandbox.authenteqWebIdv,
  target: Sandbox = sandbox,
) {
  const webIdv = target.authenteqWebIdv;
  const authorization = `Basic ${Buffer.from(`${client.clientID}:${client.clientSecret}`).toString('base64')}`;
  const response = await fetch(
    `${webIdv.baseURL}/web-idv/verification-url?${new URLSearchParams({ redirectUrl: REDIRECT })}`,
    { headers: { authorization } },
  );
  const { verificationUrl } = (await response.json()) as { verificationUrl: string };
  await webIdv.complete(verificationUrl, choice);
  await webIdv.webhooks.idle();
  return webIdv.verifications.at(-1)!.id;
}

describe('Authenteq Web IDV sandbox: webhooks', () => {
  it('POSTs a passed verification as multipart: the result without images, and the images as parts', async () => {
    const id = await verify('minor');
    expect(hook.received).toHaveLength(1);
    const [{ headers, body }] = hook.received as [Receiver['received'][number]];
    expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(headers['x-client-id']).toBe(sandbox.authenteqWebIdv.clientID);
    const { fields, files } = await parts(headers, body);
    const result = JSON.parse(fields.result!) as Record<string, unknown> & { documentData: Record<string, unknown> };
    expect(result).toMatchObject({ id, status: 'PASSED', platform: 'WEB', nfcVerified: false });
    expect(result.documentData).toMatchObject({ documentType: 'NID', surname: 'BECKER', givenNames: 'LUKAS' });
    expect(result).not.toHaveProperty('livenessFaceImage');
    for (const image of ['croppedFrontImage', 'croppedBackImage', 'faceImage']) {
      expect(result.documentData).not.toHaveProperty(image);
    }
    expect(Object.keys(files).sort()).toEqual(
      ['croppedBackImage', 'croppedFrontImage', 'faceImage', 'livenessFaceImage'].sort(),
    );
    for (const file of Object.values(files)) {
      expect(file.type).toBe('image/jpeg');
      expect(file.data.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    expect(JSON.stringify(fields)).not.toContain(sandbox.authenteqWebIdv.clientSecret);
  });

  it('sends nothing for a cancelled or failed verification', async () => {
    await verify('cancel');
    await verify('fail');
    expect(hook.received).toHaveLength(0);
    expect(sandbox.authenteqWebIdv.webhooks.deliveries).toHaveLength(0);
  });

  it('sends nothing without a webhook URL, and uses one set at run time', async () => {
    sandbox.authenteqWebIdv.setWebhookURL(undefined);
    await verify();
    expect(hook.received).toHaveLength(0);
    expect(sandbox.authenteqWebIdv.webhooks.pending).toEqual([]);
    sandbox.authenteqWebIdv.setWebhookURL(`${hook.url}?from=runtime`);
    await verify();
    expect(hook.received).toHaveLength(1);
    expect(sandbox.authenteqWebIdv.webhooks.deliveries[0]?.url).toBe(`${hook.url}?from=runtime`);
  });

  const secret = () => sandbox.authenteqWebIdv.clientSecret;
  it.each<[AuthenteqWebhookSignature, (body: Buffer) => string]>([
    [
      'sha256-body-secret',
      (body) =>
        createHash('sha256')
          .update(Buffer.concat([body, Buffer.from(secret())]))
          .digest('hex'),
    ],
    [
      'sha256-secret-body',
      (body) =>
        createHash('sha256')
          .update(Buffer.concat([Buffer.from(secret()), body]))
          .digest('hex'),
    ],
    ['hmac-sha256', (body) => createHmac('sha256', secret()).update(body).digest('hex')],
  ])('signs X-SIGNATURE as %s over the raw body', async (variant, expected) => {
    sandbox.authenteqWebIdv.webhooks.setSignature(variant);
    expect(sandbox.authenteqWebIdv.webhooks.signature).toBe(variant);
    await verify();
    const [{ headers, body }] = hook.received as [Receiver['received'][number]];
    expect(headers['x-signature']).toBe(expected(body));
    expect(headers['x-signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs with the literal reading, sha256(body ‖ secret), by default', async () => {
    const other = await startSandbox({ authenteqWebIdv: { redirectURLs: [REDIRECT] } });
    try {
      expect(other.authenteqWebIdv.webhooks.signature).toBe('sha256-body-secret');
      expect(() => other.authenteqWebIdv.webhooks.setSignature('sha1' as 'hmac-sha256')).toThrow(TypeError);
    } finally {
      await other.close();
    }
  });

  it("sends another client's verifications to its own URL, with its id and secret", async () => {
    const second = await receiver();
    try {
      const client = sandbox.authenteqWebIdv.addClient({ redirectURLs: [REDIRECT], webhookURL: second.url });
      await verify('adult', client);
      expect(hook.received).toHaveLength(0);
      const [{ headers, body }] = second.received as [Receiver['received'][number]];
      expect(headers['x-client-id']).toBe(client.clientID);
      const expected = createHash('sha256').update(body).update(client.clientSecret).digest('hex');
      expect(headers['x-signature']).toBe(expected);
    } finally {
      await second.close();
    }
  });

  it('logs each delivery with what was sent, so tests can replay it', async () => {
    const id = await verify();
    const [delivery] = sandbox.authenteqWebIdv.webhooks.deliveries;
    expect(delivery).toMatchObject({ verificationId: id, attempt: 1, status: 200, url: hook.url });
    expect(delivery!.body.equals(hook.received[0]!.body)).toBe(true);
    expect(delivery!.headers['x-signature']).toBe(hook.received[0]!.headers['x-signature']);
    // resend(): the same verification delivered again, as a provider retrying after a lost 200 would
    const again = await sandbox.authenteqWebIdv.webhooks.resend(id);
    expect(again).toMatchObject({ verificationId: id, attempt: 0, status: 200 });
    expect(hook.received).toHaveLength(2);
    const [first, second] = await Promise.all(hook.received.map(({ headers, body }) => parts(headers, body)));
    expect(JSON.parse(second!.fields.result!)).toEqual(JSON.parse(first!.fields.result!));
    await expect(sandbox.authenteqWebIdv.webhooks.resend('nope')).rejects.toThrow(RangeError);
  });
});

describe('Authenteq Web IDV sandbox: webhook retries on the sandbox clock', () => {
  it('retries a non-200 an hour later, when the clock gets there, until a 200', async () => {
    hook.status = 500;
    const id = await verify();
    expect(hook.received).toHaveLength(1);
    expect(sandbox.authenteqWebIdv.webhooks.pending).toMatchObject([{ verificationId: id, attempts: 1 }]);
    sandbox.clock.advance(HOUR - 60_000);
    await sandbox.authenteqWebIdv.webhooks.idle();
    expect(hook.received).toHaveLength(1);
    hook.status = 204; // only exactly 200 counts
    sandbox.clock.advance(60_000);
    await sandbox.authenteqWebIdv.webhooks.idle();
    expect(hook.received).toHaveLength(2);
    hook.status = 200;
    sandbox.clock.advance(HOUR);
    await sandbox.authenteqWebIdv.webhooks.idle();
    expect(hook.received).toHaveLength(3);
    expect(sandbox.authenteqWebIdv.webhooks.pending).toEqual([]);
    sandbox.clock.advance(5 * HOUR);
    await sandbox.authenteqWebIdv.webhooks.idle();
    expect(hook.received).toHaveLength(3);
    const deliveries = sandbox.authenteqWebIdv.webhooks.deliveries;
    expect(deliveries.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
      [1, 500],
      [2, 204],
      [3, 200],
    ]);
    expect(deliveries[1]!.at - deliveries[0]!.at).toBe(HOUR);
    // every attempt carries the same signed body
    expect(new Set(hook.received.map(({ body }) => body.toString('hex'))).size).toBe(1);
  });

  it('gives up after a week of hourly attempts', async () => {
    hook.status = 503;
    await verify();
    sandbox.clock.advance(8 * 24 * HOUR);
    await sandbox.authenteqWebIdv.webhooks.idle();
    // the first attempt, then one an hour for 7 × 24 hours
    expect(hook.received).toHaveLength(1 + 7 * 24);
    expect(sandbox.authenteqWebIdv.webhooks.pending).toEqual([]);
    const deliveries = sandbox.authenteqWebIdv.webhooks.deliveries;
    expect(deliveries.at(-1)!.at - deliveries[0]!.at).toBe(7 * 24 * HOUR);
    sandbox.clock.advance(24 * HOUR);
    await sandbox.authenteqWebIdv.webhooks.idle();
    expect(hook.received).toHaveLength(1 + 7 * 24);
  });

  it('counts an unreachable webhook as a failed attempt', async () => {
    const gone = await receiver();
    await gone.close();
    sandbox.authenteqWebIdv.setWebhookURL(gone.url);
    await verify();
    expect(sandbox.authenteqWebIdv.webhooks.deliveries).toMatchObject([{ status: 0, error: 'ECONNREFUSED' }]);
    sandbox.authenteqWebIdv.setWebhookURL(hook.url); // the URL in force at each attempt is used
    sandbox.clock.advance(HOUR);
    await sandbox.authenteqWebIdv.webhooks.idle();
    expect(hook.received).toHaveLength(1);
    expect(sandbox.authenteqWebIdv.webhooks.deliveries.at(-1)).toMatchObject({ attempt: 2, status: 200 });
  });

  it('counts a webhook that does not answer in time as a failed attempt', async () => {
    const slow = await startSandbox({
      authenteqWebIdv: { redirectURLs: [REDIRECT], webhookURL: hook.url, webhookTimeout: 50 },
    });
    try {
      hook.hang = true;
      const client = slow.authenteqWebIdv;
      await verify('adult', client, slow);
      expect(client.webhooks.deliveries).toMatchObject([{ status: 0, error: 'TimeoutError' }]);
      expect(client.webhooks.pending).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('stops retrying when the sandbox closes', async () => {
    const closing = await startSandbox({ authenteqWebIdv: { redirectURLs: [REDIRECT], webhookURL: hook.url } });
    hook.status = 500;
    const client = closing.authenteqWebIdv;
    await verify('adult', client, closing);
    await closing.close();
    closing.clock.advance(HOUR);
    await client.webhooks.idle();
    expect(hook.received).toHaveLength(1);
  });
});
