import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import util from 'node:util';
import { MemoryStore, type Store } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import createDebug from 'debug';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import {
  AliceClient,
  type AliceClientOptions,
  FaceLoginStrategy,
  type FaceLoginStrategyOptions,
  type FaceLoginVerify,
  faceLoginOf,
  requireFaceLogin,
} from '../src/index.js';

export interface TestApp {
  app: express.Express;
  client: AliceClient;
  strategy: FaceLoginStrategy;
  store: Store;
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Debug output of passport-idv, captured for secret checks. */
export function captureLogs(): string[] {
  const lines: string[] = [];
  createDebug.enable('passport-idv:*');
  createDebug.log = (...args: unknown[]) => lines.push(util.format(...args));
  return lines;
}

/**
 * A real Express 5 app with express-session and Passport using FaceLoginStrategy against the sandbox:
 * POST /begin {aliceUserId} → {userToken}; POST /login/face {authenticationId} → {user, sid} or {failure};
 * POST /login/other {id} (a login keeping the session's data); GET /me; GET /transfer behind
 * requireFaceLogin({ maxAge: 300 }).
 */
export async function createTestApp(
  sandbox: Sandbox,
  options: {
    client?: Partial<AliceClientOptions>;
    strategy?: Partial<Omit<FaceLoginStrategyOptions, 'client'>>;
    verify?: FaceLoginVerify;
  } = {},
): Promise<TestApp> {
  const store = options.strategy?.store ?? new MemoryStore({ clock: sandbox.clock });
  const client = new AliceClient({
    apiKey: sandbox.alice.apiKey,
    baseURL: sandbox.alice.baseURL,
    clock: sandbox.clock,
    ...options.client,
  });
  const strategy = new FaceLoginStrategy(
    // A login posted without an id waits on the sandbox's clock: its pauses move the clock instead of waiting.
    {
      client,
      clock: sandbox.clock,
      store,
      rateLimit: false,
      resolveAuthentication: { sleep: advance(sandbox) },
      ...options.strategy,
    },
    options.verify ?? ((aliceUserId, _result, done) => done(null, { id: aliceUserId })),
  );
  const passport = new Passport();
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));
  const app = express();
  app.use(express.json());
  app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/begin', async (req, res) => {
    const { userToken } = await strategy.begin(req, req.body.aliceUserId);
    res.set('cache-control', 'no-store').json({ userToken });
  });
  app.post('/login/face', (req, res, next) => {
    passport.authenticate('face-login', (err: unknown, user: unknown, info: unknown, status: number) => {
      if (err) return next(err);
      if (!user) return res.status(status ?? 401).json({ failure: info });
      req.logIn(user, (loginError) => (loginError ? next(loginError) : res.json({ user, sid: req.sessionID })));
    })(req, res, next);
  });
  app.post('/login/face/standard', passport.authenticate('face-login', { failureRedirect: '/login' }), (req, res) => {
    res.json({ user: req.user, sid: req.sessionID });
  });
  // Another login in the same session that keeps its data, as a sign-up callback with `keepSessionInfo: true` does.
  app.post('/login/other', (req, res, next) => {
    req.logIn({ id: String(req.body.id) }, { session: true, keepSessionInfo: true }, (error) =>
      error ? next(error) : res.json({ user: req.user }),
    );
  });
  app.get('/me', (req, res) =>
    res.json({ user: req.user ?? null, faceLogin: faceLoginOf(req) ?? null, sid: req.sessionID }),
  );
  app.get('/transfer', requireFaceLogin({ maxAge: 300, clock: sandbox.clock }), (_req, res) => res.json({ ok: true }));
  app.get(
    '/transfer/page',
    requireFaceLogin({ maxAge: 300, clock: sandbox.clock, redirectTo: '/login' }),
    (_req, res) => res.json({ ok: true }),
  );
  app.use((err: { status?: number; code?: string }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ error: err.code ?? 'error' });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app,
    client,
    strategy,
    store,
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A `sleep` that moves the sandbox's clock by the pause asked for and returns at once (recorded in `pauses`). */
export function advance(sandbox: Sandbox, pauses: number[] = []): (ms: number) => Promise<void> {
  return async (ms) => {
    pauses.push(ms);
    sandbox.clock.advance(ms);
  };
}

export { startSandbox };
