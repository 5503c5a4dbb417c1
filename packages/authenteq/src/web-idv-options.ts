import type { Request } from 'express';
import type { AuthenteqStrategyBaseOptions, VerifyDone, VerifyReturn } from './options.js';
import type { PolicyFailureCode } from './policy.js';
import type { VerifiedIdentity } from './profile.js';
import type { AuthenteqWebIdvDocumentData } from './web-idv-result.js';

/**
 * Options of {@link AuthenteqWebIdvStrategy}.
 *
 * @example
 * ```ts
 * const options: AuthenteqWebIdvStrategyOptions = {
 *   clientID: process.env.AUTHENTEQ_CLIENT_ID!,
 *   clientSecret: process.env.AUTHENTEQ_CLIENT_SECRET!,
 *   callbackURL: 'https://app.example/auth/idv/callback',
 *   policy: { minimumAge: 18 },
 * };
 * ```
 */
export interface AuthenteqWebIdvStrategyOptions extends AuthenteqStrategyBaseOptions {
  /** The Client ID of the dashboard's "API Keys" page. */
  clientID: string;
  /** The Client Secret; sent only in the `Authorization` header of server-to-server calls. */
  clientSecret: string;
  /**
   * The absolute redirect URL registered on the dashboard, with no `state` or `code` parameter of its own: the
   * strategy adds `state`, Authenteq adds `code`.
   */
  callbackURL: string;
  /** Default `https://api.app.authenteq.com`. */
  baseURL?: string;
  /** A Flow ID of the dashboard's "Verification Flow" section (`AQ-Flow-Slug`). Default: the default flow. */
  flowSlug?: string;
}

/**
 * {@link AuthenteqWebIdvStrategyOptions} with `passReqToCallback: true`.
 *
 * @example
 * ```ts
 * new AuthenteqWebIdvStrategy({ ...options, passReqToCallback: true }, (req, profile, done) => done(null, profile));
 * ```
 */
export interface AuthenteqWebIdvStrategyOptionsWithRequest extends AuthenteqWebIdvStrategyOptions {
  passReqToCallback: true;
}

/**
 * The profile the Web IDV strategy hands to verify: birth and expiry dates may be `undefined`.
 *
 * @example
 * ```ts
 * const verify = (profile: WebIdvVerifiedIdentity, done: VerifyDone) => done(null, { id: profile.id });
 * ```
 */
export type WebIdvVerifiedIdentity = VerifiedIdentity<AuthenteqWebIdvDocumentData>;

/**
 * The verify callback: finds or creates the user for a verified identity; `done(null, user)`, `done(null, false,
 * info)` to refuse, `done(error)`, or a returned promise of the user (or `false`).
 *
 * @example
 * ```ts
 * const verify: AuthenteqWebIdvVerify = async (profile) => users.upsert(profile.id, { name: profile.displayName });
 * ```
 */
export type AuthenteqWebIdvVerify = (profile: WebIdvVerifiedIdentity, done: VerifyDone) => VerifyReturn;

/**
 * The verify callback with `passReqToCallback: true`.
 *
 * @example
 * ```ts
 * const verify: AuthenteqWebIdvVerifyWithRequest = (req, profile, done) => done(null, { id: profile.id, ip: req.ip });
 * ```
 */
export type AuthenteqWebIdvVerifyWithRequest = (
  req: Request,
  profile: WebIdvVerifiedIdentity,
  done: VerifyDone,
) => VerifyReturn;

/**
 * Why a Web IDV callback did not log anyone in: `state_missing`, `state_invalid` (unknown, used, expired or from
 * another browser), `not_verified` (the browser came back without `code`: the person cancelled or did not pass),
 * `code_rejected` (the provider refused the code: used or expired), or a policy code.
 *
 * @example
 * ```ts
 * passport.authenticate('authenteq-web-idv', (err, user, info: AuthenteqWebIdvFailure) => {
 *   if (!user && info.code === 'not_verified') return res.redirect('/signup?retry=1');
 * });
 * ```
 */
export type AuthenteqWebIdvFailureCode =
  | 'state_missing'
  | 'state_invalid'
  | 'not_verified'
  | 'code_rejected'
  | PolicyFailureCode;

/**
 * The challenge the Web IDV strategy fails with: a stable code and a sentence fit for the person signing up.
 *
 * @example
 * ```ts
 * const info: AuthenteqWebIdvFailure = { code: 'not_verified', message: 'The identity check was not completed.' };
 * ```
 */
export interface AuthenteqWebIdvFailure {
  code: AuthenteqWebIdvFailureCode;
  message: string;
}
