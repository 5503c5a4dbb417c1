import './augment.js';

export {
  ALICE_BASE_URL,
  AliceClient,
  type AliceClientOptions,
  type AliceMedia,
  type AliceUserFields,
} from './alice-client.js';
export {
  AliceActiveSelfieError,
  type AliceCaptureReason,
  AliceCaptureRejectedError,
  AliceSelfieLimitError,
  CAPTURE_ADVICE,
} from './alice-errors.js';
export { DeviceBinding, type DeviceBindingOptions } from './device-binding.js';
export type {
  FaceLoginBegin,
  FaceLoginDone,
  FaceLoginFailure,
  FaceLoginFailureCode,
  FaceLoginResult,
  FaceLoginStrategyOptions,
  FaceLoginStrategyOptionsWithRequest,
  FaceLoginThresholds,
  FaceLoginVerify,
  FaceLoginVerifyReturn,
  FaceLoginVerifyWithRequest,
} from './options.js';
export { type RequireFaceLoginOptions, requireFaceLogin } from './require-face-login.js';
export type {
  AliceAuthentication,
  AliceAuthenticationList,
  AliceReport,
  AliceResultVersion,
  AliceSelfie,
} from './results.js';
export { type EnrollmentOutcome, reviewEnrollment } from './review-enrollment.js';
export { type FaceLoginRecord, faceLoginOf } from './session.js';
export { FaceLoginStrategy } from './strategy.js';
export type { AliceTokenKind } from './token-cache.js';
