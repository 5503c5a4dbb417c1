import { isRecord } from '@passport-idv/core/internal';

/** A node-redis client, from `createClient()` of the `redis` package (v5 or later). */
export interface NodeRedisClientLike {
  /** `true` while the connection is up and ready for commands. */
  readonly isReady: boolean;
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** A node-redis cluster client, from `createCluster()` of the `redis` package (v5 or later). */
export interface NodeRedisClusterLike {
  /** `true` once the cluster's topology is known and the client is connected. */
  readonly isReady: boolean;
  /** The master nodes the client knows; only its presence is read, to tell a cluster from a client. */
  readonly masters: readonly unknown[];
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
}

/** An ioredis `Redis` or `Cluster` (ioredis v5 or later), or the same from `iovalkey`. */
export interface IORedisLike {
  /** `'ready'` while the client can send commands. */
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * What {@link RedisStore} accepts as `client`: any of the four, told apart by their shape (no client package is
 * imported). Only one command at a time is sent, and every command names at most one key.
 */
export type RedisClientLike = NodeRedisClientLike | NodeRedisClusterLike | IORedisLike;

/** The kind of client, as {@link RedisStore} detected it. */
export type RedisClientKind = 'node-redis' | 'node-redis-cluster' | 'ioredis';

/** One client, whatever its kind: whether it is ready, and how to send a command about one key. */
export interface Commands {
  readonly kind: RedisClientKind;
  ready(): boolean;
  /** Sends `[name, ...args]`; `key` (or `undefined` for a keyless command) routes it in a cluster. */
  send(name: string, key: string | undefined, args: string[], signal: AbortSignal): Promise<unknown>;
}

/** The {@link Commands} of `client`, or `undefined` when it has none of the four shapes. */
export function commandsOf(client: unknown): Commands | undefined {
  if (!isRecord(client)) return undefined;
  // ioredis first: its Redis has a `sendCommand` too, of another kind (it takes a Command object).
  if (typeof client.call === 'function' && typeof client.status === 'string') {
    const ioredis = client as unknown as IORedisLike;
    return {
      kind: 'ioredis',
      ready: () => ioredis.status === 'ready',
      // ioredis has no way to cancel one command: the store's deadline answers for it.
      send: (name, _key, args) => ioredis.call(name, ...args),
    };
  }
  if (typeof client.sendCommand !== 'function') return undefined;
  if ('masters' in client) {
    const cluster = client as unknown as NodeRedisClusterLike;
    return {
      kind: 'node-redis-cluster',
      ready: () => cluster.isReady,
      // Never "read-only": a read goes to the key's master too, so it sees the write another instance just made.
      send: (name, key, args, signal) => cluster.sendCommand(key, false, [name, ...args], { abortSignal: signal }),
    };
  }
  const single = client as unknown as NodeRedisClientLike;
  return {
    kind: 'node-redis',
    ready: () => single.isReady,
    send: (name, _key, args, signal) => single.sendCommand([name, ...args], { abortSignal: signal }),
  };
}
