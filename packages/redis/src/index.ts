export type {
  IORedisLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  RedisClientKind,
  RedisClientLike,
} from './client.js';
export { EVICTION_WARNING } from './eviction.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
