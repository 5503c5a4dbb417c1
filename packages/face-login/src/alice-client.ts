import {
  type Clock,
  InvalidArgumentError,
  MemoryStore,
  ProviderStatusError,
  type Store,
  systemClock,
} from '@passport-idv/core';
import {
  assertClock,
  assertProviderURL,
  assertStore,
  assertTimeout,
  createLogger,
  invalidOption,
  isRecord,
  type MultipartFile,
  type ProviderRequest,
  providerRequest,
  requireString,
  secondsOption,
  storeCall,
} from '@passport-idv/core/internal';
import { PIN_TTL_MS } from './enrollment-pin.js';
import {
  type AliceAuthentication,
  type AliceAuthenticationList,
  type AliceReport,
  type AliceResultVersion,
  parseAuthentication,
  parseAuthenticationList,
  parseReport,
} from './results.js';
import { type AliceTokenKind, accountPrefix, TokenCache } from './token-cache.js';

/** The production API (docs/providers/alice.md). The sandbox of the real provider is `https://apis.sandbox.alicebiometrics.com/onboarding`. */
export const ALICE_BASE_URL = 'https://apis.alicebiometrics.com/onboarding';

const log = createLogger('alice');

/** Options of {@link AliceClient}. */
export interface AliceClientOptions {
  /** Your Alice Onboarding API key. It is sent only to `/login_token`. */
  apiKey: string;
  /** The API base URL. Default: production, {@link ALICE_BASE_URL}. */
  baseURL?: string;
  /** Send `Cache-Control: use-cache` on token requests (the API may then hand back a token with ≥ 30 min left). Default `false`. */
  useCache?: boolean;
  /** Milliseconds for each call, retries included. Default 10,000. */
  timeout?: number;
  /**
   * Accept a plain `http:` URL for the API (`baseURL`) on a host other than this machine (`localhost`, `127.0.0.0/8` and `::1`
   * are always accepted). Default `false`: http would carry keys, tokens and identity data in clear. For a test setup
   * only.
   */
  allowInsecureHTTP?: boolean;
  /**
   * Where tokens are cached, per kind and per user. Default: a {@link MemoryStore} on `clock`. Use a RedisStore for
   * several instances: they then share the tokens, and one instance fetches a token while the others wait for it.
   */
  tokenStore?: Store;
  /** The report version asked for by {@link AliceClient.getReport}. Default `1`. */
  reportVersion?: AliceResultVersion;
  /** The authentication result version asked for by {@link AliceClient.getAuthentication}. Default `1`. */
  authenticationVersion?: AliceResultVersion;
  /** Seconds before `exp` at which a cached token is refreshed. Default 300. */
  refreshMargin?: number;
  /** The clock that decides token expiry. Default: the system clock. */
  clock?: Clock;
}

/** Fields of {@link AliceClient.createUser}; all optional. */
export interface AliceUserFields {
  email?: string;
  firstName?: string;
  lastName?: string;
}

/** A selfie video to upload. */
export interface AliceMedia {
  data: Uint8Array;
  /** Default `selfie.mp4`. */
  filename?: string;
  /** Default `video/mp4`. */
  contentType?: string;
}

/**
 * A client of Alice Onboarding for the login use case: users, selfies, reports, authorization, authentications,
 * and the four kinds of token behind them. Tokens are cached per kind and per user in `tokenStore`, refreshed
 * `refreshMargin` before their `exp`, fetched once however many callers wait, and a token the API refuses (401) is
 * dropped and the call retried once. Only {@link AliceClient.getUserToken} hands a token out: the LOGIN_TOKEN,
 * BACKEND_TOKEN and BACKEND_TOKEN_WITH_USER_ID never leave this object.
 *
 * @example
 * ```ts
 * const alice = new AliceClient({ apiKey: process.env.ALICE_API_KEY! });
 * const userId = await alice.createUser({ email: 'ana@example.com' });
 * const userToken = await alice.getUserToken(userId); // for the browser SDK
 * const report = await alice.getReport(userId);        // { version: 1, faceLiveness: 92.5, ... }
 * ```
 */
export class AliceClient {
  /** The API base URL, without a trailing slash. */
  readonly baseURL: string;
  readonly #apiKey: string;
  readonly #useCache: boolean;
  readonly #timeout: number;
  readonly #reportVersion: AliceResultVersion;
  readonly #authenticationVersion: AliceResultVersion;
  readonly #tokens: TokenCache;
  readonly #store: Store;
  readonly #pinPrefix: string;

