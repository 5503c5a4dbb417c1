import { assertHttpURL, createLogger, invalidOption, isRecord, saveSession } from '@passport-idv/core/internal';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import type { AuthenteqAuthenticateOptions, AuthenteqAuthInfo } from './options.js';
import { type AuthenteqPolicy, checkPolicy } from './policy.js';
import { toWebIdvVerifiedIdentity } from './profile.js';
import { StateKeeper } from './state-store.js';
import {
  errorTo,
  failWith,
  filterReturnTo,
  isClientError,
  queryOf,
  queryString,
  SHARED_FAILURES,
  sharedOptions,
  verifyAndFinish,
} from './strategy-parts.js';
import { AuthenteqWebIdvClient, assertWebIdvKeys } from './web-idv-client.js';
import type {
  AuthenteqWebIdvFailure,
  AuthenteqWebIdvFailureCode,
  AuthenteqWebIdvStrategyOptions,
  AuthenteqWebIdvStrategyOptionsWithRequest,
  AuthenteqWebIdvVerify,
  AuthenteqWebIdvVerifyWithRequest,
} from './web-idv-options.js';
import type { AuthenteqWebIdvResult } from './web-idv-result.js';

const log = createLogger('authenteq');

const FAILURES: Record<AuthenteqWebIdvFailureCode, { message: string; status: number }> = {
  ...SHARED_FAILURES,
  not_verified: { message: 'The identity check was cancelled or did not pass. Please start again.', status: 403 },
};

/**
 * Passport strategy `'authenteq-web-idv'`: sign users up with an identity document verified by Authenteq Web IDV,
 * the successor of Web KYC. The first request asks the provider for a verification URL (Basic auth) and redirects
 * there; Web IDV has no OAuth `state`, so the strategy's own one-time state rides in the redirect URL's query
 * (`callbackURL?state=…`), which Authenteq keeps. The callback checks the state, reads the result once with the code,
 * applies the policy and calls `verify` with a {@link VerifiedIdentity} built from the result's `documentData`.
 * `authenticate()` never throws: it ends in exactly one of redirect, fail, error, success.
 *
 * @example
 * ```ts
 * passport.use(new AuthenteqWebIdvStrategy(
 *   { clientID, clientSecret, callbackURL: 'https://app.example/auth/idv/callback', policy: { minimumAge: 18 } },
 *   async (profile) => users.upsert(profile.id, { name: profile.displayName, birthDate: profile.birthDate }),
 * ));
 * app.get('/auth/idv', passport.authenticate('authenteq-web-idv'));
 * app.get('/auth/idv/callback', passport.authenticate('authenteq-web-idv', { failureRedirect: '/signup' }),
 *   (req, res) => res.redirect(req.authInfo?.returnTo ?? '/account'));
 * ```
 */
export class AuthenteqWebIdvStrategy extends Strategy {
  // Plain fields, not `#private` ones: Passport runs each request on `Object.create(strategy)`.
  /** `'authenteq-web-idv'`. */
  name = 'authenteq-web-idv';
  private readonly _client: AuthenteqWebIdvClient;
  private readonly _states: StateKeeper;
  private readonly _verify: AuthenteqWebIdvVerify | AuthenteqWebIdvVerifyWithRequest;
  private readonly _passReqToCallback: boolean;
  private readonly _callbackURL: string;
  private readonly _callbackOrigin: string;
  private readonly _policy: AuthenteqPolicy;
  private readonly _includeImages: boolean;
  private readonly _now: () => number;

