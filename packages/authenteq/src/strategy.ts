import type { Clock } from '@passport-idv/core';
import {
  assertHttpURL,
  assertProviderURL,
  createLogger,
  invalidOption,
  isRecord,
  saveSession,
} from '@passport-idv/core/internal';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { AUTHENTEQ_DETAILS_URL, AUTHENTEQ_TOKEN_URL, AuthenteqClient } from './client.js';
import { AuthenteqAuthorizationError } from './errors.js';
import {
  AUTHENTEQ_AUTHORIZATION_URL,
  type AuthenteqAuthenticateOptions,
  type AuthenteqAuthInfo,
  type AuthenteqFailure,
  type AuthenteqFailureCode,
  type AuthenteqStrategyOptions,
  type AuthenteqStrategyOptionsWithRequest,
  type AuthenteqVerify,
  type AuthenteqVerifyWithRequest,
} from './options.js';
import { type AuthenteqPolicy, checkPolicy } from './policy.js';
import { toVerifiedIdentity, type VerifiedIdentity } from './profile.js';
import { StateKeeper } from './state-store.js';
import {
  errorTo,
  failWith,
  filterReturnTo,
  isClientError,
  queryOf,
  SHARED_FAILURES,
  sharedOptions,
  verifyAndFinish,
} from './strategy-parts.js';

const log = createLogger('authenteq');

const FAILURES: Record<AuthenteqFailureCode, { message: string; status: number }> = {
  ...SHARED_FAILURES,
  access_denied: { message: 'The identity check was cancelled.', status: 403 },
  code_missing: { message: 'The identity check did not complete. Please start again.', status: 400 },
  details_unavailable: { message: 'The identity check took too long to confirm. Please start again.', status: 403 },
};

/**
 * Passport strategy `'authenteq'`: sign users up with an identity document verified by Authenteq Web KYC (OAuth 2.0
 * authorization code). The first request redirects to the identity server with a fresh state; the callback checks
 * the state, exchanges the code once, reads the details, applies the policy and calls `verify` with a
 * {@link VerifiedIdentity}. `authenticate()` never throws: it ends in exactly one of redirect, fail, error, success.
 *
 * @example
 * ```ts
 * passport.use(new AuthenteqStrategy(
 *   { clientID, clientSecret, callbackURL: 'https://app.example/auth/authenteq/callback', policy: { minimumAge: 18 } },
 *   async (profile) => users.upsert(profile.id, { name: profile.displayName, birthDate: profile.birthDate }),
 * ));
 * app.get('/auth/authenteq', (req, res, next) =>
 *   passport.authenticate('authenteq', { returnTo: req.query.returnTo })(req, res, next));
 * app.get('/auth/authenteq/callback', passport.authenticate('authenteq', { failureRedirect: '/signup' }),
 *   (req, res) => res.redirect(req.authInfo?.returnTo ?? '/account'));
 * ```
 */
export class AuthenteqStrategy extends Strategy {
  // Plain (TypeScript-private) fields, not `#private` ones: Passport runs each request on `Object.create(strategy)`,
  // and `#private` members cannot be read through a prototype.
  /** `'authenteq'`. */
  name = 'authenteq';
  private readonly _client: AuthenteqClient;
  private readonly _states: StateKeeper;
  private readonly _verify: AuthenteqVerify | AuthenteqVerifyWithRequest;
  private readonly _passReqToCallback: boolean;
  /** The authorization URL with every parameter but `state`, built once. */
  private readonly _authorizePrefix: string;
  private readonly _callbackURL: string;
  private readonly _callbackOrigin: string;
  private readonly _policy: AuthenteqPolicy;
  private readonly _includeImages: boolean;
  private readonly _clock: Clock;

