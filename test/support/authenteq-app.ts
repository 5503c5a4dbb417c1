import {
  AuthenteqStrategy,
  type AuthenteqStrategyOptions,
  AuthenteqWebIdvStrategy,
  type AuthenteqWebIdvStrategyOptions,
} from '@passport-idv/authenteq';
import type { Sandbox } from '@passport-idv/sandbox';
import express from 'express';
import session from 'express-session';
import { Passport, type Strategy } from 'passport';
import { jsonErrors } from './errors.js';

/** The callback URL the sign-up test apps use; register it with `startSandbox({ authenteq: { redirectURIs } })`. */
export const AUTHENTEQ_CALLBACK_URL = 'http://app.test/auth/authenteq/callback';

/** A user as the sign-up test app keeps it. */
export interface SignupUser {
  id: string;
  name: string;
}

/**
 * A real Express 5 app with express-session and Passport signing up with `AuthenteqStrategy` against the sandbox:
 *
 * - `GET /auth/authenteq?returnTo=` → 302 to the identity server;
 * - `GET /auth/authenteq/callback` → 200 `{user, authInfo, sid}`, a failure as `{failure: {code, message}}` with its
 *   status, an error as `{error: <code>}` with its status;
 * - `GET /me` → `{user, sid}`.
 *
 * @example
 * ```ts
 * const { app } = authenteqApp(sandbox, { timeout: 300 });
 * const agent = supertest.agent(app);
 * const authorize = (await agent.get('/auth/authenteq')).headers.location;
 * ```
 */
export function authenteqApp(sandbox: Sandbox, options: Partial<AuthenteqStrategyOptions> = {}) {
  const strategy = new AuthenteqStrategy(
    {
      clientID: sandbox.authenteq.clientID,
      clientSecret: sandbox.authenteq.clientSecret,
      authorizationURL: sandbox.authenteq.authorizationURL,
      tokenURL: sandbox.authenteq.tokenURL,
      detailsURL: sandbox.authenteq.detailsURL,
      callbackURL: AUTHENTEQ_CALLBACK_URL,
      clock: sandbox.clock,
      ...options,
      passReqToCallback: false,
    },
    (profile, done) => done(null, { id: profile.id, name: profile.displayName }),
  );
  return { app: signupApp(strategy, '/auth/authenteq'), strategy };
}

/** The Web IDV strategy's callback URL in the test apps; register it with `startSandbox({ authenteqWebIdv })`. */
export const WEB_IDV_STRATEGY_CALLBACK_URL = 'http://app.test/auth/authenteq-web-idv/callback';

/**
 * The same app on `AuthenteqWebIdvStrategy`: `GET /auth/authenteq-web-idv` and `/auth/authenteq-web-idv/callback`
 * answer as {@link authenteqApp}'s routes do, `GET /me` too.
 *
 * @example
 * ```ts
 * const { app } = webIdvStrategyApp(sandbox, { timeout: 300 });
 * const start = await supertest.agent(app).get('/auth/authenteq-web-idv'); // 302 to the verification page
 * ```
 */
export function webIdvStrategyApp(sandbox: Sandbox, options: Partial<AuthenteqWebIdvStrategyOptions> = {}) {
  const strategy = new AuthenteqWebIdvStrategy(
    {
      clientID: sandbox.authenteqWebIdv.clientID,
      clientSecret: sandbox.authenteqWebIdv.clientSecret,
      baseURL: sandbox.authenteqWebIdv.baseURL,
      callbackURL: WEB_IDV_STRATEGY_CALLBACK_URL,
      clock: sandbox.clock,
      ...options,
      passReqToCallback: false,
    },
    (profile, done) => done(null, { id: profile.id, name: profile.displayName }),
  );
  return { app: signupApp(strategy, '/auth/authenteq-web-idv'), strategy };
}

/** The sign-up app around `strategy`: start at `base`, callback at `${base}/callback`, `/me`. */
function signupApp(strategy: Strategy & { name: string }, base: string) {
  const passport = new Passport();
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  const app = express();
  app.use(session({ secret: 'attack-suite-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.get(base, (req, res, next) =>
    passport.authenticate(strategy.name, { returnTo: req.query.returnTo })(req, res, next),
  );
  app.get(`${base}/callback`, (req, res, next) => {
    passport.authenticate(
      strategy.name,
      (error: unknown, user: Express.User | false, info: unknown, status: number | undefined) => {
        if (error) return next(error);
        if (!user) return res.status(status ?? 401).json({ failure: info });
        req.logIn(user, (loginError) => {
          if (loginError) return next(loginError);
          res.json({ user, authInfo: info, sid: req.sessionID });
        });
      },
    )(req, res, next);
  });
  app.get('/me', (req, res) => res.json({ user: req.user ?? null, sid: req.sessionID }));
  app.use(jsonErrors);
  return app;
}

/** The path and query of an absolute URL, to request it on a supertest agent. */
export function localPath(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
