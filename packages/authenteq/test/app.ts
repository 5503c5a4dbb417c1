import util from 'node:util';
import type { Sandbox } from '@passport-idv/sandbox';
import createDebug from 'debug';
import express from 'express';
import session from 'express-session';
import express4 from 'express4';
import { Passport } from 'passport';
import supertest from 'supertest';
import { expect } from 'vitest';
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
} from '../src/index.js';

/** Every `passport-idv:*` debug line written while the tests run. */
export const debugLines: string[] = [];
createDebug.enable('passport-idv:*');
createDebug.log = (...args: unknown[]) => {
  debugLines.push(util.format(...args));
};

export const CALLBACK_URL = 'http://app.test/auth/authenteq/callback';
/** The Web IDV test app's redirect URL. */
export const WEB_IDV_CALLBACK_URL = 'http://app.test/auth/idv/callback';

/** How the test app is wired, whichever strategy it runs. */
interface AppWiring {
  sandbox: Sandbox;
  framework?: 'express5' | 'express4';
  /**
   * `'custom'` (default): the callback uses a custom Passport callback and answers JSON with the failure `info`, so
   * tests can read reason codes. `'standard'`: `failureRedirect: '/signup'` and `failureMessage: true`.
   */
  callback?: 'custom' | 'standard';
  /** The express-session store (default its MemoryStore). */
  sessionStore?: session.Store;
}

export interface TestAppOptions extends AppWiring {
  strategy?: Partial<AuthenteqStrategyOptions> & { passReqToCallback?: boolean };
  verify?: AuthenteqVerify;
  /** The verify callback used with `passReqToCallback: true`. */
  verifyWithRequest?: AuthenteqVerifyWithRequest;
}

export interface WebIdvTestAppOptions extends AppWiring {
  strategy?: Partial<AuthenteqWebIdvStrategyOptions> & { passReqToCallback?: boolean };
  verify?: AuthenteqWebIdvVerify;
  verifyWithRequest?: AuthenteqWebIdvVerifyWithRequest;
}

/** A real Express app with express-session and Passport, signing up with the sandbox. */
export function createTestApp(options: TestAppOptions) {
  const { sandbox } = options;
  const passport = new Passport();
  const verify =
    options.verifyWithRequest ??
    options.verify ??
    ((profile: VerifiedIdentity, done: VerifyDone) => done(null, { id: profile.id, name: profile.displayName }));
  const strategy = new AuthenteqStrategy(
    {
      clientID: sandbox.authenteq.clientID,
      clientSecret: sandbox.authenteq.clientSecret,
      authorizationURL: sandbox.authenteq.authorizationURL,
      tokenURL: sandbox.authenteq.tokenURL,
      detailsURL: sandbox.authenteq.detailsURL,
      callbackURL: CALLBACK_URL,
      clock: sandbox.clock,
      ...options.strategy,
    } as AuthenteqStrategyOptions,
    verify as AuthenteqVerify,
  );
  return { app: wire(options, passport, strategy, '/auth/authenteq'), strategy, passport };
}

/**
 * The same app on `AuthenteqWebIdvStrategy` against the sandbox's Web IDV: `/auth/idv`, `/auth/idv/callback`
 * (register {@link WEB_IDV_CALLBACK_URL}), `/signup`, `/me`.
 */
export function createWebIdvTestApp(options: WebIdvTestAppOptions) {
  const { sandbox } = options;
  const passport = new Passport();
  const verify =
    options.verifyWithRequest ??
    options.verify ??
    ((profile: VerifiedIdentity<object>, done: VerifyDone) =>
      done(null, { id: profile.id, name: profile.displayName }));
  const strategy = new AuthenteqWebIdvStrategy(
    {
      clientID: sandbox.authenteqWebIdv.clientID,
      clientSecret: sandbox.authenteqWebIdv.clientSecret,
      baseURL: sandbox.authenteqWebIdv.baseURL,
      callbackURL: WEB_IDV_CALLBACK_URL,
      clock: sandbox.clock,
      ...options.strategy,
    } as AuthenteqWebIdvStrategyOptions,
    verify as AuthenteqWebIdvVerify,
  );
  return { app: wire(options, passport, strategy, '/auth/idv'), strategy, passport };
}

function wire(
  options: AppWiring,
  passport: InstanceType<typeof Passport>,
  strategy: AuthenteqStrategy | AuthenteqWebIdvStrategy,
  base: string,
) {
  const name = strategy.name;
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  // biome-ignore lint/suspicious/noExplicitAny: Express 4 and 5 apps share this wiring; their types differ.
  const app: any = options.framework === 'express4' ? express4() : express();
  app.use(
    session({
      secret: 'test-session-secret',
      resave: false,
      saveUninitialized: false,
      ...(options.sessionStore ? { store: options.sessionStore } : {}),
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  app.get(base, (req: express.Request, res: express.Response, next: express.NextFunction) =>
    passport.authenticate(name, { returnTo: req.query.returnTo })(req, res, next),
  );
  if (options.callback === 'standard') {
    app.get(
      `${base}/callback`,
      passport.authenticate(name, { failureRedirect: '/signup', failureMessage: true, keepSessionInfo: true }),
      (req: express.Request, res: express.Response) => res.json({ user: req.user, authInfo: req.authInfo }),
    );
  } else {
    app.get(`${base}/callback`, (req: express.Request, res: express.Response, next: express.NextFunction) => {
      passport.authenticate(
        name,
        (error: unknown, user: Express.User | false, info: unknown, status: number | undefined) => {
          if (error) return next(error);
          if (!user) return res.status(status ?? 401).json({ failure: info });
          req.logIn(user, { session: true, keepSessionInfo: true }, (loginError) => {
            if (loginError) return next(loginError);
            res.json({ user, authInfo: info });
          });
        },
      )(req, res, next);
    });
  }
  app.get('/signup', (req: express.Request, res: express.Response) =>
    res.json({ messages: (req.session as unknown as { messages?: string[] }).messages ?? [] }),
  );
  app.get('/me', (req: express.Request, res: express.Response) => res.json({ user: req.user ?? null }));
  app.use(
    (
      error: { status?: number; code?: string; errorCode?: string },
      _req: express.Request,
      res: express.Response,
      _next: unknown,
    ) => {
      if (process.env.DEBUG_TEST_ERRORS) console.error(error);
      res.status(error.status ?? 500).json({ error: error.code ?? 'ERR_UNKNOWN', errorCode: error.errorCode });
    },
  );
  return app;
}

/** A browser: a cookie-keeping supertest agent. */
export type Browser = ReturnType<typeof supertest.agent>;

export function browser(app: unknown): Browser {
  return supertest.agent(app as Parameters<typeof supertest.agent>[0]);
}

/** Starts the flow in `agent`, returning the authorize (or verification) URL the app redirected to. */
export async function start(agent: Browser, returnTo?: string, path = '/auth/authenteq'): Promise<string> {
  const res = await agent.get(path).query(returnTo === undefined ? {} : { returnTo });
  expect(res.status).toBe(302);
  return res.headers.location as string;
}

/** The path and query of a callback URL, to request on the app. */
export function local(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** The `connect.sid` value a response sets, if it sets one. */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = res.headers['set-cookie'];
  const list = Array.isArray(cookies) ? (cookies as string[]) : [];
  return list.find((cookie) => cookie.startsWith('connect.sid='))?.split(';')[0];
}
