/**
 * One instance of an app that uses the three passport-idv packages with shared stores: AuthenteqStrategy (state),
 * FaceLoginStrategy + AliceClient (attempts, used authentication ids, rate limits, Alice tokens) and ephemeralSession
 * (handoff reuse). The multi-instance test runs two of these in child processes on one Redis; the Redis outage test
 * runs them in its own process. Answers are JSON so a test can read them:
 *
 * - `GET /auth/authenteq` → 302 to the identity check; `GET /auth/authenteq/callback` → `{user}` or `{failure}`;
 * - `POST /login/face/begin {aliceUserId}` → `{userToken}`; `POST /login/face {authenticationId}` → `{user}` or
 *   `{failure}`;
 * - `POST /verify/handoff` (logged in) → 201 `{handoffUrl, sessionId, expiresAt}`;
 * - `GET /me` → `{instance, user}`; every answer carries `x-instance`.
 *
 * Errors answer `{error: code}` with the error's status: a store failure (passport-idv's store or the session store)
 * is a 503.
 */
import { AuthenteqStrategy } from '@passport-idv/authenteq';
import { type Clock, failClosedSession, PassportIdvError, type Store } from '@passport-idv/core';
import { ephemeralSession } from '@passport-idv/ephemeral-session';
import { AliceClient, FaceLoginStrategy } from '@passport-idv/face-login';
import type { Sandbox } from '@passport-idv/sandbox';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';

/** The provider configuration of an instance: plain data, so it can cross a process boundary. */
export interface ProviderConfig {
  authenteq: {
    clientID: string;
    clientSecret: string;
    authorizationURL: string;
    tokenURL: string;
    detailsURL: string;
    callbackURL: string;
  };
  alice: { apiKey: string; baseURL: string };
  idv: { host: string; apiKey: string; workflowId: string };
}

/** The sandbox's credentials and URLs as a {@link ProviderConfig}, with the callback URL every instance shares. */
export function providerConfig(sandbox: Sandbox, callbackURL: string): ProviderConfig {
  const { authenteq, alice, idv } = sandbox;
  return {
    authenteq: {
      clientID: authenteq.clientID,
      clientSecret: authenteq.clientSecret,
      authorizationURL: authenteq.authorizationURL,
      tokenURL: authenteq.tokenURL,
      detailsURL: authenteq.detailsURL,
      callbackURL,
    },
    alice: { apiKey: alice.apiKey, baseURL: alice.baseURL },
    idv: { host: idv.host, apiKey: idv.apiKey, workflowId: idv.workflowId },
  };
}

/** Options of {@link createInstanceApp}. */
export interface InstanceAppOptions extends ProviderConfig {
  /** Echoed in `x-instance` and `/me`, so a test sees which instance answered. */
  name: string;
  /** The same on every instance, so any instance reads any instance's session cookie. */
  sessionSecret: string;
  /** passport-idv's store (a RedisStore shared by the instances). */
  store: Store;
  /** The express-session store (connect-redis on the same or another Redis). */
  sessionStore: session.Store;
  clock?: Clock;
  /** Milliseconds for each provider call. Default 5,000. */
  timeout?: number;
}

interface User {
  id: string;
  name?: string;
}

/**
 * Builds one instance (an Express 5 app; the caller listens).
 *
 * @example
 * ```ts
 * const app = createInstanceApp({ name: 'A', sessionSecret, store, sessionStore, ...providers });
 * app.listen(0);
 * ```
 */
export function createInstanceApp(options: InstanceAppOptions): express.Express {
  const { name, clock, timeout = 5_000, store } = options;
  const passport = new Passport();
  passport.use(
    new AuthenteqStrategy({ ...options.authenteq, store, timeout, ...(clock ? { clock } : {}) }, (profile, done) =>
      done(null, { id: `authenteq:${profile.id}`, name: profile.displayName } satisfies User),
    ),
  );
  const alice = new AliceClient({ ...options.alice, tokenStore: store, timeout, ...(clock ? { clock } : {}) });
  const faceLogin = new FaceLoginStrategy(
    { client: alice, store, ...(clock ? { clock } : {}) },
    (aliceUserId, _result, done) => done(null, { id: `alice:${aliceUserId}` } satisfies User),
  );
  passport.use(faceLogin);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: User, done) => done(null, user));

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set({ 'x-instance': name, 'cache-control': 'no-store' });
    next();
  });
  app.use(express.json({ limit: '4kb' }));
  // A session store that cannot load or save a session is a store failure like any other: 503, nobody logged in.
  app.use(
    failClosedSession(
      session({
        secret: options.sessionSecret,
        store: options.sessionStore,
        resave: false,
        saveUninitialized: false,
        cookie: { httpOnly: true, sameSite: 'lax' },
      }),
    ),
  );
  app.use(passport.initialize());
  app.use(passport.session());

  /** Passport's custom callback: log in and answer `{user}`, or answer the failure with its status. */
  const authenticate = (strategy: string) => (req: Request, res: Response, next: NextFunction) =>
    passport.authenticate(strategy, (error: unknown, user: User | false, info: unknown, status?: number) => {
      if (error) return next(error);
      if (!user) return res.status(status ?? 401).json({ failure: info ?? null });
      req.logIn(user, (loginError) => (loginError ? next(loginError) : res.json({ user })));
    })(req, res, next);

  app.get('/auth/authenteq', passport.authenticate('authenteq'));
  app.get('/auth/authenteq/callback', authenticate('authenteq'));

  app.post('/login/face/begin', async (req, res) => {
    const aliceUserId: unknown = req.body?.aliceUserId;
    if (typeof aliceUserId !== 'string' || aliceUserId === '') return void res.status(400).json({ error: 'user' });
    const { userToken } = await faceLogin.begin(req, aliceUserId);
    res.json({ userToken });
  });
  app.post('/login/face', authenticate('face-login'));

  app.post(
    '/verify/handoff',
    (req, res, next) => (req.user ? next() : res.status(401).json({ error: 'login' })),
    ephemeralSession({ ...options.idv, store, timeout, ...(clock ? { clock } : {}) }),
  );

  app.get('/me', (req, res) => {
    res.json({ instance: name, user: req.user ?? null });
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = error instanceof PassportIdvError ? error.status : 500;
    const code = error instanceof PassportIdvError ? error.code : 'ERR_INTERNAL';
    res.status(status).json({ error: code });
  });
  return app;
}
