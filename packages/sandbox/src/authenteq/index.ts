import { randomBytes } from 'node:crypto';
import type { SandboxEnv } from '../env.js';
import type { Context } from '../router.js';
import { checkAuthorize, withParams } from './authorize.js';
import { registrationHint } from './dashboard-page.js';
import {
  type AuthenteqDetails,
  type AuthenteqIdentity,
  type AuthenteqIdentityId,
  PLACEHOLDER_JPEG,
  testIdentities,
} from './identities.js';
import { authorizePage, errorPage } from './pages.js';
import { sameSecret } from './secret.js';
import { submitForm } from './submit-form.js';

export type { AuthenteqDetails, AuthenteqIdentity, AuthenteqIdentityId } from './identities.js';

/**
 * Options of the Authenteq emulator (`startSandbox({ authenteq })`).
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox({ authenteq: { redirectURIs: ['http://127.0.0.1:3001/auth/authenteq/callback'] } });
 * ```
 */
export interface AuthenteqSandboxOptions {
  /** The client id. Default: `sandbox-client-` and random hex, new on every start (or derived from the `seed`). */
  clientID?: string;
  /** The client secret. Default: random, new on every start (or derived from the `seed`). */
  clientSecret?: string;
  /** Redirect URIs registered for the client, matched exactly. More can be added with `registerRedirectURI()`. */
  redirectURIs?: string[];
}

/**
 * The Authenteq Web KYC emulator, as `sandbox.authenteq`: the credentials and URLs an app needs, the registered
 * redirect URIs, the test identities and a shortcut that completes an identity check without a browser.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * sandbox.authenteq.registerRedirectURI('http://127.0.0.1:3001/auth/authenteq/callback');
 * const res = await agent.get('/auth/authenteq'); // the app redirects to sandbox.authenteq.authorizationURL
 * const callback = await sandbox.authenteq.complete(res.headers.location, 'adult');
 * await agent.get(new URL(callback).pathname + new URL(callback).search);
 * ```
 */
export interface AuthenteqSandbox {
  clientID: string;
  clientSecret: string;
  /** `${url}/authenteq/authorize`: the identity check page. */
  authorizationURL: string;
  /** `${url}/authenteq/v2/web-kyc/token`: code → token (multipart). */
  tokenURL: string;
  /** `${url}/authenteq/v2/web-kyc/details`: token → identity details. */
  detailsURL: string;
  /** The registered redirect URIs (a copy). */
  readonly redirectURIs: string[];
  /** Registers one more redirect URI (matched exactly). */
  registerRedirectURI(uri: string): void;
  /** The test identities the `/authorize` page offers, with their details as of the sandbox clock's now. */
  readonly identities: AuthenteqIdentity[];
  /**
   * Completes the identity check at `authorizeURL` (where the app redirected the browser) as a person would on the
   * page: the request goes through the same checks, and the URL the browser would be sent back to is returned
   * (`redirect_uri?code=...&state=...`, or `?error=access_denied&state=...` for `'cancel'`). Rejects with the page's
   * message if the sandbox refuses the request (unknown client, unregistered redirect URI...).
   */
  complete(authorizeURL: string, choice: AuthenteqIdentityId | 'cancel'): Promise<string>;
}

/** How long a code can be exchanged. Undocumented [I]: RFC 6749 §4.1.2 recommends at most 10 minutes. */
const CODE_TTL_MS = 10 * 60_000;
/** "We store the data only for 15 min" after the token is issued (docs/providers/authenteq.md). */
const DETAILS_WINDOW_MS = 15 * 60_000;
/** The doc gives both spellings (the curl example and the parameter list): both are accepted. */
const GRANT_TYPES = new Set(['authorization_code', 'authorizationCode']);

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  details: AuthenteqDetails;
  expiresAt: number;
  used: boolean;
  /** The token issued for it, revoked if the code is replayed (RFC 6749 §4.1.2). */
  token?: string;
}

interface TokenRecord {
  details: AuthenteqDetails;
  issuedAt: number;
  revoked: boolean;
}

/**
 * Mounts the Authenteq Web KYC emulator under `${env.url}/authenteq` (`startSandbox()` does this).
 *
 * @example
 * ```ts
 * const authenteq = mountAuthenteq({ router, clock, requests, url }, { redirectURIs: [callbackURL] });
 * ```
 */
