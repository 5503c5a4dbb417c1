import { StoreError } from './errors.js';

/** A Connect/Express middleware, typed loosely enough for any framework's request and response. */
export type Middleware<Req, Res> = (req: Req, res: Res, next: (error?: unknown) => void) => void;

/**
 * Wraps a session middleware (express-session with Redis, say) so that a failing session store becomes a
 * {@link StoreError}: HTTP 503 in the app's error handler, with the store's error kept as `cause`, instead of a bare
 * 500 carrying a driver message. Nobody can log in while sessions cannot be read or written.
 *
 * @example
 * ```ts
 * app.use(failClosedSession(session({ store: new RedisStore({ client }), secret, resave: false, saveUninitialized: false })));
 * ```
 */
export function failClosedSession<Req, Res>(middleware: Middleware<Req, Res>): Middleware<Req, Res> {
  return (req, res, next) => {
    middleware(req, res, (error?: unknown) => {
      if (error === undefined || error === null || error === 'route' || error === 'router') return next(error);
      next(error instanceof StoreError ? error : new StoreError('the session store failed', { cause: error }));
    });
  };
}
