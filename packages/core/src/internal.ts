/**
 * `@passport-idv/core/internal`: the mechanisms the passport-idv packages share (the provider HTTP helper, store
 * calls, option checks, sessions, the verify runner, webhooks, logging). Everything here is `@internal`: it may change
 * in any release, semver covers only `@passport-idv/core` itself. Apps use the public entry.
 *
 * @internal
 * @packageDocumentation
 */
export { invalidOption } from './errors.js';
export { createLogger, type Logger } from './log.js';
export {
  assertClock,
  assertHttpURL,
  assertProviderURL,
  assertTimeout,
  type SecondsRange,
  secondsOption,
} from './options.js';
export { type MultipartFile, type ProviderRequest, type ProviderResponse, providerRequest } from './provider-http.js';
export { randomToken } from './random.js';
export { type SessionLike, saveSession, sessionOf } from './session.js';
export { isRecord, requireRecord, requireString, ShapeError } from './shape.js';
export { SharedLoader, type SharedLoaderOptions, type SharedLoadSteps } from './shared-load.js';
export { assertStore } from './store.js';
export { storeCall } from './store-call.js';
export { keyDigest, storeKey } from './store-key.js';
export { runVerify, type VerifyCallback, type VerifyOutcome } from './verify.js';
export {
  type DeliverOnceOptions,
  type DeliveryOutcome,
  deliverOnce,
  type ReadRawBodyOptions,
  readRawBody,
  safeEqual,
} from './webhook.js';
