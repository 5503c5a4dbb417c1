import { randomBytes } from 'node:crypto';
import type { SandboxEnv } from '../env.js';
import { mountIdvApi } from './api.js';
import { mountIdvPages } from './pages.js';
import { IDV_CAPTURE_STEPS, IDV_TTL_RANGE, type IdvCaptureStep, type IdvSandboxSession, IdvState } from './state.js';

export { IDV_CAPTURE_STEPS, IDV_TTL_RANGE, type IdvCaptureStep, type IdvSandboxSession } from './state.js';

/** Options of the IDV platform emulator. */
export interface IdvSandboxOptions {
  /** The API key the platform accepts. Default: a random one per start. */
  apiKey?: string;
  /** The workflow that exists from the start. Default `'sandbox-workflow'`. */
  workflowId?: string;
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
  /** The API key (permission "Ephemeral Devices:Write"). */
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
  /** Records capture steps as the phone page would (default: all of them), completing the session. */
  completeCapture(sessionId: string, steps?: IdvCaptureStep[]): IdvSandboxSession | undefined;
}

/** Mounts the IDV platform emulator under `/idv`. */
export function mountIdv(env: SandboxEnv, options: IdvSandboxOptions = {}): IdvSandbox {
  const base = '/idv';
  const apiKey = options.apiKey ?? `idv_sandbox_${randomBytes(18).toString('base64url')}`;
  const workflowId = options.workflowId ?? 'sandbox-workflow';
  const state = new IdvState(env.clock);
  state.workflows.add(workflowId);
  mountIdvApi(env, base, apiKey, state);
  mountIdvPages(env, base, state);
  return {
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
  };
}
