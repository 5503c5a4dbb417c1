import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type Clock, failClosedSession, PassportIdvError, type Store, safeReturnTo } from '@passport-idv/core';
import {
  AliceClient,
  FaceLoginStrategy,
  faceLoginOf,
  requireFaceLogin,
  reviewEnrollment,
} from '@passport-idv/face-login';
import { ALICE_SDK_SCRIPT } from '@passport-idv/sandbox';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { FACE_SCRIPT, STYLESHEET } from './html.js';
import {
  accountPage,
  type BankUser,
  type Chrome,
  enrollPage,
  errorPage,
  loginPage,
  registerPage,
  type SdkTag,
  transferPage,
} from './pages.js';

declare module 'express-session' {
  interface SessionData {
    csrf?: string;
    /** Passport's `failureMessage: true` pushes the refusal sentence here. */
    messages?: string[];
  }
}

export type { BankUser } from './pages.js';

/** Options of {@link createApp}. */
export interface FaceLoginAppOptions {
  /** Alice Onboarding: `sandbox.alice` (with its `sdkURL`), or the real API key (and base URL). */
  alice: {
    apiKey: string;
    /** Default: the production API. */
    baseURL?: string;
    timeout?: number;
    useCache?: boolean;
    /**
     * The browser SDK script exposing `AliceSandboxSDK` (`sandbox.alice.sdkURL`). Without it the app serves the same
     * stand-in itself at `/alice-sdk.js`, pointed at `baseURL` with the real camera only (for the real API).
     */
    sdkURL?: string;
  };
  /** Signs the session cookie. */
  sessionSecret: string;
  /** Where face-login attempts, used authentication ids, rate limits and Alice tokens live (e.g. a RedisStore). */
  store?: Store;
  /** The express-session store: default its MemoryStore (use connect-redis for several instances). */
  sessionStore?: session.Store;
  /** The clock behind every expiry (tests pass `sandbox.clock`). */
  clock?: Clock;
  /** A link back to the demo landing page, shown in the header. */
  homeURL?: string;
}

/** What {@link createApp} returns. */
export interface FaceLoginApp {
  app: express.Express;
  client: AliceClient;
  strategy: FaceLoginStrategy;
  /** The app's users by email (an in-memory stand-in for a database). */
  users: Map<string, BankUser>;
}

const STEP_UP_SECONDS = 300;
const EMAIL = /^[^\s@<>]{1,100}@[^\s@<>]{1,100}$/;

const PLAIN_ERRORS: Record<number, [string, string]> = {
  502: ['The identity service is not available', 'We could not reach the face check service. Please try again.'],
  503: [
    'Face login is temporarily unavailable',
    'We could not check your face login right now. Please try again shortly.',
  ],
  504: ['The identity service is slow to answer', 'The face check service did not answer in time. Please try again.'],
};

const ENROLL_MESSAGES: Record<string, string> = {
  retry: 'We could not confirm a live person in your selfie. Please take it again, facing the camera in good light.',
  pending: 'We did not receive a selfie. Please try again.',
};

/**
 * The face-login example: register with an email, enroll a selfie through the Alice SDK, have it reviewed, log out,
 * log back in with the face, and open `/transfer`, which requires a face login from the last 5 minutes.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * const { app } = createApp({ alice: sandbox.alice, sessionSecret: 'change me', clock: sandbox.clock });
 * app.listen(3002, '127.0.0.1');
 * ```
 */
