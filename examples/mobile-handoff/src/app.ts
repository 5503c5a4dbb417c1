import { randomBytes } from 'node:crypto';
import {
  type Clock,
  failClosedSession,
  MemoryStore,
  PassportIdvError,
  type Store,
  systemClock,
} from '@passport-idv/core';
import {
  type EphemeralSessionMiddleware,
  ephemeralSession,
  IdvSessionNotFoundError,
  type IdvStatusTable,
  idvWebhook,
  isFinalState,
} from '@passport-idv/ephemeral-session';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { Passport } from 'passport';
import { csrfToken, requireCsrf } from './csrf.js';
import { type Chrome, HANDOFF_SCRIPT, LOCAL_TIME_SCRIPT, STYLESHEET } from './html.js';
import { type CurrentHandoff, errorPage, handoffPage, homePage, outcomePage, signInPage } from './pages.js';
import { Verifications } from './verification.js';

declare module 'express-session' {
  interface SessionData {
    csrf?: string;
    /** The verification session this browser's user is working on. */
    handoff?: CurrentHandoff;
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
  /**
   * The IDV platform: `sandbox.idv`, or the real host, API key and workflow. `start` defaults to `'deeplink'` (the
   * key then needs `deeplink:write`; reading sessions back needs "All Sessions: Read"). `webhookSecret`: the secret
   * the platform sends in `X-Webhook-Secret` to `POST /webhooks/idv` (none: the webhook takes any caller, and trusts
   * nothing in its body). `statuses`: your platform's status table (default: the sandbox's).
   */
  idv: {
    host: string;
    apiKey: string;
    workflowId: string;
    ttl?: number;
    timeout?: number;
    start?: 'deeplink' | 'ephemeral-token';
    webhookSecret?: string;
    statuses?: IdvStatusTable;
  };
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
    'We could not reach the verification service. Please try again in a moment.',
  ],
  503: [
    'Verification is temporarily unavailable',
    'We could not reach the verification service. Please try again in a moment.',
  ],
  504: [
    'The verification service is slow to answer',
    'The verification service did not answer in time. Please try again.',
  ],
};

/**
 * The "continue on your phone" example: a demo sign-in, then "Verify on your phone" starts an IDV session on the server
 * and shows the handoff link as a QR code, the phone's progress, and the outcome. The app learns the outcome from the
 * platform's webhook (`POST /webhooks/idv`) and, where that cannot reach it, by reading the session back.
 * `POST /verify/handoff` starts a session as JSON, for apps and scripts.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * const { app } = createApp({ idv: sandbox.idv, sessionSecret: 'change me', clock: sandbox.clock });
 * app.listen(3003);
 * ```
 */
export function createApp(options: MobileHandoffAppOptions): MobileHandoffApp {
  const { idv, sessionSecret, sessionStore, homeURL } = options;
  const clock = options.clock ?? systemClock;
  // One store for reusable handoffs, webhook deliveries and what the app learnt of each session.
  const store = options.store ?? new MemoryStore({ clock });
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
    ...(idv.statuses !== undefined ? { statuses: idv.statuses } : {}),
    // One call, and the link opens the phone's capture directly (no second QR page on the phone).
    start: idv.start ?? 'deeplink',
    store,
    clock,
    metadata: (req) => {
      const user = req.user as DemoUser | undefined;
      return user ? { externalUserId: user.id } : undefined;
    },
  });
  const verifications = new Verifications({ store, client: handoff.client, clock });

  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy':
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
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
  app.get('/local-time.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('text/javascript').send(LOCAL_TIME_SCRIPT);
  });
  app.get('/handoff.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('text/javascript').send(HANDOFF_SCRIPT);
  });
  // The platform's webhook: before the session and the body parsers (it reads its own body; no cookie, no CSRF).
  app.post(
    '/webhooks/idv',
    idvWebhook({
      client: handoff.client,
      store,
      ...(idv.webhookSecret !== undefined ? { secret: idv.webhookSecret } : {}),
      onSession: async (verified) => {
        // A real app would mark `verified.externalUserId` as verified here; the demo remembers the outcome.
        await verifications.record(verified);
      },
    }),
  );
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
  const checkCsrf = requireCsrf(chrome);

  /** A failure of the verification service or the store, in plain words (401: nobody signed in, back home). */
  function sendFailure(req: Request, res: Response, error: unknown): void {
    if (!(error instanceof PassportIdvError)) throw error;
    if (error.status === 401) {
      res.redirect(303, '/');
      return;
    }
    const [title, message] = PLAIN_ERRORS[error.status] ?? PLAIN_ERRORS[502]!;
    res.status(error.status).send(errorPage(chrome(req), title, message));
  }

  app.get('/', (req, res) => {
    const user = req.user as DemoUser | undefined;
    const csrf = csrfToken(req);
    if (user === undefined) res.send(signInPage(chrome(req), csrf));
    else res.send(homePage({ ...chrome(req), userName: user.name }, csrf, req.session.handoff !== undefined));
  });

  app.post('/login', checkCsrf, (req, res, next) => {
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

  app.post('/logout', checkCsrf, (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.redirect(303, '/')));
  });

  // The page flow: start (or reuse) the session, then show it at GET /verify/phone (so a reload shows it again).
  app.post('/verify/phone', checkCsrf, async (req, res) => {
    if (req.user === undefined) {
      res.redirect(303, '/');
      return;
    }
    try {
      const { handoffUrl, sessionId, expiresAt } = await handoff.start(req);
      req.session.handoff = { handoffUrl, sessionId, expiresAt };
      res.redirect(303, '/verify/phone');
    } catch (error) {
      sendFailure(req, res, error);
    }
  });

  // The QR code and the phone's progress while the session is under way; its outcome once it ended.
  app.get('/verify/phone', async (req, res) => {
    const current = req.user === undefined ? undefined : req.session.handoff;
    if (current === undefined) {
      res.redirect(303, '/');
      return;
    }
    try {
      const { state } = await verifications.current(current.sessionId);
      const expired = state === 'expired' || (!isFinalState(state) && Date.parse(current.expiresAt) <= clock.now());
      if (state === 'finished') res.send(outcomePage(chrome(req), 'verified', csrfToken(req)));
      else if (state === 'failed') res.send(outcomePage(chrome(req), 'not_verified', csrfToken(req)));
      else if (expired) res.send(outcomePage(chrome(req), 'expired', csrfToken(req)));
      else res.send(handoffPage(chrome(req), current, state));
    } catch (error) {
      if (error instanceof IdvSessionNotFoundError) {
        delete req.session.handoff;
        res.redirect(303, '/');
        return;
      }
      sendFailure(req, res, error);
    }
  });

  // What the handoff page polls: the state of this user's session, same origin, never cached.
  app.get('/verify/phone/status', async (req, res) => {
    const current = req.user === undefined ? undefined : req.session.handoff;
    if (current === undefined) {
      res.status(404).json({ error: 'no_verification' });
      return;
    }
    try {
      const { state } = await verifications.current(current.sessionId);
      res.json({ state });
    } catch (error) {
      const status = error instanceof PassportIdvError ? error.status : 500;
      res.status(status).json({ error: error instanceof PassportIdvError ? error.code : 'internal' });
    }
  });

  // The same as JSON, exactly as the package answers it (send the CSRF token in `x-csrf-token`).
  app.post('/verify/handoff', checkCsrf, handoff);

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
