import { invalidOption, isRecord, providerRequest, requireString, ShapeError } from '@passport-idv/core';
import { buildHandoffUrl, idvBaseURL } from './handoff-url.js';
import { isValidTtl, TTL_RANGE } from './ttl.js';

/** Options of {@link IdvClient}. */
export interface IdvClientOptions {
  /** `https://<IDV_HOST>`, optionally with a path prefix; a bare host name means https. See `idvBaseURL`. */
  host: string;
  /** An API key with the permission "Ephemeral Devices:Write". Never leaves the server. */
  apiKey: string;
  /** Milliseconds each call may take. Default 10,000. */
  timeout?: number;
}

/** What the session start sends: `externalUserId` and any other JSON the app wants on the session. */
export interface IdvMetadata {
  externalUserId: string;
  [key: string]: unknown;
}

/** A session the platform started. */
export interface IdvSession {
  /** The session id, read from `id` (or `sessionId`; the shape is not documented). */
  id: string;
  /** The whole object the platform answered with. */
  raw: Record<string, unknown>;
}

/**
 * The two server-side calls of the IDV platform (docs/providers/idv.md), through core's
 * `providerRequest`: a deadline on each, typed errors (`ProviderTimeoutError` 504, other `ProviderError`s 502), and no
 * retry, since both are POSTs that create something.
 *
 * @example
 * ```ts
 * const client = new IdvClient({ host: 'https://idv.example.com', apiKey: process.env.IDV_API_KEY! });
 * const token = await client.createEphemeralToken(3600);
 * const session = await client.startSession(token, workflowId, { externalUserId: user.id });
 * const url = client.handoffUrl(token, session.id);
 * ```
 */
export class IdvClient {
  /** The normalised base URL (`idvBaseURL(host)`). */
  readonly host: string;
  readonly #apiKey: string;
  readonly #timeout: number;

  constructor(options: IdvClientOptions) {
    if (!isRecord(options)) invalidOption('IdvClient options must be an object');
    try {
      this.host = idvBaseURL(options.host);
    } catch (error) {
      invalidOption((error as Error).message);
    }
    if (typeof options.apiKey !== 'string' || options.apiKey === '') invalidOption('apiKey must be a non-empty string');
    const timeout = options.timeout ?? 10_000;
    if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
      invalidOption('timeout must be a positive number of milliseconds');
    }
    this.#apiKey = options.apiKey;
    this.#timeout = timeout;
  }

  /**
   * `POST /api/device/ephemeral` with the raw API key and `{"ttl"}`: an ephemeral token valid for `ttl` seconds.
   *
   * @example
   * ```ts
   * const token = await client.createEphemeralToken(600);
   * ```
   */
  async createEphemeralToken(ttl: number, options: { signal?: AbortSignal } = {}): Promise<string> {
    if (!isValidTtl(ttl)) throw new RangeError(`ttl must be an integer from ${TTL_RANGE.min} to ${TTL_RANGE.max}`);
    const { body } = await providerRequest({
      provider: 'idv',
      operation: 'ephemeral_token',
      method: 'POST',
      url: `${this.host}/api/device/ephemeral`,
      // The documented header is the raw key, no scheme.
      headers: { authorization: this.#apiKey },
      json: { ttl },
      timeout: this.#timeout,
      retries: 0,
      parse: (b) => requireString(b, 'authorization'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return body;
  }

  /**
   * `POST /api/sessions?workflowId=` with the ephemeral token and `{"metadata"}`: starts a session of that workflow.
   *
   * @example
   * ```ts
   * const { id } = await client.startSession(token, 'kyc', { externalUserId: 'user-1' });
   * ```
   */
  async startSession(
    token: string,
    workflowId: string,
    metadata: IdvMetadata,
    options: { signal?: AbortSignal } = {},
  ): Promise<IdvSession> {
    const url = new URL(`${this.host}/api/sessions`);
    url.searchParams.set('workflowId', workflowId);
    const { body } = await providerRequest({
      provider: 'idv',
      operation: 'start_session',
      method: 'POST',
      url,
      headers: { authorization: token },
      json: { metadata },
      timeout: this.#timeout,
      retries: 0,
      parse: parseSession,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return body;
  }

  /** The handoff URL for a token and a session, on this client's host (see `buildHandoffUrl`). */
  handoffUrl(token: string, sessionId: string): string {
    return buildHandoffUrl(this.host, token, sessionId);
  }
}

// The session object's shape is not documented (docs/providers/idv.md): the id is read from `id`, else `sessionId`.
function parseSession(body: unknown): IdvSession {
  if (!isRecord(body)) throw new ShapeError('the session is not an object');
  for (const key of ['id', 'sessionId']) {
    const value = body[key];
    if (typeof value === 'string' && value !== '') return { id: value, raw: body };
    if (typeof value === 'number' && Number.isSafeInteger(value)) return { id: String(value), raw: body };
  }
  throw new ShapeError('id is not a non-empty string');
}
