import {
  AuthenteqStrategy,
  type AuthenteqStrategyOptions,
  type AuthenteqVerify,
  type AuthenteqVerifyWithRequest,
  AuthenteqWebIdvStrategy,
  type AuthenteqWebIdvStrategyOptions,
  type AuthenteqWebIdvVerify,
  type AuthenteqWebIdvVerifyWithRequest,
  type VerifiedIdentity,
  type VerifyDone,
} from '@passport-idv/authenteq';
import type { Sandbox } from '@passport-idv/sandbox';
import express from 'express';
import session from 'express-session';
import express4 from 'express4';
import { Passport } from 'passport';
import type { Browser } from './browser.js';
import { jsonErrors } from './errors.js';
import { WEB_IDV_CALLBACK_URL } from './web-idv-app.js';

/** The callback URL the sign-up test apps use; register it with `startSandbox({ authenteq: { redirectURIs } })`. */
export const AUTHENTEQ_CALLBACK_URL = 'http://app.test/auth/authenteq/callback';

/** A user as the sign-up test app keeps it. */
export interface SignupUser {
  id: string;
  name: string;
}

/** How {@link authenteqApp} is served. */
export interface AuthenteqAppOptions extends SignupServe {
  /** The verify callback. Default: the user `{ id, name }` of the profile. */
  verify?: AuthenteqVerify;
  /** The verify callback, with `passReqToCallback: true`. */
  verifyWithRequest?: AuthenteqVerifyWithRequest;
}

/** How {@link webIdvStrategyApp} is served. */
export interface WebIdvStrategyAppOptions extends SignupServe {
  verify?: AuthenteqWebIdvVerify;
  verifyWithRequest?: AuthenteqWebIdvVerifyWithRequest;
}

/** How either sign-up app is served, whichever strategy it runs. */
interface SignupServe {
  /** `'express5'` (default) or `'express4'`: the same routes on either major version. */
  framework?: 'express5' | 'express4';
  /** The express-session store (default its MemoryStore). */
  sessionStore?: session.Store;
  /**
   * `'custom'` (default): a custom Passport callback that answers JSON with the failure `info`, so tests can read
   * reason codes. `'standard'`: `failureRedirect: '/signup'` and `failureMessage: true`.
   */
  callback?: 'custom' | 'standard';
}

/**
 * A real Express 5 (or 4) app with express-session and Passport signing up with `AuthenteqStrategy` against the
 * sandbox:
 *
 * - `GET /auth/authenteq?returnTo=` → 302 to the identity server;
 * - `GET /auth/authenteq/callback` → 200 `{user, authInfo, sid}`, a failure as `{failure: {code, message}}` with its
 *   status (or, with `callback: 'standard'`, a redirect to `/signup`), an error as `{error: <code>}` with its status;
 * - `GET /signup` → `{messages}` (the failure messages Passport kept in the session);
 * - `GET /me` → `{user, sid}`.
 *
 * @example
 * ```ts
 * const { app } = authenteqApp(sandbox, { timeout: 300 });
 * const agent = supertest.agent(app);
 * const authorize = (await agent.get('/auth/authenteq')).headers.location;
 * ```
 */
export function authenteqApp(
  sandbox: Sandbox,
  options: Partial<AuthenteqStrategyOptions> & { passReqToCallback?: boolean } = {},
  serve: AuthenteqAppOptions = {},
) {
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
    } as AuthenteqStrategyOptions,
    (serve.verifyWithRequest ?? serve.verify ?? toUser) as AuthenteqVerify,
  );
  return { ...signupApp(strategy, '/auth/authenteq', serve), strategy };
}

/**
 * The same app on `AuthenteqWebIdvStrategy` against the sandbox's Web IDV, at `GET /auth/idv` and
 * `/auth/idv/callback` (register {@link WEB_IDV_CALLBACK_URL}), with the same answers, `/signup` and `/me`.
 *
 * @example
 * ```ts
 * const { app } = webIdvStrategyApp(sandbox, { timeout: 300 });
 * const verificationUrl = await startSignup(supertest.agent(app), undefined, '/auth/idv');
 * ```
 */
export function webIdvStrategyApp(
  sandbox: Sandbox,
  options: Partial<AuthenteqWebIdvStrategyOptions> & { passReqToCallback?: boolean } = {},
  serve: WebIdvStrategyAppOptions = {},
) {
  const strategy = new AuthenteqWebIdvStrategy(
    {
      clientID: sandbox.authenteqWebIdv.clientID,
      clientSecret: sandbox.authenteqWebIdv.clientSecret,
      baseURL: sandbox.authenteqWebIdv.baseURL,
      callbackURL: WEB_IDV_CALLBACK_URL,
      clock: sandbox.clock,
      ...options,
    } as AuthenteqWebIdvStrategyOptions,
    (serve.verifyWithRequest ?? serve.verify ?? toUser) as AuthenteqWebIdvVerify,
  );
  return { ...signupApp(strategy, '/auth/idv', serve), strategy };
}

const toUser = (profile: VerifiedIdentity<object>, done: VerifyDone) =>
  done(null, { id: profile.id, name: profile.displayName });

/** The app around either strategy: start at `base`, callback at `${base}/callback`, `/signup`, `/me`. */
function signupApp(strategy: AuthenteqStrategy | AuthenteqWebIdvStrategy, base: string, serve: SignupServe) {
  const { name } = strategy;
  const passport = new Passport();
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  // Express 4 and 5 take the same routes; their types differ, so the app is typed as Express 5's.
  const app = (serve.framework === 'express4' ? express4() : express()) as express.Express;
  app.use(
    session({
      secret: 'attack-suite-session-secret',
      resave: false,
      saveUninitialized: false,
      ...(serve.sessionStore ? { store: serve.sessionStore } : {}),
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  app.get(base, (req, res, next) => passport.authenticate(name, { returnTo: req.query.returnTo })(req, res, next));
  if (serve.callback === 'standard') {
    app.get(
      `${base}/callback`,
      passport.authenticate(name, { failureRedirect: '/signup', failureMessage: true, keepSessionInfo: true }),
      (req, res) => res.json({ user: req.user, authInfo: req.authInfo, sid: req.sessionID }),
    );
  } else {
    app.get(`${base}/callback`, (req, res, next) => {
      passport.authenticate(
        name,
        (error: unknown, user: Express.User | false, info: unknown, status: number | undefined) => {
          if (error) return next(error);
          if (!user) return res.status(status ?? 401).json({ failure: info });
          req.logIn(user, { session: true, keepSessionInfo: true }, (loginError) => {
            if (loginError) return next(loginError);
            res.json({ user, authInfo: info, sid: req.sessionID });
          });
        },
      )(req, res, next);
    });
  }
  app.get('/signup', (req, res) =>
    res.json({ messages: (req.session as unknown as { messages?: string[] }).messages ?? [] }),
  );
  app.get('/me', (req, res) => res.json({ user: req.user ?? null, sid: req.sessionID }));
  app.use(jsonErrors);
  return { app, passport };
}

/**
 * Starts a sign-up in `agent` (`GET /auth/authenteq`, or `path`: `/auth/idv` for {@link webIdvStrategyApp}); the
 * authorize (or verification) URL the app redirected to.
 */
export async function startSignup(agent: Browser, returnTo?: string, path = '/auth/authenteq'): Promise<string> {
  const res = await agent.get(path).query(returnTo === undefined ? {} : { returnTo });
  if (res.status !== 302) throw new Error(`the sign-up start answered ${res.status}, not a redirect`);
  return res.headers.location as string;
}
