import {
  assertProviderURL,
  assertTimeout,
  invalidOption,
  isRecord,
  providerRequest,
  requireRecord,
  requireString,
  ShapeError,
} from '@passport-idv/core/internal';
import { parseDate } from './policy.js';

/**
 * Production token endpoint (docs/providers/authenteq.md), the default `tokenURL`.
 *
 * @example
 * ```ts
 * new AuthenteqClient({ clientID, clientSecret, tokenURL: AUTHENTEQ_TOKEN_URL });
 * ```
 */
export const AUTHENTEQ_TOKEN_URL = 'https://api.authenteq.com/v2/web-kyc/token';
/**
 * Production details endpoint, the default `detailsURL`.
 *
 * @example
 * ```ts
 * new AuthenteqClient({ clientID, clientSecret, detailsURL: AUTHENTEQ_DETAILS_URL });
 * ```
 */
export const AUTHENTEQ_DETAILS_URL = 'https://api.authenteq.com/v2/web-kyc/details';

/**
 * The identity details Authenteq read from the document (the `details` object of `/v2/web-kyc/details`).
 *
 * @example
 * ```ts
 * const details: AuthenteqDetails = profile._json;
 * details.dateOfExpiry; // '2031-11-22'
 * ```
 */
export interface AuthenteqDetails {
  documentNumber: string;
  issuingCountry: string;
  documentType: string;
  givenNames: string;
  surname: string;
  /** `YYYY-MM-DD`. */
  dateOfBirth: string;
  nationality?: string;
  /** `YYYY-MM-DD`. */
  dateOfIssue?: string;
  /** `YYYY-MM-DD`. */
  dateOfExpiry: string;
  sex?: string;
  /** Any other field the provider adds is kept. */
  [field: string]: unknown;
}

/**
 * The whole `/v2/web-kyc/details` answer.
 *
 * @example
 * ```ts
 * const { croppedDocs, details }: AuthenteqDetailsResponse = await client.getDetails(token);
 * ```
 */
export interface AuthenteqDetailsResponse {
  /** The cropped document photos, base64 JPEG (absent if the provider left them out). */
  croppedDocs?: { front?: string; back?: string };
  details: AuthenteqDetails;
}

/**
 * The `grantType` value sent to the token endpoint; the doc spells it both ways.
 *
 * @example
 * ```ts
 * new AuthenteqStrategy({ ...options, grantType: 'authorizationCode' }, verify);
 * ```
 */
export type AuthenteqGrantType = 'authorization_code' | 'authorizationCode';

/**
 * Options of {@link AuthenteqClient}.
 *
 * @example
 * ```ts
 * const options: AuthenteqClientOptions = { clientID, clientSecret, timeout: 5_000 };
 * ```
 */
export interface AuthenteqClientOptions {
  clientID: string;
  clientSecret: string;
  /** Default: the production token URL. */
  tokenURL?: string;
  /** Default: the production details URL. */
  detailsURL?: string;
  /** Default `'authorization_code'` (the doc's curl example); `'authorizationCode'` is the parameter list's spelling. */
  grantType?: AuthenteqGrantType;
  /** Milliseconds per call. Default 10,000. */
  timeout?: number;
  /**
   * Accept a plain `http:` URL for the provider on a host other than this machine (`localhost`, `127.0.0.0/8` and `::1`
   * are always accepted). Default `false`: http would carry keys, tokens and identity data in clear. For a test setup
   * only.
   */
  allowInsecureHTTP?: boolean;
}

/**
 * The two server-side calls of Authenteq Web KYC: code → token (multipart, never retried: a code is single-use)
 * and token → details (Bearer, shape-checked). Every call goes through core's `providerRequest`, so failures are
 * typed `ProviderError`s (502, or 504 for a timeout) with no secret in their messages.
 *
 * @example
 * ```ts
 * const client = new AuthenteqClient({ clientID, clientSecret });
 * const token = await client.exchangeCode(code, 'https://app.example/auth/authenteq/callback');
 * const { details } = await client.getDetails(token);
 * ```
 */
export class AuthenteqClient {
  readonly #clientID: string;
  readonly #clientSecret: string;
  readonly #tokenURL: string;
  readonly #detailsURL: string;
  readonly #grantType: AuthenteqGrantType;
  readonly #timeout: number;

