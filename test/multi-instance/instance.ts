/**
 * One app instance in its own process, as a load-balanced deployment would run it: its own Redis connection (one
 * Redis or a Redis Cluster), RedisStore for passport-idv and connect-redis for sessions, wired by the examples' own
 * `connectRedis`. Forked by the multi-instance and failover tests with the configuration in `PASSPORT_IDV_INSTANCE`
 * (JSON {@link InstanceConfig}); answers `{type:'ready', url}` over IPC once listening (or `{type:'failed',
 * message}`), and exits on `{type:'exit'}` or when the parent goes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectRedis, type RedisTarget } from '@passport-idv/example-redis-setup';
import { createInstanceApp, type ProviderConfig } from './app.js';

/** What the parent passes to an instance. */
export interface InstanceConfig extends ProviderConfig {
  name: string;
  sessionSecret: string;
  redis: RedisTarget;
  /**
   * The app's name in Redis, the same on every instance: passport-idv's keys go under `passport-idv:${app}:`, the
   * sessions under `${app}:sess:`.
   */
  app: string;
}

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.PASSPORT_IDV_INSTANCE ?? '') as InstanceConfig;
  const redis = await connectRedis(config.redis);
  const app = createInstanceApp({ ...config, ...redis.stores(config.app) });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    server.closeAllConnections();
    server.close();
    void redis.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1_000).unref();
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
