/**
 * The sandbox's clock: real time plus an offset that tests move forward. Every expiry the sandbox decides (codes,
 * the 15-minute details window, JWT `exp`, ephemeral tokens) reads it. It implements the `Clock` interface of
 * `@passport-idv/core`, so the same object can drive the app's stores and strategies.
 *
 * @example
 * ```ts
 * sandbox.clock.advance(16 * 60_000); // the Authenteq details window has now passed
 * ```
 */
export class SandboxClock {
  #offset = 0;
  readonly #listeners = new Set<() => void>();

  /** Milliseconds since the epoch, as the sandbox sees it. */
  now = (): number => Date.now() + this.#offset;

  /** Moves the clock forward by `ms` milliseconds (never backward). */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError('advance() takes a finite, non-negative number of ms');
    this.#offset += ms;
    for (const listener of this.#listeners) listener();
  }

  /**
   * Calls `listener` after every `advance()`, so what falls due when time jumps (a webhook retry) happens then.
   * Returns a function that removes it.
   */
  onAdvance(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Puts the clock back to real time. */
  reset(): void {
    this.#offset = 0;
  }
}
