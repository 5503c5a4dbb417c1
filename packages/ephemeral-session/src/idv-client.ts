import { InvalidArgumentError, ProviderStatusError } from '@passport-idv/core';
import {
  assertProviderURL,
  assertTimeout,
  invalidOption,
  isRecord,
  providerRequest,
  requireString,
} from '@passport-idv/core/internal';
import { IdvSessionNotFoundError } from './errors.js';
import { buildHandoffUrl, idvBaseURL } from './handoff-url.js';
import { type IdvSessionDetails, parseDeeplink, parseSession, parseSessionDetails } from './session-parse.js';
import { type IdvStatusTable, isStatusTable, SANDBOX_SESSION_STATUSES } from './session-status.js';
import { isValidTtl, TTL_RANGE } from './ttl.js';

/** Options of {@link IdvClient}. */
export interface IdvClientOptions {
  /** `https://<IDV_HOST>`, optionally with a path prefix; a bare host name means https. See `idvBaseURL`. */
  host: string;
  /**
   * An API key with the permissions of the calls you make: "Ephemeral Devices:Write" (`createEphemeralToken`),
   * `deeplink:write` (`createDeeplink`), "All Sessions: Read" (`getSession`). Never leaves the server.
   */
  apiKey: string;
  /**
   * How the API key is sent to the calls whose docs show a scheme (`getSession`, `createDeeplink`): `'ApiKey'`
   * (default, `Authorization: ApiKey <key>`) or `'raw'` (`Authorization: <key>`, the form the older ephemeral-token
   * page shows, for deployments that take it). `createEphemeralToken` always sends the raw key, as its page shows.
   */
  apiKeyScheme?: 'ApiKey' | 'raw';
  /**
   * What each integer `status` means (the platform does not document them publicly). Default
   * {@link SANDBOX_SESSION_STATUSES}, the sandbox's numbers: pass your deployment's table against a real platform.
   */
  statuses?: IdvStatusTable;
  /** Milliseconds each call may take (retries of a GET included). Default 10,000. */
  timeout?: number;
  /**
   * Accept a plain `http:` URL for the platform (`host`) on a host other than this machine (`localhost`, `127.0.0.0/8` and `::1`
   * are always accepted). Default `false`: http would carry keys, tokens and identity data in clear. For a test setup
   * only.
   */
  allowInsecureHTTP?: boolean;
}

/** The answer of the one-call deeplink start. */
export interface IdvDeeplink {
  /** The link for the phone, as the platform built it: `https://<IDV_HOST>/mobile?authorization=…&sessionId=…`. */
  url: string;
  /** The session id, read from `url` (the answer has no other field for it). */
  sessionId: string;
  /** When the token and the session expire, as the platform says (ISO 8601), if it said so in a readable form. */
  expiresAt: string | undefined;
  /** The whole object the platform answered with. */
  raw: Record<string, unknown>;
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
 * The server-side calls of the IDV platform (docs/providers/idv.md), through core's `providerRequest`: a deadline on
 * each, typed errors (`ProviderTimeoutError` 504, other `ProviderError`s 502). The POSTs create something and are
 * never retried; `getSession` is a GET, retried on network errors, 429 and 5xx within its deadline.
 *
 * @example
 * ```ts
 * const client = new IdvClient({ host: 'https://idv.example.com', apiKey: process.env.IDV_API_KEY! });
 * const token = await client.createEphemeralToken(3600);
 * const session = await client.startSession(token, workflowId, { externalUserId: user.id });
 * const url = client.handoffUrl(token, session.id);
 * // later, or when the webhook says something happened:
 * const { state } = await client.getSession(session.id); // 'finished', 'failed', ...
 * ```
 */
export class IdvClient {
  /** The normalised base URL (`idvBaseURL(host)`). */
  readonly host: string;
  readonly #apiKey: string;
  readonly #schemedKey: string;
  readonly #statuses: IdvStatusTable;
  readonly #timeout: number;

