import { PassportIdvError, type ProviderCallInfo, ProviderError } from '@passport-idv/core';

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
  static override readonly code = 'ERR_NO_EXTERNAL_USER_ID' as const;
  override readonly code = 'ERR_NO_EXTERNAL_USER_ID' as const;
  override status = 401;
}

/**
 * The platform does not know this session: `GET /api/sessions/{id}` answered 404. HTTP 404. A `ProviderError`, with
 * `upstreamStatus` 404, so code that handles provider failures as a family still sees it.
 *
 * @example
 * ```ts
 * try { await client.getSession(id); } catch (error) {
 *   if (error instanceof IdvSessionNotFoundError) return res.status(404).end();
 * }
 * ```
 */
export class IdvSessionNotFoundError extends ProviderError {
  static override readonly code = 'ERR_IDV_SESSION_NOT_FOUND' as const;
  override readonly code = 'ERR_IDV_SESSION_NOT_FOUND' as const;
  override status = 404;

  constructor(info: ProviderCallInfo & { responseBody?: string; cause?: unknown }) {
    super('no such session', { ...info, upstreamStatus: 404 });
  }
}
