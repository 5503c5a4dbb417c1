import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BodyConsumedError, BodyReadError, BodyTooLargeError } from './errors.js';
import type { Store } from './store.js';
import { storeCall } from './store-call.js';

/** Options of {@link readRawBody}. */
export interface ReadRawBodyOptions {
  /** The most bytes accepted. A body past it (or a `Content-Length` above it) rejects with {@link BodyTooLargeError}. */
  limit: number;
}

/**
 * Reads a request's body, as the bytes that arrived, from the request stream itself: it works only where nothing
 * read the stream before (mount the handler before any body parser). Past `limit` it stops reading and rejects with
 * a {@link BodyTooLargeError} (413); a declared `Content-Length` above `limit` is refused before anything is read.
 * A stream a body parser already consumed rejects at once with a {@link BodyConsumedError} (500) instead of waiting
 * for data that will never come; a broken stream rejects with a {@link BodyReadError} (400).
 *
 * @example
 * ```ts
 * app.post('/webhooks/provider', async (req, res) => {
 *   const raw = await readRawBody(req, { limit: 64 * 1024 }); // a Buffer: verify a signature over it, then parse
 *   const event = JSON.parse(raw.toString('utf8'));
 * });
 * ```
 */
export function readRawBody(req: IncomingMessage, options: ReadRawBodyOptions): Promise<Buffer> {
  const { limit } = options;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    return Promise.reject(new RangeError('limit must be a non-negative integer number of bytes'));
  }
  // body-parser marks the request with `_body`; any reader leaves the stream flowing, paused or ended.
  if ((req as { _body?: unknown })._body === true || req.readableFlowing !== null || req.readableEnded) {
    return Promise.reject(
      new BodyConsumedError(
        'the request body was already read: mount the webhook handler before any body parser (express.json(), express.urlencoded(), …)',
      ),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyTooLargeError(`the body is larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        req.pause();
        reject(new BodyTooLargeError(`the body is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(new BodyReadError('the request body could not be read', { cause: error }));
    };
    // Closed before its end: the sender went away mid-body.
    const onClose = () => {
      stop();
      reject(new BodyReadError('the sender closed the request before the end of its body'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/**
 * Compares two secrets (strings as UTF-8, or bytes) in constant time, whatever their lengths: both are hashed with
 * SHA-256 first and the digests compared with `timingSafeEqual`, so neither the content nor the length of the
 * expected value shows in the time taken. For shared secrets and signatures; never compare those with `===`.
 *
 * @example
 * ```ts
 * if (!safeEqual(req.get('x-webhook-secret') ?? '', secret)) return res.status(401).end();
 * safeEqual(Buffer.from(signatureHex, 'hex'), expectedDigest); // bytes work too
 * ```
 */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function digest(value: string | Uint8Array): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * What {@link deliverOnce} did:
 * - `'delivered'`: the handler ran and succeeded (answer 200);
 * - `'repeat'`: this key was delivered before, nothing was run (answer 200, so the sender stops);
 * - `'busy'`: a delivery of this key is running right now, nothing was run (answer non-2xx, so the sender tries
 *   again later and then gets `'repeat'`, or `'delivered'` if the running one failed).
 */
export type DeliveryOutcome = 'delivered' | 'repeat' | 'busy';

/** Options of {@link deliverOnce}. */
export interface DeliverOnceOptions {
  /**
   * Milliseconds a running delivery holds its key: longer than the handler can take. A delivery that crashed (the
   * process died) frees its key after this long, so the sender's retry runs it again. Default 60,000.
   */
  pendingMs?: number;
}

const PENDING = 'pending';
const DONE = 'done';

/**
 * Runs `handler` once per `key` however often, and on however many instances sharing `store`, a webhook is
 * delivered: the first delivery marks the key `pending` with the store's atomic `add`, runs the handler, then marks
 * it `done` for `ttlMs` (keep it at least as long as the sender keeps retrying). If the handler throws, the key is
 * deleted and the error rethrown, so the sender's retry runs it again. A store failure rejects with a `StoreError`
 * (503; the sender retries): nothing is run without the mark. If the `done` mark cannot be written after the handler
 * ran, that too rejects with a `StoreError`, and a retry may run the handler again once `pendingMs` has passed:
 * delivery is at least once, so make handlers safe to run twice.
 *
 * @example
 * ```ts
 * const outcome = await deliverOnce(store, `webhook:${eventId}`, 7 * 24 * 3600_000, () => onEvent(event));
 * res.status(outcome === 'busy' ? 409 : 200).end();
 * ```
 */
export async function deliverOnce(
  store: Store,
  key: string,
  ttlMs: number,
  handler: () => Promise<void> | void,
  options: DeliverOnceOptions = {},
): Promise<DeliveryOutcome> {
  const pendingMs = options.pendingMs ?? 60_000;
  if (!(ttlMs > 0) || !(pendingMs > 0)) throw new RangeError('ttlMs and pendingMs must be positive');
  if (!(await storeCall(() => store.add(key, PENDING, pendingMs)))) {
    const mark = await storeCall(() => store.get(key));
    return mark === DONE ? 'repeat' : 'busy';
  }
  try {
    await handler();
  } catch (error) {
    // Free the key for the sender's retry; if even that fails, the pending mark expires on its own.
    await Promise.resolve()
      .then(() => store.delete(key))
      .catch(() => undefined);
    throw error;
  }
  await storeCall(() => store.set(key, DONE, ttlMs));
  return 'delivered';
}
