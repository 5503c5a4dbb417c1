import { createHash, timingSafeEqual } from 'node:crypto';
import { type Clock, MemoryStore, type Store, StoreError } from '@passport-idv/core';
import { isRecord, randomToken, sessionOf, storeCall, storeKey } from '@passport-idv/core/internal';

/** What is kept with a state until the callback. */
export interface StateEntry {
  /** The filtered post-login destination, if the app gave one. */
  returnTo?: string;
  /** Clock time after which the state is refused. */
  expiresAt: number;
}

/** Why a callback's state was refused. */
export type StateRejection = 'unknown' | 'expired' | 'other_session';

/** The request: the state keeper reads its `session` (express-session or compatible). */
export type SessionRequest = object;

/** A pending state in session mode. */
interface SessionState extends StateEntry {
  state: string;
}

interface SessionSlot {
  /** Session mode: pending states, oldest first. */
  states?: SessionState[];
  /** Store mode: a random value tying this browser's session to its states in the store. */
  binding?: string;
}

/** The key under which the Web KYC strategy keeps its data in `req.session`. */
export const SESSION_KEY = 'passport-idv:authenteq';

/** Which strategy's states a keeper holds: Web KYC's or Web IDV's, kept apart so one never takes the other's. */
export type StateGeneration = 'web-kyc' | 'web-idv';

/** Where each generation's states live: the `req.session` key, and the kind of their store keys. */
const PLACES: Record<StateGeneration, { sessionKey: string; kind: string }> = {
  'web-kyc': { sessionKey: SESSION_KEY, kind: 'state' },
  'web-idv': { sessionKey: 'passport-idv:authenteq-web-idv', kind: 'web-idv-state' },
};
/** Pending states one session may hold (tabs): the oldest is dropped beyond this. */
const MAX_PENDING = 10;
/** What a state looks like: 32 random bytes, base64url. Anything else is refused without a store lookup. */
const STATE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const hash = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * Issues and consumes OAuth states. Each state is 32 random bytes (base64url), has its own entry (several tabs
 * work), expires after the TTL on the injected clock, is single-use, and belongs to the browser session it was
 * issued in. Each generation (Web KYC, Web IDV) has its own places, so a state issued by one is unknown to the other:
 *
 * - without a `store`, the entries live in `req.session` under {@link SESSION_KEY} (Web IDV:
 *   `passport-idv:authenteq-web-idv`);
 * - with a `store`, the entry lives in the store under `authenteq:state:` (Web IDV: `authenteq:web-idv-state:`) and a
 *   hash of the state (atomic `take`: one use across every
 *   app instance) and holds a hash of a random binding kept in this session, so a state replayed from another
 *   browser is refused.
 *
 * @example
 * ```ts
 * const keeper = new StateKeeper(new MemoryStore(), 600_000, systemClock);
 * const state = await keeper.issue(req, '/account');
 * const result = await keeper.consume(req, state); // { ok: true, entry: { returnTo: '/account', ... } }
 * ```
 */
export class StateKeeper {
  readonly #store: Store | undefined;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  /**
   * Session mode: the states spent by this process, each for a whole TTL (by then it has expired anyway). Concurrent
   * callbacks of one browser each read their own copy of the session, so the session alone cannot make a state
   * single-use; this store's atomic `add` does, within one process (several instances: use a `store`).
   */
  readonly #spent: MemoryStore | undefined;
  readonly #place: { sessionKey: string; kind: string };

  constructor(store: Store | undefined, ttlMs: number, clock: Clock, generation: StateGeneration = 'web-kyc') {
    this.#store = store;
    this.#ttlMs = ttlMs;
    this.#clock = clock;
    this.#place = PLACES[generation];
    this.#spent = store === undefined ? new MemoryStore({ clock }) : undefined;
  }

