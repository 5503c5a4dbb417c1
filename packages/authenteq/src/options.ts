import type { Clock, Store } from '@passport-idv/core';
import type { Request } from 'express';
import type { AuthenteqGrantType } from './client.js';
import type { AuthenteqPolicy } from './policy.js';
import type { VerifiedIdentity } from './profile.js';

/**
 * Production identity server (docs/providers/authenteq.md), the default `authorizationURL`.
 *
 * @example
 * ```ts
 * new AuthenteqStrategy({ ...options, authorizationURL: AUTHENTEQ_AUTHORIZATION_URL }, verify);
 * ```
 */
export const AUTHENTEQ_AUTHORIZATION_URL = 'https://identity.authenteq.com/authorize';

/**
 * Options of {@link AuthenteqStrategy}.
 *
 * @example
 * ```ts
 * const options: AuthenteqStrategyOptions = {
 *   clientID: process.env.AUTHENTEQ_CLIENT_ID!,
 *   clientSecret: process.env.AUTHENTEQ_CLIENT_SECRET!,
 *   callbackURL: 'https://app.example/auth/authenteq/callback',
 *   policy: { minimumAge: 18 },
 * };
 * ```
 */
export interface AuthenteqStrategyOptions extends AuthenteqStrategyBaseOptions {
  /** The client id Authenteq gave you (sent openly in the authorize URL). */
  clientID: string;
  /** The client secret; sent only to the token endpoint. */
  clientSecret: string;
  /** The absolute redirect URI registered with Authenteq, matched exactly by the provider. */
  callbackURL: string;
  /** Default `https://identity.authenteq.com/authorize`. */
  authorizationURL?: string;
  /** Default `https://api.authenteq.com/v2/web-kyc/token`. */
  tokenURL?: string;
  /** Default `https://api.authenteq.com/v2/web-kyc/details`. */
  detailsURL?: string;
  /** Default `'kyc'`, the only scope Web KYC supports. */
  scope?: string;
  /** The URL of the "Back to…" link on the identity server (`back_url`). */
  backURL?: string;
  /** The token request's `grantType`. Default `'authorization_code'`. */
  grantType?: AuthenteqGrantType;
}

/**
 * The options both Authenteq strategies take, whatever the generation.
 *
 * @example
 * ```ts
 * const shared: AuthenteqStrategyBaseOptions = { policy: { minimumAge: 18 }, stateTTL: 900, store: new RedisStore({ client }) };
 * ```
 */
export interface AuthenteqStrategyBaseOptions {
  /** Where states live. Default: `req.session`. Give a shared store (e.g. `RedisStore`) for several instances. */
  store?: Store;
  /** Seconds a state stays valid, from 1 to 86,400. Default 600. */
  stateTTL?: number;
  /** Which identities are accepted. Default: documents must not be expired (nor, with Web IDV, lack an expiry). */
  policy?: AuthenteqPolicy;
  /** Put the document images on the profile (`images`, and `_json`'s images). Default `false`. */
  includeImages?: boolean;
  /** Milliseconds for each provider call. Default 10,000. */
  timeout?: number;
  /**
   * Accept a plain `http:` URL for the provider (Web KYC's `authorizationURL`, `tokenURL`, `detailsURL`; Web IDV's
   * `baseURL`) on a host other than this machine (`localhost`, `127.0.0.0/8` and `::1` are always accepted). Default
   * `false`: http would carry keys, tokens and identity data in clear. For a test setup only.
   */
  allowInsecureHTTP?: boolean;
  /** Pass `req` as the verify callback's first argument. Default `false`. */
  passReqToCallback?: boolean;
  /** The clock for state expiry and for "today" in the policy. Default: the system clock. */
  clock?: Clock;
}

/**
 * What a verify callback answers through `done`.
 *
 * @example
 * ```ts
 * const verify = (profile: VerifiedIdentity, done: VerifyDone) => done(null, { id: profile.id });
 * ```
 */
export type VerifyDone = (error: unknown, user?: Express.User | false | null, info?: object) => void;

