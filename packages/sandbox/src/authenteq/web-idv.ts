import type { SandboxEnv } from '../env.js';
import { submitForm } from './submit-form.js';
import { mountWebIdvApi } from './web-idv-api.js';
import { type AuthenteqWebIdvClient, type AuthenteqWebIdvClientOptions, WebIdvClients } from './web-idv-clients.js';
import {
  type AuthenteqWebIdvIdentity,
  type AuthenteqWebIdvIdentityId,
  webIdvIdentities,
} from './web-idv-identities.js';
import type { AuthenteqWebIdvError, AuthenteqWebIdvVerification, WebIdvState } from './web-idv-state.js';
import { mountWebIdvVerify } from './web-idv-verify.js';
import {
  type AuthenteqWebhookSignature,
  type AuthenteqWebhooks,
  WEBHOOK_SIGNATURES,
  WebIdvWebhooks,
} from './web-idv-webhooks.js';

export type { AuthenteqWebIdvError, AuthenteqWebIdvVerification } from './web-idv-state.js';

/**
 * Options of the Web IDV emulator (`startSandbox({ authenteqWebIdv })`): the default client's keys and URLs, and
 * the behaviours Authenteq leaves undocumented.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox({
 *   authenteqWebIdv: { redirectURLs: ['http://127.0.0.1:3001/auth/idv/callback'], codeTTL: 60 },
 * });
 * ```
 */
export interface AuthenteqWebIdvSandboxOptions extends AuthenteqWebIdvClientOptions {
  /** Seconds a code can be used, on the sandbox clock. Default 600 (undocumented). */
  codeTTL?: number;
  /** The answer for an unknown, used or expired code (undocumented). Default `400 INVALID_REQUEST_PARAMETER`. */
  invalidCodeError?: AuthenteqWebIdvError;
  /** How `X-SIGNATURE` is computed. Default `'sha256-body-secret'`, the documented rule read literally. */
  webhookSignature?: AuthenteqWebhookSignature;
  /** Real milliseconds a webhook has to answer before the attempt counts as failed. Default 10 000. */
  webhookTimeout?: number;
}

/**
 * The Authenteq Web IDV emulator, as `sandbox.authenteqWebIdv`: the default client (its keys, redirect URLs and
 * webhook URL), the base URL that stands for `https://api.app.authenteq.com`, more clients, the test identities, a
 * shortcut that completes a verification without a browser, and the webhook log.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * sandbox.authenteqWebIdv.registerRedirectURL('http://127.0.0.1:3001/auth/idv/callback');
 * const res = await agent.get('/auth/idv'); // the app redirects to the verificationUrl it was given
 * const back = await sandbox.authenteqWebIdv.complete(res.headers.location, 'adult'); // callback?…&code=…
 * ```
 */
export interface AuthenteqWebIdvSandbox extends AuthenteqWebIdvClient {
  /** `<sandbox url>/authenteq-web-idv`: the API base (`/web-idv/…`, `/export/…`) and the verification page. */
  baseURL: string;
  /** Every client, the default one first. */
  readonly clients: AuthenteqWebIdvClient[];
  /** Adds a client (another account), e.g. to try a code issued to someone else. */
  addClient(options?: AuthenteqWebIdvClientOptions): AuthenteqWebIdvClient;
  /** The test identities the verification page offers, dated from the sandbox clock. */
  readonly identities: AuthenteqWebIdvIdentity[];
  /** Every verification started, oldest first (copies). */
  readonly verifications: AuthenteqWebIdvVerification[];
  /**
   * Completes the verification at `verificationUrl` as a person would on the page, and resolves to the URL the
   * browser is sent back to: `redirectUrl` with `code` for an identity, `redirectUrl` unchanged for `'cancel'` and
   * `'fail'`. Rejects with the page's message if the link is unknown, expired or already used.
   */
  complete(verificationUrl: string, choice: AuthenteqWebIdvIdentityId | 'cancel' | 'fail'): Promise<string>;
  /** The webhook deliveries, what is still due, and the signature rule. */
  webhooks: AuthenteqWebhooks;
}

