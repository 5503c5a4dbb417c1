import { ProviderStatusError } from '@passport-idv/core';
import {
  assertHttpURL,
  assertProviderURL,
  assertTimeout,
  invalidOption,
  isRecord,
  type ProviderRequest,
  providerRequest,
  requireString,
  ShapeError,
} from '@passport-idv/core/internal';
import { AuthenteqWebIdvError } from './web-idv-error.js';
import { type AuthenteqWebIdvResult, parseWebIdvResult, requirePassed } from './web-idv-result.js';

/**
 * The production API of Authenteq Web IDV, the default `baseURL`.
 *
 * @example
 * ```ts
 * new AuthenteqWebIdvClient({ clientID, clientSecret, baseURL: AUTHENTEQ_WEB_IDV_BASE_URL });
 * ```
 */
export const AUTHENTEQ_WEB_IDV_BASE_URL = 'https://api.app.authenteq.com';

/**
 * Options of {@link AuthenteqWebIdvClient}.
 *
 * @example
 * ```ts
 * const options: AuthenteqWebIdvClientOptions = { clientID, clientSecret, flowSlug: 'kyc-eu', timeout: 5_000 };
 * ```
 */
export interface AuthenteqWebIdvClientOptions {
  /** The Client ID of the dashboard's "API Keys" page. */
  clientID: string;
  /** The Client Secret; sent only in the `Authorization` header of server-to-server calls. */
  clientSecret: string;
  /** Default `https://api.app.authenteq.com`; the sandbox's `sandbox.authenteqWebIdv.baseURL` in tests. */
  baseURL?: string;
  /** A Flow ID of the dashboard's "Verification Flow" section, sent as `AQ-Flow-Slug`; default: the default flow. */
  flowSlug?: string;
  /** Milliseconds per call, retries included. Default 10,000. */
  timeout?: number;
  /**
   * Accept a plain `http:` URL for the provider on a host other than this machine (`localhost`, `127.0.0.0/8` and `::1`
   * are always accepted). Default `false`: http would carry keys, tokens and identity data in clear. For a test setup
   * only.
   */
  allowInsecureHTTP?: boolean;
}

/** Throws an invalid-option error unless `clientID` and `clientSecret` are non-empty strings usable in Basic auth. */
export function assertWebIdvKeys(options: { clientID?: unknown; clientSecret?: unknown }): void {
  const { clientID, clientSecret } = options;
  // RFC 7617: the user id of Basic auth cannot hold a colon.
  if (typeof clientID !== 'string' || clientID === '' || clientID.includes(':')) {
    invalidOption('clientID must be a non-empty string without ":"');
  }
  if (typeof clientSecret !== 'string' || clientSecret === '') invalidOption('clientSecret must be a non-empty string');
}

/**
 * The server-to-server calls of Authenteq Web IDV, with Basic auth (`clientID:clientSecret`) on every one: start a
 * verification, read its result once with the code the browser brought back, and export it later by id. Every
 * call goes through core's `providerRequest` (a deadline, typed errors, no secret in any message or log line). An
 * error status becomes an {@link AuthenteqWebIdvError} with the provider's `errorCode`; a timeout a
 * `ProviderTimeoutError` (504); a wrong shape a `ProviderResponseError` (502).
 *
 * @example
 * ```ts
 * const client = new AuthenteqWebIdvClient({ clientID, clientSecret });
 * const redirectUrl = 'https://app.example/auth/idv/callback?state=…';
 * res.redirect(await client.getVerificationURL(redirectUrl));
 * // …the browser comes back to redirectUrl with &code=…
 * const result = await client.getVerificationResult(redirectUrl, code);
 * ```
 */
export class AuthenteqWebIdvClient {
  readonly #authorization: string;
  readonly #baseURL: string;
  readonly #flowSlug: string | undefined;
  readonly #timeout: number;

  constructor(options: AuthenteqWebIdvClientOptions) {
    if (!isRecord(options)) invalidOption('AuthenteqWebIdvClient needs an options object');
    assertWebIdvKeys(options);
    const { clientID, clientSecret, baseURL = AUTHENTEQ_WEB_IDV_BASE_URL, flowSlug, timeout = 10_000 } = options;
    assertProviderURL(baseURL, 'baseURL', options.allowInsecureHTTP);
    const base = new URL(baseURL);
    if (base.search !== '' || base.hash !== '') invalidOption('baseURL must have no query and no fragment');
    // A header value: visible ASCII only, so it cannot break the request.
    if (flowSlug !== undefined && (typeof flowSlug !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(flowSlug))) {
      invalidOption('flowSlug must be a Flow ID from the Authenteq dashboard (visible ASCII characters)');
    }
    assertTimeout(timeout);
    this.#authorization = `Basic ${Buffer.from(`${clientID}:${clientSecret}`, 'utf8').toString('base64')}`;
    this.#baseURL = base.href.replace(/\/+$/, '');
    this.#flowSlug = flowSlug;
    this.#timeout = timeout;
  }

