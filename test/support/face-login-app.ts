import { MemoryStore } from '@passport-idv/core';
import {
  AliceClient,
  type AliceClientOptions,
  FaceLoginStrategy,
  type FaceLoginStrategyOptions,
  type FaceLoginVerify,
  faceLoginOf,
  requireFaceLogin,
  reviewEnrollment,
} from '@passport-idv/face-login';
import type { Sandbox } from '@passport-idv/sandbox';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { jsonErrors } from './errors.js';

/** Options of {@link faceLoginApp}. */
export interface FaceLoginAppOptions {
  client?: Partial<AliceClientOptions>;
  strategy?: Partial<Omit<FaceLoginStrategyOptions, 'client' | 'passReqToCallback'>>;
  /** Trust `X-Forwarded-For` (so tests can play several client IPs). Default `false`. */
  trustProxy?: boolean;
  /** The verify callback. Default: the user `{ id: aliceUserId }`. */
  verify?: FaceLoginVerify;
}

/**
 * A real Express 5 app with express-session and Passport logging in with `FaceLoginStrategy` against the sandbox,
 * with the package defaults (rate limiting on) unless `options` say otherwise:
 *
 * - `POST /register {email}` → `{aliceUserId}` (`createUser`);
 * - `POST /enroll/review {aliceUserId}` → `{outcome}` (`reviewEnrollment`);
 * - `POST /login/face/begin {aliceUserId}` → `{userToken}` with `Cache-Control: no-store`. The test plays an app that
 *   has already proved who this is (a bound device, a first factor): `begin()` must never be called for an
 *   identifier a visitor typed (see the example app, which attacks-face-login.test.ts also drives);
 * - `POST /login/face {authenticationId}` → `{user, sid}`, a failure as `{failure}` with its status;
 * - `POST /login/face/standard {authenticationId}` → the same through `passport.authenticate('face-login',
 *   { failureRedirect: '/login' })`;
 * - `POST /login/other {id}` → another login in this session that keeps its data (`keepSessionInfo: true`);
 * - `GET /transfer` → 200 behind `requireFaceLogin({ maxAge: 300 })`, else 401; `GET /transfer/page` the same with
 *   `redirectTo: '/login'`;
 * - `GET /me` → `{user, sid, faceLogin}` (`faceLogin` null without one).
 *
 * Errors answer `{error: <code>}` with their status.
 *
 * @example
 * ```ts
 * const { app } = faceLoginApp(sandbox, { client: { timeout: 300 } });
 * ```
 */
export function faceLoginApp(sandbox: Sandbox, options: FaceLoginAppOptions = {}) {
  const client = new AliceClient({
    apiKey: sandbox.alice.apiKey,
    baseURL: sandbox.alice.baseURL,
    clock: sandbox.clock,
    ...options.client,
  });
  const store = options.strategy?.store ?? new MemoryStore({ clock: sandbox.clock });
  const strategy = new FaceLoginStrategy(
    { client, clock: sandbox.clock, ...options.strategy, store },
    options.verify ?? ((aliceUserId, _result, done) => done(null, { id: aliceUserId })),
  );
  const passport = new Passport();
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));

  const app = express();
  if (options.trustProxy) app.set('trust proxy', true);
  app.use(express.json());
  app.use(session({ secret: 'attack-suite-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/register', async (req, res) => {
    res.status(201).json({ aliceUserId: await client.createUser({ email: String(req.body.email ?? '') }) });
  });
  app.post('/enroll/review', async (req, res) => {
    res.json({ outcome: await reviewEnrollment(client, String(req.body.aliceUserId)) });
  });
  app.post('/login/face/begin', async (req, res) => {
    const { userToken } = await strategy.begin(req, String(req.body.aliceUserId));
    res.set('cache-control', 'no-store').json({ userToken });
  });
  app.post('/login/face', (req, res, next) => {
    passport.authenticate('face-login', (error: unknown, user: unknown, info: unknown, status: number | undefined) => {
      if (error) return next(error);
      if (!user) return res.status(status ?? 401).json({ failure: info });
      req.logIn(user as Express.User, (loginError) =>
        loginError ? next(loginError) : res.json({ user, sid: req.sessionID }),
      );
    })(req, res, next);
  });
  app.post('/login/face/standard', passport.authenticate('face-login', { failureRedirect: '/login' }), (req, res) => {
    res.json({ user: req.user, sid: req.sessionID });
  });
  app.post('/login/other', (req, res, next) => {
    const user = { id: String(req.body.id) };
    req.logIn(user, { session: true, keepSessionInfo: true }, (error) => (error ? next(error) : res.json({ user })));
  });
  app.get('/transfer', requireFaceLogin({ maxAge: 300, clock: sandbox.clock }), (_req, res) => res.json({ ok: true }));
  app.get(
    '/transfer/page',
    requireFaceLogin({ maxAge: 300, clock: sandbox.clock, redirectTo: '/login' }),
    (_req, res) => res.json({ ok: true }),
  );
  app.get('/me', (req, res) =>
    res.json({ user: req.user ?? null, sid: req.sessionID, faceLogin: faceLoginOf(req) ?? null }),
  );
  app.use(jsonErrors);
  return { app, client, strategy, store };
}
