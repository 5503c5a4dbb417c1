// The emulator's public surface beyond `AliceSandbox` itself, re-exported by the package index.
export type { AliceEnrollOptions, AliceUserSnapshot } from './index.js';
export { type SandboxMediaOptions, sandboxMedia } from './media.js';
export type { AliceTokenKind } from './tokens.js';
