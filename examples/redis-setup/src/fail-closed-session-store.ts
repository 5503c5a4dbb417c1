import { StoreError } from '@passport-idv/core';
import session from 'express-session';

/** express-session's callbacks: an error, or the answer. */
type Done = (error?: unknown, value?: session.SessionData | null) => void;

/**
 * An express-session store (connect-redis here) whose every call answers within `ms`, and whose every failure is a
 * core `StoreError` (HTTP 503):
 *
 * - node-redis puts no deadline on a command it has already sent, and connect-redis none of its own, so a Redis that
 *   hangs (paused, or a network that drops packets) would hold every request for as long as it hangs;
 * - a session saved by Passport's `req.logIn()` (or by `req.session.save()`) hands the store's own error to the app,
 *   which would answer 500 with a driver message rather than the 503 of every other store failure.
 *
 * A late answer after the deadline is ignored.
 *
 * @example
 * ```ts
 * const sessionStore = new FailClosedSessionStore(new RedisStore({ client, prefix: 'app:sess:' }), 2_000);
 * ```
 */
export class FailClosedSessionStore extends session.Store {
  readonly #inner: session.Store;
  readonly #ms: number;

  constructor(inner: session.Store, ms: number) {
    super();
    this.#inner = inner;
    this.#ms = ms;
  }

  override get(sid: string, callback: Done): void {
    this.#call('read', (done) => this.#inner.get(sid, done), callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Done): void {
    this.#call('saved', (done) => this.#inner.set(sid, data, done), callback);
  }

  override destroy(sid: string, callback?: Done): void {
    this.#call('destroyed', (done) => this.#inner.destroy(sid, done), callback);
  }

  override touch(sid: string, data: session.SessionData, callback?: Done): void {
    const { touch } = this.#inner;
    if (!touch) return void callback?.();
    this.#call('touched', (done) => touch.call(this.#inner, sid, data, done), callback);
  }

  #call(what: string, run: (done: Done) => void, callback: Done = () => undefined): void {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      callback(new StoreError(`the session could not be ${what}: no answer within ${this.#ms}ms`));
    }, this.#ms);
    run((error, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) callback(new StoreError(`the session could not be ${what}`, { cause: error }));
      else callback(undefined, value);
    });
  }
}
