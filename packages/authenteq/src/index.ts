import './augment.js';

// The one SessionRequiredError of @passport-idv/core, re-exported where it was first exported.
export { SessionRequiredError } from '@passport-idv/core';
export {
  AUTHENTEQ_DETAILS_URL,
  AUTHENTEQ_TOKEN_URL,
  AuthenteqClient,
  type AuthenteqClientOptions,
  type AuthenteqDetails,
  type AuthenteqDetailsResponse,
  type AuthenteqGrantType,
  parseDetailsResponse,
} from './client.js';
export { AuthenteqAuthorizationError } from './errors.js';
export {
  AUTHENTEQ_AUTHORIZATION_URL,
  type AuthenteqAuthenticateOptions,
  type AuthenteqAuthInfo,
  type AuthenteqFailure,
  type AuthenteqFailureCode,
  type AuthenteqStrategyBaseOptions,
  type AuthenteqStrategyOptions,
  type AuthenteqStrategyOptionsWithRequest,
  type AuthenteqVerify,
  type AuthenteqVerifyWithRequest,
  type VerifyDone,
  type VerifyReturn,
} from './options.js';
export {
  type AuthenteqPolicy,
  checkPolicy,
  type PolicyFailure,
  type PolicyFailureCode,
  type PolicySubject,
} from './policy.js';
export {
  type AuthenteqWebKycJson,
  toVerifiedIdentity,
  toWebIdvVerifiedIdentity,
  type VerifiedIdentity,
  type VerifiedIdentityJson,
} from './profile.js';
export { AuthenteqStrategy } from './strategy.js';

// Authenteq Web IDV: the strategy, the client and the webhook.
export {
  AUTHENTEQ_WEB_IDV_BASE_URL,
  AuthenteqWebIdvClient,
  type AuthenteqWebIdvClientOptions,
} from './web-idv-client.js';
export { AuthenteqWebIdvError } from './web-idv-error.js';
export type {
  AuthenteqWebIdvFailure,
  AuthenteqWebIdvFailureCode,
  AuthenteqWebIdvStrategyOptions,
  AuthenteqWebIdvStrategyOptionsWithRequest,
  AuthenteqWebIdvVerify,
  AuthenteqWebIdvVerifyWithRequest,
  WebIdvVerifiedIdentity,
} from './web-idv-options.js';
export {
  type AuthenteqWebIdvDocumentData,
  type AuthenteqWebIdvImage,
  type AuthenteqWebIdvResult,
  parseWebIdvResult,
  requirePassed,
} from './web-idv-result.js';
export { AuthenteqWebIdvStrategy } from './web-idv-strategy.js';
export {
  type AuthenteqWebhookHandler,
  type AuthenteqWebhookImages,
  type AuthenteqWebhookOptions,
  type AuthenteqWebhookSignature,
  authenteqWebhook,
} from './webhook.js';
