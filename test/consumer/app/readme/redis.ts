// packages/redis/README.md, "Running several instances".
import { AuthenteqStrategy, type AuthenteqStrategyOptions, type AuthenteqVerify } from '@passport-idv/authenteq';
import { StoreError } from '@passport-idv/core';
import { ephemeralSession } from '@passport-idv/ephemeral-session';
import { AliceClient, FaceLoginStrategy, type FaceLoginVerify } from '@passport-idv/face-login';
import { RedisStore } from '@passport-idv/redis';
import { RedisStore as SessionRedisStore } from 'connect-redis';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import passport from 'passport';
import { createClient } from 'redis';
import { ensureLoggedIn } from './app-types.js';

declare const authenteqOptions: Omit<AuthenteqStrategyOptions, 'callbackURL'>;
declare const verify: AuthenteqVerify;
declare const faceVerify: FaceLoginVerify;
declare const idvOptions: { host: string; apiKey: string; workflowId: string };

const app = express();
const redis = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
redis.on('error', (error) => console.error('redis:', error.message));
await redis.connect();
const store = new RedisStore({ client: redis, prefix: 'myapp:idv:' });

const sessions = session({
  secret: process.env.SESSION_SECRET!, // the same on every instance
  store: new SessionRedisStore({ client: redis, prefix: 'myapp:sess:' }),
  resave: false,
  saveUninitialized: false,
});
app.use((req, res, next) =>
  sessions(req, res, (error) => next(error ? new StoreError('the session store failed', { cause: error }) : undefined)),
);
app.use(passport.initialize());
app.use(passport.session());

passport.use(
  new AuthenteqStrategy(
    { ...authenteqOptions, callbackURL: 'https://app.example.com/auth/authenteq/callback', store },
    verify,
  ),
);
const alice = new AliceClient({ apiKey: process.env.ALICE_API_KEY!, tokenStore: store });
passport.use(new FaceLoginStrategy({ client: alice, store }, faceVerify));
app.post('/verify/handoff', ensureLoggedIn, ephemeralSession({ ...idvOptions, store }));
const onError: ErrorRequestHandler = (error, _req, res, _next) =>
  res.status(error.status ?? 500).send('Please try again in a moment.');
app.use(onError);
