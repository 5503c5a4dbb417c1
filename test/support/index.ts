export {
  AUTHENTEQ_CALLBACK_URL,
  type AuthenteqAppOptions,
  authenteqApp,
  type SignupUser,
  startSignup,
  type WebIdvStrategyAppOptions,
  webIdvStrategyApp,
} from './authenteq-app.js';
export { type Browser, browserOn, localPath, sessionCookie } from './browser.js';
export { captureDebug, type DebugLines } from './debug.js';
export { jsonErrors, type RejectionWatch, watchRejections } from './errors.js';
export { type FaceLoginAppOptions, faceLoginApp } from './face-login-app.js';
export { handoffApp, loggedIn } from './handoff-app.js';
export { WEB_IDV_CALLBACK_URL, webIdvApp } from './web-idv-app.js';
