import { PassportIdvError } from '@passport-idv/core';

/**
 * Authenteq sent the browser back with an OAuth `error` other than `access_denied` (which is a plain failure: the
 * user cancelled). HTTP 503 for `temporarily_unavailable`, 502 otherwise: the identity check could not be done.
 * `oauthError` holds the error code, reduced to safe characters; `error_description` is not kept, since anyone can
 * put text in a callback URL.
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof AuthenteqAuthorizationError) return res.status(err.status).send('Identity check unavailable');
 *   next(err);
 * });
 * ```
 */
export class AuthenteqAuthorizationError extends PassportIdvError {
  static override readonly code = 'ERR_AUTHENTEQ_AUTHORIZATION' as const;
  override readonly code = 'ERR_AUTHENTEQ_AUTHORIZATION' as const;
  override status = 502;
  /** The OAuth error code from the callback, e.g. `server_error`. */
  readonly oauthError: string;

  constructor(oauthError: string) {
    const safe = /^[A-Za-z0-9_.-]{1,64}$/.test(oauthError) ? oauthError : 'invalid_error_code';
    super(`authenteq authorize: the identity check ended with error ${safe}`);
    this.oauthError = safe;
    if (safe === 'temporarily_unavailable') this.status = 503;
  }
}