  constructor(options: AliceClientOptions) {
    if (!isRecord(options)) invalidOption('AliceClient needs an options object');
    const { apiKey, baseURL = ALICE_BASE_URL, useCache = false, timeout = 10_000, refreshMargin = 300 } = options;
    const clock = options.clock ?? systemClock;
    if (typeof apiKey !== 'string' || apiKey.length === 0) invalidOption('apiKey must be a non-empty string');
    assertProviderURL(baseURL, 'baseURL', options.allowInsecureHTTP);
    assertTimeout(timeout);
    const marginMs = secondsOption(refreshMargin, 'refreshMargin', { min: 0, max: 1_799 });
    for (const key of ['reportVersion', 'authenticationVersion'] as const) {
      const value = options[key];
      if (value !== undefined && value !== 0 && value !== 1) invalidOption(`${key} must be 0 or 1`);
    }
    assertClock(clock);
    const tokenStore = options.tokenStore ?? new MemoryStore({ clock });
    assertStore(tokenStore, 'tokenStore', ['get', 'set', 'add', 'delete']);
    const account = `${baseURL.replace(/\/+$/, '')} ${apiKey}`;
    this.baseURL = baseURL.replace(/\/+$/, '');
    this.#apiKey = apiKey;
    this.#useCache = useCache === true;
    this.#timeout = timeout;
    this.#reportVersion = options.reportVersion ?? 1;
    this.#authenticationVersion = options.authenticationVersion ?? 1;
    this.#store = tokenStore;
    this.#pinPrefix = `${accountPrefix(account)}approved-selfie:`;
    this.#tokens = new TokenCache({
      store: tokenStore,
      clock,
      marginMs,
      account,
      fetch: (kind, userId) => this.#fetchToken(kind, userId),
      // A user token's fetch may wait for a LOGIN_TOKEN first: two calls, each within `timeout`.
      lockMs: 2 * timeout + 1_000,
    });
  }

  /**
   * Creates a user (`POST /user`, BACKEND_TOKEN) and returns its id.
   *
   * @example
   * ```ts
   * const userId = await alice.createUser({ email: 'ana@example.com' });
   * ```
   */
  async createUser(fields: AliceUserFields = {}): Promise<string> {
    const multipart: Record<string, string> = {};
    if (fields.email) multipart.email = fields.email;
    if (fields.firstName) multipart.first_name = fields.firstName;
    if (fields.lastName) multipart.last_name = fields.lastName;
    return this.#call('BACKEND_TOKEN', undefined, 'create_user', 'POST', '/user', {
      multipart,
      parse: (body) => requireString(body, 'user_id'),
    });
  }

  /** Deletes a user and its data (`DELETE /user`). @example `await alice.deleteUser(userId);` */
  async deleteUser(userId: string): Promise<void> {
    await this.#call(backendUser, userId, 'delete_user', 'DELETE', '/user', { responseType: 'none' });
  }

  /** The user's status object (`GET /user/status`, `{"user": {...}}`). @example `const user = await alice.getUserStatus(userId);` */
  async getUserStatus(userId: string): Promise<Record<string, unknown>> {
    return this.#call('USER_TOKEN', userId, 'user_status', 'GET', '/user/status', {
      parse: (body) => (isRecord(body) && isRecord(body.user) ? body.user : undefined),
    });
  }

  /**
   * Uploads a selfie from the server (`POST /user/selfie`); browsers normally do this with the client SDK.
   *
   * @example
   * ```ts
   * await alice.addSelfie(userId, { data: videoBytes, filename: 'selfie.webm', contentType: 'video/webm' });
   * ```
   */
  async addSelfie(userId: string, media: AliceMedia): Promise<void> {
    await this.#call('USER_TOKEN', userId, 'selfie', 'POST', '/user/selfie', {
      multipart: { video: file(media) },
      responseType: 'none',
    });
  }

  /** Voids the user's current selfie (`PATCH /user/selfie`), so the user enrolls again. @example `await alice.voidSelfie(userId);` */
  async voidSelfie(userId: string): Promise<void> {
    await this.#call(backendUser, userId, 'void_selfie', 'PATCH', '/user/selfie', { responseType: 'none' });
  }

  /**
   * The user's report (`GET /user/report` with `Alice-Report-Version`), with the selfie liveness on 0–100.
   *
   * @example
   * ```ts
   * const { faceLiveness } = await alice.getReport(userId); // null when there is no valid selfie
   * ```
   */
  async getReport(userId: string, options: { version?: AliceResultVersion } = {}): Promise<AliceReport> {
    const version = options.version ?? this.#reportVersion;
    return this.#call(backendUser, userId, 'report', 'GET', '/user/report', {
      headers: { 'alice-report-version': String(version) },
      parse: (body) => parseReport(body, version),
    });
  }

  /**
   * Allows the user to log in with the face (`POST /user/authentication/enable`, the SDKs' name since 2023 for the
   * docs' older `POST /user/authorize`).
   *
   * @example
   * ```ts
   * await alice.authorizeUser(userId);
   * ```
   */
  async authorizeUser(userId: string): Promise<void> {
    await this.#call(backendUser, userId, 'authorize', 'POST', '/user/authentication/enable', { responseType: 'none' });
  }

  /**
   * Records `selfieId` as the selfie approved for this user's face login, in `tokenStore` (so every instance sharing
   * it sees the record). `reviewEnrollment` calls it before it authorizes the user; `FaceLoginStrategy` then refuses a
   * login once the provider matches against any other face.
   *
   * @example
   * ```ts
   * await alice.approveSelfie(userId, report.selfies[0].id);
   * ```
   */
  async approveSelfie(userId: string, selfieId: string): Promise<void> {
    assertUserId(userId);
    if (typeof selfieId !== 'string' || selfieId.length === 0)
      throw new InvalidArgumentError('selfieId must be a non-empty string');
    await storeCall(() => this.#store.set(`${this.#pinPrefix}${userId}`, { selfieId }, PIN_TTL_MS));
  }

  /**
   * The selfie {@link AliceClient.approveSelfie} recorded for this user, or `undefined` if none was.
   *
   * @example
   * ```ts
   * const approved = await alice.approvedSelfie(userId); // 'f3c1…' or undefined
   * ```
   */
  async approvedSelfie(userId: string): Promise<string | undefined> {
    assertUserId(userId);
    const pin = await storeCall(() => this.#store.get<{ selfieId?: unknown }>(`${this.#pinPrefix}${userId}`));
    return typeof pin?.selfieId === 'string' ? pin.selfieId : undefined;
  }

  /**
   * A USER_TOKEN for the browser or mobile SDK of this user: the only token that may leave the server. It is cached
   * like the others, so repeated calls cost nothing until it nears its expiry. With `validFor` (seconds), the token
   * has at least that long left: a cached one that expires sooner is replaced by a fresh one.
   *
   * @example
   * ```ts
   * res.json({ userToken: await alice.getUserToken(userId, { validFor: 300 }) });
   * ```
   */
  async getUserToken(userId: string, options: { validFor?: number } = {}): Promise<string> {
    assertUserId(userId);
    const { validFor = 0 } = options;
    if (!(Number.isFinite(validFor) && validFor >= 0 && validFor <= 3_600)) {
      throw new RangeError('validFor must be a number of seconds from 0 to 3600');
    }
    return this.#tokens.get('USER_TOKEN', userId, validFor * 1000);
  }

  /**
   * Authenticates from the server (`POST /user/authenticate`) and returns the authentication id; browsers normally
   * do this with the client SDK.
   *
   * @example
   * ```ts
   * const authenticationId = await alice.authenticate(userId, { data: videoBytes });
   * ```
   */
  async authenticate(userId: string, media: AliceMedia): Promise<string> {
    return this.#call('USER_TOKEN', userId, 'authenticate', 'POST', '/user/authenticate', {
      multipart: { video: file(media) },
      parse: (body) => requireString(body, 'authentication_id'),
    });
  }

  /**
   * One authentication of the user (`GET /user/authentication/{id}` with `Alice-Authentication-Version`), scores on
   * 0–100 whatever the version.
   *
   * @example
   * ```ts
   * const { liveness, matching, createdAt } = await alice.getAuthentication(userId, authenticationId);
   * ```
   */
  async getAuthentication(
    userId: string,
    authenticationId: string,
    options: { version?: AliceResultVersion } = {},
  ): Promise<AliceAuthentication> {
    const version = options.version ?? this.#authenticationVersion;
    return this.#call(
      backendUser,
      userId,
      'authentication',
      'GET',
      `/user/authentication/${encodeURIComponent(authenticationId)}`,
      {
        headers: { 'alice-authentication-version': String(version) },
        parse: (body) => parseAuthentication(body, version, authenticationId),
      },
    );
  }

  /**
   * The user's authentications, newest first by default (`GET /user/authentications`).
   *
   * @example
   * ```ts
   * const { authentications, total } = await alice.listAuthentications(userId, { pageSize: 10 });
   * ```
   */
  async listAuthentications(
    userId: string,
    options: { page?: number; pageSize?: number; descending?: boolean } = {},
  ): Promise<AliceAuthenticationList> {
    const query = new URLSearchParams({
      page: String(options.page ?? 1),
      page_size: String(options.pageSize ?? 10),
      descending: String(options.descending ?? true),
    });
    return this.#call(backendUser, userId, 'authentications', 'GET', `/user/authentications?${query}`, {
      parse: parseAuthenticationList,
    });
  }

  /** Calls the API with a token of `kind`; a 401 drops that token and retries once with a fresh one. */
  async #call<T>(
    kind: AliceTokenKind,
    userId: string | undefined,
    operation: string,
    method: ProviderRequest<T>['method'],
    path: string,
    extra: Pick<ProviderRequest<T>, 'headers' | 'multipart' | 'parse' | 'responseType'>,
  ): Promise<T> {
    if (userId !== undefined) assertUserId(userId);
    return this.#withToken(kind, userId, async (token) => {
      const { body } = await providerRequest<T>({
        provider: 'alice',
        operation,
        method,
        url: `${this.baseURL}${path}`,
        timeout: this.#timeout,
        ...extra,
        headers: { ...extra.headers, ...this.#headers(), authorization: `Bearer ${token}` },
      });
      return body;
    });
  }

  async #withToken<T>(kind: AliceTokenKind, userId: string | undefined, fn: (token: string) => Promise<T>): Promise<T> {
    const token = await this.#tokens.get(kind, userId);
    try {
      return await fn(token);
    } catch (error) {
      if (!(error instanceof ProviderStatusError) || error.upstreamStatus !== 401) throw error;
      log('%s refused (401): dropping the cached token and retrying once', kind);
      await this.#tokens.drop(kind, userId, token);
      return fn(await this.#tokens.get(kind, userId));
    }
  }

  /** The official SDKs send an `Alice-User-Agent` header (docs/providers/alice.md). */
  #headers(): Record<string, string> {
    return { 'alice-user-agent': 'passport-idv/face-login' };
  }

  /** Fetches a fresh token: the API key buys a LOGIN_TOKEN, which buys the others. */
  #fetchToken(kind: AliceTokenKind, userId: string | undefined): Promise<string> {
    const cache: Record<string, string> = this.#useCache ? { 'cache-control': 'use-cache' } : {};
    const parse = (body: unknown) => requireString(body, 'token');
    if (kind === 'LOGIN_TOKEN') {
      return providerRequest({
        provider: 'alice',
        operation: 'login_token',
        method: 'GET',
        url: `${this.baseURL}/login_token`,
        timeout: this.#timeout,
        headers: { ...this.#headers(), ...cache, apikey: this.#apiKey },
        parse,
      }).then((r) => r.body);
    }
    const path =
      kind === 'BACKEND_TOKEN'
        ? '/backend_token'
        : `/${kind === 'USER_TOKEN' ? 'user_token' : 'backend_token'}/${encodeURIComponent(userId ?? '')}`;
    const operation = kind.toLowerCase();
    return this.#withToken('LOGIN_TOKEN', undefined, async (login) => {
      const { body } = await providerRequest({
        provider: 'alice',
        operation,
        method: 'GET',
        url: `${this.baseURL}${path}`,
        timeout: this.#timeout,
        headers: { ...this.#headers(), ...cache, authorization: `Bearer ${login}` },
        parse,
      });
      return body;
    });
  }
}

const backendUser: AliceTokenKind = 'BACKEND_TOKEN_WITH_USER_ID';

function assertUserId(userId: string): void {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 200) {
    throw new InvalidArgumentError('userId must be a non-empty string');
  }
}

function file(media: AliceMedia): MultipartFile {
  return {
    data: media.data,
    filename: media.filename ?? 'selfie.mp4',
    contentType: media.contentType ?? 'video/mp4',
  };
}
