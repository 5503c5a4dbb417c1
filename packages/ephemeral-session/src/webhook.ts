import type { IncomingMessage, ServerResponse } from 'node:http';
import { MemoryStore, PassportIdvError, type Store } from '@passport-idv/core';
import {
  assertStore,
  createLogger,
  deliverOnce,
  invalidOption,
  isRecord,
  keyDigest,
  readRawBody,
  safeEqual,
  storeKey,
} from '@passport-idv/core/internal';
import { IdvSessionNotFoundError } from './errors.js';
import type { IdvClient } from './idv-client.js';
import type { IdvSessionDetails } from './session-parse.js';

const log = createLogger('idv-webhook');

/** Options of {@link idvWebhook}. */
export interface IdvWebhookOptions {
  /** The client the session is read back with (`ephemeralSession(...).client`, or your own `IdvClient`). */
  client: Pick<IdvClient, 'host' | 'getSession'>;
  /**
   * Called once per session and status with the session as the platform answered `GET /api/sessions/{id}`, never
   * with what the webhook's body claims. Keep it short (record the outcome, queue work): the platform waits for the
   * answer. If it throws, the webhook answers non-2xx and the platform's retry calls it again.
   */
  onSession: (session: IdvSessionDetails) => void | Promise<void>;
  /**
   * A shared secret the platform must send in the `secretHeader` header; without it, anyone who can reach the URL
   * can make the app read sessions back (never trust them: the body is only a hint). The platform documents no
   * webhook signing or secret, so how it is sent is this package's choice: configure your platform to send it.
   */
  secret?: string;
  /** The header the secret travels in. Default `x-webhook-secret` (the sandbox sends it there). */
  secretHeader?: string;
  /** Where delivered sessions and statuses are remembered. Default a `MemoryStore`; a `RedisStore` for several instances. */
  store?: Store;
  /** Seconds a delivered session and status is remembered, so repeats hand nothing over. Default 7 days. */
  ttl?: number;
  /** The largest body read, in bytes. Default 16 KiB. */
  limit?: number;
}

/** The Express (or plain `node:http`) handler {@link idvWebhook} returns. */
export type IdvWebhookHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * An Express handler for the IDV platform's webhook. The webhook's body is a hint only: the handler takes its
 * `sessionId`, reads the session back with `client.getSession()`, and hands `onSession` what the platform answers,
 * once per session and status (through the store, across instances too). It reads its own JSON body, so mount it
 * before any body parser.
 *
 * Answers: `200 {"received": true}` once handled, for a repeat, and for a session the platform does not know (so the
 * platform stops retrying; nothing is handed over); `401` without the right secret (nothing read); `400` for a body
 * without a usable `sessionId`; `409` while the same session and status is being handled elsewhere; `413` past
 * `limit`; `502`/`504` when the platform cannot be read, `503` when the store fails (the platform retries); an error
 * thrown by `onSession` goes to `next(err)`. Bodies are `{"error": <code>}`: no key, no provider answer.
 *
 * @example
 * ```ts
 * const handoff = ephemeralSession({ host, apiKey, workflowId, store });
 * app.post('/webhooks/idv', idvWebhook({
 *   client: handoff.client, store, secret: process.env.IDV_WEBHOOK_SECRET,
 *   onSession: async ({ externalUserId, state }) => {
 *     if (state === 'finished' && externalUserId) await users.markVerified(externalUserId);
 *   },
 * }));
 * app.use(express.json()); // body parsers after the webhook
 * ```
 */
export function idvWebhook(options: IdvWebhookOptions): IdvWebhookHandler {
  if (!isRecord(options)) invalidOption('idvWebhook options must be an object');
  const {
    client,
    onSession,
    secret,
    secretHeader = 'x-webhook-secret',
    ttl = 7 * 24 * 3600,
    limit = 16 * 1024,
  } = options;
  if (!isRecord(client) || typeof client.getSession !== 'function' || typeof client.host !== 'string') {
    invalidOption('client must be an IdvClient');
  }
  if (typeof onSession !== 'function') invalidOption('onSession must be a function');
  if (secret !== undefined && (typeof secret !== 'string' || secret === '')) {
    invalidOption('secret must be a non-empty string');
  }
  if (typeof secretHeader !== 'string' || !/^[A-Za-z0-9-]+$/.test(secretHeader)) {
    invalidOption('secretHeader must be a header name');
  }
  if (!Number.isInteger(ttl) || ttl <= 0) invalidOption('ttl must be a positive integer number of seconds');
  if (!Number.isInteger(limit) || limit <= 0) invalidOption('limit must be a positive integer number of bytes');
  if (options.store !== undefined) assertStore(options.store, 'store', ['get', 'set', 'add', 'delete']);
  const store = options.store ?? new MemoryStore();
  const header = secretHeader.toLowerCase();

  const handle = async (req: IncomingMessage): Promise<number> => {
    if (secret !== undefined) {
      const sent = req.headers[header];
      if (typeof sent !== 'string' || !safeEqual(sent, secret)) {
        log('refused: no or wrong secret');
        return 401;
      }
    }
    const sessionId = sessionIdOf(await readRawBody(req, { limit }));
    if (sessionId === undefined) {
      log('refused: no usable sessionId in the body');
      return 400;
    }
    let session: IdvSessionDetails;
    try {
      session = await client.getSession(sessionId);
    } catch (error) {
      if (!(error instanceof IdvSessionNotFoundError)) throw error;
      log('a session the platform does not know: nothing handed over');
      return 200;
    }
    // One delivery per platform, session and status: a later status of the same session is handed over too.
    const key = storeKey('ephemeral-session', 'webhook', keyDigest(client.host, session.id, session.status));
    const outcome = await deliverOnce(store, key, ttl * 1000, () => onSession(session));
    log('session status %d: %s', session.status, outcome);
    return outcome === 'busy' ? 409 : 200;
  };

  return (req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    handle(req).then(
      (status) => answer(res, status, status === 200 ? { received: true } : { error: CODES[status] }),
      (error: unknown) => {
        if (!(error instanceof PassportIdvError)) {
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
  401: 'ERR_WEBHOOK_SECRET',
  409: 'ERR_WEBHOOK_BUSY',
};

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/** The body's `sessionId` (a string of id characters, or an integer), if it is JSON with one. */
function sessionIdOf(raw: Buffer): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(body)) return undefined;
  const { sessionId } = body;
  if (typeof sessionId === 'number' && Number.isSafeInteger(sessionId) && sessionId >= 0) return String(sessionId);
  return typeof sessionId === 'string' && SESSION_ID.test(sessionId) ? sessionId : undefined;
}
