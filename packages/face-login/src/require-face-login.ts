import { type Clock, safeReturnTo, systemClock } from '@passport-idv/core';
import { assertClock, invalidOption, secondsOption } from '@passport-idv/core/internal';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { faceLoginOf } from './session.js';

/** The longest `maxAge` of {@link requireFaceLogin}: 30 days, in seconds. */
const MAX_STEP_UP_SECONDS = 30 * 86_400;

/** Options of {@link requireFaceLogin}. */
export interface RequireFaceLoginOptions {
  /** Seconds a face login counts as recent, from 1 to 2,592,000 (30 days). */
  maxAge: number;
  /**
   * Where to send a browser without a recent face login, e.g. `'/login/face'`; `?returnTo=<this URL>` is added.
   * Without it the answer is `401` JSON `{"error": "face_login_required", "message"}`.
   */
  redirectTo?: string;
  /** The clock to compare with. Default: the system clock. */
  clock?: Clock;
}

/**
 * Step-up middleware: lets the request through only if this session had a face login within `maxAge` seconds (as
 * recorded by `FaceLoginStrategy` after login), otherwise answers 401 JSON or redirects to `redirectTo` with a
 * `returnTo`.
 *
 * @example
 * ```ts
 * app.get('/transfer', requireFaceLogin({ maxAge: 300, redirectTo: '/login/face' }), showTransfer);
 * app.post('/api/transfer', requireFaceLogin({ maxAge: 300 }), doTransfer); // 401 JSON when stale
 * ```
 */
export function requireFaceLogin(options: RequireFaceLoginOptions): RequestHandler {
  if (typeof options !== 'object' || options === null) invalidOption('requireFaceLogin needs { maxAge }');
  const { maxAge, redirectTo } = options;
  const clock = options.clock ?? systemClock;
  const maxAgeMs = secondsOption(maxAge, 'maxAge', { min: 1, max: MAX_STEP_UP_SECONDS });
  if (redirectTo !== undefined && safeReturnTo(redirectTo, 'http://localhost', '') !== redirectTo)
    invalidOption('redirectTo must be a path on this site, e.g. /login/face');
  assertClock(clock);
  return (req: Request, res: Response, next: NextFunction) => {
    const record = faceLoginOf(req);
    const age = record ? clock.now() - record.at : Number.POSITIVE_INFINITY;
    if (age >= 0 && age <= maxAgeMs) return next();
    res.set('cache-control', 'no-store');
    if (redirectTo !== undefined) {
      const returnTo = safeReturnTo(req.originalUrl, 'http://localhost');
      const separator = redirectTo.includes('?') ? '&' : '?';
      return res.redirect(302, `${redirectTo}${separator}returnTo=${encodeURIComponent(returnTo)}`);
    }
    res.status(401).json({ error: 'face_login_required', message: 'Confirm it is you with a face login to continue.' });
  };
}
