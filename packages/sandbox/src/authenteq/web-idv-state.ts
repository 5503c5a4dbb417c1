import type { SandboxEnv } from '../env.js';
import type { AuthenteqWebIdvClient, WebIdvClients } from './web-idv-clients.js';
import type { AuthenteqWebIdvIdentity, AuthenteqWebIdvResult } from './web-idv-identities.js';
import type { WebIdvWebhooks } from './web-idv-webhooks.js';

/**
 * An error answer of the API: `{errorCode, errorMessage}` with its status.
 *
 * @example
 * ```ts
 * const invalidCodeError: AuthenteqWebIdvError = { status: 404, errorCode: 'CODE_NOT_FOUND', errorMessage: 'No code' };
 * ```
 */
export interface AuthenteqWebIdvError {
  status: number;
  errorCode: string;
  errorMessage: string;
}

/**
 * A verification as the sandbox holds it, for assertions.
 *
 * @example
 * ```ts
 * expect(sandbox.authenteqWebIdv.verifications.at(-1)).toMatchObject({ flowSlug: 'onboarding', outcome: 'passed' });
 * ```
 */
export interface AuthenteqWebIdvVerification {
  /** The verification id; the result's `id` once passed. */
  id: string;
  clientID: string;
  /** The `redirectUrl` the verification URL was asked for. */
  redirectUrl: string;
  /** The `AQ-Flow-Slug` header, kept as given (the sandbox runs the same page for every flow). */
  flowSlug: string | undefined;
  /** Whether `AQ-Multi-Document-Flow: On` was sent. */
  multiDocument: boolean;
  outcome: 'open' | 'passed' | 'cancelled' | 'failed';
}

/** A verification started by `verification-url`, reached through its link's token. */
export interface Verification extends AuthenteqWebIdvVerification {
  client: AuthenteqWebIdvClient;
  token: string;
  startedAt: number;
  /** When the link stops working. */
  expiresAt: number;
}

/** A code handed to the browser on the way back. */
export interface CodeRecord {
  verificationId: string;
  client: AuthenteqWebIdvClient;
  redirectUrl: string;
  expiresAt: number;
  used: boolean;
}

/** Everything the Web IDV routes share. */
export interface WebIdvState {
  env: SandboxEnv;
  /** The path every route lives under, `/authenteq-web-idv`. */
  prefix: string;
  /** `${env.url}${prefix}`. */
  baseURL: string;
  clients: WebIdvClients;
  webhooks: WebIdvWebhooks;
  /** By link token. */
  verifications: Map<string, Verification>;
  codes: Map<string, CodeRecord>;
  /** Passed verifications, by id, for the export. */
  results: Map<string, { client: AuthenteqWebIdvClient; result: AuthenteqWebIdvResult }>;
  codeTTLMs: number;
  invalidCode: AuthenteqWebIdvError;
  /** The test identities as of the sandbox clock's now. */
  identities(): AuthenteqWebIdvIdentity[];
}
