import { invalidOption, isRecord, type Store, StoreError } from '@passport-idv/core';

/**
 * What {@link RedisStore} needs of a client: a node-redis (`redis` v5+) client from `createClient()` has it. Only
 * `sendCommand` and `isReady` are used, so any node-redis client works, whatever modules, scripts or RESP version it
 * was created with. (A cluster client has another `sendCommand` signature and is not supported.)
 */
export interface RedisClientLike {
  /** `true` while the connection is up and ready for commands. */
  readonly isReady: boolean;
  sendCommand(args: string[], options?: { timeout?: number; abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** A connected node-redis client (`await createClient({ url }).connect()`); the app owns it and closes it. */
  client: RedisClientLike;
  /** Put before every key, so passport-idv's keys never collide with the app's. Default `'passport-idv:'`. */
  prefix?: string;
  /**
   * Milliseconds a command may take before it fails with a `StoreError`. Default 2,000. A request waiting on the
   * store fails fast instead of hanging while Redis is slow or away.
   */
  commandTimeout?: number;
}

/**
 * A {@link Store} in Redis, for apps that run on several instances: OAuth state, face-login attempts, used
 * authentication ids, token caches and reusable sessions are then shared, and single use holds across instances.
 *
 * `add` is `SET key value PX ttl NX`, `take` is `GETDEL` (Redis ≥ 6.2), both atomic in Redis; values are JSON.
 * Every failure — Redis down, reconnecting, slow, closed client, an error reply, a value that is not JSON — rejects
 * with a core `StoreError` (HTTP 503), and promptly: a command is refused at once when the client is not ready
 * (node-redis would otherwise queue it until the connection returns) and times out after `commandTimeout`. Callers
 * fail closed on it.
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
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #timeout: number;

  constructor(options: RedisStoreOptions) {
    if (!isRecord(options)) invalidOption('RedisStore options must be an object');
    const { client, prefix = 'passport-idv:', commandTimeout = 2_000 } = options;
    if (
      typeof client !== 'object' ||
      client === null ||
      typeof (client as Partial<RedisClientLike>).sendCommand !== 'function'
    ) {
      invalidOption('client must be a node-redis client (createClient() from the redis package)');
    }
    if (typeof prefix !== 'string') invalidOption('prefix must be a string');
    if (typeof commandTimeout !== 'number' || !(commandTimeout > 0) || !Number.isFinite(commandTimeout)) {
      invalidOption('commandTimeout must be a positive number of milliseconds');
    }
    this.#client = client;
    this.#prefix = prefix;
    this.#timeout = commandTimeout;
  }

  /** The key prefix. */
  get prefix(): string {
    return this.#prefix;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    return this.#parse<T>('GET', await this.#command('GET', [this.#key(key)]));
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const json = serialise(value, ttlMs);
    await this.#command('SET', [this.#key(key), json, 'PX', String(Math.ceil(ttlMs))]);
  }

  async add(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const json = serialise(value, ttlMs);
    const reply = await this.#command('SET', [this.#key(key), json, 'PX', String(Math.ceil(ttlMs)), 'NX']);
    return reply !== null && reply !== undefined;
  }

  async take<T = unknown>(key: string): Promise<T | undefined> {
    return this.#parse<T>('GETDEL', await this.#command('GETDEL', [this.#key(key)]));
  }

  async delete(key: string): Promise<void> {
    await this.#command('DEL', [this.#key(key)]);
  }

  #key(key: string): string {
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    return `${this.#prefix}${key}`;
  }

  /** Runs one command; every failure becomes a `StoreError` whose message names the command, never the key. */
  async #command(name: string, args: string[]): Promise<unknown> {
    if (!this.#client.isReady) throw new StoreError(`Redis ${name} failed: the client is not connected`);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new StoreError(`Redis ${name} failed: no answer within ${this.#timeout}ms`));
      }, this.#timeout);
    });
    try {
      const sent = this.#client.sendCommand([name, ...args], { timeout: this.#timeout, abortSignal: abort.signal });
      sent.catch(() => undefined); // if the timer wins, the late rejection is expected
      return await Promise.race([sent, timeout]);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`Redis ${name} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
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

function serialise(value: unknown, ttlMs: number): string {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new TypeError('ttlMs must be a positive, finite number');
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('value must be JSON-serialisable');
  return json;
}
