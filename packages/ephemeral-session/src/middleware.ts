import { MemoryStore, PassportIdvError, systemClock } from '@passport-idv/core';
import {
  assertClock,
  assertStore,
  createLogger,
  invalidOption,
  isRecord,
  keyDigest,
  storeKey,
} from '@passport-idv/core/internal';
import type { NextFunction, Request, Response } from 'express';
import { IdvSessionNotFoundError, NoExternalUserIdError } from './errors.js';
import { IdvClient, type IdvMetadata } from './idv-client.js';
import type { EphemeralSessionOptions } from './options.js';
import { type Created, type Handoff, HandoffReuse } from './reuse.js';
import { isFinalState } from './session-status.js';
import { isValidTtl, TTL_RANGE } from './ttl.js';

const log = createLogger('ephemeral-session');

/** The middleware {@link ephemeralSession} returns, with its parts for apps that render their own page. */
export interface EphemeralSessionMiddleware {
  (req: Request, res: Response, next: NextFunction): void;
  /**
   * Starts (or reuses) the session for this request's user and resolves to the handoff, without answering: for an
   * app that renders its own page (a QR code, say). Rejects with `NoExternalUserIdError` (401), a `ProviderError`
   * (502/504) or a `StoreError` (503).
   */
  start(req: Request): Promise<Handoff>;
  /** The client it calls the platform with. */
  readonly client: IdvClient;
}

/** What end users read when something fails: plain words, never the provider's answer. */
const MESSAGES: Record<number, string> = {
  401: 'Sign in before starting a verification.',
  502: 'The verification service is not available right now. Please try again in a moment.',
  503: 'Verification is temporarily unavailable. Please try again in a moment.',
  504: 'The verification service did not answer in time. Please try again in a moment.',
};

/**
 * Express middleware that starts an IDV session server-side and hands it to the phone: one ephemeral token, one
 * session for the workflow with the server-side user as `metadata.externalUserId`, and the handoff URL (or, with
 * `start: 'deeplink'`, the one call that does all three), answered as `201 {"handoffUrl", "sessionId", "expiresAt"}`
 * with `Cache-Control: no-store` and `Referrer-Policy: no-referrer`.
 *
 * No `externalUserId` → `401` and no upstream call. Upstream failure → `502`/`504`, store failure → `503`, each as
 * JSON `{"error": <code>, "message": <plain words>}`. With `reuse` (default), the same user gets the same session for
 * the same workflow while its token lives and the session has not ended (it is read back first: a finished or failed
 * session is never handed out again), and concurrent first requests start one session, across instances too when
 * they share a store.
 *
 * @throws TypeError (code `ERR_INVALID_OPTION`) for bad options, `ttl` outside 60–86400 included.
 *
 * @example
 * ```ts
 * app.post('/verify/handoff', ensureLoggedIn, ephemeralSession({
 *   host: 'https://idv.example.com', apiKey: process.env.IDV_API_KEY!, workflowId: 'kyc', ttl: 3600,
 *   metadata: (req) => ({ externalUserId: req.user!.id }),
 * }));
 * ```
 */
