import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import session from 'express-session';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ephemeralSession } from '../src/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

it('works in an Express 4 app: 201 with the handoff, 401 without a user', async () => {
  const app = express4();
  // Casts: this repository's types are Express 5's; an Express 4 project resolves `express` to its own types.
  app.use(session({ secret: 'test', resave: false, saveUninitialized: false }) as never);
  const authenticator = new passport.Passport();
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user: Express.User, done) => done(null, user));
  app.use(authenticator.session() as never);
  app.post('/login', (req, res, next) => {
    (req as unknown as Express.Request).login({ id: 'user-4' }, (error) =>
      error ? next(error) : res.status(204).end(),
    );
  });
  app.post('/verify/handoff', ephemeralSession({ ...sandbox.idv, clock: sandbox.clock }) as never);
  await request(app).post('/verify/handoff').expect(401);
  const agent = request.agent(app);
  await agent.post('/login').expect(204);
  const res = await agent.post('/verify/handoff').expect(201);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(sandbox.idv.getSession(res.body.sessionId)?.metadata).toEqual({ externalUserId: 'user-4' });
});
