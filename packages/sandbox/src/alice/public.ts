// The emulator's public surface beyond `AliceSandbox` itself, re-exported by the package index.
export type { AliceEnrollOptions, AliceUserSnapshot } from './index.js';
export { ALICE_SELFIE_DIAGNOSTICS, type SandboxMediaOptions, sandboxMedia } from './media.js';
export { SDK_SCRIPT as ALICE_SDK_SCRIPT } from './sdk.js';
export type { CaptureRejection } from './state.js';
export type { AliceTokenKind } from './tokens.js';
