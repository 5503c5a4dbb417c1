import { randomBytes, randomUUID } from 'node:crypto';
import type { SandboxClock } from '../clock.js';

/**
 * The `ttl` range (seconds) the sandbox accepts for an ephemeral token or a deeplink. The provider documents only the
 * example value 3600; the bounds are the sandbox's choice [I]: one minute to one day.
 */
export const IDV_TTL_RANGE = { min: 60, max: 86_400 } as const;

/** The capture steps the simulated phone walks through, in order. */
export const IDV_CAPTURE_STEPS = [
  { id: 'document', title: 'Take a photo of your document', action: 'Take the photo' },
  { id: 'selfie', title: 'Take a selfie', action: 'Take the selfie' },
] as const;

/** A capture step's id. */
export type IdvCaptureStep = (typeof IDV_CAPTURE_STEPS)[number]['id'];

/**
 * The session states of the emulator and the integer `status` each has in the API. The platform answers `status` as
 * an integer but documents the meanings in an article no source of ours holds: these numbers are the sandbox's own
 * [I], not the platform's.
 */
export const IDV_SESSION_STATUSES = {
  started: 0,
  document_sent: 1,
  selfie_sent: 2,
  finished: 3,
  failed: 4,
  expired: 5,
} as const;

/** A session state's name. */
export type IdvSessionState = keyof typeof IDV_SESSION_STATUSES;

/** The states a session never leaves. */
const FINAL: ReadonlySet<IdvSessionState> = new Set(['finished', 'failed', 'expired']);

/** A session the sandbox holds, as `sandbox.idv.getSession()` returns it (a copy). */
export interface IdvSandboxSession {
  /** The session id the API answered with. */
  id: string;
  workflowId: string;
  /** The metadata the backend sent, as received. */
  metadata: Record<string, unknown>;
  /** ISO 8601, sandbox clock. */
  createdAt: string;
  /** When the state last changed (ISO 8601, sandbox clock). */
  updatedAt: string;
  /** When the session expires unless it ended before (ISO 8601): the expiry of the token that started it. */
  expiresAt: string;
  /** The state's name. */
  state: IdvSessionState;
  /** The state's integer, as `GET /api/sessions/{id}` answers it ({@link IDV_SESSION_STATUSES}). */
  status: number;
  /** When each capture step was done (ISO 8601, sandbox clock). */
  steps: Partial<Record<IdvCaptureStep, string>>;
}

interface Token {
  expiresAt: number;
}

interface SessionRecord extends Omit<IdvSandboxSession, 'expiresAt'> {
  expiresAt: number;
  /** The ephemeral token that started the session: the only one the phone may use for it. */
  token: string;
}

/** What a presented ephemeral token turned out to be. */
export type TokenCheck = 'live' | 'expired' | 'unknown';

/** Called with a copy of a session each time its state changes. */
export type StateListener = (session: IdvSandboxSession) => void;

/** The emulator's data: workflows, ephemeral tokens, sessions and their states. Every expiry reads the sandbox clock. */
export class IdvState {
  readonly workflows = new Set<string>();
  readonly #tokens = new Map<string, Token>();
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #clock: SandboxClock;
  readonly #listeners: StateListener[] = [];

  constructor(clock: SandboxClock) {
    this.#clock = clock;
  }

  /** Calls `listener` on every state change (the webhook sender listens). */
  onChange(listener: StateListener): void {
    this.#listeners.push(listener);
  }

