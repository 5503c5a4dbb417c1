/**
 * The face-login app of the benchmark: `AliceClient` + `FaceLoginStrategy` + `requireFaceLogin` on Express 5 +
 * express-session, against the sandbox's Alice emulator.
 *
 * Routes: `POST /enroll/review {aliceUserId}` → `{outcome}` (`reviewEnrollment`, which pins the approved selfie),
 * `POST /login/face/begin {aliceUserId}` → `{userToken}` (the app decided who logs in), `POST /login/face
 * {authenticationId}` → 200 or 401, and three routes for the guard comparison: `GET /protected`
 * (`requireFaceLogin`), `GET /authed` (`req.isAuthenticated()`), `GET /bare`.
 */

import { pathToFileURL } from 'node:url';
import * as faceLogin from '@passport-idv/face-login';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Passport } from 'passport';
import { CountingStore } from './counting-store.js';
import { sessionStats } from './session-stats.js';
import { type BuiltApp, baseApp } from './signup-apps.js';

/** How to build the face-login app. */
export interface FaceAppSpec {
  kind: 'face';
  alice: { apiKey: string; baseURL: string };
  /** `maxEntries` of the strategy's `MemoryStore` (attempts and used ids). */
  storeBound?: number;
}

interface FaceUser {
  id: string;
}

/** Builds the face-login app. */
export async function createFaceApp(spec: FaceAppSpec): Promise<BuiltApp> {
  // An A/B hook: BENCH_FACE_LOGIN_ALT names a patched build of @passport-idv/face-login to run instead.
  const alt = process.env.BENCH_FACE_LOGIN_ALT;
  const { AliceClient, FaceLoginStrategy, requireFaceLogin, reviewEnrollment } = alt
    ? ((await import(pathToFileURL(alt).href)) as typeof faceLogin)
    : faceLogin;
  // Counting stores (core's MemoryStore underneath, the packages' defaults) show how many store calls a login makes.
  const tokenStore = new CountingStore({ maxEntries: 10_000 });
  const client = new AliceClient({ apiKey: spec.alice.apiKey, baseURL: spec.alice.baseURL, tokenStore });
  const store = new CountingStore({ maxEntries: spec.storeBound ?? 100_000 });
  const strategy = new FaceLoginStrategy({ client, store }, (aliceUserId, _result, done) =>
    done(null, { id: aliceUserId } satisfies FaceUser),
  );
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: FaceUser, done) => done(null, user));
  passport.use('face-login', strategy);

  const { app, sessions } = baseApp();
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/enroll/review', express.json(), (req, res, next) => {
    const aliceUserId = String((req.body as { aliceUserId?: unknown } | undefined)?.aliceUserId);
    reviewEnrollment(client, aliceUserId)
      .then((outcome) => res.json({ outcome }))
      .catch(next);
  });
  app.post('/login/face/begin', express.json(), (req, res, next) => {
    const aliceUserId = (req.body as { aliceUserId?: unknown } | undefined)?.aliceUserId;
    if (typeof aliceUserId !== 'string') {
      res.sendStatus(400);
      return;
    }
    strategy
      .begin(req, aliceUserId)
      .then(({ userToken }) => res.json({ userToken }))
      .catch(next);
  });
  app.post('/login/face', express.json(), passport.authenticate('face-login'), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/protected', requireFaceLogin({ maxAge: 300 }), (_req, res) => {
    res.type('text').send('ok');
  });
  app.get('/authed', (req, res) => {
    if (req.isAuthenticated()) res.type('text').send('ok');
    else res.sendStatus(401);
  });
  app.get('/bare', (_req, res) => {
    res.type('text').send('ok');
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res
      .status((error as { status?: number }).status ?? 500)
      .type('text')
      .send('error');
  });
  return {
    app,
    stats: async () => ({
      ...(await sessionStats(sessions)),
      storeEntries: store.size,
      storeCalls: store.calls,
      tokenStoreCalls: tokenStore.calls,
    }),
  };
}
