// packages/authenteq/README.md, "Example" and "Against the local sandbox".
import { AuthenteqStrategy, type VerifiedIdentity } from '@passport-idv/authenteq';
import { startSandbox } from '@passport-idv/sandbox';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { users } from './app-types.js';

passport.use(
  new AuthenteqStrategy(
    {
      clientID: process.env.AUTHENTEQ_CLIENT_ID!,
      clientSecret: process.env.AUTHENTEQ_CLIENT_SECRET!,
      callbackURL: 'https://app.example/auth/authenteq/callback', // registered with Authenteq, matched exactly
      policy: { minimumAge: 18 },
    },
    async (profile) => users.upsert(profile.id, { name: profile.displayName, birthDate: profile.birthDate }),
  ),
);
passport.serializeUser((user, done) => done(null, user.id));
passport.deserializeUser((id: string, done) => users.find(id).then((user) => done(null, user), done));

const app = express();
app.use(
  session({
    secret: process.env.SESSION_SECRET!,
    resave: false,
    saveUninitialized: false,
    cookie: { sameSite: 'lax', secure: true, httpOnly: true },
  }),
);
app.use(passport.session());
app.get('/auth/authenteq', (req, res, next) =>
  passport.authenticate('authenteq', { returnTo: req.query.returnTo })(req, res, next),
);
app.get(
  '/auth/authenteq/callback',
  passport.authenticate('authenteq', { failureRedirect: '/signup', failureMessage: true, keepSessionInfo: true }),
  (req, res) => res.redirect(req.authInfo?.returnTo ?? '/account'),
);

// Against the local sandbox.
const callbackURL = 'http://127.0.0.1:3001/auth/authenteq/callback';
const verify = (profile: VerifiedIdentity) =>
  users.upsert(profile.id, { name: profile.displayName, birthDate: profile.birthDate });
const sandbox = await startSandbox();
sandbox.authenteq.registerRedirectURI(callbackURL);
new AuthenteqStrategy({ ...sandbox.authenteq, callbackURL, clock: sandbox.clock }, verify);

// Verify forms.
const options = { clientID: 'id', clientSecret: 'secret', callbackURL };
const user: Express.User = { id: 'u-1', aliceUserId: 'a-1' };
new AuthenteqStrategy(options, (_profile, done) => done(null, user));
new AuthenteqStrategy({ ...options, passReqToCallback: true }, (_req, _profile, done) => done(null, user));
new AuthenteqStrategy(options, async () => user);
