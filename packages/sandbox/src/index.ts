export type { AliceSandbox, AliceSandboxOptions } from './alice/index.js';
export * from './alice/public.js';
export type {
  AuthenteqDetails,
  AuthenteqIdentity,
  AuthenteqIdentityId,
  AuthenteqSandbox,
  AuthenteqSandboxOptions,
} from './authenteq/index.js';
export type {
  AuthenteqWebIdvError,
  AuthenteqWebIdvSandbox,
  AuthenteqWebIdvSandboxOptions,
  AuthenteqWebIdvVerification,
} from './authenteq/web-idv.js';
export type {
  AuthenteqWebIdvClient,
  AuthenteqWebIdvClientOptions,
} from './authenteq/web-idv-clients.js';
export type {
  AuthenteqWebIdvDocumentData,
  AuthenteqWebIdvIdentity,
  AuthenteqWebIdvIdentityId,
  AuthenteqWebIdvImage,
  AuthenteqWebIdvResult,
} from './authenteq/web-idv-identities.js';
export {
  type AuthenteqWebhookDelivery,
  type AuthenteqWebhookPending,
  type AuthenteqWebhookSignature,
  type AuthenteqWebhooks,
  signWebhook,
} from './authenteq/web-idv-webhooks.js';
export { SandboxClock } from './clock.js';
export { type Fault, Faults } from './faults.js';
export type { IdvSandbox, IdvSandboxOptions } from './idv/index.js';
export {
  IDV_CAPTURE_STEPS,
  IDV_SESSION_STATUSES,
  IDV_TTL_RANGE,
  IDV_WEBHOOK_RETRY_DELAYS,
  IDV_WEBHOOK_SECRET_HEADER,
  type IdvCaptureStep,
  type IdvSandboxSession,
  type IdvSessionState,
  type IdvWebhookDelivery,
} from './idv/index.js';
export { type CredentialKind, type LoggedRequest, type RequestFilter, RequestLog } from './request-log.js';
export { type Sandbox, type SandboxOptions, startSandbox } from './sandbox.js';
