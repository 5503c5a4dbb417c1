import { randomBytes, randomUUID } from 'node:crypto';
import type { SandboxClock } from '../clock.js';

/**
 * The `ttl` range (seconds) the sandbox accepts for an ephemeral token. The provider documents only the example
 * value 3600; the bounds are the sandbox's choice [I]: one minute to one day.
 */
export const IDV_TTL_RANGE = { min: 60, max: 86_400 } as const;

/** The capture steps the simulated phone walks through, in order. */
export const IDV_CAPTURE_STEPS = [
  { id: 'document', title: 'Take a photo of your document', action: 'Take the photo' },
  { id: 'selfie', title: 'Take a selfie', action: 'Take the selfie' },
] as const;

/** A capture step's id. */
export type IdvCaptureStep = (typeof IDV_CAPTURE_STEPS)[number]['id'];

/** A session the sandbox holds, as `sandbox.idv.getSession()` returns it (a copy). */
export interface IdvSandboxSession {
  /** The session id the API answered with. */
  id: string;
  workflowId: string;
  /** The metadata the backend sent, as received. */
  metadata: Record<string, unknown>;
  /** ISO 8601, sandbox clock. */
  createdAt: string;
  /** `created` until the phone captures a first step, `completed` once every step is done. */
  status: 'created' | 'in_progress' | 'completed';
  /** When each capture step was done (ISO 8601, sandbox clock). */
  steps: Partial<Record<IdvCaptureStep, string>>;
}

interface Token {
  expiresAt: number;
}

interface SessionRecord extends IdvSandboxSession {
  /** The ephemeral token that started the session: the only one the phone may use for it. */
  token: string;
}

/** What a presented ephemeral token turned out to be. */
export type TokenCheck = 'live' | 'expired' | 'unknown';

/** The emulator's data: workflows, ephemeral tokens, sessions. Every expiry reads the sandbox clock. */
export class IdvState {
  readonly workflows = new Set<string>();
  readonly #tokens = new Map<string, Token>();
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #clock: SandboxClock;

  constructor(clock: SandboxClock) {
    this.#clock = clock;
  }

  /** Mints an ephemeral token. It contains a space, as the provider's tokens may [I], so encoding bugs show. */
  issueToken(ttlSeconds: number): string {
    const token = `Token ${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(token, { expiresAt: this.#clock.now() + ttlSeconds * 1000 });
    return token;
  }

  checkToken(token: string): TokenCheck {
    const record = this.#tokens.get(token);
    if (record === undefined) return 'unknown';
    // An expired token is destroyed (docs/providers/idv.md: once the token expires, it is destroyed) but remembered as
    // expired, so the sandbox can say why a request failed.
    return record.expiresAt > this.#clock.now() ? 'live' : 'expired';
  }

  createSession(token: string, workflowId: string, metadata: Record<string, unknown>): IdvSandboxSession {
    const record: SessionRecord = {
      id: randomUUID(),
      workflowId,
      metadata,
      createdAt: new Date(this.#clock.now()).toISOString(),
      status: 'created',
      steps: {},
      token,
    };
    this.#sessions.set(record.id, record);
    return publicSession(record);
  }

  /** The session if `token` is live and is the token that started it. */
  boundSession(token: string, sessionId: string): IdvSandboxSession | undefined {
    const record = this.#sessions.get(sessionId);
    if (record === undefined || record.token !== token || this.checkToken(token) !== 'live') return undefined;
    return publicSession(record);
  }

  /** Records a capture step; `undefined` if the session is unknown. */
  capture(sessionId: string, step: IdvCaptureStep): IdvSandboxSession | undefined {
    const record = this.#sessions.get(sessionId);
    if (record === undefined) return undefined;
    record.steps[step] ??= new Date(this.#clock.now()).toISOString();
    const done = IDV_CAPTURE_STEPS.every(({ id }) => record.steps[id] !== undefined);
    record.status = done ? 'completed' : 'in_progress';
    return publicSession(record);
  }

  getSession(id: string): IdvSandboxSession | undefined {
    const record = this.#sessions.get(id);
    return record === undefined ? undefined : publicSession(record);
  }

  listSessions(): IdvSandboxSession[] {
    return [...this.#sessions.values()].map(publicSession);
  }
}

function publicSession(record: SessionRecord): IdvSandboxSession {
  const { token: _token, ...session } = record;
  return structuredClone(session);
}