  /** Creates and records a new state for this session; rejects with a `StoreError` if the store fails. */
  async issue(req: SessionRequest, returnTo: string | undefined): Promise<string> {
    const slot = slotOf(req, this.#place.sessionKey);
    const state = randomToken(32);
    const now = this.#clock.now();
    const entry: StateEntry = { expiresAt: now + this.#ttlMs };
    if (returnTo !== undefined) entry.returnTo = returnTo;
    if (this.#store) {
      slot.binding ??= randomToken(32);
      const added = await storeCall(() =>
        this.#store!.add(
          storeKey('authenteq', this.#place.kind, hash(state)),
          { ...entry, binding: hash(slot.binding!) },
          this.#ttlMs,
        ),
      );
      if (!added) throw new StoreError('authenteq state: a fresh random state already existed in the store');
      return state;
    }
    const states = pendingStates(slot).filter((pending) => pending.expiresAt > now);
    // Issued in order with one TTL: the first entries expire first, and go first beyond the limit.
    if (states.length >= MAX_PENDING) states.splice(0, states.length - MAX_PENDING + 1);
    states.push({ state, ...entry });
    slot.states = states;
    return state;
  }

  /**
   * Takes the state out (whatever happens next, it cannot be used again) and says whether it was valid for this
   * session. Rejects with a `StoreError` if the store fails.
   */
  async consume(
    req: SessionRequest,
    state: string,
  ): Promise<{ ok: true; entry: StateEntry } | { ok: false; reason: StateRejection }> {
    // Read only: a callback without a session of ours must not create one.
    const slot = slotOf(req, this.#place.sessionKey, false);
    if (!STATE_SHAPE.test(state)) return { ok: false, reason: 'unknown' };
    let entry: (StateEntry & { binding?: string }) | undefined;
    if (this.#store) {
      const taken = await storeCall(() =>
        this.#store!.take<unknown>(storeKey('authenteq', this.#place.kind, hash(state))),
      );
      if (!isRecord(taken)) return { ok: false, reason: 'unknown' };
      entry = taken as unknown as StateEntry & { binding?: string };
      const expected = typeof entry.binding === 'string' ? entry.binding : '';
      const mine = slot.binding === undefined ? '' : hash(slot.binding);
      if (!sameString(expected, mine)) return { ok: false, reason: 'other_session' };
    } else {
      const states = pendingStates(slot);
      const index = states.findIndex((pending) => pending.state === state);
      const found = states[index];
      if (found === undefined) return { ok: false, reason: 'unknown' };
      entry = found;
      // Removed from this request's session before any upstream call; express-session persists the removal with the
      // response, whatever it is. A replay racing this request reads an older copy of the session: the spent store
      // refuses it. Keyed by a hash, as in the store: no state value is kept. The store is this keeper's own, so the
      // key needs no namespace.
      slot.states = states.filter((_, i) => i !== index);
      if (!(await this.#spent!.add(hash(state), 1, this.#ttlMs))) return { ok: false, reason: 'unknown' };
    }
    if (!(typeof entry.expiresAt === 'number' && entry.expiresAt > this.#clock.now())) {
      return { ok: false, reason: 'expired' };
    }
    const result: StateEntry = { expiresAt: entry.expiresAt };
    if (typeof entry.returnTo === 'string') result.returnTo = entry.returnTo;
    return { ok: true, entry: result };
  }
}

function slotOf(req: SessionRequest, sessionKey: string, create = true): SessionSlot {
  const session = sessionOf(req, 'the Authenteq strategy');
  const slot = session[sessionKey];
  if (isRecord(slot)) return slot as SessionSlot;
  if (!create) return {};
  const fresh: SessionSlot = {};
  session[sessionKey] = fresh;
  return fresh;
}

/** The session's pending states, well-formed entries only (a session is data the strategy did not necessarily write). */
function pendingStates(slot: SessionSlot): SessionState[] {
  const states: unknown = slot.states;
  if (!Array.isArray(states)) return [];
  return states.filter(
    (pending): pending is SessionState =>
      isRecord(pending) && typeof pending.state === 'string' && typeof pending.expiresAt === 'number',
  );
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
