// packages/core/README.md.
import {
  type Clock,
  failClosedSession,
  MemoryStore,
  ProviderError,
  type Store,
  StoreError,
  safeReturnTo,
  systemClock,
} from '@passport-idv/core';
import { createLogger } from '@passport-idv/core/internal';
import express from 'express';
import session from 'express-session';

const store: Store = new MemoryStore({ maxEntries: 100_000 });
await store.add('key', { value: 1 }, 60_000);
const taken = await store.take<{ value: number }>('key');
taken?.value.toFixed();

const app = express();
app.get('/next', (req) => safeReturnTo(req.query.returnTo, 'https://app.example'));
safeReturnTo('/\\evil.example', 'https://app.example', '/home');
app.use(failClosedSession(session({ secret: 's', resave: false, saveUninitialized: false })));

const log = createLogger('my-app');
log('token exchange answered %d', 200);
const clock: Clock = systemClock;
clock.now();

const error: unknown = new StoreError('the store failed');
if (error instanceof ProviderError) error.upstreamStatus?.toFixed();
if (error instanceof StoreError) error.status.toFixed();
