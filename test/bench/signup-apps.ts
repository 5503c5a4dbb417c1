/**
 * The sign-up apps of the benchmark: the same Express 5 + express-session app doing the same work (state in the
 * session, code exchange, details, session regenerated, user stored) with `AuthenteqStrategy`, `passport-oauth2`,
 * openid-client's Passport strategy, or by hand on `node:http` (the reference, no Passport); and the Web IDV sign-up
 * with `AuthenteqWebIdvStrategy` (state in the session, verification URL, one result call, session regenerated).
 *
 * Routes: `GET /auth/start` (→ provider), `GET /auth/callback` (→ 302 `/me`, or `/failed`), `GET /me` (the user as
 * JSON, or 401).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { AuthenteqStrategy, AuthenteqWebIdvStrategy } from '@passport-idv/authenteq';
import { MemoryStore } from '@passport-idv/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import * as oidc from 'openid-client';
import { Strategy as OidcStrategy } from 'openid-client/passport';
import { Passport } from 'passport';
import OAuth2Strategy, { InternalOAuthError, type VerifyCallback } from 'passport-oauth2';
import { type BenchUser, CLIENT_ID, CLIENT_SECRET, peerProfile, SCOPE, toUser } from './provider-data.js';
import { exchangeCode, fetchDetails } from './reference-client.js';
import { sessionStats } from './session-stats.js';

declare module 'express-session' {
  interface SessionData {
    /** The reference's open states: state → expiry (ms). */
    benchStates?: Record<string, number>;
    /** The reference's signed-in user. */
    benchUser?: BenchUser;
  }
}

/** The sign-up variants, in the order the tables print them. */
export const SIGNUP_VARIANTS = [
  'authenteq',
  'authenteq-web-idv',
  'passport-oauth2',
  'openid-client',
  'reference',
  'reference-passport',
  'authenteq-alt',
] as const;
/**
 * `reference-passport` is the reference's handlers with `passport.initialize()`, `passport.session()` and
 * `req.logIn()` instead of its own regenerate + save: what Passport itself costs, the floor for any Passport
 * strategy. `authenteq-alt` runs only when asked for with `--variants`: `AuthenteqStrategy` loaded from the built
 * module named by `BENCH_AUTHENTEQ_ALT` (e.g. a patched copy of `packages/authenteq/dist/index.js`), to measure a
 * change A/B.
 */
export const DEFAULT_SIGNUP_VARIANTS = SIGNUP_VARIANTS.filter((variant) => variant !== 'authenteq-alt');
export type SignupVariant = (typeof SIGNUP_VARIANTS)[number];

/** How to build one sign-up app. */
export interface SignupAppSpec {
  kind: 'signup';
  variant: SignupVariant;
  /** Base URL of the local provider (`/authorize`, `/token`, `/details`, `/web-idv/…`). */
  providerURL: string;
  /**
   * Where `AuthenteqStrategy` keeps state: `'session'` (its default) or `'memory'` (a core `MemoryStore` with
   * `maxEntries` = `storeBound`). Other variants always use the session.
   */
  stateStore?: 'session' | 'memory';
  storeBound?: number;
}

/** What a built app exposes to the child process for the `stats` message. */
export interface BuiltApp {
  app: Express;
  stats(): Promise<Record<string, number>>;
}

const STATE_TTL_MS = 600_000;

/** The Express 5 + express-session app every benchmark app starts from: one session store and cookie for all. */
export function baseApp(): { app: Express; sessions: session.MemoryStore } {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const sessions = new session.MemoryStore();
  app.use(
    session({ secret: 'bench-session-secret', name: 'sid', resave: false, saveUninitialized: false, store: sessions }),
  );
  return { app, sessions };
}

function passportApp(
  app: Express,
  name: string,
  strategy: Parameters<InstanceType<typeof Passport>['use']>[1],
): InstanceType<typeof Passport> {
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: BenchUser, done) => done(null, user));
  passport.use(name, strategy);
  app.use(passport.initialize());
  app.use(passport.session());
  app.get('/auth/start', passport.authenticate(name));
  app.get('/auth/callback', passport.authenticate(name, { failureRedirect: '/failed' }), (_req, res) => {
    res.redirect('/me');
  });
  app.get('/me', (req, res) => {
    if (req.user) res.json(req.user);
    else res.sendStatus(401);
  });
  return passport;
}

function finish(app: Express): void {
  app.get('/failed', (_req, res) => {
    res.status(403).type('text').send('sign-up failed');
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    res.status(status).type('text').send('error');
  });
}