  /**
   * Starts a verification: `GET /web-idv/verification-url?redirectUrl=…` (with `AQ-Flow-Slug` when `flowSlug` is
   * set), and resolves to the `verificationUrl` to send the browser to. `redirectUrl` must be registered on the
   * dashboard; it may carry the app's own query parameters (Authenteq keeps them and adds `code`), but not `code`.
   * An idempotent GET: network errors, 429 and 5xx are retried within the deadline.
   */
  async getVerificationURL(redirectUrl: string): Promise<string> {
    assertRedirectUrl(redirectUrl);
    return this.#call({
      operation: 'web_idv_url',
      path: '/web-idv/verification-url',
      query: { redirectUrl },
      ...(this.#flowSlug === undefined ? {} : { headers: { 'aq-flow-slug': this.#flowSlug } }),
      parse: (json) => {
        const url = requireString(json, 'verificationUrl');
        if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
          throw new ShapeError('verificationUrl is not an absolute http(s) URL');
        }
        return url;
      },
    });
  }

  /**
   * Reads a passed verification's result: `GET /web-idv/verification-result?redirectUrl=…&code=…`, with the very
   * `redirectUrl` the verification was started with. **Never retried**: the code works once, so a second request
   * could only fail, or spend it twice. A used, expired or unknown code is an `AuthenteqWebIdvError` with a 4xx
   * `upstreamStatus`. The answer is shape-checked ({@link parseWebIdvResult}) and its `status` must be `PASSED`.
   */
  async getVerificationResult(redirectUrl: string, code: string): Promise<AuthenteqWebIdvResult> {
    assertRedirectUrl(redirectUrl);
    if (typeof code !== 'string' || code === '') invalidOption('code must be a non-empty string');
    return this.#call({
      operation: 'web_idv_result',
      path: '/web-idv/verification-result',
      query: { redirectUrl, code },
      retries: 0,
      parse: (json) => requirePassed(parseWebIdvResult(json)),
    });
  }

  /**
   * Reads a verification again by its `id`, after its code was used: `GET /export/verification-result-as-json`.
   * The result is shape-checked like {@link getVerificationResult}'s, but its `status` is whatever the provider
   * says (a stored verification may have failed). How long Authenteq keeps results is not documented. An idempotent
   * GET, retried like {@link getVerificationURL}.
   */
  async exportVerificationResult(verificationId: string): Promise<AuthenteqWebIdvResult> {
    if (typeof verificationId !== 'string' || verificationId === '') {
      invalidOption('verificationId must be a non-empty string');
    }
    return this.#call({
      operation: 'web_idv_export',
      path: '/export/verification-result-as-json',
      query: { verificationId },
      parse: parseWebIdvResult,
    });
  }

  async #call<T>(call: {
    operation: string;
    path: string;
    query: Record<string, string>;
    headers?: Record<string, string>;
    retries?: number;
    parse: (json: unknown) => T;
  }): Promise<T> {
    const request: ProviderRequest<T> = {
      provider: 'authenteq',
      operation: call.operation,
      method: 'GET',
      url: `${this.#baseURL}${call.path}?${new URLSearchParams(call.query)}`,
      headers: { authorization: this.#authorization, ...call.headers },
      timeout: this.#timeout,
      parse: call.parse,
    };
    if (call.retries !== undefined) request.retries = call.retries;
    try {
      return (await providerRequest(request)).body;
    } catch (error) {
      throw error instanceof ProviderStatusError ? new AuthenteqWebIdvError(error) : error;
    }
  }
}

function assertRedirectUrl(redirectUrl: string): void {
  assertHttpURL(redirectUrl, 'redirectUrl');
  // Authenteq adds `code` itself; one already there would make the callback ambiguous.
  if (new URL(redirectUrl).searchParams.has('code')) invalidOption('redirectUrl must not have a code parameter');
}
