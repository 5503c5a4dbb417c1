import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Clock, failClosedSession, PassportIdvError, type Store, safeReturnTo } from '@passport-idv/core';
import {
  AliceClient,
  DeviceBinding,
  FaceLoginStrategy,
  faceLoginOf,
  requireFaceLogin,
  reviewEnrollment,
} from '@passport-idv/face-login';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import createMemoryStore from 'memorystore';
import { Passport } from 'passport';
import { FACE_SCRIPT, LOCAL_TIME_SCRIPT, STYLESHEET } from './html.js';
import {
  accountPage,
  type BankUser,
  type Chrome,
  enrollPage,
  errorPage,
  loginPage,
  registerPage,
  type SdkTag,
  type TransferForm,
  transferPage,
} from './pages.js';

declare module 'express-session' {
  interface SessionData {
    csrf?: string;
    /** Passport's `failureMessage: true` pushes the refusal sentence here. */
    messages?: string[];
    /** The transfer just sent, shown once on the page the POST redirects to. */
    transferSent?: { amount: string; to: string };
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
     * The sandbox's stand-in for the browser SDK (`sandbox.alice.sdkURL`, exposing `AliceSandboxSDK`). Without it the
     * pages use Alice's real web SDK, the installed `aliceonboarding` package served from `/alice/`, pointed at
     * `baseURL`.
     */
    sdkURL?: string;
  };
  /** Signs the session cookie. */
  sessionSecret: string;
  /**
   * Signs the device-binding cookie (at least 32 bytes). Default: derived from `sessionSecret` (an HMAC with a label
   * of its own), so one secret is enough for the example; give it its own secret in your app.
   */
  deviceSecret?: string;
  /** Where face-login attempts, used authentication ids, rate limits and Alice tokens live (e.g. a RedisStore). */
  store?: Store;
  /**
   * The express-session store (connect-redis for several instances). Default: an in-memory store that drops
   * sessions once their cookie expires and keeps at most 50,000.
   */
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
  /** The browsers bound to a user at registration (the example's full sign-in). */
  devices: DeviceBinding;
  /** The session store in use (the default in-memory one unless `sessionStore` was given). */
  sessionStore: session.Store;
  /** The app's users by email (an in-memory stand-in for a database). */
  users: Map<string, BankUser>;
}

const STEP_UP_SECONDS = 300;
/** Sessions end after 8 hours; the device binding lasts 90 days. */
const SESSION_MS = 8 * 3_600_000;
const EMAIL = /^[^\s@<>]{1,100}@[^\s@<>]{1,100}$/;

