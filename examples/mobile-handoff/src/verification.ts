import type { Clock, Store } from '@passport-idv/core';
import {
  type IdvClient,
  type IdvSessionDetails,
  type IdvSessionState,
  isFinalState,
} from '@passport-idv/ephemeral-session';

/** What the app knows of a verification session: the platform's status, and when it was last learnt. */
export interface Progress {
  state: IdvSessionState;
  status: number;
  /** When this was learnt (ms, on the app's clock). */
  checkedAt: number;
}

/** Options of {@link Verifications}. */
export interface VerificationsOptions {
  store: Store;
  client: Pick<IdvClient, 'getSession'>;
  clock: Clock;
  /** How old what the app knows may be before a page reads the session back. Default 5 s. */
  readBackAfterMs?: number;
}

const KEEP_MS = 24 * 3600_000;

/**
 * Where the app learns how a user's verification session is going, both ways the platform offers: the webhook
 * records what the platform answered (`record`), and a page that needs it reads the session back when what is known
 * is older than a few seconds (`current`), so the outcome shows even where the webhook cannot reach the app. Kept in
 * the passport-idv store, so every instance sees what any instance learnt.
 */
export class Verifications {
  readonly #store: Store;
  readonly #client: Pick<IdvClient, 'getSession'>;
  readonly #clock: Clock;
  readonly #readBackAfterMs: number;

  constructor(options: VerificationsOptions) {
    this.#store = options.store;
    this.#client = options.client;
    this.#clock = options.clock;
    this.#readBackAfterMs = options.readBackAfterMs ?? 5_000;
  }

  /** Records a session as the platform answered it (from the webhook, or a read-back). */
  async record(session: Pick<IdvSessionDetails, 'id' | 'state' | 'status'>): Promise<Progress> {
    const known = await this.#known(session.id);
    // An ended session stays ended, whichever answer arrives last.
    if (known !== undefined && isFinalState(known.state) && !isFinalState(session.state)) return known;
    const progress: Progress = { state: session.state, status: session.status, checkedAt: this.#clock.now() };
    await this.#store.set(key(session.id), progress, KEEP_MS);
    return progress;
  }

  /** How the session is going: what is known if it ended or is recent, else read back from the platform. */
  async current(sessionId: string): Promise<Progress> {
    const known = await this.#known(sessionId);
    if (
      known !== undefined &&
      (isFinalState(known.state) || this.#clock.now() - known.checkedAt < this.#readBackAfterMs)
    ) {
      return known;
    }
    return this.record(await this.#client.getSession(sessionId));
  }

  async #known(sessionId: string): Promise<Progress | undefined> {
    const value = await this.#store.get<Progress>(key(sessionId));
    return typeof value?.state === 'string' && typeof value.checkedAt === 'number' ? value : undefined;
  }
}

function key(sessionId: string): string {
  return `mobile-handoff:verification:${sessionId}`;
}
