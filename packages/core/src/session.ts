import { SessionRequiredError, StoreError } from './errors.js';
import { isRecord } from './shape.js';

/** `req.session` as express-session (or a compatible middleware) makes it. @internal */
export interface SessionLike {
  [key: string]: unknown;
  save?(callback: (error?: unknown) => void): void;
}

/**
 * The request's session, or a {@link SessionRequiredError} (code `ERR_SESSION_REQUIRED`) naming `owner` when no
 * session middleware ran before it.
 *
 * @internal
 * @example
 * ```ts
 * const session = sessionOf(req, 'AuthenteqStrategy');
 * session['passport-idv:authenteq'] = slot;
 * ```
 */
export function sessionOf(req: object, owner: string): SessionLike {
  const session = (req as { session?: unknown }).session;
  if (!isRecord(session)) {
    throw new SessionRequiredError(`${owner} needs a session: mount express-session (or compatible) before passport`);
  }
  return session as SessionLike;
}

/**
 * Saves the request's session now, if the session implementation can, turning a failure into a `StoreError`. Call it
 * before a redirect or a response that the browser may follow up on at once: express-session otherwise saves only
 * when the response ends, and the next request could read the session from before.
 *
 * @internal
 * @example
 * ```ts
 * await saveSession(req);
 * this.redirect(url);
 * ```
 */
export function saveSession(req: object): Promise<void> {
  const session = (req as { session?: unknown }).session;
  const save = isRecord(session) ? session.save : undefined;
  if (typeof save !== 'function') return Promise.resolve();
  return new Promise((resolve, reject) => {
    save.call(session, (error?: unknown) => {
      if (error) reject(new StoreError('the session could not be saved', { cause: error }));
      else resolve();
    });
  });
}
