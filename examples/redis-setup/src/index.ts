export { connectRedis, type SharedRedis } from './connect.js';
export { FailClosedSessionStore } from './fail-closed-session-store.js';
export { redisFromEnv } from './from-env.js';
export { describeTarget, RedisSetupError, type RedisTarget, redisTarget } from './target.js';
