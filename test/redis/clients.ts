import { Redis as IORedis, Cluster as IORedisCluster } from 'ioredis';
import { Cluster as IOValkeyCluster } from 'iovalkey';
import { createClient, createCluster } from 'redis';
import type { RedisClientLike } from '../../packages/redis/src/index.js';

/** The client kinds `RedisStore` takes, and iovalkey (ioredis's fork) as a fifth. */
export type ClientKind = 'node-redis' | 'node-redis cluster' | 'ioredis' | 'ioredis Cluster' | 'iovalkey Cluster';

/** A connected client of one kind, and how to close it. */
export interface Connected {
  client: RedisClientLike;
  /** Runs a command on the key's node, outside the store (to look at what it wrote). */
  raw(args: string[], key?: string): Promise<unknown>;
  close(): Promise<void>;
  /** Drops the connections at once, answered or not. */
  destroy(): void;
}

const hostPort = (node: string) => {
  const [host = '127.0.0.1', port = '6379'] = node.split(':');
  return { host, port: Number(port) };
};

/**
 * Connects a client of `kind`, built as the package README shows it: to `url` for one node, or to `nodes`
 * (`host:port,…`) for a cluster. node-redis gets the README's `disableOfflineQueue` and an error listener; ioredis
 * keeps its defaults (an offline queue, retries), which the store's own deadline must bound.
 */
export async function connect(kind: ClientKind, target: { url: string; nodes: string }): Promise<Connected> {
  const nodes = target.nodes.split(',').map(hostPort);
  switch (kind) {
    case 'node-redis': {
      const client = createClient({ url: target.url, disableOfflineQueue: true, socket: { connectTimeout: 3_000 } });
      client.on('error', () => undefined);
      await client.connect();
      return {
        client,
        raw: (args) => client.sendCommand(args),
        close: () => client.close(),
        destroy: () => client.destroy(),
      };
    }
    case 'node-redis cluster': {
      const client = createCluster({
        rootNodes: nodes.map(({ host, port }) => ({ socket: { host, port } })),
        defaults: { disableOfflineQueue: true, socket: { connectTimeout: 3_000 } },
      });
      client.on('error', () => undefined);
      await client.connect();
      return {
        client,
        raw: (args, key) => client.sendCommand(key, false, args),
        close: () => client.close(),
        destroy: () => client.destroy(),
      };
    }
    case 'ioredis':
      return ioredis(new IORedis(target.url, { lazyConnect: true }));
    case 'ioredis Cluster':
      return ioredis(new IORedisCluster(nodes, { lazyConnect: true }));
    case 'iovalkey Cluster':
      return ioredis(new IOValkeyCluster(nodes, { lazyConnect: true }));
  }
}

/** What the tests use of an ioredis (or iovalkey) client or cluster. */
interface IORedisClient {
  on(event: 'error', listener: () => void): unknown;
  connect(): Promise<unknown>;
  call(name: string, ...args: string[]): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  readonly status: string;
}

/** Connects an ioredis-shaped client made with `lazyConnect`. */
async function ioredis(client: IORedisClient): Promise<Connected> {
  client.on('error', () => undefined);
  await client.connect();
  return {
    client,
    raw: ([name = '', ...args]) => client.call(name, ...args),
    close: () => client.quit().then(undefined, () => client.disconnect()),
    destroy: () => client.disconnect(),
  };
}
