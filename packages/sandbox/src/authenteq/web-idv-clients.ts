import { randomBytes } from 'node:crypto';
import type { CredentialKind } from '../request-log.js';
import { basicCredentials, sameSecret } from './secret.js';

/**
 * Options of one Web IDV client (an Authenteq account's API keys, as on its dashboard's "API Keys" page).
 *
 * @example
 * ```ts
 * const other = sandbox.authenteqWebIdv.addClient({ redirectURLs: ['https://app.example/idv/callback'] });
 * ```
 */
export interface AuthenteqWebIdvClientOptions {
  /** Default: `sandbox-web-idv-` and random hex, new on every start. */
  clientID?: string;
  /** Default: random, new on every start. */
  clientSecret?: string;
  /** Registered redirect URLs (several are allowed, e.g. one per environment). */
  redirectURLs?: string[];
  /** Where passed verifications are POSTed. */
  webhookURL?: string;
}

/**
 * One Web IDV client of the sandbox: its API keys, registered redirect URLs, webhook URL and whether the account is
 * active. A plain object, so `{ ...client, baseURL, callbackURL }` can be handed to a strategy.
 *
 * @example
 * ```ts
 * const client = sandbox.authenteqWebIdv.addClient();
 * client.registerRedirectURL('https://app.example/idv/callback');
 * client.deactivate(); // every call with its keys now answers 403 ACCOUNT_DEACTIVATED
 * ```
 */
export interface AuthenteqWebIdvClient {
  readonly clientID: string;
  readonly clientSecret: string;
  /** The registered redirect URLs (a copy). */
  readonly redirectURLs: string[];
  /** Registers one more redirect URL: an absolute http(s) URL without a fragment. */
  registerRedirectURL(url: string): void;
  /** The webhook URL, if one is set. */
  readonly webhookURL: string | undefined;
  /** Sets (or, with `undefined`, removes) the webhook URL: an absolute http(s) URL. */
  setWebhookURL(url: string | undefined): void;
  /** `false` once deactivated. */
  readonly active: boolean;
  /** Deactivates the account: its calls answer `403 ACCOUNT_DEACTIVATED`. */
  deactivate(): void;
  /** Reactivates it. */
  activate(): void;
}

/** What a request's `Authorization` header proved. */
export type WebIdvAuth =
  | { ok: true; client: AuthenteqWebIdvClient }
  | { ok: false; status: 401 | 403; errorCode: string; errorMessage: string; credential: CredentialKind };

/** The documented 401/403 answers (docs/providers/authenteq.md, "Web IDV", "Errors"). */
const AUTH_ERRORS = {
  API_KEYS_MISSING: [401, 'No API Keys in the Authorization header'],
  API_KEYS_INVALID: [401, 'Invalid API Keys in the Authorization header'],
  BAD_API_KEYS: [401, 'Bad API Keys'],
  ACCOUNT_DEACTIVATED: [403, 'Account deactivated. Please contact your sales representative'],
} as const;

function authError(errorCode: keyof typeof AUTH_ERRORS, credential: CredentialKind): WebIdvAuth {
  const [status, errorMessage] = AUTH_ERRORS[errorCode];
  return { ok: false, status, errorCode, errorMessage, credential };
}

/** Throws a `TypeError` unless `url` is an absolute http(s) URL (without a fragment, when `noFragment`). */
export function assertHttpURL(url: unknown, what: string, noFragment = false): asserts url is string {
  if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new TypeError(`${what} must be an absolute http(s) URL`);
  }
  if (noFragment && url.includes('#')) throw new TypeError(`${what} must not have a fragment`);
}

/** The Web IDV clients the sandbox knows, and the Basic-auth check every API call goes through. */
export class WebIdvClients {
  readonly #clients = new Map<string, AuthenteqWebIdvClient>();

  /** Creates a client. Throws a `TypeError` for a taken client id or a bad URL. */
  add(options: AuthenteqWebIdvClientOptions = {}): AuthenteqWebIdvClient {
    const clientID = options.clientID ?? `sandbox-web-idv-${randomBytes(4).toString('hex')}`;
    const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
    if (clientID === '' || clientID.includes(':')) throw new TypeError('a client id is non-empty, without ":"');
    if (clientSecret === '') throw new TypeError('a client secret is non-empty');
    if (this.#clients.has(clientID)) throw new TypeError(`a client ${clientID} already exists`);
    const redirectURLs = new Set<string>();
    let webhookURL: string | undefined;
    let active = true;
    const client: AuthenteqWebIdvClient = {
      clientID,
      clientSecret,
      get redirectURLs() {
        return [...redirectURLs];
      },
      registerRedirectURL(url) {
        assertHttpURL(url, 'a redirect URL', true);
        redirectURLs.add(url);
      },
      get webhookURL() {
        return webhookURL;
      },
      setWebhookURL(url) {
        if (url !== undefined) assertHttpURL(url, 'a webhook URL');
        webhookURL = url;
      },
      get active() {
        return active;
      },
      deactivate() {
        active = false;
      },
      activate() {
        active = true;
      },
    };
    for (const url of options.redirectURLs ?? []) client.registerRedirectURL(url);
    if (options.webhookURL !== undefined) client.setWebhookURL(options.webhookURL);
    this.#clients.set(clientID, client);
    return client;
  }

  get(clientID: string): AuthenteqWebIdvClient | undefined {
    return this.#clients.get(clientID);
  }

  list(): AuthenteqWebIdvClient[] {
    return [...this.#clients.values()];
  }

  /**
   * Checks `Authorization: Basic base64(clientId:clientSecret)`. Inferred: which failure gets which documented code.
   * No header → `API_KEYS_MISSING`; not Basic, or no `id:secret` inside → `API_KEYS_INVALID`; unknown id or wrong
   * secret (compared in constant time) → `BAD_API_KEYS`; the right keys of a deactivated account →
   * `ACCOUNT_DEACTIVATED`.
   */
  authenticate(header: string | undefined): WebIdvAuth {
    if (header === undefined || header.trim() === '') return authError('API_KEYS_MISSING', 'none');
    const keys = basicCredentials(header);
    if (!keys) return authError('API_KEYS_INVALID', 'invalid');
    const client = this.#clients.get(keys.id);
    if (!client || !sameSecret(keys.secret, client.clientSecret)) {
      return authError('BAD_API_KEYS', 'invalid');
    }
    if (!client.active) return authError('ACCOUNT_DEACTIVATED', 'client_secret');
    return { ok: true, client };
  }
}