  constructor(options: AuthenteqWebIdvStrategyOptionsWithRequest, verify: AuthenteqWebIdvVerifyWithRequest);
  constructor(options: AuthenteqWebIdvStrategyOptions, verify: AuthenteqWebIdvVerify);
  constructor(
    options: AuthenteqWebIdvStrategyOptions | AuthenteqWebIdvStrategyOptionsWithRequest,
    verify: AuthenteqWebIdvVerify | AuthenteqWebIdvVerifyWithRequest,
  ) {
    super();
    if (!isRecord(options)) invalidOption('AuthenteqWebIdvStrategy needs an options object');
    if (typeof verify !== 'function') invalidOption('AuthenteqWebIdvStrategy needs a verify callback');
    assertWebIdvKeys(options);
    assertHttpURL(options.callbackURL, 'callbackURL');
    const callback = new URL(options.callbackURL);
    if (callback.hash !== '' || callback.searchParams.has('state') || callback.searchParams.has('code')) {
      invalidOption('callbackURL must have no fragment and no state or code parameter');
    }
    const { store, stateTTLMs, policy, includeImages, passReqToCallback, clock } = sharedOptions(options);
    this._client = new AuthenteqWebIdvClient({
      clientID: options.clientID,
      clientSecret: options.clientSecret,
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      ...(options.flowSlug === undefined ? {} : { flowSlug: options.flowSlug }),
      timeout: options.timeout ?? 10_000,
      // The client checks baseURL: https, unless it is this machine or allowInsecureHTTP says so.
      ...(options.allowInsecureHTTP === undefined ? {} : { allowInsecureHTTP: options.allowInsecureHTTP }),
    });
    this._states = new StateKeeper(store, stateTTLMs, clock, 'web-idv');
    this._verify = verify;
    this._passReqToCallback = passReqToCallback;
    this._callbackURL = options.callbackURL;
    this._callbackOrigin = callback.origin;
    this._policy = policy;
    this._includeImages = includeImages;
    this._now = () => clock.now();
  }

  /** Called by Passport; starts the flow or handles the callback. Never throws. */
  override authenticate(req: Request, options: AuthenteqAuthenticateOptions = {}): void {
    const query = queryOf(req);
    // As with OAuth: a request carrying `state` or `code` is a callback and never starts a new flow.
    const isCallback = query.state !== undefined || query.code !== undefined;
    const run = isCallback ? this._callback(req, query) : this._start(req, options);
    run.catch(errorTo(this));
  }

  /** The redirect URL of one attempt: the same string for `verification-url` and `verification-result`. */
  private _redirectUrl(state: string): string {
    // The state is base64url: safe in a query as it is.
    return `${this._callbackURL}${this._callbackURL.includes('?') ? '&' : '?'}state=${state}`;
  }

  private async _start(req: Request, options: AuthenteqAuthenticateOptions): Promise<void> {
    const state = await this._states.issue(req, filterReturnTo(options.returnTo, this._callbackOrigin));
    const verificationUrl = await this._client.getVerificationURL(this._redirectUrl(state));
    // The state must be stored before the browser can come back with it.
    await saveSession(req);
    log('redirecting to the verification page');
    this.redirect(verificationUrl);
  }

  private async _callback(req: Request, query: Record<string, unknown>): Promise<void> {
    const state = queryString(query, 'state');
    if (state === undefined) return this._fail('state_missing');
    // Spent here, whatever follows: a cancelled attempt's URL cannot be replayed, nor a code pasted into it.
    const checked = await this._states.consume(req, state);
    if (!checked.ok) {
      log('state refused (%s)', checked.reason);
      return this._fail('state_invalid');
    }
    // Web IDV's answer to a cancelled or failed check: back without a code (docs/providers/authenteq.md).
    const code = queryString(query, 'code');
    if (code === undefined) return this._fail('not_verified');

    let result: AuthenteqWebIdvResult;
    try {
      result = await this._client.getVerificationResult(this._redirectUrl(state), code);
    } catch (error) {
      // A used or expired code is the person's failure; refused keys (401/403) are the app's error.
      if (isClientError(error, false)) return this._fail('code_rejected');
      throw error;
    }
    const profile = toWebIdvVerifiedIdentity(result, this._includeImages);
    const refusal = checkPolicy(result.documentData, this._policy, this._now());
    if (refusal) {
      log('policy refused the identity (%s)', refusal.code);
      return this._fail(refusal.code, refusal.message);
    }
    const authInfo: AuthenteqAuthInfo = { provider: 'authenteq', returnTo: checked.entry.returnTo };
    await verifyAndFinish(this, this._verify, this._passReqToCallback, req, profile, authInfo);
  }

  /** Fails with an {@link AuthenteqWebIdvFailure}. */
  private _fail(code: AuthenteqWebIdvFailureCode, message?: string): void {
    failWith(this, FAILURES, code, message);
  }
}