  constructor(options: AuthenteqStrategyOptionsWithRequest, verify: AuthenteqVerifyWithRequest);
  constructor(options: AuthenteqStrategyOptions, verify: AuthenteqVerify);
  constructor(
    options: AuthenteqStrategyOptions | AuthenteqStrategyOptionsWithRequest,
    verify: AuthenteqVerify | AuthenteqVerifyWithRequest,
  ) {
    super();
    if (!isRecord(options)) invalidOption('AuthenteqStrategy needs an options object');
    if (typeof verify !== 'function') invalidOption('AuthenteqStrategy needs a verify callback');
    const { authorizationURL = AUTHENTEQ_AUTHORIZATION_URL, scope = 'kyc' } = options;
    assertHttpURL(options.callbackURL, 'callbackURL');
    assertProviderURL(authorizationURL, 'authorizationURL', options.allowInsecureHTTP);
    if (typeof scope !== 'string' || scope === '') invalidOption('scope must be a non-empty string');
    if (options.backURL !== undefined) assertHttpURL(options.backURL, 'backURL');
    const { store, stateTTLMs, policy, includeImages, passReqToCallback, clock } = sharedOptions(options);
    this._client = new AuthenteqClient({
      clientID: options.clientID,
      clientSecret: options.clientSecret,
      tokenURL: options.tokenURL ?? AUTHENTEQ_TOKEN_URL,
      detailsURL: options.detailsURL ?? AUTHENTEQ_DETAILS_URL,
      grantType: options.grantType ?? 'authorization_code',
      timeout: options.timeout ?? 10_000,
      ...(options.allowInsecureHTTP === undefined ? {} : { allowInsecureHTTP: options.allowInsecureHTTP }),
    });
    this._states = new StateKeeper(store, stateTTLMs, clock);
    this._verify = verify;
    this._passReqToCallback = passReqToCallback;
    const authorize = new URL(authorizationURL);
    const params = new URLSearchParams(authorize.search);
    params.set('response_type', 'code');
    params.set('client_id', options.clientID);
    params.set('redirect_uri', options.callbackURL);
    params.set('scope', scope);
    if (options.backURL !== undefined) params.set('back_url', options.backURL);
    authorize.search = params.toString();
    authorize.hash = '';
    this._authorizePrefix = authorize.href;
    this._callbackURL = options.callbackURL;
    this._callbackOrigin = new URL(options.callbackURL).origin;
    this._policy = policy;
    this._includeImages = includeImages;
    this._clock = clock;
  }

  /** Called by Passport; starts the flow or handles the callback. Never throws. */
  override authenticate(req: Request, options: AuthenteqAuthenticateOptions = {}): void {
    const query = queryOf(req);
    const isCallback = ['code', 'state', 'error'].some((key) => query[key] !== undefined);
    const run = isCallback ? this._callback(req, query) : this._start(req, options);
    run.catch(errorTo(this));
  }

  private async _start(req: Request, options: AuthenteqAuthenticateOptions): Promise<void> {
    const state = await this._states.issue(req, filterReturnTo(options.returnTo, this._callbackOrigin));
    // The state is base64url: appended as is to the URL built once in the constructor.
    const url = `${this._authorizePrefix}&state=${state}`;
    // The state must be stored before the browser can come back with it.
    await saveSession(req);
    log('redirecting to the identity server');
    this.redirect(url);
  }

  private async _callback(req: Request, query: Record<string, unknown>): Promise<void> {
    const state = typeof query.state === 'string' && query.state !== '' ? query.state : undefined;
    if (query.error !== undefined) {
      // The state is spent whatever the error: a cancelled flow's callback cannot be replayed later.
      if (state !== undefined) await this._states.consume(req, state);
      if (query.error === 'access_denied') return this._fail('access_denied');
      const error = new AuthenteqAuthorizationError(typeof query.error === 'string' ? query.error : '');
      log('identity server answered error %s', error.oauthError);
      return this.error(error);
    }
    if (state === undefined) return this._fail('state_missing');
    const checked = await this._states.consume(req, state);
    if (!checked.ok) {
      log('state refused (%s)', checked.reason);
      return this._fail('state_invalid');
    }
    const code = typeof query.code === 'string' && query.code !== '' ? query.code : undefined;
    if (code === undefined) return this._fail('code_missing');

    let token: string;
    try {
      token = await this._client.exchangeCode(code, this._callbackURL);
    } catch (error) {
      if (isClientError(error)) return this._fail('code_rejected');
      throw error;
    }
    let profile: VerifiedIdentity;
    try {
      profile = toVerifiedIdentity(await this._client.getDetails(token), this._includeImages);
    } catch (error) {
      if (isClientError(error)) return this._fail('details_unavailable');
      throw error;
    }
    const refusal = checkPolicy(profile._json, this._policy, this._clock.now());
    if (refusal) {
      log('policy refused the identity (%s)', refusal.code);
      return this._fail(refusal.code, refusal.message);
    }
    const authInfo: AuthenteqAuthInfo = { provider: 'authenteq', returnTo: checked.entry.returnTo };
    await verifyAndFinish(this, this._verify, this._passReqToCallback, req, profile, authInfo);
  }

  /** Fails with an {@link AuthenteqFailure}. */
  private _fail(code: AuthenteqFailureCode, message?: string): void {
    failWith(this, FAILURES, code, message);
  }
}
