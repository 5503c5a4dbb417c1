import type { RedisTarget } from '@passport-idv/example-redis-setup';
import { createClient, createCluster } from 'redis';

/** A test's own connection to one Redis or a Redis Cluster, to look at keys and clean them up. */
export interface RedisAdmin {
  /** Deletes every key matching `pattern` (on every master of a cluster). */
  deleteKeys(pattern: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to `target`; fails at once (no retries) when it does not answer, so a suite says Redis is missing.
 *
 * @example
 * ```ts
 * const admin = await redisAdmin({ url: process.env.REDIS_URL });
 * await admin.deleteKeys(`${prefix}*`);
 * ```
 */
export async function redisAdmin(target: RedisTarget): Promise<RedisAdmin> {
  const socket = { connectTimeout: 3_000, reconnectStrategy: false as const };
  if ('url' in target) {
    const client = createClient({ url: target.url, socket });
    client.on('error', () => undefined);
    await client.connect();
    return {
      deleteKeys: (pattern) => deleteFrom(client, pattern),
      close: () => client.close(),
    };
  }
  const cluster = createCluster({
    rootNodes: target.clusterNodes.split(',').map((node) => ({ url: `redis://${node}` })),
    defaults: { socket },
  });
  cluster.on('error', () => undefined);
  await cluster.connect();
  return {
    async deleteKeys(pattern) {
      for (const master of cluster.masters) await deleteFrom(await cluster.nodeClient(master), pattern);
    },
    close: () => cluster.close(),
  };
}

/** What {@link deleteFrom} needs of a client (a cluster's node clients are typed apart from `createClient`'s). */
interface Scanning {
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[]>;
  del(key: string): Promise<unknown>;
}

async function deleteFrom(client: Scanning, pattern: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 500 })) {
    for (const key of keys) await client.del(key); // one key at a time: a cluster node holds many slots
  }
}