  /** Mints an ephemeral token. It contains a space, as the provider's tokens may [I], so encoding bugs show. */
  issueToken(ttlSeconds: number): string {
    const token = `Token ${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(token, { expiresAt: this.#clock.now() + ttlSeconds * 1000 });
    return token;
  }

  /** When a token expires (ms, sandbox clock), or `undefined` for an unknown token. */
  tokenExpiry(token: string): number | undefined {
    return this.#tokens.get(token)?.expiresAt;
  }

  checkToken(token: string): TokenCheck {
    const record = this.#tokens.get(token);
    if (record === undefined) return 'unknown';
    // An expired token is destroyed (docs/providers/idv.md: once the token expires, it is destroyed) but remembered as
    // expired, so the sandbox can say why a request failed.
    return record.expiresAt > this.#clock.now() ? 'live' : 'expired';
  }

  /** Starts a session with a live token; it lives as long as the token [I]. */
  createSession(token: string, workflowId: string, metadata: Record<string, unknown>): IdvSandboxSession {
    const now = new Date(this.#clock.now()).toISOString();
    const record: SessionRecord = {
      id: randomUUID(),
      workflowId,
      metadata,
      createdAt: now,
      updatedAt: now,
      expiresAt: this.tokenExpiry(token) ?? this.#clock.now(),
      state: 'started',
      status: IDV_SESSION_STATUSES.started,
      steps: {},
      token,
    };
    this.#sessions.set(record.id, record);
    return publicSession(record);
  }

  /** The session if `token` is live and is the token that started it. */
  boundSession(token: string, sessionId: string): IdvSandboxSession | undefined {
    const record = this.#record(sessionId);
    if (record === undefined || record.token !== token || this.checkToken(token) !== 'live') return undefined;
    return publicSession(record);
  }

  /**
   * Records a capture step; `undefined` if the session is unknown. Steps go in order (a selfie before the document
   * is ignored), and a session that ended is left as it is. The document moves it to `document_sent`; the selfie to
   * `selfie_sent`, and then the sandbox's check passes at once: `finished`.
   */
  capture(sessionId: string, step: IdvCaptureStep): IdvSandboxSession | undefined {
    const record = this.#record(sessionId);
    if (record === undefined) return undefined;
    const next = IDV_CAPTURE_STEPS.find(({ id }) => record.steps[id] === undefined);
    if (FINAL.has(record.state) || next?.id !== step) return publicSession(record);
    record.steps[step] = new Date(this.#clock.now()).toISOString();
    this.#move(record, step === 'document' ? 'document_sent' : 'selfie_sent');
    if (IDV_CAPTURE_STEPS.every(({ id }) => record.steps[id] !== undefined)) this.#move(record, 'finished');
    return publicSession(record);
  }

  /** Ends a session that has not ended yet as `failed` (the phone's "simulate a failed check"). */
  fail(sessionId: string): IdvSandboxSession | undefined {
    const record = this.#record(sessionId);
    if (record === undefined) return undefined;
    if (!FINAL.has(record.state)) this.#move(record, 'failed');
    return publicSession(record);
  }

  getSession(id: string): IdvSandboxSession | undefined {
    const record = this.#record(id);
    return record === undefined ? undefined : publicSession(record);
  }

  listSessions(): IdvSandboxSession[] {
    return [...this.#sessions.keys()].map((id) => publicSession(this.#record(id)!));
  }

  /** Moves every session past its expiry to `expired` (the platform expires sessions on a schedule). */
  expireSessions(): void {
    for (const id of this.#sessions.keys()) this.#record(id);
  }

  /** The record, expired first if its time has passed on the sandbox clock. */
  #record(id: string): SessionRecord | undefined {
    const record = this.#sessions.get(id);
    if (record !== undefined && !FINAL.has(record.state) && record.expiresAt <= this.#clock.now()) {
      this.#move(record, 'expired');
    }
    return record;
  }

  #move(record: SessionRecord, state: IdvSessionState): void {
    record.state = state;
    record.status = IDV_SESSION_STATUSES[state];
    record.updatedAt = new Date(this.#clock.now()).toISOString();
    const copy = publicSession(record);
    for (const listener of this.#listeners) listener(copy);
  }
}

function publicSession(record: SessionRecord): IdvSandboxSession {
  const { token: _token, expiresAt, ...session } = record;
  return structuredClone({ ...session, expiresAt: new Date(expiresAt).toISOString() });
}
