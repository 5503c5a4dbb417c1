import { randomBytes } from 'node:crypto';
import { RedisStore } from '@passport-idv/redis';
import { startSandbox } from '@passport-idv/sandbox';
import { RedisStore as SessionRedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { createApp, type FaceLoginAppOptions } from './app.js';

// Runs the example alone: against the real Alice Onboarding when ALICE_API_KEY is set (ALICE_BASE_URL optional,
// e.g. https://apis.sandbox.alicebiometrics.com/onboarding), otherwise against an embedded sandbox.
const port = Number(process.env.PORT ?? 3002);
let alice: FaceLoginAppOptions['alice'];
let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
if (process.env.ALICE_API_KEY) {
  alice = {
    apiKey: process.env.ALICE_API_KEY,
    ...(process.env.ALICE_BASE_URL ? { baseURL: process.env.ALICE_BASE_URL } : {}),
  };
} else {
  sandbox = await startSandbox({ port: Number(process.env.SANDBOX_PORT ?? 0) });
  alice = sandbox.alice;
}

// With REDIS_URL, sessions, attempts, used authentication ids, rate limits and Alice tokens live in Redis, so several
// instances can serve the app (give them all the same SESSION_SECRET).
let redis: ReturnType<typeof createClient> | undefined;
let stores: Pick<FaceLoginAppOptions, 'store' | 'sessionStore'> = {};
if (process.env.REDIS_URL) {
  // Fail fast while Redis is away (requests get a 503) instead of queueing commands until it returns.
  redis = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
  redis.on('error', (error: Error) => console.error(`Redis: ${error.message}`));
  await redis.connect();
  stores = {
    store: new RedisStore({ client: redis, prefix: 'passport-idv:face-login:' }),
    sessionStore: new SessionRedisStore({ client: redis, prefix: 'face-login:sess:' }),
  };
}

const { app, client } = createApp({
  alice,
  sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
  ...stores,
  ...(sandbox ? { clock: sandbox.clock } : {}),
});
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`Face-login example: http://127.0.0.1:${port}`);
  console.log(
    sandbox ? `Alice Onboarding: the local sandbox at ${client.baseURL}` : `Alice Onboarding: ${client.baseURL}`,
  );
  if (redis) console.log('Sessions and face-login stores: Redis (REDIS_URL)');
});
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: set PORT to another one.` : error.message);
  process.exit(1);
});
const stop = () => {
  server.close();
  void sandbox?.close();
  void redis?.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
