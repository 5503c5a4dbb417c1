import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type AuthenteqPolicy,
  AuthenteqStrategy,
  AuthenteqWebIdvStrategy,
  authenteqWebhook,
  type VerifiedIdentity,
  type VerifyDone,
} from '@passport-idv/authenteq';
import { type Clock, failClosedSession, MemoryStore, type Store } from '@passport-idv/core';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { Passport } from 'passport';
import { type Chrome, LOCAL_TIME_SCRIPT, LOGO_SVG, STYLESHEET } from './html.js';
import { type AccountUser, type AuthenteqFlow, accountPage, errorPage, signUpPage } from './pages.js';

declare module 'express-session' {
  interface SessionData {
    csrf?: string;
    /** Passport's `failureMessage: true` pushes the refusal sentence here. */
    messages?: string[];
  }
}

export type { AccountUser, AuthenteqFlow } from './pages.js';

/** Options of {@link createApp}. */
export interface SignUpAppOptions {
  /**
   * Authenteq: `{ ...sandbox.authenteqWebIdv, callbackURL }` (or `{ flow: 'web-kyc', ...sandbox.authenteq,
   * callbackURL }`) against the sandbox (register the callback there), or the real client id, secret and registered
   * callback URL (the production URLs are the default).
   */
  authenteq: {
    /** `'web-idv'` (default): Authenteq Web IDV, the current generation. `'web-kyc'`: Web KYC, the one before. */
    flow?: AuthenteqFlow;
    clientID: string;
    clientSecret: string;
    /** The absolute callback URL registered with Authenteq; the app serves its path. */
    callbackURL: string;
    /** Web IDV: the API, default `https://api.app.authenteq.com`. */
    baseURL?: string;
    /** Web IDV: a Flow ID of the dashboard (`AQ-Flow-Slug`); default the default flow. */
    flowSlug?: string;
    /** Web KYC: the identity server, default `https://identity.authenteq.com/authorize`. */
    authorizationURL?: string;
    /** Web KYC: default `https://api.authenteq.com/v2/web-kyc/token`. */
    tokenURL?: string;
    /** Web KYC: default `https://api.authenteq.com/v2/web-kyc/details`. */
    detailsURL?: string;
    timeout?: number;
  };
  /** Signs the session cookie. */
  sessionSecret: string;
  /** Who may sign up. Default: adults (18+) with a document that has not expired. */
  policy?: AuthenteqPolicy;
  /** Show the document images on the account page. Default `false`. */
  includeImages?: boolean;
  /**
   * Where states, and with Web IDV the webhook's confirmations, live: default the session and memory (give a
   * RedisStore when several instances serve the app).
   */
  store?: Store;
  /**
   * The express-session store (connect-redis for several instances). Default: an in-memory store that drops sessions
   * once their cookie expires (8 hours) and holds at most 50,000.
   */
  sessionStore?: session.Store;
  /** The clock for state expiry and "today" (tests pass `sandbox.clock`). */
  clock?: Clock;
  /** A link back to the demo landing page, shown in the header. */
  homeURL?: string;
}

/** What {@link createApp} returns. */
export interface SignUpApp {
  app: express.Express;
  strategy: AuthenteqStrategy | AuthenteqWebIdvStrategy;
  /** `'web-idv'` or `'web-kyc'`. */
  flow: AuthenteqFlow;
  /** The session store in use (the default in-memory one unless `sessionStore` was given). */
  sessionStore: session.Store;
}

const PLAIN_ERRORS: Record<number, [string, string]> = {
  502: ['The identity service is not available', 'We could not confirm your identity check. Please try again.'],
  503: ['Sign-up is temporarily unavailable', 'We could not start or finish your sign-up. Please try again shortly.'],
  504: [
    'The identity service is slow to answer',
    'We could not confirm your identity check in time. Please try again.',
  ],
};

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** How long the app remembers that Authenteq confirmed a verification (its webhook arrived): the session's life. */
const CONFIRMATION_TTL = 8 * 3_600_000;

/**
 * The "sign up with a verified ID" example: the sign-up page's Authenteq button starts the identity check (Web IDV,
 * or Web KYC with `flow: 'web-kyc'`); on the way back the account is opened with the verified name, birth date and
 * document, or the sign-up page explains why not. With Web IDV, `POST /webhooks/authenteq` receives Authenteq's
 * signed result and the account page says the provider confirmed the verification.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * const callbackURL = 'http://127.0.0.1:3001/auth/authenteq/callback';
 * sandbox.authenteqWebIdv.registerRedirectURL(callbackURL);
 * sandbox.authenteqWebIdv.setWebhookURL('http://127.0.0.1:3001/webhooks/authenteq');
 * const { app } = createApp({ authenteq: { ...sandbox.authenteqWebIdv, callbackURL }, sessionSecret: 'change me' });
 * app.listen(3001, '127.0.0.1');
 * ```
 */
export function createApp(options: SignUpAppOptions): SignUpApp {
  const { authenteq, sessionSecret, store, clock, homeURL, includeImages = false } = options;
  // Without one given, a store that drops a session once its cookie expires, and holds at most 50,000.
  const sessionStore = options.sessionStore ?? new (createMemoryStore(session))({ checkPeriod: 600_000, max: 50_000 });
  const policy: AuthenteqPolicy = options.policy ?? { minimumAge: 18 };
  const callback = new URL(authenteq.callbackURL);
  const flow: AuthenteqFlow = authenteq.flow ?? 'web-idv';
  if (flow !== 'web-idv' && flow !== 'web-kyc') throw new TypeError("authenteq.flow must be 'web-idv' or 'web-kyc'");
  // Web IDV: which verifications Authenteq confirmed through its webhook, by verification id.
  const confirmations = store ?? new MemoryStore({ ...(clock ? { clock } : {}) });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  // One Passport per app, so several examples can share a process (the demo launcher runs three).
  const passport = new Passport();
  passport.serializeUser<AccountUser>((user, done) => done(null, user as AccountUser));
  passport.deserializeUser<AccountUser>((user, done) => done(null, user));
  // The verified identity is the account: signing up twice with one document gives the same id.
  const verify = (profile: VerifiedIdentity<object>, done: VerifyDone) =>
    done(null, {
      id: profile.id,
      name: profile.displayName,
      birthDate: profile.birthDate as string | undefined,
      nationality: profile.nationality,
      document: {
        type: profile.document.type,
        number: profile.document.number,
        issuingCountry: profile.document.issuingCountry,
        dateOfExpiry: profile.document.dateOfExpiry as string | undefined,
      },
      images: profile.images,
      flow,
      ...(profile.verificationId ? { verificationId: profile.verificationId } : {}),
      verifiedAt: new Date(clock?.now() ?? Date.now()).toISOString(),
    } satisfies AccountUser);
  const shared = {
    clientID: authenteq.clientID,
    clientSecret: authenteq.clientSecret,
    callbackURL: authenteq.callbackURL,
    ...(authenteq.timeout ? { timeout: authenteq.timeout } : {}),
    policy,
    includeImages,
    ...(store ? { store } : {}),
    ...(clock ? { clock } : {}),
  };
  const strategy =
    flow === 'web-idv'
      ? new AuthenteqWebIdvStrategy(
          {
            ...shared,
            ...(authenteq.baseURL ? { baseURL: authenteq.baseURL } : {}),
            ...(authenteq.flowSlug ? { flowSlug: authenteq.flowSlug } : {}),
          },
          verify,
        )
      : new AuthenteqStrategy(
          {
            ...shared,
            ...(authenteq.authorizationURL ? { authorizationURL: authenteq.authorizationURL } : {}),
            ...(authenteq.tokenURL ? { tokenURL: authenteq.tokenURL } : {}),
            ...(authenteq.detailsURL ? { detailsURL: authenteq.detailsURL } : {}),
            backURL: new URL('/signup', callback).href,
          },
          verify,
        );
  passport.use(strategy);

  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });
  app.get('/style.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=300').send(STYLESHEET);
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/local-time.js', (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=300').send(LOCAL_TIME_SCRIPT);
  });
  app.get('/authenteq-logo.svg', (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=300').send(LOGO_SVG);
  });
  if (flow === 'web-idv') {
    // Before the session and any body parser: the webhook reads and checks the raw signed body itself. It hands each
    // verification over once; the app only notes that the provider confirmed it.
    app.post(
      '/webhooks/authenteq',
      authenteqWebhook({
        clientID: authenteq.clientID,
        clientSecret: authenteq.clientSecret,
        ...(store ? { store } : {}),
        ...(clock ? { clock } : {}),
        onResult: async (result) => {
          const at = new Date(clock?.now() ?? Date.now()).toISOString();
          await confirmations.set(`signup:confirmed:${result.id}`, { at }, CONFIRMATION_TTL);
        },
      }),
    );
  }
  // A failing session store (Redis down) is a 503, like every other store failure: nobody is logged in.
  app.use(
    failClosedSession(
      session({
        name: 'signup.sid',
        secret: sessionSecret,
        resave: false,
        saveUninitialized: false,
        store: sessionStore,
        // Lax, not Strict: the provider sends the browser back with a cross-site top-level GET.
        cookie: { httpOnly: true, sameSite: 'lax', secure: callback.protocol === 'https:', maxAge: 8 * 3_600_000 },
      }),
    ),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(express.urlencoded({ extended: false, limit: '2kb' }));

  const chrome = (req: Request): Chrome => {
    const user = req.user as AccountUser | undefined;
    if (user && !req.session.csrf) req.session.csrf = randomBytes(32).toString('base64url');
    return { userName: user?.name, csrf: user ? req.session.csrf : undefined, homeURL };
  };

  app.get('/', (req, res) => res.redirect(req.user ? '/account' : '/signup'));

  app.get('/signup', (req, res) => {
    if (req.user) return res.redirect('/account');
    const messages = req.session.messages;
    const refusal = messages?.at(-1);
    if (messages) delete req.session.messages;
    res.send(signUpPage(refusal, chrome(req), policy.minimumAge, flow));
  });

  app.get('/auth/authenteq', (req, res, next) => {
    // The session cookie must be set on the host Authenteq sends the browser back to: on a developer machine,
    // move a visitor from localhost to 127.0.0.1 (or back) first. Only between loopback names, so a proxy that
    // rewrites Host can never cause a redirect loop.
    const host = req.get('host') ?? '';
    if (host !== callback.host && isLoopback(host) && isLoopback(callback.host)) {
      const target = new URL('/auth/authenteq', callback);
      target.search = new URL(req.originalUrl, 'http://localhost').search; // keeps ?returnTo=
      return res.redirect(target.href);
    }
    passport.authenticate(strategy.name, { returnTo: req.query.returnTo })(req, res, next);
  });

  app.get(
    callback.pathname,
    passport.authenticate(strategy.name, { failureRedirect: '/signup', failureMessage: true, keepSessionInfo: true }),
    (req, res) => {
      const info = req.authInfo as { returnTo?: string } | undefined;
      res.redirect(info?.returnTo ?? '/account');
    },
  );

  app.get('/account', async (req, res) => {
    const user = req.user as AccountUser | undefined;
    if (!user) return res.redirect('/signup');
    const confirmed = user.verificationId
      ? await confirmations.get<{ at: string }>(`signup:confirmed:${user.verificationId}`)
      : undefined;
    res.send(accountPage(user, chrome(req), confirmed?.at));
  });

  app.post('/logout', (req, res, next) => {
    const given = Buffer.from(typeof req.body?.csrf === 'string' ? req.body.csrf : '');
    const expected = Buffer.from(req.session.csrf ?? '');
    if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res
        .status(403)
        .send(errorPage('This form has expired', 'Please go back, reload the page and try again.', chrome(req)));
      return;
    }
    req.logout((error) => {
      if (error) return next(error);
      req.session.destroy(() => res.redirect('/signup'));
    });
  });

  app.use((_req, res) => {
    res.status(404).send(errorPage('Page not found', 'There is nothing at this address.', { homeURL }));
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = errorStatus(error);
    const [title, message] = PLAIN_ERRORS[status] ?? ['Something went wrong', 'Please try again in a moment.'];
    res.status(status).send(errorPage(title, message, { homeURL }));
    void req;
  });

  return { app, strategy, flow, sessionStore };
}

function isLoopback(host: string): boolean {
  return /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(host);
}

function errorStatus(error: unknown): number {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
