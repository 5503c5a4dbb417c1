import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, MemoryStore, PassportIdvError, type Store, systemClock } from '@passport-idv/core';
import {
  assertClock,
  assertStore,
  createLogger,
  deliverOnce,
  invalidOption,
  isRecord,
  keyDigest,
  readRawBody,
  ShapeError,
  safeEqual,
  secondsOption,
  storeKey,
} from '@passport-idv/core/internal';
import { assertWebIdvKeys } from './web-idv-client.js';
import { type AuthenteqWebIdvResult, parseWebIdvResult, requirePassed } from './web-idv-result.js';

const log = createLogger('authenteq-webhook');

/**
 * How `X-SIGNATURE` is computed from the raw body and the Client Secret. Authenteq documents "the hex-encoded SHA256
 * digest of the request body and your Client Secret", which says neither whether that is a plain digest or an HMAC
 * nor the order: `'sha256-body-secret'` (the default) is the rule read literally, `hex(SHA-256(body ‖ secret))`;
 * `'sha256-secret-body'` is `hex(SHA-256(secret ‖ body))`; `'hmac-sha256'` is `hex(HMAC-SHA256(secret, body))`.
 * Check in staging which one your account's deliveries match, then pin it.
 *
 * @example
 * ```ts
 * authenteqWebhook({ clientID, clientSecret, onResult, signature: 'hmac-sha256' });
 * ```
 */
export type AuthenteqWebhookSignature = 'sha256-body-secret' | 'sha256-secret-body' | 'hmac-sha256';

const SIGNATURES: readonly AuthenteqWebhookSignature[] = ['sha256-body-secret', 'sha256-secret-body', 'hmac-sha256'];

/**
 * The images of a delivery, by part name (`croppedFrontImage`, `croppedBackImage`, `faceImage`,
 * `livenessFaceImage`, and more for further documents), as the bytes that arrived.
 *
 * @example
 * ```ts
 * await writeFile(`faces/${result.id}.jpg`, images.livenessFaceImage ?? Buffer.alloc(0));
 * ```
 */
export type AuthenteqWebhookImages = Record<string, Buffer>;

/**
 * Options of {@link authenteqWebhook}.
 *
 * @example
 * ```ts
 * const options: AuthenteqWebhookOptions = { clientID, clientSecret, store, onResult: (result) => record(result) };
 * ```
 */
export interface AuthenteqWebhookOptions {
  /** The Client ID; a delivery whose `X-CLIENT-ID` differs is refused. */
  clientID: string;
  /** The Client Secret the signature is computed with. */
  clientSecret: string;
  /**
   * Called once per verification `id` with the `result` part, shape-checked (the result without its images), and
   * the image parts. Keep it short (record, queue): Authenteq waits for the answer. If it throws, the error goes to
   * `next(err)` and Express answers 500, so Authenteq tries again an hour later.
   */
  onResult: (result: AuthenteqWebIdvResult, images: AuthenteqWebhookImages) => void | Promise<void>;
  /** Where delivered ids are remembered. Default a `MemoryStore`; a shared `RedisStore` for several instances. */
  store?: Store;
  /** How `X-SIGNATURE` is computed. Default `'sha256-body-secret'`, the documented rule read literally. */
  signature?: AuthenteqWebhookSignature;
  /** The largest body read, in bytes (the images are in it). Default 10 MiB. */
  limit?: number;
  /**
   * Seconds a delivered id is remembered, and the oldest `endTime` a delivery is accepted with. Default 8 days:
   * Authenteq retries for a week. At least a week, at most 90 days.
   */
  ttl?: number;
  /** The clock for the age of a delivery. Default: the system clock (tests pass `sandbox.clock`). */
  clock?: Clock;
}

/** The Express (or plain `node:http`) handler {@link authenteqWebhook} returns. */
export type AuthenteqWebhookHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

const WEEK = 7 * 24 * 3600;
const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/;

/**
 * An Express handler for Authenteq Web IDV's webhook: the result of each passed verification, POSTed as
 * `multipart/form-data` (a `result` part and image parts) with `X-CLIENT-ID` and `X-SIGNATURE`. It reads the raw
 * body itself, so mount it **before** any body parser. In order:
 *
 * 1. `X-CLIENT-ID` must be `clientID` and `X-SIGNATURE` present, else 401 before the body is read;
 * 2. the body is read up to `limit` (413 past it); a body a parser already read is a `BodyConsumedError` (500) for
 *    `next(err)`: mount the handler before that parser;
 * 3. `X-SIGNATURE` (hex, any case) must match the `signature` rule over the raw bytes, compared in constant time,
 *    else 401: nothing is parsed or handed over;
 * 4. the multipart body is parsed and the `result` part shape-checked (with `status` `PASSED`), else 400;
 * 5. a result whose `endTime` is older than `ttl` is answered 200 and not handed over (a replay of an old delivery);
 * 6. `onResult` runs once per verification `id` through core's `deliverOnce`, across every instance sharing
 *    `store`: 200 once it succeeded and for a repeat; 409 while the same id is being handled (Authenteq tries again);
 *    503 if the store fails; an error thrown by `onResult` goes to `next(err)` (Express answers 500: answer
 *    non-200 in your error handler too, so Authenteq retries).
 *
 * Answers are `{"received": true}` or `{"error": <code>}`; the secret is never logged or echoed. Authenteq retries
 * a delivery every hour for a week until it gets a 200. Delivery is at least once: `onResult` can run again after
 * a crash between its end and the store's `done` mark, so make it safe to run twice.
 *
 * @example
 * ```ts
 * app.post('/webhooks/authenteq', authenteqWebhook({
 *   clientID: process.env.AUTHENTEQ_CLIENT_ID!, clientSecret: process.env.AUTHENTEQ_CLIENT_SECRET!, store,
 *   onResult: async (result, images) => { await verifications.confirm(result.id, result.documentData); },
 * }));
 * app.use(express.json()); // body parsers after the webhook
 * ```
 */
