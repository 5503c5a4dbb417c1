export { IdvSessionNotFoundError, NoExternalUserIdError } from './errors.js';
export { buildHandoffUrl, idvBaseURL } from './handoff-url.js';
export {
  IdvClient,
  type IdvClientOptions,
  type IdvDeeplink,
  type IdvMetadata,
  type IdvSession,
} from './idv-client.js';
export { type EphemeralSessionMiddleware, ephemeralSession } from './middleware.js';
export type { EphemeralSessionOptions } from './options.js';
export type { Handoff } from './reuse.js';
export type { IdvSessionDetails } from './session-parse.js';
export {
  type IdvSessionState,
  type IdvStatusTable,
  isFinalState,
  SANDBOX_SESSION_STATUSES,
} from './session-status.js';
export { isValidTtl, TTL_RANGE } from './ttl.js';
export { type IdvWebhookHandler, type IdvWebhookOptions, idvWebhook } from './webhook.js';
