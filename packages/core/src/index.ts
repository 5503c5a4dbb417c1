export { type Clock, systemClock } from './clock.js';
export {
  invalidOption,
  PassportIdvError,
  type ProviderCallInfo,
  ProviderError,
  ProviderNetworkError,
  ProviderResponseError,
  ProviderStatusError,
  ProviderTimeoutError,
  StoreError,
} from './errors.js';
export { failClosedSession, type Middleware } from './fail-closed-session.js';
export { createLogger, type Logger, setWarningHandler, type WarningHandler } from './log.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { ownString } from './own-string.js';
export {
  isRecord,
  type MultipartFile,
  type ProviderRequest,
  type ProviderResponse,
  providerRequest,
  requireRecord,
  requireString,
  ShapeError,
} from './provider-http.js';
export { randomToken } from './random.js';
export { safeReturnTo } from './safe-return-to.js';
export { type SecondsRange, secondsOption } from './seconds-option.js';
export { SharedLoader, type SharedLoaderOptions, type SharedLoadSteps } from './shared-load.js';
export { assertStore, type Store } from './store.js';
export { storeCall } from './store-call.js';
export {
  BodyConsumedError,
  BodyReadError,
  BodyTooLargeError,
  type DeliverOnceOptions,
  type DeliveryOutcome,
  deliverOnce,
  type ReadRawBodyOptions,
  readRawBody,
  safeEqual,
} from './webhook.js';
