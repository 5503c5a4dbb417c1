import { PassportIdvError } from '@passport-idv/core';

/**
 * The request has no user to start a verification for: `metadata(req)` gave no `externalUserId`. HTTP 401; no call
 * reached the provider.
 *
 * @example
 * ```ts
 * try { await handoff.start(req); } catch (error) {
 *   if (error instanceof NoExternalUserIdError) return res.redirect('/login');
 * }
 * ```
 */
export class NoExternalUserIdError extends PassportIdvError {
  override code = 'ERR_NO_EXTERNAL_USER_ID';
  override status = 401;
}
