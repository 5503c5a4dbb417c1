import { RedisStore } from '@passport-idv/redis';
import { RedisStore as SessionRedisStore } from 'connect-redis';
import type session from 'express-session';
import { createClient, createCluster } from 'redis';
import { FailClosedSessionStore } from './fail-closed-session-store.js';
import { clusterNodesOf, describeTarget, RedisSetupError, type RedisTarget } from './target.js';

/** Milliseconds any Redis call may take, the session store's included: a hung Redis answers 503, not never. */
const COMMAND_TIMEOUT = 2_000;
/** Milliseconds to wait for Redis at start-up, all attempts included. */
const START_TIMEOUT = 10_000;

/** One Redis connection (a client, or a cluster client) shared by the apps of a process. */
export interface SharedRedis {
  /** What it is connected to, for the start-up banner: `Redis at 127.0.0.1:6379 (REDIS_URL)`. */
  readonly description: string;
  /** passport-idv's store and the session store of one app, each under a prefix of its own. */
  stores(app: string): { store: RedisStore; sessionStore: session.Store };
  close(): Promise<void>;
}

/**
 * Connects to `target` as a deployment should: commands fail at once while Redis is away (no offline queue) and
 * after {@link COMMAND_TIMEOUT} while it hangs, the client reconnects by itself once it was up, and a cluster client
 * looks for the new master within a second of losing one. At start-up it gives up within seconds, with a
 * {@link RedisSetupError} saying what was tried and what to set.
 *
 * @example
 * ```ts
 * const redis = await connectRedis({ url: 'redis://127.0.0.1:6379' });
 * const { store, sessionStore } = redis.stores('signup');
 * ```
 */
export async function connectRedis(target: RedisTarget): Promise<SharedRedis> {
  const where = describeTarget(target);
  let up = false;
  // Before the first connection: two more tries, then the error. After it: reconnect for as long as it takes.
  const reconnectStrategy = (retries: number, cause: Error) =>
    up ? Math.min(100 * 2 ** retries, 2_000) : retries < 2 ? 200 : cause;
  const socket = { connectTimeout: 2_000, reconnectStrategy };
  const client =
    'url' in target
      ? createClient({
          url: target.url,
          disableOfflineQueue: true,
          socket,
        })
      : createCluster({
          rootNodes: clusterNodesOf(target.clusterNodes).map(({ host, port }) => ({ socket: { host, port } })),
          defaults: { disableOfflineQueue: true, socket },
          topologyRefreshOnReconnectionAttemptStrategy: 1_000,
        });
  // node-redis needs an error listener. One line when Redis goes away and one when it is back, not one per retry.
  let away = false;
  let refused: Error | undefined; // what a node answered while the cluster was being discovered
  const lost = (error: Error) => {
    refused = error;
    if (!up || away) return;
    away = true;
    console.error(`Redis: ${error.message}; requests answer 503 until it is back.`);
  };
  const back = () => {
    if (!away) return;
    away = false;
    console.error('Redis: connected again.');
  };
  client.on('error', lost);
  client.on('node-error', lost);
  client.on('ready', back);
  client.on('node-ready', back);

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT / 1000} s`)), START_TIMEOUT);
      }),
    ]);
    await checkKind(client, target, where);
  } catch (error) {
    client.destroy();
    if (error instanceof RedisSetupError) throw error;
    if ('url' in target) {
      throw new RedisSetupError(
        `Redis is not reachable at ${where}: ${(error as Error).message}. Start it, set REDIS_URL to a Redis that ` +
          'runs, or unset it to keep everything in memory.',
      );
    }
    if (refused && /cluster support disabled/i.test(refused.message)) {
      throw new RedisSetupError(
        `${where} is a single Redis, not a Redis Cluster: set REDIS_URL=redis://host:port instead of ` +
          'REDIS_CLUSTER_NODES.',
      );
    }
    throw new RedisSetupError(
      `No Redis Cluster answered at ${where}: ${refused?.message ?? (error as Error).message}. Set ` +
        'REDIS_CLUSTER_NODES to nodes of a running cluster, or unset it to keep everything in memory.',
    );
  } finally {
    clearTimeout(timer);
  }
  up = true;
  return {
    description:
      'masters' in client ? `Redis Cluster at ${where}, ${client.masters.length} masters` : `Redis at ${where}`,
    stores: (app) => ({
      store: new RedisStore({ client, prefix: `passport-idv:${app}:` }),
      // connect-redis has no deadline of its own (RedisStore has), and its errors are not StoreErrors.
      sessionStore: new FailClosedSessionStore(
        new SessionRedisStore({ client, prefix: `${app}:sess:` }),
        COMMAND_TIMEOUT,
      ),
    }),
    close: () => client.close(),
  };
}

/** Refuses a cluster node given as `REDIS_URL`: every other key would answer MOVED. */
async function checkKind(client: { sendCommand: unknown }, target: RedisTarget, where: string): Promise<void> {
  if (!('url' in target)) return;
  const info = String(await (client as ReturnType<typeof createClient>).sendCommand(['INFO', 'cluster']));
  if (/cluster_enabled:1/.test(info)) {
    const { hostname, port } = new URL(target.url);
    throw new RedisSetupError(
      `${where} is a node of a Redis Cluster: set REDIS_CLUSTER_NODES=${hostname}:${port || 6379} instead of REDIS_URL.`,
    );
  }
}