  constructor(options: IdvClientOptions) {
    if (!isRecord(options)) invalidOption('IdvClient options must be an object');
    try {
      this.host = idvBaseURL(options.host);
    } catch (error) {
      invalidOption((error as Error).message);
    }
    assertProviderURL(this.host, 'host', options.allowInsecureHTTP);
    if (typeof options.apiKey !== 'string' || options.apiKey === '') invalidOption('apiKey must be a non-empty string');
    const timeout = options.timeout ?? 10_000;
    assertTimeout(timeout);
    const { apiKeyScheme = 'ApiKey', statuses = SANDBOX_SESSION_STATUSES } = options;
    if (apiKeyScheme !== 'ApiKey' && apiKeyScheme !== 'raw') invalidOption("apiKeyScheme must be 'ApiKey' or 'raw'");
    if (!isStatusTable(statuses)) {
      invalidOption('statuses must map integers to started, document_sent, selfie_sent, finished, failed or expired');
    }
    this.#apiKey = options.apiKey;
    this.#schemedKey = apiKeyScheme === 'raw' ? options.apiKey : `ApiKey ${options.apiKey}`;
    this.#statuses = { ...statuses };
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

  /**
   * `POST /api/v1/deeplink?workflowId=` with `Authorization: ApiKey <key>` and `{"metadata", "ttl"}` (+ `locale`):
   * the token, the session and the phone's link in one call. The session id is read from the returned `url`.
   *
   * @example
   * ```ts
   * const { url, sessionId } = await client.createDeeplink('kyc', { externalUserId: 'user-1' }, { ttl: 3600 });
   * ```
   */
  async createDeeplink(
    workflowId: string,
    metadata: IdvMetadata,
    options: { ttl: number; locale?: string; signal?: AbortSignal },
  ): Promise<IdvDeeplink> {
    const { ttl, locale, signal } = options;
    if (!isValidTtl(ttl)) throw new RangeError(`ttl must be an integer from ${TTL_RANGE.min} to ${TTL_RANGE.max}`);
    const url = new URL(`${this.host}/api/v1/deeplink`);
    url.searchParams.set('workflowId', workflowId);
    const { body } = await providerRequest({
      provider: 'idv',
      operation: 'deeplink',
      method: 'POST',
      url,
      headers: { authorization: this.#schemedKey },
      json: { metadata, ttl, ...(locale !== undefined ? { locale } : {}) },
      timeout: this.#timeout,
      retries: 0,
      parse: parseDeeplink,
      ...(signal ? { signal } : {}),
    });
    return body;
  }

  /**
   * `GET /api/sessions/{id}` with `Authorization: ApiKey <key>` ("All Sessions: Read"): the session as the platform
   * holds it now, with its integer `status` and the `state` it maps to (see `statuses`). Rejects with an
   * `IdvSessionNotFoundError` (404) for a session the platform does not know, and with a `ProviderResponseError`
   * if the answer is about another session or has no integer status.
   *
   * @example
   * ```ts
   * const { status, state, externalUserId } = await client.getSession(sessionId);
   * ```
   */
  async getSession(sessionId: string, options: { signal?: AbortSignal } = {}): Promise<IdvSessionDetails> {
    if (typeof sessionId !== 'string' || sessionId === '')
      throw new InvalidArgumentError('sessionId must be a non-empty string');
    try {
      const { body } = await providerRequest({
        provider: 'idv',
        operation: 'get_session',
        method: 'GET',
        url: `${this.host}/api/sessions/${encodeURIComponent(sessionId)}`,
        headers: { authorization: this.#schemedKey, accept: 'application/json' },
        timeout: this.#timeout,
        parse: (b) => parseSessionDetails(b, sessionId, this.#statuses),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return body;
    } catch (error) {
      if (error instanceof ProviderStatusError && error.upstreamStatus === 404) {
        throw new IdvSessionNotFoundError({
          provider: 'idv',
          operation: 'get_session',
          cause: error,
          ...(error.responseBody !== undefined ? { responseBody: error.responseBody } : {}),
        });
      }
      throw error;
    }
  }

  /** The handoff URL for a token and a session, on this client's host (see `buildHandoffUrl`). */
  handoffUrl(token: string, sessionId: string): string {
    return buildHandoffUrl(this.host, token, sessionId);
  }
}
