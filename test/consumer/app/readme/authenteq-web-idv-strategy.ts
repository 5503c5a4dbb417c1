// packages/authenteq/README.md, "new AuthenteqWebIdvStrategy(options, verify)".
import {
  type AuthenteqWebIdvFailure,
  AuthenteqWebIdvStrategy,
  authenteqWebhook,
  type WebIdvVerifiedIdentity,
} from '@passport-idv/authenteq';
import express from 'express';
import session from 'express-session';
import passport from 'passport';

declare const clientID: string;
declare const clientSecret: string;
declare const secret: string;
declare function confirm(verificationId: string): Promise<void>;
declare const users: {
  upsert(id: string, fields: { name: string; verificationId: string | undefined }): Promise<Express.User>;
};

const app = express();
// The webhook first: it reads the raw body, so before express-session, passport and any body parser.
app.post('/webhooks/authenteq', authenteqWebhook({ clientID, clientSecret, onResult: (result) => confirm(result.id) }));
app.use(session({ secret, resave: false, saveUninitialized: false }));
app.use(passport.initialize());
app.use(passport.session());

passport.use(
  new AuthenteqWebIdvStrategy(
    {
      clientID: process.env.AUTHENTEQ_CLIENT_ID!,
      clientSecret: process.env.AUTHENTEQ_CLIENT_SECRET!,
      callbackURL: 'https://app.example/auth/idv/callback', // registered on the dashboard
      policy: { minimumAge: 18 },
    },
    async (profile) => users.upsert(profile.id, { name: profile.displayName, verificationId: profile.verificationId }),
  ),
);
app.get('/auth/idv', passport.authenticate('authenteq-web-idv'));
app.get(
  '/auth/idv/callback',
  passport.authenticate('authenteq-web-idv', { failureRedirect: '/signup', failureMessage: true }),
  (req, res) => res.redirect(req.authInfo?.returnTo ?? '/account'),
);

// With passReqToCallback, and the failure's code.
new AuthenteqWebIdvStrategy(
  { clientID, clientSecret, callbackURL: 'https://app.example/auth/idv/callback', passReqToCallback: true },
  (req, profile: WebIdvVerifiedIdentity, done) => done(null, { id: profile.id, aliceUserId: req.ip ?? '' }),
);
const failure: AuthenteqWebIdvFailure = { code: 'not_verified', message: 'The identity check was not completed.' };
console.log(failure.code);