  constructor(options: AuthenteqClientOptions) {
    if (!isRecord(options)) invalidOption('AuthenteqClient needs an options object');
    const { clientID, clientSecret, tokenURL = AUTHENTEQ_TOKEN_URL, detailsURL = AUTHENTEQ_DETAILS_URL } = options;
    const { grantType = 'authorization_code', timeout = 10_000 } = options;
    if (typeof clientID !== 'string' || clientID === '') invalidOption('clientID must be a non-empty string');
    if (typeof clientSecret !== 'string' || clientSecret === '')
      invalidOption('clientSecret must be a non-empty string');
    assertProviderURL(tokenURL, 'tokenURL', options.allowInsecureHTTP);
    assertProviderURL(detailsURL, 'detailsURL', options.allowInsecureHTTP);
    if (grantType !== 'authorization_code' && grantType !== 'authorizationCode') {
      invalidOption("grantType must be 'authorization_code' or 'authorizationCode'");
    }
    assertTimeout(timeout);
    this.#clientID = clientID;
    this.#clientSecret = clientSecret;
    this.#tokenURL = tokenURL;
    this.#detailsURL = detailsURL;
    this.#grantType = grantType;
    this.#timeout = timeout;
  }

  /**
   * Exchanges an authorization code for a token: one multipart POST with the documented camelCase fields, never
   * retried. Rejects with a `ProviderStatusError` (e.g. `upstreamStatus` 400 for a reused code), a
   * `ProviderTimeoutError` or a `ProviderResponseError` when the answer has no `token`.
   */
  async exchangeCode(code: string, redirectURI: string): Promise<string> {
    const { body } = await providerRequest({
      provider: 'authenteq',
      operation: 'token',
      method: 'POST',
      url: this.#tokenURL,
      multipart: {
        grantType: this.#grantType,
        code,
        redirectUri: redirectURI,
        clientId: this.#clientID,
        clientSecret: this.#clientSecret,
      },
      timeout: this.#timeout,
      retries: 0,
      parse: (json) => requireString(json, 'token'),
    });
    return body;
  }

  /**
   * Reads the identity details with the token (valid 15 minutes after it was issued). The answer is checked:
   * `details` must hold the document number, issuing country, document type, names and valid `YYYY-MM-DD` birth
   * and expiry dates, else a `ProviderResponseError`. A GET, so network errors and 5xx are retried within the
   * deadline; a 401 (window passed) is not.
   */
  async getDetails(token: string): Promise<AuthenteqDetailsResponse> {
    const { body } = await providerRequest({
      provider: 'authenteq',
      operation: 'details',
      method: 'GET',
      url: this.#detailsURL,
      headers: { authorization: `Bearer ${token}` },
      timeout: this.#timeout,
      parse: parseDetailsResponse,
    });
    return body;
  }
}

/**
 * Shape-checks a `/v2/web-kyc/details` answer. Throws a `ShapeError` naming the first bad field (never its value).
 *
 * @example
 * ```ts
 * const { details } = parseDetailsResponse(JSON.parse(text));
 * ```
 */
export function parseDetailsResponse(json: unknown): AuthenteqDetailsResponse {
  const details = requireRecord(json, 'details');
  for (const field of ['documentNumber', 'issuingCountry', 'documentType', 'surname']) requireString(details, field);
  if (typeof details.givenNames !== 'string') throw new ShapeError('details.givenNames is not a string');
  for (const field of ['dateOfBirth', 'dateOfExpiry']) {
    if (!parseDate(details[field])) throw new ShapeError(`details.${field} is not a YYYY-MM-DD date`);
  }
  for (const field of ['nationality', 'dateOfIssue', 'sex']) {
    const value = details[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new ShapeError(`details.${field} is not a string`);
    }
  }
  const result: AuthenteqDetailsResponse = { details: details as AuthenteqDetails };
  const docs = isRecord(json) ? json.croppedDocs : undefined;
  if (isRecord(docs)) {
    result.croppedDocs = {};
    if (typeof docs.front === 'string') result.croppedDocs.front = docs.front;
    if (typeof docs.back === 'string') result.croppedDocs.back = docs.back;
  }
  return result;
}
