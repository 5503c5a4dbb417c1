'use strict';
// An Express 4 app in CommonJS, as many existing apps are: it require()s the ESM packages (Node ≥ 20.19).
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const { AuthenteqStrategy } = require('@passport-idv/authenteq');

/** The sign-up of packages/authenteq/README.md, on Express 4, against the strategy options given. */
function createApp(options) {
  const users = new Map();
  const auth = new passport.Passport();
  auth.use(
    new AuthenteqStrategy({ ...options, policy: { minimumAge: 18 } }, async (profile) => {
      const user = { id: profile.id, name: profile.displayName, birthDate: profile.birthDate };
      users.set(user.id, user);
      return user;
    }),
  );
  auth.serializeUser((user, done) => done(null, user.id));
  auth.deserializeUser((id, done) => done(null, users.get(id) ?? false));

  const app = express();
  app.use(session({ secret: 'consumer-test', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
  app.use(auth.session());
  app.get('/auth/authenteq', (req, res, next) =>
    auth.authenticate('authenteq', { returnTo: req.query.returnTo })(req, res, next),
  );
  app.get(
    '/auth/authenteq/callback',
    auth.authenticate('authenteq', { failureRedirect: '/signup', keepSessionInfo: true }),
    (req, res) => res.redirect(req.authInfo?.returnTo ?? '/account'),
  );
  app.get('/account', (req, res) => {
    if (!req.user) return res.status(401).json({ user: null });
    res.json({ user: req.user });
  });
  return app;
}

module.exports = { createApp };