export function mountAuthenteq(env: SandboxEnv, options: AuthenteqSandboxOptions = {}): AuthenteqSandbox {
  const base = `${env.url}/authenteq`;
  const clientID = options.clientID ?? `sandbox-client-${randomBytes(4).toString('hex')}`;
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const redirectURIs = new Set(options.redirectURIs ?? []);
  const codes = new Map<string, CodeRecord>();
  const tokens = new Map<string, TokenRecord>();
  const client = { clientId: clientID, redirectURIs };

  const identities = () => testIdentities(env.clock.now());

  // Undocumented [I]: the error body of the token and details endpoints. Modelled on the newer Web IDV API's
  // `{errorCode, errorMessage}`; clients must not depend on it.
  const apiError = (ctx: Context, status: number, errorCode: string, errorMessage: string) =>
    ctx.send(status, { errorCode, errorMessage });

  const authorize = (ctx: Context, params: URLSearchParams, identityChoice?: string) => {
    const check = checkAuthorize(params, client);
    if (!check.ok) {
      const hint = check.unregistered === undefined ? '' : registrationHint(env.url, 'web-kyc', check.unregistered);
      ctx.html(400, errorPage(check.message, hint));
      return;
    }
    const { request } = check;
    if (identityChoice === undefined) {
      ctx.html(200, authorizePage(request, `${base}/authorize`, identities()));
      return;
    }
    if (identityChoice === 'cancel') {
      // Undocumented [I]: a cancelled check answers the OAuth way, error=access_denied with the state.
      ctx.redirect(withParams(request.redirectUri, { error: 'access_denied', state: request.state }));
      return;
    }
    const identity = identities().find((candidate) => candidate.id === identityChoice);
    if (!identity) {
      ctx.html(400, errorPage('Choose one of the test identities on the page.'));
      return;
    }
    const code = randomBytes(20).toString('hex');
    codes.set(code, {
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      details: identity.details,
      expiresAt: env.clock.now() + CODE_TTL_MS,
      used: false,
    });
    ctx.redirect(withParams(request.redirectUri, { code, state: request.state }));
  };

  env.router.add('GET', '/authenteq/authorize', 'authenteq.authorize', (ctx) => {
    authorize(ctx, ctx.url.searchParams);
  });

  env.router.add('POST', '/authenteq/authorize', 'authenteq.authorize_submit', async (ctx) => {
    const form = await ctx.form();
    authorize(ctx, form, form.get('identity') ?? '');
  });

  env.router.add('POST', '/authenteq/v2/web-kyc/token', 'authenteq.token', async (ctx) => {
    const body = await ctx.multipart();
    if (!body) return apiError(ctx, 400, 'INVALID_REQUEST', 'The body must be multipart/form-data.');
    const { grantType, code, redirectUri, clientId, clientSecret: secret } = body.fields;
    if (secret === undefined || clientId === undefined) {
      return apiError(ctx, 401, 'INVALID_CLIENT', 'clientId and clientSecret are required.');
    }
    if (clientId !== clientID || !sameSecret(secret, clientSecret)) {
      ctx.credential('invalid');
      return apiError(ctx, 401, 'INVALID_CLIENT', 'Unknown client or wrong client secret.');
    }
    ctx.credential('client_secret');
    if (grantType === undefined || !GRANT_TYPES.has(grantType)) {
      return apiError(ctx, 400, 'UNSUPPORTED_GRANT_TYPE', 'grantType must be authorization_code.');
    }
    if (!code || !redirectUri) return apiError(ctx, 400, 'INVALID_REQUEST', 'code and redirectUri are required.');
    const record = codes.get(code);
    if (!record || record.clientId !== clientId) return apiError(ctx, 400, 'INVALID_GRANT', 'Unknown code.');
    if (record.used) {
      // "You can exchange the code only once! If you try again the endpoint will return an error."
      if (record.token) {
        const issued = tokens.get(record.token);
        if (issued) issued.revoked = true;
      }
      return apiError(ctx, 400, 'INVALID_GRANT', 'The code has already been used.');
    }
    record.used = true; // any exchange attempt by the client spends the code, successful or not
    if (record.expiresAt <= env.clock.now()) return apiError(ctx, 400, 'INVALID_GRANT', 'The code has expired.');
    if (record.redirectUri !== redirectUri) {
      return apiError(ctx, 400, 'INVALID_GRANT', 'redirectUri differs from the one the code was issued for.');
    }
    const token = randomBytes(32).toString('base64url');
    record.token = token;
    tokens.set(token, { details: record.details, issuedAt: env.clock.now(), revoked: false });
    ctx.send(200, { token });
  });

  env.router.add('GET', '/authenteq/v2/web-kyc/details', 'authenteq.details', (ctx) => {
    const match = /^Bearer ([^\s]+)$/.exec(ctx.req.headers.authorization ?? '');
    if (!match?.[1]) return apiError(ctx, 401, 'UNAUTHORIZED', 'A Bearer token is required.');
    const record = tokens.get(match[1]);
    if (!record || record.revoked) {
      ctx.credential('invalid');
      return apiError(ctx, 401, 'UNAUTHORIZED', 'Unknown or revoked token.');
    }
    ctx.credential('authenteq_token');
    if (env.clock.now() - record.issuedAt >= DETAILS_WINDOW_MS) {
      return apiError(ctx, 401, 'UNAUTHORIZED', 'The details are kept 15 minutes after the token is issued.');
    }
    ctx.send(200, { croppedDocs: { front: PLACEHOLDER_JPEG, back: PLACEHOLDER_JPEG }, details: record.details });
  });

  return {
    clientID,
    clientSecret,
    authorizationURL: `${base}/authorize`,
    tokenURL: `${base}/v2/web-kyc/token`,
    detailsURL: `${base}/v2/web-kyc/details`,
    get redirectURIs() {
      return [...redirectURIs];
    },
    registerRedirectURI(uri: string) {
      if (typeof uri !== 'string' || !URL.canParse(uri)) throw new TypeError('a redirect URI must be an absolute URL');
      redirectURIs.add(uri);
    },
    get identities() {
      return identities();
    },
    async complete(authorizeURL: string, choice: AuthenteqIdentityId | 'cancel') {
      const url = new URL(authorizeURL);
      const form = new URLSearchParams(url.searchParams);
      form.set('identity', choice);
      return submitForm(`${url.origin}${url.pathname}`, form, 'the sandbox refused the identity check');
    },
  };
}