export function ephemeralSession(options: EphemeralSessionOptions): EphemeralSessionMiddleware {
  if (!isRecord(options)) invalidOption('ephemeralSession options must be an object');
  const {
    workflowId,
    start: startMode = 'ephemeral-token',
    ttl = 3600,
    metadata = defaultMetadata,
    reuse = true,
    clock = systemClock,
    timeout = 10_000,
  } = options;
  if (typeof workflowId !== 'string' || workflowId === '') invalidOption('workflowId must be a non-empty string');
  if (!isValidTtl(ttl)) {
    invalidOption(`ttl must be an integer number of seconds from ${TTL_RANGE.min} to ${TTL_RANGE.max}`);
  }
  if (typeof metadata !== 'function') invalidOption('metadata must be a function of the request');
  if (typeof reuse !== 'boolean') invalidOption('reuse must be a boolean');
  if (startMode !== 'ephemeral-token' && startMode !== 'deeplink') {
    invalidOption("start must be 'ephemeral-token' or 'deeplink'");
  }
  assertClock(clock);
  if (options.store !== undefined) assertStore(options.store, 'store');
  const client = new IdvClient({
    host: options.host,
    apiKey: options.apiKey,
    timeout,
    ...(options.apiKeyScheme !== undefined ? { apiKeyScheme: options.apiKeyScheme } : {}),
    ...(options.statuses !== undefined ? { statuses: options.statuses } : {}),
    ...(options.allowInsecureHTTP !== undefined ? { allowInsecureHTTP: options.allowInsecureHTTP } : {}),
  });
  const store = options.store ?? new MemoryStore({ clock });
  // A stored session is handed out again only while the platform says it is under way.
  const stillUnderWay = async (sessionId: string): Promise<boolean> => {
    try {
      const { state } = await client.getSession(sessionId);
      if (state !== 'unknown' && !isFinalState(state)) return true;
      log('session %s: not reused', state);
      return false;
    } catch (error) {
      if (error instanceof IdvSessionNotFoundError) return false;
      throw error;
    }
  };
  // The lock outlives the calls it guards, so a crashed holder only delays others, never blocks them.
  const reuser = new HandoffReuse(store, clock, 3 * timeout + 1_000, stillUnderWay);

  const create = async (meta: IdvMetadata): Promise<Created> => {
    const started = clock.now();
    const ttlMs = ttl * 1000;
    // Measured from before the first call: the link is valid at least until then.
    let expiresAt = started + ttlMs;
    let handoffUrl: string;
    let sessionId: string;
    if (startMode === 'deeplink') {
      const link = await client.createDeeplink(workflowId, meta, { ttl });
      // The platform's own expiry, if it says an earlier one.
      if (link.expiresAt !== undefined) expiresAt = Math.min(expiresAt, Date.parse(link.expiresAt));
      ({ url: handoffUrl, sessionId } = link);
    } else {
      const token = await client.createEphemeralToken(ttl);
      const session = await client.startSession(token, workflowId, meta);
      handoffUrl = client.handoffUrl(token, session.id);
      sessionId = session.id;
    }
    const left = expiresAt - clock.now();
    return {
      handoff: { handoffUrl, sessionId, expiresAt: new Date(expiresAt).toISOString() },
      // A link that dies a few seconds after it is shown is useless: stop reusing it a margin before it expires.
      reuseMs: left - Math.min(60_000, ttlMs / 4),
    };
  };

  const start = async (req: Request): Promise<Handoff> => {
    const meta = normaliseMetadata(await metadata(req));
    if (meta === undefined) throw new NoExternalUserIdError('no externalUserId for this request');
    const began = performance.now();
    if (!reuse) {
      const { handoff } = await create(meta);
      log('session started in %dms', Math.round(performance.now() - began));
      return handoff;
    }
    let created = false;
    const handoff = await reuser.get(
      storeKey('ephemeral-session', 'handoff', keyDigest(client.host, workflowId, meta.externalUserId)),
      async () => {
        created = true;
        return create(meta);
      },
    );
    log('session %s in %dms', created ? 'started' : 'reused', Math.round(performance.now() - began));
    return handoff;
  };

  const middleware = ((req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    start(req).then(
      (handoff) => {
        res.status(201).json(handoff);
      },
      (error: unknown) => {
        if (!(error instanceof PassportIdvError)) {
          next(error);
          return;
        }
        log('handoff failed: %s (%d)', error.code, error.status);
        const { status } = error;
        res.status(status).json({ error: error.code, message: MESSAGES[status] ?? MESSAGES[502] });
      },
    );
  }) as EphemeralSessionMiddleware;
  middleware.start = start;
  Object.defineProperty(middleware, 'client', { value: client, enumerable: true });
  return middleware;
}

function defaultMetadata(req: Request): IdvMetadata | undefined {
  const user: unknown = (req as Request & { user?: unknown }).user;
  const id = isRecord(user) ? user.id : undefined;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return { externalUserId: String(id) };
  return undefined;
}

function normaliseMetadata(meta: unknown): IdvMetadata | undefined {
  if (!isRecord(meta)) return undefined;
  const { externalUserId } = meta;
  if (typeof externalUserId !== 'string' || externalUserId === '') return undefined;
  return { ...meta, externalUserId };
}
