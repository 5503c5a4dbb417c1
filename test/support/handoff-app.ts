import {
  type EphemeralSessionOptions,
  ephemeralSession,
  type IdvSessionDetails,
  type IdvWebhookOptions,
  idvWebhook,
} from '@passport-idv/ephemeral-session';
import type { Sandbox } from '@passport-idv/sandbox';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import supertest from 'supertest';
import { jsonErrors } from './errors.js';

/**
 * A real Express 5 app with express-session and Passport handing verification sessions to a phone with
 * `ephemeralSession()` against the sandbox, and learning their outcome with `idvWebhook()`:
 *
 * - `POST /webhooks/idv` → the webhook, before the body parser; what it hands over is pushed to `handed`;
 * - `POST /login/:id` → 204, logs the user `{id}` in (a stand-in for any login);
 * - `POST /verify/handoff` → 201 `{handoffUrl, sessionId, expiresAt}`, or `{error, message}` with 401/502/503/504;
 * - `GET /verify/session/:id` (logged in) → `{session: {id, status, state}}` read back with `getSession`, or
 *   `{error}` with the error's status;
 * - `GET /me` → `{user}`.
 *
 * @example
 * ```ts
 * const { app, handed } = handoffApp(sandbox, { timeout: 300 }, { secret: 'shared' });
 * ```
 */
export function handoffApp(
  sandbox: Sandbox,
  options: Partial<EphemeralSessionOptions> = {},
  webhook: Partial<IdvWebhookOptions> = {},
) {
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const handoff = ephemeralSession({
    host: sandbox.idv.host,
    apiKey: sandbox.idv.apiKey,
    workflowId: sandbox.idv.workflowId,
    clock: sandbox.clock,
    ...options,
  });
  const handed: IdvSessionDetails[] = [];
  const app = express();
  app.post(
    '/webhooks/idv',
    idvWebhook({
      client: handoff.client,
      onSession: (verified) => {
        handed.push(verified);
      },
      ...webhook,
    }),
  );
  app.use(express.json());
  app.use(session({ secret: 'attack-suite-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.session());
  app.post('/login/:id', (req, res, next) => {
    req.login({ id: req.params.id }, (error) => (error ? next(error) : res.status(204).end()));
  });
  app.post('/verify/handoff', handoff);
  app.get('/verify/session/:id', async (req, res) => {
    if (!req.user) return void res.status(401).json({ error: 'login' });
    const { id, status, state } = await handoff.client.getSession(req.params.id);
    res.json({ session: { id, status, state } });
  });
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  app.use(jsonErrors);
  return { app, handoff, handed };
}

/** A browser logged in as `id` on a {@link handoffApp} (`POST /login/:id`). */
export async function loggedIn(app: Parameters<typeof supertest.agent>[0], id = 'user-1') {
  const agent = supertest.agent(app);
  const res = await agent.post(`/login/${encodeURIComponent(id)}`);
  if (res.status !== 204) throw new Error(`the test login answered ${res.status}`);
  return agent;
}
