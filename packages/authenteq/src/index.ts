import './augment.js';

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
export { AuthenteqAuthorizationError, SessionRequiredError } from './errors.js';
export {
  AUTHENTEQ_AUTHORIZATION_URL,
  type AuthenteqAuthenticateOptions,
  type AuthenteqAuthInfo,
  type AuthenteqFailure,
  type AuthenteqFailureCode,
  type AuthenteqStrategyOptions,
  type AuthenteqStrategyOptionsWithRequest,
  type AuthenteqVerify,
  type AuthenteqVerifyWithRequest,
  type VerifyDone,
  type VerifyReturn,
} from './options.js';
export { type AuthenteqPolicy, checkPolicy, type PolicyFailure, type PolicyFailureCode } from './policy.js';
export { toVerifiedIdentity, type VerifiedIdentity } from './profile.js';
export { AuthenteqStrategy } from './strategy.js';
