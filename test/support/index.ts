export {
  AUTHENTEQ_CALLBACK_URL,
  authenteqApp,
  localPath,
  type SignupUser,
  WEB_IDV_STRATEGY_CALLBACK_URL,
  webIdvStrategyApp,
} from './authenteq-app.js';
export { captureDebug } from './debug.js';
export { jsonErrors, type RejectionWatch, watchRejections } from './errors.js';
export { type FaceLoginAppOptions, faceLoginApp } from './face-login-app.js';
export { handoffApp } from './handoff-app.js';
export { WEB_IDV_CALLBACK_URL, webIdvApp } from './web-idv-app.js';
