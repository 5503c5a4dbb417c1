export { connectRedis, type SharedRedis } from './connect.js';
export { redisFromEnv } from './from-env.js';
export { DeadlineSessionStore } from './session-deadline.js';
export { describeTarget, RedisSetupError, type RedisTarget, redisTarget } from './target.js';
