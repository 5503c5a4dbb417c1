// The public API of @passport-idv/core: what apps use. The shared mechanisms the packages are built on are in
// `@passport-idv/core/internal` (./internal.ts), outside semver.
export { type Clock, systemClock } from './clock.js';
export {
  BodyConsumedError,
  BodyReadError,
  BodyTooLargeError,
  InvalidArgumentError,
  InvalidOptionError,
  PassportIdvError,
  type ProviderCallInfo,
  ProviderError,
  ProviderNetworkError,
  ProviderResponseError,
  ProviderStatusError,
  ProviderTimeoutError,
  SessionRequiredError,
  StoreError,
} from './errors.js';
export { failClosedSession, type Middleware } from './fail-closed-session.js';
export { setWarningHandler, type WarningHandler } from './log.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { safeReturnTo } from './safe-return-to.js';
export type { Store } from './store.js';