/** Throws a `TypeError` for options the emulator cannot run with (before the sandbox starts listening). */
export function assertWebIdvOptions(options: AuthenteqWebIdvSandboxOptions = {}): void {
  const { codeTTL, invalidCodeError, webhookSignature, webhookTimeout } = options;
  if (codeTTL !== undefined && !(Number.isFinite(codeTTL) && codeTTL > 0)) {
    throw new TypeError('authenteqWebIdv.codeTTL must be a positive number of seconds');
  }
  if (invalidCodeError !== undefined && !(invalidCodeError.status >= 400 && invalidCodeError.status <= 599)) {
    throw new TypeError('authenteqWebIdv.invalidCodeError.status must be an HTTP error status');
  }
  if (webhookSignature !== undefined && !WEBHOOK_SIGNATURES.includes(webhookSignature)) {
    throw new TypeError(`authenteqWebIdv.webhookSignature must be one of ${WEBHOOK_SIGNATURES.join(', ')}`);
  }
  if (webhookTimeout !== undefined && !(Number.isFinite(webhookTimeout) && webhookTimeout > 0)) {
    throw new TypeError('authenteqWebIdv.webhookTimeout must be a positive number of milliseconds');
  }
}

/**
 * Mounts the Authenteq Web IDV emulator under `${env.url}/authenteq-web-idv` (`startSandbox()` does this). Returns
 * the public face and a `close()` that stops the webhook retries.
 */
export function mountAuthenteqWebIdv(
  env: SandboxEnv,
  options: AuthenteqWebIdvSandboxOptions = {},
): { sandbox: AuthenteqWebIdvSandbox; close(): void } {
  assertWebIdvOptions(options);
  const prefix = '/authenteq-web-idv';
  const baseURL = `${env.url}${prefix}`;
  const clients = new WebIdvClients();
  const main = clients.add(options);
  const webhooks = new WebIdvWebhooks(
    env.clock,
    options.webhookSignature ?? 'sha256-body-secret',
    options.webhookTimeout ?? 10_000,
  );
  const state: WebIdvState = {
    env,
    prefix,
    baseURL,
    clients,
    webhooks,
    verifications: new Map(),
    codes: new Map(),
    results: new Map(),
    codeTTLMs: (options.codeTTL ?? 600) * 1000,
    invalidCode: options.invalidCodeError ?? {
      status: 400,
      errorCode: 'INVALID_REQUEST_PARAMETER',
      errorMessage: 'Code is invalid or expired',
    },
    identities: () => webIdvIdentities(env.clock.now()),
  };
  mountWebIdvApi(state);
  mountWebIdvVerify(state);

  const view = webhooks.view();
  const sandbox: AuthenteqWebIdvSandbox = {
    clientID: main.clientID,
    clientSecret: main.clientSecret,
    baseURL,
    get redirectURLs() {
      return main.redirectURLs;
    },
    registerRedirectURL: (url) => main.registerRedirectURL(url),
    get webhookURL() {
      return main.webhookURL;
    },
    setWebhookURL: (url) => main.setWebhookURL(url),
    get active() {
      return main.active;
    },
    deactivate: () => main.deactivate(),
    activate: () => main.activate(),
    get clients() {
      return clients.list();
    },
    addClient: (clientOptions) => clients.add(clientOptions),
    get identities() {
      return state.identities();
    },
    get verifications() {
      return [...state.verifications.values()].map(
        ({ id, clientID, redirectUrl, flowSlug, multiDocument, outcome }) => ({
          id,
          clientID,
          redirectUrl,
          flowSlug,
          multiDocument,
          outcome,
        }),
      );
    },
    complete: (verificationUrl, choice) => submit(verificationUrl, choice),
    webhooks: view,
  };
  return { sandbox, close: () => webhooks.close() };
}

/** Posts the verification page's form, as the browser would, and returns where it redirects. */
async function submit(verificationUrl: string, choice: string): Promise<string> {
  const url = new URL(verificationUrl);
  const form = new URLSearchParams({ token: url.searchParams.get('token') ?? '', choice });
  return submitForm(`${url.origin}${url.pathname}`, form, 'the sandbox refused the verification');
}
