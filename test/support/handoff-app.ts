import { type EphemeralSessionOptions, ephemeralSession } from '@passport-idv/ephemeral-session';
import type { Sandbox } from '@passport-idv/sandbox';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { jsonErrors } from './errors.js';

/**
 * A real Express 5 app with express-session and Passport handing verification sessions to a phone with
 * `ephemeralSession()` against the sandbox:
 *
 * - `POST /login/:id` → 204, logs the user `{id}` in (a stand-in for any login);
 * - `POST /verify/handoff` → 201 `{handoffUrl, sessionId, expiresAt}`, or `{error, message}` with 401/502/503/504;
 * - `GET /me` → `{user}`.
 *
 * @example
 * ```ts
 * const { app } = handoffApp(sandbox, { timeout: 300 });
 * ```
 */
export function handoffApp(sandbox: Sandbox, options: Partial<EphemeralSessionOptions> = {}) {
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(express.json());
  app.use(session({ secret: 'attack-suite-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.session());
  app.post('/login/:id', (req, res, next) => {
    req.login({ id: req.params.id }, (error) => (error ? next(error) : res.status(204).end()));
  });
  const handoff = ephemeralSession({
    host: sandbox.idv.host,
    apiKey: sandbox.idv.apiKey,
    workflowId: sandbox.idv.workflowId,
    clock: sandbox.clock,
    ...options,
  });
  app.post('/verify/handoff', handoff);
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  app.use(jsonErrors);
  return { app, handoff };
}
