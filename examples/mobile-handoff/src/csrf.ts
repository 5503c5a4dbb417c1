import { randomBytes } from 'node:crypto';
import { safeEqual } from '@passport-idv/core';
import type { NextFunction, Request, Response } from 'express';
import { errorPage } from './pages.js';

/** The session's CSRF token, created on first use (which saves the session). */
export function csrfToken(req: Request): string {
  req.session.csrf ??= randomBytes(24).toString('base64url');
  return req.session.csrf;
}

/** Every POST carries the session's CSRF token, in the form (`csrf`) or the `x-csrf-token` header. */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  const sent = req.get('x-csrf-token') ?? (typeof req.body?.csrf === 'string' ? req.body.csrf : '');
  const expected = req.session.csrf ?? '';
  const ok = expected !== '' && safeEqual(sent, expected);
  if (!ok) {
    res.status(403).send(errorPage({}, 'This form has expired', 'Please go back, reload the page and try again.'));
    return;
  }
  next();
}
