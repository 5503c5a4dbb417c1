export { NoExternalUserIdError } from './errors.js';
export { buildHandoffUrl, idvBaseURL } from './handoff-url.js';
export { IdvClient, type IdvClientOptions, type IdvMetadata, type IdvSession } from './idv-client.js';
export { type EphemeralSessionMiddleware, ephemeralSession } from './middleware.js';
export type { EphemeralSessionOptions } from './options.js';
export type { Handoff } from './reuse.js';
export { isValidTtl, TTL_RANGE } from './ttl.js';
