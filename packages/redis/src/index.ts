export { type RedisClientLike, RedisStore, type RedisStoreOptions } from './redis-store.js';