/**
 * What a verify callback returns: nothing (it calls `done`), or a promise of the user or `false`.
 *
 * @example
 * ```ts
 * const verify = async (profile: VerifiedIdentity) => (profile.nationality === 'DEU' ? { id: profile.id } : false);
 * ```
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a callback-style verify returns nothing.
export type VerifyReturn = void | Promise<Express.User | false | null | undefined>;

/**
 * The verify callback: finds or creates the user for a verified identity. Call `done(null, user)`, `done(null,
 * false, info)` to refuse, or `done(error)`; or return a promise of the user (or `false`).
 *
 * @example
 * ```ts
 * const verify: AuthenteqVerify = async (profile) => users.upsert(profile.id, { name: profile.displayName });
 * ```
 */
export type AuthenteqVerify = (profile: VerifiedIdentity, done: VerifyDone) => VerifyReturn;

/**
 * The verify callback with `passReqToCallback: true`.
 *
 * @example
 * ```ts
 * const verify: AuthenteqVerifyWithRequest = (req, profile, done) => done(null, { id: profile.id, ip: req.ip });
 * ```
 */
export type AuthenteqVerifyWithRequest = (req: Request, profile: VerifiedIdentity, done: VerifyDone) => VerifyReturn;

/**
 * {@link AuthenteqStrategyOptions} with `passReqToCallback: true`.
 *
 * @example
 * ```ts
 * new AuthenteqStrategy({ ...options, passReqToCallback: true }, (req, profile, done) => done(null, profile));
 * ```
 */
export interface AuthenteqStrategyOptionsWithRequest extends AuthenteqStrategyOptions {
  passReqToCallback: true;
}

declare module 'passport' {
  interface AuthenticateOptions {
    /**
     * `@passport-idv/authenteq`: where to go after sign-up, kept with the state when it is a same-origin path and
     * exposed as `req.authInfo.returnTo`.
     */
    returnTo?: unknown;
  }
}

/**
 * Options of `passport.authenticate('authenteq', options)` this strategy reads (besides Passport's own).
 *
 * @example
 * ```ts
 * app.get('/auth/authenteq', (req, res, next) =>
 *   passport.authenticate('authenteq', { returnTo: req.query.returnTo })(req, res, next));
 * ```
 */
export interface AuthenteqAuthenticateOptions {
  /** Where to go after sign-up; kept with the state if it is a same-origin path, else dropped. */
  returnTo?: unknown;
}

/**
 * `req.authInfo` after a successful sign-up.
 *
 * @example
 * ```ts
 * res.redirect((req.authInfo as AuthenteqAuthInfo).returnTo ?? '/account');
 * ```
 */
export interface AuthenteqAuthInfo {
  provider: 'authenteq';
  /** The `returnTo` given when the flow started, filtered with `safeReturnTo`; `undefined` if none or unsafe. */
  returnTo: string | undefined;
  [key: string]: unknown;
}

/**
 * Why a callback did not log anyone in (Passport's `info`; with `failureMessage: true`, `message` is kept).
 *
 * @example
 * ```ts
 * passport.authenticate('authenteq', (err, user, info: AuthenteqFailure) => {
 *   if (!user && info.code === 'access_denied') return res.redirect('/signup?cancelled=1');
 * });
 * ```
 */
export type AuthenteqFailureCode =
  | 'access_denied'
  | 'state_missing'
  | 'state_invalid'
  | 'code_missing'
  | 'code_rejected'
  | 'details_unavailable'
  | 'document_expired'
  | 'document_without_expiry'
  | 'under_age'
  | 'country_not_accepted';

/**
 * The challenge the strategy fails with: a stable code and a sentence fit for the person signing up.
 *
 * @example
 * ```ts
 * const info: AuthenteqFailure = { code: 'under_age', message: 'You must be at least 18 years old to sign up.' };
 * ```
 */
export interface AuthenteqFailure {
  code: AuthenteqFailureCode;
  message: string;
}
