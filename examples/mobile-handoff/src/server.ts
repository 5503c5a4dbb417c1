import { randomBytes } from 'node:crypto';
import { RedisStore } from '@passport-idv/redis';
import { startSandbox } from '@passport-idv/sandbox';
import { RedisStore as SessionRedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { createApp, type MobileHandoffAppOptions } from './app.js';

// Runs the example alone: against the real platform when IDV_HOST, IDV_API_KEY and IDV_WORKFLOW_ID are set,
// otherwise against an embedded sandbox.
const port = Number(process.env.PORT ?? 3003);
const { IDV_HOST, IDV_API_KEY, IDV_WORKFLOW_ID } = process.env;
const real = [IDV_HOST, IDV_API_KEY, IDV_WORKFLOW_ID];

let idv: MobileHandoffAppOptions['idv'];
let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
if (real.every((value) => value)) {
  idv = { host: IDV_HOST!, apiKey: IDV_API_KEY!, workflowId: IDV_WORKFLOW_ID! };
} else if (real.some((value) => value)) {
  console.error(
    'Set all of IDV_HOST, IDV_API_KEY and IDV_WORKFLOW_ID to use a real IDV platform, or none for the sandbox.',
  );
  process.exit(2);
} else {
  sandbox = await startSandbox({ port: Number(process.env.SANDBOX_PORT ?? 0) });
  idv = sandbox.idv;
}

// With REDIS_URL, sessions and reusable handoffs live in Redis, so several instances can serve the app.
let redis: ReturnType<typeof createClient> | undefined;
let stores: Pick<MobileHandoffAppOptions, 'store' | 'sessionStore'> = {};
if (process.env.REDIS_URL) {
  // Fail fast while Redis is away (requests get a 503) instead of queueing commands until it returns.
  redis = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
  redis.on('error', (error: Error) => console.error(`Redis: ${error.message}`));
  await redis.connect();
  stores = {
    store: new RedisStore({ client: redis, prefix: 'passport-idv:mobile-handoff:' }),
    sessionStore: new SessionRedisStore({ client: redis, prefix: 'mobile-handoff:sess:' }),
  };
}

const { app } = createApp({
  idv,
  sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
  ...stores,
  ...(sandbox ? { clock: sandbox.clock } : {}),
});
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`Continue-on-your-phone example: http://127.0.0.1:${port}`);
  console.log(sandbox ? `IDV platform: the local sandbox at ${sandbox.idv.host}` : `IDV platform: ${idv.host}`);
  if (redis) console.log('Sessions and handoff reuse: Redis (REDIS_URL)');
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