/** Builds the sign-up app of `spec.variant`, calling back on `callbackURL`. */
export async function createSignupApp(spec: SignupAppSpec, appURL: string): Promise<BuiltApp> {
  const callbackURL = `${appURL}/auth/callback`;
  const authorizationURL = `${spec.providerURL}/authorize`;
  const tokenURL = `${spec.providerURL}/token`;
  const detailsURL = `${spec.providerURL}/details`;
  const { app, sessions } = baseApp();
  const stats: Record<string, () => number> = {};

  switch (spec.variant) {
    case 'authenteq':
    case 'authenteq-alt': {
      let Strategy = AuthenteqStrategy;
      if (spec.variant === 'authenteq-alt') {
        const alt = process.env.BENCH_AUTHENTEQ_ALT;
        if (!alt) throw new Error('authenteq-alt needs BENCH_AUTHENTEQ_ALT=<path of a built index.js>');
        Strategy = ((await import(pathToFileURL(alt).href)) as { AuthenteqStrategy: typeof AuthenteqStrategy })
          .AuthenteqStrategy;
      }
      const store =
        spec.stateStore === 'memory' ? new MemoryStore({ maxEntries: spec.storeBound ?? 100_000 }) : undefined;
      if (store) stats.storeEntries = () => store.size;
      const strategy = new Strategy(
        {
          clientID: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          callbackURL,
          authorizationURL,
          tokenURL,
          detailsURL,
          store,
        },
        (profile, done) => done(null, toUser(profile)),
      );
      passportApp(app, 'authenteq', strategy);
      break;
    }
    case 'authenteq-web-idv': {
      const strategy = new AuthenteqWebIdvStrategy(
        { clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackURL, baseURL: spec.providerURL },
        (profile, done) => done(null, toUser(profile)),
      );
      passportApp(app, 'authenteq-web-idv', strategy);
      break;
    }
    case 'passport-oauth2': {
      class DetailsStrategy extends OAuth2Strategy {
        constructor() {
          super(
            {
              authorizationURL,
              tokenURL,
              clientID: CLIENT_ID,
              clientSecret: CLIENT_SECRET,
              callbackURL,
              scope: SCOPE,
              state: true,
            },
            (
              _accessToken: string,
              _refreshToken: string,
              profile: { id: string; displayName: string },
              done: VerifyCallback,
            ) => done(null, toUser(profile)),
          );
          this._oauth2.useAuthorizationHeaderforGET(true);
        }
        override userProfile(accessToken: string, done: (error?: unknown, profile?: unknown) => void): void {
          this._oauth2.get(detailsURL, accessToken, (error, body) => {
            if (error) return done(new InternalOAuthError('failed to fetch the details', error));
            try {
              const profile = peerProfile(JSON.parse(String(body)));
              if (profile) done(null, profile);
              else done(new Error('the details do not have the documented shape'));
            } catch (cause) {
              done(cause);
            }
          });
        }
      }
      passportApp(app, 'oauth2', new DetailsStrategy());
      break;
    }
    case 'openid-client': {
      const config = new oidc.Configuration(
        { issuer: spec.providerURL, authorization_endpoint: authorizationURL, token_endpoint: tokenURL },
        CLIENT_ID,
        CLIENT_SECRET,
      );
      oidc.allowInsecureRequests(config);
      const details = new URL(detailsURL);
      const strategy = new OidcStrategy({ config, scope: SCOPE, callbackURL, name: 'oidc' }, (tokens, verified) => {
        oidc
          .fetchProtectedResource(config, tokens.access_token, details, 'GET')
          .then((response) => (response.ok ? response.json() : undefined))
          .then((body: unknown) => {
            const profile = peerProfile(body);
            if (profile) verified(null, toUser(profile));
            else verified(new Error('the details do not have the documented shape'));
          })
          .catch((error: unknown) => verified(error));
      });
      passportApp(app, 'oidc', strategy);
      break;
    }
    case 'reference':
    case 'reference-passport': {
      let passport: InstanceType<typeof Passport> | undefined;
      if (spec.variant === 'reference-passport') {
        passport = new Passport();
        passport.serializeUser((user, done) => done(null, user));
        passport.deserializeUser((user: BenchUser, done) => done(null, user));
        app.use(passport.initialize());
        app.use(passport.session());
      }
      referenceRoutes(app, {
        authorizationURL,
        tokenURL: new URL(tokenURL),
        detailsURL: new URL(detailsURL),
        callbackURL,
        withPassport: passport !== undefined,
      });
      break;
    }
  }
  finish(app);
  return {
    app,
    stats: async () => ({
      ...(await sessionStats(sessions)),
      ...Object.fromEntries(Object.entries(stats).map(([key, read]) => [key, read()])),
    }),
  };
}

interface ReferenceConfig {
  authorizationURL: string;
  tokenURL: URL;
  detailsURL: URL;
  callbackURL: string;
  /** Log in with Passport's `req.logIn()` (which regenerates and saves the session) instead of by hand. */
  withPassport: boolean;
}

/** The same flow by hand: what the strategy does, minus Passport and minus everything optional. */
function referenceRoutes(app: Express, config: ReferenceConfig): void {
  app.get('/auth/start', (req, res, next) => {
    const state = randomBytes(32).toString('base64url');
    const states = req.session.benchStates ?? {};
    states[state] = Date.now() + STATE_TTL_MS;
    req.session.benchStates = states;
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: config.callbackURL,
      scope: SCOPE,
      state,
    });
    req.session.save((error) => {
      if (error) return next(error);
      res.redirect(`${config.authorizationURL}?${query}`);
    });
  });
  app.get('/auth/callback', (req, res, next) => {
    const { code, state, error } = req.query;
    if (error !== undefined || typeof state !== 'string') return res.redirect('/failed');
    const states = req.session.benchStates;
    const expiresAt = states?.[state];
    if (states === undefined || expiresAt === undefined) return res.redirect('/failed');
    delete states[state];
    if (expiresAt <= Date.now() || typeof code !== 'string') return res.redirect('/failed');
    exchangeCode(config.tokenURL, {
      grantType: 'authorization_code',
      code,
      redirectUri: config.callbackURL,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    })
      .then((token) => (token === undefined ? undefined : fetchDetails(config.detailsURL, token)))
      .then((body) => {
        const profile = peerProfile(body);
        if (profile === undefined) return res.redirect('/failed');
        const user = toUser(profile);
        if (config.withPassport) {
          req.logIn(user, (error) => {
            if (error) return next(error);
            res.redirect('/me');
          });
          return;
        }
        req.session.regenerate((regenerateError) => {
          if (regenerateError) return next(regenerateError);
          req.session.benchUser = user;
          req.session.save((saveError) => {
            if (saveError) return next(saveError);
            res.redirect('/me');
          });
        });
      })
      .catch(next);
  });
  app.get('/me', (req, res) => {
    const user = config.withPassport ? req.user : req.session.benchUser;
    if (user) res.json(user);
    else res.sendStatus(401);
  });
}