const PLAIN_ERRORS: Record<number, [string, string]> = {
  400: ['That request could not be read', 'Please go back, reload the page and try again.'],
  413: ['That was more than this page accepts', 'Please go back, reload the page and try again.'],
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
  const { alice, sessionSecret, store, clock, homeURL } = options;
  // express-session's default store never drops an abandoned session: this one does, and holds at most 50,000.
  const sessionStore = options.sessionStore ?? new (createMemoryStore(session))({ checkPeriod: 600_000, max: 50_000 });
  const devices = new DeviceBinding({
    secret: options.deviceSecret ?? createHmac('sha256', sessionSecret).update('device binding').digest('hex'),
    ...(store ? { store } : {}),
    ...(clock ? { clock } : {}),
  });
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

  const sdk: SdkTag = alice.sdkURL ? { kind: 'stand-in', src: alice.sdkURL } : { kind: 'alice', api: client.baseURL };
  const csp = contentSecurityPolicy(sdk, new URL(client.baseURL).origin);

  const app = express();
  app.disable('x-powered-by');
  // For local use: only a proxy on this machine is believed about the client's IP (the rate limit's per-IP count) and
  // about HTTPS (the Secure cookies). Behind a load balancer, set the hops or addresses of your own proxies.
  app.set('trust proxy', 'loopback');
  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': csp,
      'Permissions-Policy': 'camera=(self)',
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
  app.get('/local-time.js', asset('text/javascript', LOCAL_TIME_SCRIPT));
  if (sdk.kind === 'alice') {
    // Alice's web SDK from the installed package, never a CDN: its bundle (with Vue inside) and its stylesheet.
    for (const [file, type] of [
      ['aliceonboarding.min.js', 'text/javascript'],
      ['aliceonboarding.css', 'text/css'],
    ] as const) {
      const path = join(ALICE_SDK_DIR, 'dist', file);
      app.get(`/alice/${file}`, (_req, res, next) => {
        res.type(type).set('Cache-Control', 'public, max-age=3600');
        res.sendFile(path, (error) => error && next(error));
      });
    }
  }
  // A failing session store (Redis down) is a 503, like every other store failure: nobody is logged in.
  app.use(
    failClosedSession(
      session({
        name: 'face.sid',
        secret: sessionSecret,
        resave: false,
        saveUninitialized: false,
        store: sessionStore,
        // Secure whenever the request came over HTTPS (as `trust proxy` lets Express see it).
        cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: SESSION_MS },
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
  /** The user this browser was bound to at registration, if the binding is genuine and the user still exists. */
  const deviceUser = async (req: Request): Promise<BankUser | undefined> => {
    const id = await devices.userOf(req);
    return id === undefined ? undefined : byId(id);
  };
  const stepUp = requireFaceLogin({ maxAge: STEP_UP_SECONDS, redirectTo: '/login', ...(clock ? { clock } : {}) });

  app.get('/', (req, res) => res.redirect(req.user ? '/account' : '/register'));

  app.get('/register', (req, res) => (req.user ? res.redirect('/account') : res.send(registerPage(chrome(req)))));
  app.post('/register', csrf, async (req, res, next) => {
    const email = typeof req.body.email === 'string' ? req.body.email.trim().toLowerCase() : '';
    const typed = typeof req.body.email === 'string' ? req.body.email.slice(0, 200) : '';
    if (!EMAIL.test(email))
      return res.status(400).send(registerPage(chrome(req), 'Please enter a valid email address.', typed));
    if (users.has(email)) {
      const taken = 'This email is already registered. Log in with your face on a browser where you signed in before.';
      return res.status(409).send(registerPage(chrome(req), taken, typed));
    }
    const aliceUserId = await client.createUser({ email });
    const user: BankUser = { id: randomBytes(12).toString('base64url'), email, aliceUserId, faceLoginEnabled: false };
    users.set(email, user);
    req.login(user, (error) => {
      if (error) return next(error);
      // Registering is this example's full sign-in: face login may start on this browser from now on. In your app,
      // bind after your strongest sign-in (password and second factor, an email link), never after a face login.
      devices.bind(req, res, user.id);
      res.redirect('/enroll');
    });
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

  app.get('/login', async (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, origin(req), '/account');
    const message = req.session.messages?.at(-1);
    delete req.session.messages;
    const device = req.user ? undefined : await deviceUser(req);
    res.send(loginPage(chrome(req), sdk, { returnTo, stepUp: Boolean(req.user), message, device }));
  });
  // Who is logging in comes from what the visitor holds, never from what they type: the logged-in user (a step-up),
  // or the user this browser was bound to. An email in the body is ignored: anyone can type a victim's.
  app.post('/login/face/begin', csrf, async (req, res) => {
    const user = (req.user as BankUser | undefined) ?? (await deviceUser(req));
    if (!user?.faceLoginEnabled) {
      return res.status(400).json({
        message: 'Face login is not set up on this browser. Register (or sign in) here and enroll your face first.',
      });
    }
    const { userToken } = await strategy.begin(req, user.aliceUserId);
    res.json({ userToken });
  });
  app.post('/device/forget', csrf, (req, res) => {
    devices.forget(req, res);
    res.redirect('/login');
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

  app.get('/transfer', signedIn, stepUp, (req, res) => {
    const sent = req.session.transferSent;
    delete req.session.transferSent;
    res.send(transferPage(chrome(req), sent ? { sent } : {}));
  });
  // Redirect-after-POST: a reload of the result shows the form again instead of sending the transfer twice.
  app.post('/transfer', signedIn, stepUp, csrf, (req, res) => {
    const to = typeof req.body.to === 'string' ? req.body.to.trim() : '';
    const amount = typeof req.body.amount === 'string' ? req.body.amount.trim() : '';
    const value = cents(amount);
    const errors: TransferForm['errors'] = {
      ...(to === '' || to.length > 64
        ? { to: 'Enter who receives the money: an IBAN or a name, up to 64 characters.' }
        : {}),
      ...(value === undefined
        ? { amount: 'Enter an amount from 0.01 to 10,000 EUR, with at most two decimals, e.g. 12.50.' }
        : {}),
    };
    if (value === undefined || errors.to) {
      return res
        .status(400)
        .send(transferPage(chrome(req), { form: { to: to.slice(0, 64), amount: amount.slice(0, 9), errors } }));
    }
    req.session.transferSent = { amount: (value / 100).toFixed(2), to };
    res.redirect(303, '/transfer');
  });

  // Provider and store failures, and requests the body parsers refused (413 too large, 400 malformed): a plain
  // sentence for people, a JSON message for the page script; never internals.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = error instanceof PassportIdvError ? error.status : clientErrorStatus(error);
    const [title, text] = PLAIN_ERRORS[status] ?? ['Something went wrong', 'Please try again.'];
    res.status(status);
    if (req.is('application/json')) return void res.json({ message: text });
    res.send(errorPage(chrome(req), title, text));
  });

  return { app, client, strategy, devices, sessionStore, users };
}

/** The installed `aliceonboarding` package (its `exports` name only `.`, an `index.ts` beside `dist/`). */
const ALICE_SDK_DIR = dirname(createRequire(import.meta.url).resolve('aliceonboarding'));

/**
 * The pages' Content-Security-Policy. With the sandbox's stand-in: this site, the stand-in's origin and the API. With
 * Alice's web SDK, what it loads at run time and no more (docs/providers/alice.md, "The web SDK and CSP"): WebAssembly
 * (`'wasm-unsafe-eval'`: ONNX Runtime, MediaPipe and an OpenCV.js build that starts when the bundle loads, whose
 * bindings also need `'unsafe-eval'`), ONNX Runtime's and MediaPipe's loaders from cdn.jsdelivr.net, its models from
 * storage.googleapis.com, an animation player from cdn.jsdelivr.net or unpkg.com, workers from `blob:` and `data:`
 * URLs, inline styles (Vue binds them, Font Awesome injects a `<style>`) and the Google fonts its stylesheet imports.
 */
function contentSecurityPolicy(sdk: SdkTag, api: string): string {
  const common = ["default-src 'none'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"];
  if (sdk.kind === 'stand-in') {
    return [
      ...common,
      `script-src 'self' ${new URL(sdk.src).origin}`,
      `connect-src 'self' ${api}`,
      "style-src 'self'",
      "img-src 'self' data:",
    ].join('; ');
  }
  return [
    ...common,
    "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval' https://cdn.jsdelivr.net",
    `connect-src 'self' ${api} https://storage.googleapis.com https://cdn.jsdelivr.net https://unpkg.com`,
    "worker-src 'self' blob: data:",
    "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
    "font-src 'self' https://fonts.gstatic.com",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
  ].join('; ');
}

/** An amount in EUR as people type it (`12`, `12.5`, `12,50`), in cents from 1 to 1,000,000; else `undefined`. */
function cents(value: string): number | undefined {
  const match = /^(\d{1,5})(?:[.,](\d{1,2}))?$/.exec(value);
  if (!match) return undefined;
  const total = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return total >= 1 && total <= 1_000_000 ? total : undefined;
}

/** The status of an error Express's body parsers raise for the client (413, 400...), else 500. */
function clientErrorStatus(error: unknown): number {
  const { status, expose } = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    expose?: unknown;
  };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}
