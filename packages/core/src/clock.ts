/**
 * A source of the current time in milliseconds since the epoch. Every expiry in passport-idv (state, attempts,
 * cached tokens, store entries) reads one, so tests can move time instead of sleeping: the sandbox's `clock`
 * implements this interface.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ clock: sandbox.clock });
 * sandbox.clock.advance(601_000); // every state older than 10 minutes is now expired
 * ```
 */
export interface Clock {
  now(): number;
}

/** The real clock, `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };
