import { randomBytes } from 'node:crypto';
import type { SandboxEnv } from '../env.js';
import { mountIdvApi } from './api.js';
import { mountIdvPages } from './pages.js';
import { mountIdvSessionApi } from './session-api.js';
import { IDV_CAPTURE_STEPS, IDV_TTL_RANGE, type IdvCaptureStep, type IdvSandboxSession, IdvState } from './state.js';
import { type IdvWebhookDelivery, IdvWebhooks } from './webhooks.js';

export {
  IDV_CAPTURE_STEPS,
  IDV_SESSION_STATUSES,
  IDV_TTL_RANGE,
  type IdvCaptureStep,
  type IdvSandboxSession,
  type IdvSessionState,
} from './state.js';
export { IDV_WEBHOOK_RETRY_DELAYS, IDV_WEBHOOK_SECRET_HEADER, type IdvWebhookDelivery } from './webhooks.js';

/** Options of the IDV platform emulator. */
export interface IdvSandboxOptions {
  /** The API key the platform accepts. Default: a random one per start. */
  apiKey?: string;
  /** The workflow that exists from the start. Default `'sandbox-workflow'`. */
  workflowId?: string;
  /** A webhook endpoint registered from the start (see `IdvSandbox.setWebhook`). */
  webhook?: { url: string; secret?: string };
}

/**
 * The IDV platform emulator, as `sandbox.idv`: the values an app needs, plus shortcuts for tests.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * app.post('/verify/handoff', ephemeralSession({ ...sandbox.idv, clock: sandbox.clock, metadata }));
 * // ... after the request:
 * const [session] = sandbox.idv.listSessions();
 * expect(session?.metadata).toEqual({ externalUserId: 'user-1' });
 * ```
 */
export interface IdvSandbox {
  /** The platform's base URL, `<sandbox url>/idv`: what the docs call `https://<IDV_HOST>`. */
  host: string;
  /**
   * The API key. It holds every permission the calls need ("Ephemeral Devices:Write", `deeplink:write`, "All
   * Sessions: Read"); it is sent raw to `/api/device/ephemeral` and as `ApiKey <key>` to the other calls.
   */
  apiKey: string;
  /** A workflow that exists. */
  workflowId: string;
  /** The `ttl` range, in seconds, the ephemeral-token call accepts. */
  ttlRange: { min: number; max: number };
  /** Makes another workflow id known (sessions for unknown workflows get a 404). */
  addWorkflow(id: string): void;
  /** A copy of a session, or `undefined`. */
  getSession(id: string): IdvSandboxSession | undefined;
  /** Copies of every session, oldest first. */
  listSessions(): IdvSandboxSession[];
  /** Mints an ephemeral token without an HTTP call (what `POST /api/device/ephemeral` does). Default ttl 3600. */
  createEphemeralToken(ttl?: number): string;
  /**
   * Records capture steps as the phone page would, in order (default: all of them, which finishes the session:
   * state `finished`).
   */
  completeCapture(sessionId: string, steps?: IdvCaptureStep[]): IdvSandboxSession | undefined;
  /** Ends a session as `failed`, as the phone page's "Simulate a failed verification" does. */
  failSession(sessionId: string): IdvSandboxSession | undefined;
  /**
   * Registers the webhook endpoint that gets `POST {"sessionId", "workflowId", "status"}` on every state change
   * (`undefined` stops it). With a `secret`, every delivery carries it in the `X-Webhook-Secret` header
   * (`IDV_WEBHOOK_SECRET_HEADER`): the platform documents no signing, so this is the sandbox's own [I]. A delivery
   * answered with anything but 2xx is tried again on the sandbox clock (`IDV_WEBHOOK_RETRY_DELAYS`).
   */
  setWebhook(url: string | undefined, options?: { secret?: string }): void;
  /** Copies of every webhook delivery, oldest first. */
  webhookDeliveries(): IdvWebhookDelivery[];
  /**
   * Expires the sessions whose time has passed on the sandbox clock and makes every webhook attempt due by then;
   * resolves once they were all answered. (A short real-time tick does the same on its own.)
   */
  flushWebhooks(): Promise<void>;
}

/** Mounts the IDV platform emulator under `/idv`; `stop()` ends its webhook sender. */
export function mountIdv(env: SandboxEnv, options: IdvSandboxOptions = {}): { idv: IdvSandbox; stop(): void } {
  const base = '/idv';
  const apiKey = options.apiKey ?? `idv_sandbox_${randomBytes(18).toString('base64url')}`;
  const workflowId = options.workflowId ?? 'sandbox-workflow';
  const state = new IdvState(env.clock);
  state.workflows.add(workflowId);
  const webhooks = new IdvWebhooks(env.clock, () => state.expireSessions());
  state.onChange((session) => webhooks.notify(session));
  if (options.webhook) webhooks.register(options.webhook.url, options.webhook.secret);
  mountIdvApi(env, base, apiKey, state);
  mountIdvSessionApi(env, base, apiKey, state);
  mountIdvPages(env, base, state);
  const idv: IdvSandbox = {
    host: `${env.url}${base}`,
    apiKey,
    workflowId,
    ttlRange: { ...IDV_TTL_RANGE },
    addWorkflow: (id) => {
      if (typeof id !== 'string' || id === '') throw new TypeError('a workflow id is a non-empty string');
      state.workflows.add(id);
    },
    getSession: (id) => state.getSession(id),
    listSessions: () => state.listSessions(),
    createEphemeralToken: (ttl = 3600) => {
      if (!Number.isInteger(ttl) || ttl < IDV_TTL_RANGE.min || ttl > IDV_TTL_RANGE.max) {
        throw new RangeError(`ttl must be an integer from ${IDV_TTL_RANGE.min} to ${IDV_TTL_RANGE.max}`);
      }
      return state.issueToken(ttl);
    },
    completeCapture: (sessionId, steps) => {
      let session = state.getSession(sessionId);
      for (const step of steps ?? IDV_CAPTURE_STEPS.map(({ id }) => id)) session = state.capture(sessionId, step);
      return session;
    },
    failSession: (sessionId) => state.fail(sessionId),
    setWebhook: (url, { secret } = {}) => webhooks.register(url, secret),
    webhookDeliveries: () => webhooks.list(),
    flushWebhooks: () => {
      state.expireSessions();
      return webhooks.run();
    },
  };
  return { idv, stop: () => webhooks.stop() };
}
