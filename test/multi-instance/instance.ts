/**
 * One app instance in its own process, as a load-balanced deployment would run it: its own Redis connection,
 * RedisStore for passport-idv, connect-redis for sessions. Forked by the multi-instance test with the configuration
 * in `PASSPORT_IDV_INSTANCE` (JSON {@link InstanceConfig}); answers `{type:'ready', url}` over IPC once listening (or
 * `{type:'failed', message}`), and exits on `{type:'exit'}` or when the parent goes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from '@passport-idv/redis';
import { RedisStore as SessionRedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { createInstanceApp, type ProviderConfig } from './app.js';

/** What the parent passes to an instance. */
export interface InstanceConfig extends ProviderConfig {
  name: string;
  sessionSecret: string;
  redisURL: string;
  /** Key prefix of passport-idv's store; sessions go under `${prefix}sess:`. */
  prefix: string;
}

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.PASSPORT_IDV_INSTANCE ?? '') as InstanceConfig;
  // Fail fast while Redis is away (requests get a 503) instead of queueing commands until it returns.
  const redis = createClient({ url: config.redisURL, disableOfflineQueue: true });
  redis.on('error', () => undefined); // node-redis reconnects on its own; requests meanwhile get 503s
  await redis.connect();
  const app = createInstanceApp({
    ...config,
    store: new RedisStore({ client: redis, prefix: config.prefix }),
    sessionStore: new SessionRedisStore({ client: redis, prefix: `${config.prefix}sess:` }),
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    server.closeAllConnections();
    server.close();
    redis.destroy();
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'exit') close();
  });
  process.on('disconnect', close);
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: (error as Error).message });
  process.exit(1);
});