export function authenteqWebhook(options: AuthenteqWebhookOptions): AuthenteqWebhookHandler {
  if (!isRecord(options)) invalidOption('authenteqWebhook options must be an object');
  assertWebIdvKeys(options);
  const { clientID, clientSecret, onResult, signature = 'sha256-body-secret', limit = 10 * 1024 * 1024 } = options;
  if (typeof onResult !== 'function') invalidOption('onResult must be a function');
  if (!SIGNATURES.includes(signature)) invalidOption(`signature must be one of ${SIGNATURES.join(', ')}`);
  if (!Number.isSafeInteger(limit) || limit <= 0) invalidOption('limit must be a positive integer number of bytes');
  const ttlMs = secondsOption(options.ttl ?? WEEK + 24 * 3600, 'ttl', { min: WEEK, max: 90 * 24 * 3600 });
  if (options.store !== undefined) assertStore(options.store, 'store', ['get', 'set', 'add', 'delete']);
  if (options.clock !== undefined) assertClock(options.clock);
  const store = options.store ?? new MemoryStore();
  const clock = options.clock ?? systemClock;

  const handle = async (req: IncomingMessage, failed: { error?: unknown }): Promise<number> => {
    const sent = req.headers['x-signature'];
    const sender = req.headers['x-client-id'];
    if (typeof sender !== 'string' || !safeEqual(sender, clientID) || typeof sent !== 'string') {
      log('refused: another or no X-CLIENT-ID, or no X-SIGNATURE');
      return 401;
    }
    const raw = await readRawBody(req, { limit });
    if (!safeEqual(sent.toLowerCase(), sign(raw, clientSecret, signature))) {
      log('refused: X-SIGNATURE does not match (%s)', signature);
      return 401;
    }
    const delivery = await parseDelivery(raw, req.headers['content-type']);
    if (delivery === undefined) return 400;
    const { result, images } = delivery;
    const ended = Date.parse(result.endTime ?? '');
    if (Number.isFinite(ended) && clock.now() - ended > ttlMs) {
      log('an old delivery (ended more than ttl ago): nothing handed over');
      return 200;
    }
    const key = storeKey('authenteq', 'webhook', keyDigest(clientID, result.id));
    const outcome = await deliverOnce(store, key, ttlMs, async () => {
      try {
        await onResult(result, images);
      } catch (error) {
        failed.error = error;
        throw error;
      }
    });
    log('delivery: %s', outcome);
    return outcome === 'busy' ? 409 : 200;
  };

  return (req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    const failed: { error?: unknown } = {};
    handle(req, failed).then(
      (status) => answer(res, status, status === 200 ? { received: true } : { error: CODES[status] }),
      (error: unknown) => {
        // onResult's own errors and the app's mistakes (a body parser in front of the handler: 500) go to the
        // app's error handler; what the request or the store caused is answered here.
        if ('error' in failed || !(error instanceof PassportIdvError) || error.status === 500) {
          next(error);
          return;
        }
        log('failed: %s (%d)', error.code, error.status);
        answer(res, error.status, { error: error.code });
      },
    );
  };
}

const CODES: Record<number, string> = {
  400: 'ERR_WEBHOOK_BODY',
  401: 'ERR_WEBHOOK_SIGNATURE',
  409: 'ERR_WEBHOOK_BUSY',
};

/** `X-SIGNATURE` of `body` by the `variant` rule, lowercase hex. */
function sign(body: Buffer, secret: string, variant: AuthenteqWebhookSignature): string {
  switch (variant) {
    case 'hmac-sha256':
      return createHmac('sha256', secret).update(body).digest('hex');
    case 'sha256-secret-body':
      return createHash('sha256').update(secret, 'utf8').update(body).digest('hex');
    default:
      return createHash('sha256').update(body).update(secret, 'utf8').digest('hex');
  }
}

/** The `result` part, shape-checked, and the file parts as bytes; `undefined` for a body that is not that. */
async function parseDelivery(
  raw: Buffer,
  contentType: string | undefined,
): Promise<{ result: AuthenteqWebIdvResult; images: AuthenteqWebhookImages } | undefined> {
  if (contentType === undefined || !/^multipart\/form-data\s*;/i.test(contentType)) {
    log('refused: a signed body that is not multipart/form-data');
    return undefined;
  }
  try {
    // The WHATWG multipart parser of Node's fetch, on bytes already read and verified.
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const parts = form.getAll('result');
    if (parts.length !== 1) throw new ShapeError('not exactly one result part');
    const [part] = parts;
    const text = typeof part === 'string' ? part : await (part as Blob).text();
    const result = requirePassed(parseWebIdvResult(JSON.parse(text)));
    const images: AuthenteqWebhookImages = Object.create(null);
    for (const [name, value] of form) {
      if (name === 'result' || name in images) continue;
      if (typeof value !== 'string') images[name] = Buffer.from(await value.arrayBuffer());
      // Inferred: the parts' encoding is undocumented; a text part that is base64 is taken as the image it encodes.
      else if (BASE64.test(value)) images[name] = Buffer.from(value, 'base64');
    }
    return { result, images };
  } catch (error) {
    log(
      'refused: a signed body that is not a documented result (%s)',
      error instanceof ShapeError ? error.message : 'unreadable',
    );
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
