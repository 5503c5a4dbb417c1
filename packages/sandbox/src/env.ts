import type { SandboxClock } from './clock.js';
import type { RequestLog } from './request-log.js';
import type { Router } from './router.js';

/** What each provider emulator is given when the sandbox starts. */
export interface SandboxEnv {
  router: Router;
  clock: SandboxClock;
  requests: RequestLog;
  /** The sandbox's base URL, e.g. `http://127.0.0.1:4000` (no trailing slash). */
  url: string;
}
