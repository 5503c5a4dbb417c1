import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Chrome } from './html.js';
import { errorPage } from './pages.js';

/** The session's CSRF token, created on first use (which saves the session). */
export function csrfToken(req: Request): string {
  req.session.csrf ??= randomBytes(24).toString('base64url');
  return req.session.csrf;
}

/**
 * Every POST carries the session's CSRF token, in the form (`csrf`) or the `x-csrf-token` header; without it the
 * answer is the "form expired" page, in the page's usual header (`chrome`).
 */
export function requireCsrf(chrome: (req: Request) => Chrome): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const sent = req.get('x-csrf-token') ?? (typeof req.body?.csrf === 'string' ? req.body.csrf : '');
    const expected = req.session.csrf ?? '';
    if (expected === '' || !sameToken(sent, expected)) {
      res
        .status(403)
        .send(errorPage(chrome(req), 'This form has expired', 'Please go back, reload the page and try again.'));
      return;
    }
    next();
  };
}

/** Compares two tokens in constant time, whatever their lengths (the digests have one length). */
function sameToken(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
