import { InvalidArgumentError, type Store, StoreError } from '@passport-idv/core';
import { createLogger, invalidOption, isRecord } from '@passport-idv/core/internal';
import { type Commands, commandsOf, type RedisClientKind, type RedisClientLike } from './client.js';
import { policyOf, warnIfEvicting } from './eviction.js';

const log = createLogger('redis');

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * A node-redis client (`createClient()`) or cluster (`createCluster()`), or an ioredis (or iovalkey) `Redis` or
   * `Cluster`; the app connects it, owns it and closes it.
   */
  client: RedisClientLike;
  /**
   * Put before every key, so passport-idv's keys never collide with the app's. Default `'passport-idv:'`. In a
   * cluster, keep braces out of it: a `{hash tag}` would put every key in one slot, on one master.
   */
  prefix?: string;
  /**
   * Milliseconds a command may take before it fails with a `StoreError`. Default 2,000. A request waiting on the
   * store fails fast instead of hanging while Redis is slow, away, or electing a new master.
   */
  commandTimeout?: number;
}

/** Gets and deletes one key atomically, for a Redis older than 6.2 (no `GETDEL`). */
const GETDEL_SCRIPT = "local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v";

/** The clients whose eviction policy was already checked (once per client, however many stores share it). */
const checked = new WeakSet<object>();

/**
 * A {@link Store} in Redis, for apps that run on several instances: OAuth state, face-login attempts, used
 * authentication ids, token caches and reusable sessions are then shared, and single use holds across instances.
 *
 * It takes a node-redis client or cluster, or an ioredis (or iovalkey) client or cluster, and tells them apart by
 * their shape. Every command names one key, so a cluster routes it to that key's master: `add` is
 * `SET key value PX ttl NX` and `take` is `GETDEL` (a one-key script on Redis before 6.2), both atomic in Redis;
 * values are JSON. Every failure — Redis down, reconnecting, slow, a cluster electing a master or down, redirections
 * exhausted, a closed client, an error reply, a value that is not JSON — rejects with a core `StoreError` (HTTP 503),
 * and promptly: a command is refused at once when the client is not ready, and fails after `commandTimeout`
 * whatever the client would otherwise do (queue it, retry it). Callers fail closed on it.
 *
 * The first time a client is used, the store asks its `maxmemory-policy` (where `CONFIG` is allowed) and emits one
 * process warning (`code: 'PASSPORT_IDV_REDIS_EVICTION'`) if Redis may evict keys.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisStore } from '@passport-idv/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', (error) => console.error('redis', error.message)); // node-redis needs a listener
 * await client.connect();
 * const store = new RedisStore({ client });
 * passport.use(new AuthenteqStrategy({ ...options, store }, verify));
 * ```
 */
export class RedisStore implements Store {
  readonly #client: object;
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #timeout: number;
  #getdel = true;

  constructor(options: RedisStoreOptions) {
    if (!isRecord(options)) invalidOption('RedisStore options must be an object');
    const { client, prefix = 'passport-idv:', commandTimeout = 2_000 } = options;
    const commands = commandsOf(client);
    if (!commands) {
      invalidOption(
        'client must be a node-redis client or cluster (createClient() or createCluster() from redis), ' +
          'or an ioredis Redis or Cluster',
      );
    }
    if (typeof prefix !== 'string') invalidOption('prefix must be a string');
    if (typeof commandTimeout !== 'number' || !(commandTimeout > 0) || !Number.isFinite(commandTimeout)) {
      invalidOption('commandTimeout must be a positive number of milliseconds');
    }
    this.#client = client;
    this.#commands = commands;
    this.#prefix = prefix;
    this.#timeout = commandTimeout;
  }

  /** The key prefix. */
  get prefix(): string {
    return this.#prefix;
  }

  /** The kind of client the store detected. */
  get clientKind(): RedisClientKind {
    return this.#commands.kind;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const k = this.#key(key);
    return this.#parse<T>('GET', await this.#command('GET', k, [k]));
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const k = this.#key(key);
    const json = serialise(value, ttlMs);
    await this.#command('SET', k, [k, json, 'PX', String(Math.ceil(ttlMs))]);
  }

  async add(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const k = this.#key(key);
    const json = serialise(value, ttlMs);
    const reply = await this.#command('SET', k, [k, json, 'PX', String(Math.ceil(ttlMs)), 'NX']);
    return reply !== null && reply !== undefined;
  }

  async take<T = unknown>(key: string): Promise<T | undefined> {
    const k = this.#key(key);
    if (this.#getdel) {
      try {
        return this.#parse<T>('GETDEL', await this.#command('GETDEL', k, [k]));
      } catch (error) {
        if (!/unknown command/i.test(String((error as StoreError).cause))) throw error;
        log('GETDEL is unknown to this Redis (before 6.2): take runs a one-key script instead');
        this.#getdel = false;
      }
    }
    return this.#parse<T>('GETDEL', await this.#command('EVAL', k, [GETDEL_SCRIPT, '1', k]));
  }

  async delete(key: string): Promise<void> {
    const k = this.#key(key);
    await this.#command('DEL', k, [k]);
  }

  #key(key: string): string {
    if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('key must be a non-empty string');
    return `${this.#prefix}${key}`;
  }

  /** Runs one command; every failure becomes a `StoreError` whose message names the command, never the key. */
  async #command(name: string, key: string | undefined, args: string[]): Promise<unknown> {
    if (!this.#commands.ready()) throw new StoreError(`Redis ${name} failed: the client is not connected`);
    if (!checked.has(this.#client)) {
      checked.add(this.#client);
      void this.#checkEviction();
    }
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new StoreError(`Redis ${name} failed: no answer within ${this.#timeout}ms`));
      }, this.#timeout);
    });
    try {
      const sent = this.#commands.send(name, key, args, abort.signal);
      sent.catch(() => undefined); // if the timer wins, the late rejection is expected
      return await Promise.race([sent, timeout]);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`Redis ${name} failed${reason(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Warns once if Redis may evict keys; a Redis that forbids `CONFIG` (many managed ones do) is left alone. */
  async #checkEviction(): Promise<void> {
    try {
      const policy = policyOf(await this.#command('CONFIG', undefined, ['GET', 'maxmemory-policy']));
      if (policy) warnIfEvicting(policy);
    } catch (error) {
      log('maxmemory-policy could not be read: %s', (error as Error).message);
    }
  }

  #parse<T>(name: string, reply: unknown): T | undefined {
    if (reply === null || reply === undefined) return undefined;
    const text = Buffer.isBuffer(reply) ? reply.toString('utf8') : reply;
    if (typeof text !== 'string') throw new StoreError(`Redis ${name} failed: unexpected reply`);
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new StoreError(`Redis ${name} failed: the stored value is not JSON`, { cause });
    }
  }
}

/**
 * What went wrong, for the message (`: CLUSTERDOWN`, `: too many cluster redirections`…), so a log line says it
 * without the key; the whole error stays in `cause`. Empty when the error says nothing a reader could use.
 */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const code = /^([A-Z]{2,})\b/.exec(message)?.[1]; // a Redis error reply: CLUSTERDOWN, OOM, MOVED, NOPERM…
  if (code) return `: ${code}`;
  if (/redirections/i.test(message)) return ': too many cluster redirections';
  if (/offline|closed|not connected/i.test(message)) return ': the client is not connected';
  return '';
}

function serialise(value: unknown, ttlMs: number): string {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs))
    throw new InvalidArgumentError('ttlMs must be a positive, finite number');
  const json = JSON.stringify(value);
  if (json === undefined) throw new InvalidArgumentError('value must be JSON-serialisable');
  return json;
}
