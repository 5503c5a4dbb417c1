import { connectRedis, type SharedRedis } from './connect.js';
import { RedisSetupError, redisTarget } from './target.js';

/**
 * For a sample app's start-up: the Redis that `REDIS_URL` or `REDIS_CLUSTER_NODES` names, connected, or
 * `undefined` when neither is set. When it cannot be used, prints one line saying why and what to set, and exits 1.
 *
 * @example
 * ```ts
 * const redis = await redisFromEnv();
 * const stores = redis?.stores('signup') ?? {}; // in memory without Redis
 * ```
 */
export async function redisFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SharedRedis | undefined> {
  try {
    const target = redisTarget(env);
    return target ? await connectRedis(target) : undefined;
  } catch (error) {
    if (!(error instanceof RedisSetupError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