export function createApp(options: FaceLoginAppOptions): FaceLoginApp {
  const { alice, sessionSecret, store, sessionStore, clock, homeURL } = options;
  const client = new AliceClient({
    apiKey: alice.apiKey,
    ...(alice.baseURL ? { baseURL: alice.baseURL } : {}),
    ...(alice.timeout ? { timeout: alice.timeout } : {}),
    ...(alice.useCache ? { useCache: true } : {}),
    ...(store ? { tokenStore: store } : {}),
    ...(clock ? { clock } : {}),
  });
  const users = new Map<string, BankUser>();
  const byAliceId = (aliceUserId: string) => [...users.values()].find((u) => u.aliceUserId === aliceUserId);
  const byId = (id: string) => [...users.values()].find((u) => u.id === id);

  const passport = new Passport();
  passport.serializeUser<string>((user, done) => done(null, (user as BankUser).id));
  passport.deserializeUser<string>((id, done) => done(null, byId(id) ?? false));
  const strategy = new FaceLoginStrategy(
    { client, maxAge: STEP_UP_SECONDS, ...(store ? { store } : {}), ...(clock ? { clock } : {}) },
    (aliceUserId, _result, done) => {
      const user = byAliceId(aliceUserId);
      done(null, user?.faceLoginEnabled ? user : false);
    },
  );
  passport.use(strategy);

  const sdk: SdkTag = alice.sdkURL
    ? { src: alice.sdkURL, attributes: '' }
    : { src: '/alice-sdk.js', attributes: `data-base-url="${client.baseURL}" data-camera-only` };
  const sdkOrigin = alice.sdkURL ? new URL(alice.sdkURL).origin : '';
  const csp = [
    "default-src 'none'",
    `script-src 'self' ${sdkOrigin}`.trim(),
    `connect-src 'self' ${new URL(client.baseURL).origin}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });
  const asset = (type: string, body: string) => (_req: Request, res: Response) =>
    void res.type(type).set('Cache-Control', 'public, max-age=300').send(body);
  app.get('/style.css', asset('text/css', STYLESHEET));
  app.get('/favicon.ico', (_req, res) => void res.status(204).end());
  app.get('/face.js', asset('text/javascript', FACE_SCRIPT));
  if (!alice.sdkURL) app.get('/alice-sdk.js', asset('text/javascript', ALICE_SDK_SCRIPT));
  // A failing session store (Redis down) is a 503, like every other store failure: nobody is logged in.
  app.use(
    failClosedSession(
      session({
        name: 'face.sid',
        secret: sessionSecret,
        resave: false,
        saveUninitialized: false,
        ...(sessionStore ? { store: sessionStore } : {}),
        cookie: { httpOnly: true, sameSite: 'lax' },
      }),
    ),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(express.json({ limit: '4kb' }));

  const csrfOf = (req: Request): string => {
    if (!req.session) return ''; // the session store failed: the error page has no form to protect
    req.session.csrf ??= randomBytes(32).toString('base64url');
    return req.session.csrf;
  };
  const chrome = (req: Request): Chrome => ({
    user: req.user as BankUser | undefined,
    csrf: csrfOf(req),
    ...(homeURL ? { homeURL } : {}),
  });
  /** Every POST carries the session's CSRF token, in the form (`csrf`) or the `x-csrf-token` header. */
  const csrf: RequestHandler = (req, res, next) => {
    const sent = req.get('x-csrf-token') ?? (typeof req.body?.csrf === 'string' ? req.body.csrf : '');
    const given = Buffer.from(sent);
    const expected = Buffer.from(req.session.csrf ?? '');
    if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(403);
      if (req.is('application/json')) return void res.json({ message: 'Please reload the page and try again.' });
      return void res.send(
        errorPage(chrome(req), 'This form has expired', 'Please go back, reload the page and try again.'),
      );
    }
    next();
  };
  const signedIn: RequestHandler = (req, res, next) => {
    if (req.user) return next();
    if (req.method === 'GET') return res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
    res.status(401).json({ message: 'Please log in first.' });
  };
  const origin = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const stepUp = requireFaceLogin({ maxAge: STEP_UP_SECONDS, redirectTo: '/login', ...(clock ? { clock } : {}) });

  app.get('/', (req, res) => res.redirect(req.user ? '/account' : '/register'));

  app.get('/register', (req, res) => (req.user ? res.redirect('/account') : res.send(registerPage(chrome(req)))));
  app.post('/register', csrf, async (req, res, next) => {
    const email = typeof req.body.email === 'string' ? req.body.email.trim().toLowerCase() : '';
    if (!EMAIL.test(email))
      return res.status(400).send(registerPage(chrome(req), 'Please enter a valid email address.'));
    if (users.has(email)) {
      return res
        .status(409)
        .send(registerPage(chrome(req), 'This email is already registered. Log in with your face instead.'));
    }
    const aliceUserId = await client.createUser({ email });
    const user: BankUser = { id: randomBytes(12).toString('base64url'), email, aliceUserId, faceLoginEnabled: false };
    users.set(email, user);
    req.login(user, (error) => (error ? next(error) : res.redirect('/enroll')));
  });

  app.get('/enroll', signedIn, (req, res) => {
    const reason = typeof req.query.reason === 'string' ? ENROLL_MESSAGES[req.query.reason] : undefined;
    res.send(enrollPage(chrome(req), sdk, reason));
  });
  app.post('/enroll/token', signedIn, csrf, async (req, res) => {
    const user = req.user as BankUser;
    res.json({ userToken: await client.getUserToken(user.aliceUserId) });
  });
  app.post('/enroll/review', signedIn, csrf, async (req, res) => {
    const user = req.user as BankUser;
    const outcome = await reviewEnrollment(client, user.aliceUserId);
    if (outcome !== 'authorized') return res.redirect(`/enroll?reason=${outcome}`);
    user.faceLoginEnabled = true;
    res.redirect('/account?enrolled=1');
  });

  app.get('/login', (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, origin(req), '/account');
    const message = req.session.messages?.at(-1);
    delete req.session.messages;
    res.send(loginPage(chrome(req), sdk, { returnTo, stepUp: Boolean(req.user), message }));
  });
  app.post('/login/face/begin', csrf, async (req, res) => {
    const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
    const user = (req.user as BankUser | undefined) ?? users.get(email);
    if (!user?.faceLoginEnabled) {
      return res.status(400).json({
        message: 'We could not start a face login for this email. Check it, or register and enroll your face first.',
      });
    }
    const { userToken } = await strategy.begin(req, user.aliceUserId);
    res.json({ userToken });
  });
  app.post('/login/face', csrf, (req, res, next) => {
    const returnTo = safeReturnTo(req.body.returnTo, origin(req), '/account');
    passport.authenticate('face-login', {
      failureRedirect: `/login?returnTo=${encodeURIComponent(returnTo)}`,
      failureMessage: true,
    })(req, res, (error?: unknown) => (error ? next(error) : res.redirect(returnTo)));
  });

  app.post('/logout', csrf, (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.redirect('/login')));
  });

  app.get('/account', signedIn, (req, res) => {
    const lastFaceLogin = faceLoginOf(req)?.at;
    res.send(
      accountPage(chrome(req) as Chrome & { user: BankUser }, {
        ...(req.query.enrolled ? { message: 'Your selfie was accepted: face login is on.' } : {}),
        ...(lastFaceLogin !== undefined ? { lastFaceLogin } : {}),
      }),
    );
  });

  app.get('/transfer', signedIn, stepUp, (req, res) => res.send(transferPage(chrome(req))));
  app.post('/transfer', signedIn, stepUp, csrf, (req, res) => {
    const amount = Number(req.body.amount);
    const to = typeof req.body.to === 'string' ? req.body.to.trim().slice(0, 64) : '';
    if (!(Number.isInteger(amount) && amount >= 1 && amount <= 10_000) || !to) {
      return res.status(400).send(transferPage(chrome(req)));
    }
    res.send(transferPage(chrome(req), { amount: String(amount), to }));
  });

  // Provider and store failures: a plain sentence for people, a JSON message for the page script; never internals.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = error instanceof PassportIdvError ? error.status : 500;
    const [title, text] = PLAIN_ERRORS[status] ?? ['Something went wrong', 'Please try again.'];
    res.status(status);
    if (req.is('application/json')) return void res.json({ message: text });
    res.send(errorPage(chrome(req), title, text));
  });

  return { app, client, strategy, users };
}
