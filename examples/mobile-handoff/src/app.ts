import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type Clock, failClosedSession, PassportIdvError, type Store } from '@passport-idv/core';
import { type EphemeralSessionMiddleware, ephemeralSession } from '@passport-idv/ephemeral-session';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { Passport } from 'passport';
import { type Chrome, STYLESHEET } from './html.js';
import { errorPage, handoffPage, homePage, signInPage } from './pages.js';

declare module 'express-session' {
  interface SessionData {
    csrf?: string;
  }
}

/** The demo's signed-in user. */
export interface DemoUser {
  /** Derived from the name: what the IDV session gets as `metadata.externalUserId`. */
  id: string;
  name: string;
}

/** Options of {@link createApp}. */
export interface MobileHandoffAppOptions {
  /** The IDV platform: `sandbox.idv`, or the real host, API key and workflow. */
  idv: { host: string; apiKey: string; workflowId: string; ttl?: number; timeout?: number };
  /** Signs the session cookie. */
  sessionSecret: string;
  /** Where passport-idv keeps reusable sessions: default a MemoryStore (a RedisStore for several instances). */
  store?: Store;
  /**
   * The express-session store (connect-redis for several instances). Default: an in-memory store that drops sessions
   * once their cookie expires (8 hours) and holds at most 50,000.
   */
  sessionStore?: session.Store;
  /** The clock for link expiry and reuse (tests pass `sandbox.clock`). */
  clock?: Clock;
  /** A link back to the demo landing page, shown in the header. */
  homeURL?: string;
}

/** What {@link createApp} returns. */
export interface MobileHandoffApp {
  app: express.Express;
  /** The ephemeral-session middleware the app uses (`start(req)` included). */
  handoff: EphemeralSessionMiddleware;
}

const PLAIN_ERRORS: Record<number, [string, string]> = {
  502: [
    'The verification service is not available',
    'We could not start your verification. Please try again in a moment.',
  ],
  503: [
    'Verification is temporarily unavailable',
    'We could not start your verification. Please try again in a moment.',
  ],
  504: [
    'The verification service is slow to answer',
    'We could not start your verification in time. Please try again.',
  ],
};

/**
 * The "continue on your phone" example: a demo sign-in, then "Verify on your phone" starts an IDV session on the server
 * and shows the handoff link as a QR code. `POST /verify/handoff` is the same as JSON, for apps and scripts.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * const { app } = createApp({ idv: sandbox.idv, sessionSecret: 'change me', clock: sandbox.clock });
 * app.listen(3003);
 * ```
 */
export function createApp(options: MobileHandoffAppOptions): MobileHandoffApp {
  const { idv, sessionSecret, store, sessionStore, clock, homeURL } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  // One Passport per app, so several examples can share a process (the demo launcher runs three).
  const passport = new Passport();
  passport.serializeUser<DemoUser>((user, done) => done(null, user as DemoUser));
  passport.deserializeUser<DemoUser>((user, done) => done(null, user));

  const handoff = ephemeralSession({
    host: idv.host,
    apiKey: idv.apiKey,
    workflowId: idv.workflowId,
    ...(idv.ttl !== undefined ? { ttl: idv.ttl } : {}),
    ...(idv.timeout !== undefined ? { timeout: idv.timeout } : {}),
    ...(store ? { store } : {}),
    ...(clock ? { clock } : {}),
    metadata: (req) => {
      const user = req.user as DemoUser | undefined;
      return user ? { externalUserId: user.id } : undefined;
    },
  });

  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy':
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    next();
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/style.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('text/css').send(STYLESHEET);
  });
  // A failing session store (Redis down) is a 503, like every other store failure: nobody is logged in.
  app.use(
    failClosedSession(
      session({
        name: 'handoff.sid',
        secret: sessionSecret,
        resave: false,
        saveUninitialized: false,
        // Without one given, a store that drops a session once its cookie expires, and holds at most 50,000.
        store: sessionStore ?? new (createMemoryStore(session))({ checkPeriod: 600_000, max: 50_000 }),
        cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: 8 * 3600_000 },
      }),
    ),
  );
  app.use(passport.session());
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  const chrome = (req: Request): Chrome => {
    const user = req.user as DemoUser | undefined;
    return { userName: user?.name, csrf: req.session?.csrf, homeURL }; // no session if its store failed
  };

  app.get('/', (req, res) => {
    const user = req.user as DemoUser | undefined;
    const csrf = csrfToken(req);
    if (user === undefined) res.send(signInPage(chrome(req), csrf));
    else res.send(homePage({ ...chrome(req), userName: user.name }, csrf));
  });

  app.post('/login', requireCsrf, (req, res, next) => {
    const name = typeof req.body?.name === 'string' ? req.body.name.trim().slice(0, 40) : '';
    const slug = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    if (slug === '') {
      res.status(400).send(signInPage(chrome(req), csrfToken(req), 'Please enter a name with at least one letter.'));
      return;
    }
    const user: DemoUser = { id: `demo-${slug}`, name };
    req.login(user, (error) => {
      if (error) return next(error);
      // Passport regenerated the session: give it a fresh CSRF token.
      req.session.csrf = randomBytes(24).toString('base64url');
      res.redirect(303, '/');
    });
  });

  app.post('/logout', requireCsrf, (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.redirect(303, '/')));
  });

  // The page flow: start (or reuse) the session and show the link as a QR code.
  app.post('/verify/phone', requireCsrf, async (req, res) => {
    if (req.user === undefined) {
      res.redirect(303, '/');
      return;
    }
    try {
      const { handoffUrl, expiresAt } = await handoff.start(req);
      res.send(handoffPage(chrome(req), handoffUrl, expiresAt));
    } catch (error) {
      if (!(error instanceof PassportIdvError)) throw error;
      if (error.status === 401) {
        res.redirect(303, '/');
        return;
      }
      const [title, message] = PLAIN_ERRORS[error.status] ?? PLAIN_ERRORS[502]!;
      res.status(error.status).send(errorPage(chrome(req), title, message));
    }
  });

  // The same as JSON, exactly as the package answers it (send the CSRF token in `x-csrf-token`).
  app.post('/verify/handoff', requireCsrf, handoff);

  app.use((req: Request, res: Response) => {
    res.status(404).send(errorPage(chrome(req), 'Page not found', 'There is nothing at this address.'));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    // passport-idv errors carry their status (a StoreError is a 503); anything else is a 500.
    const status = error instanceof PassportIdvError ? error.status : 500;
    res.status(status).send(errorPage(chrome(req), 'Something went wrong', 'Please go back and try again.'));
  });
  return { app, handoff };
}

/** The session's CSRF token, created on first use (which saves the session). */
function csrfToken(req: Request): string {
  req.session.csrf ??= randomBytes(24).toString('base64url');
  return req.session.csrf;
}

/** Every POST carries the session's CSRF token, in the form (`csrf`) or the `x-csrf-token` header. */
function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  const sent = req.get('x-csrf-token') ?? (typeof req.body?.csrf === 'string' ? req.body.csrf : '');
  const expected = req.session.csrf ?? '';
  const ok =
    expected !== '' && sent.length === expected.length && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!ok) {
    res.status(403).send(errorPage({}, 'This form has expired', 'Please go back, reload the page and try again.'));
    return;
  }
  next();
}
