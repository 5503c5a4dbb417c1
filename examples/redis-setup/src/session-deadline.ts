import session from 'express-session';

/** express-session's callbacks: an error, or the answer. */
type Done = (error?: unknown, value?: session.SessionData | null) => void;

/**
 * An express-session store whose every call answers within `ms`: connect-redis waits for node-redis, and node-redis
 * puts no deadline on a command it has already sent, so a Redis that hangs (paused, or a network that drops
 * packets) would hold every request for as long as it hangs. Past the deadline the call fails, express-session passes
 * the error on, and the app answers 503 (`failClosedSession`); a late answer is ignored.
 *
 * @example
 * ```ts
 * const sessionStore = new DeadlineSessionStore(new RedisStore({ client, prefix: 'app:sess:' }), 2_000);
 * ```
 */
export class DeadlineSessionStore extends session.Store {
  readonly #inner: session.Store;
  readonly #ms: number;

  constructor(inner: session.Store, ms: number) {
    super();
    this.#inner = inner;
    this.#ms = ms;
  }

  override get(sid: string, callback: Done): void {
    this.#call((done) => this.#inner.get(sid, done), callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Done): void {
    this.#call((done) => this.#inner.set(sid, data, done), callback);
  }

  override destroy(sid: string, callback?: Done): void {
    this.#call((done) => this.#inner.destroy(sid, done), callback);
  }

  override touch(sid: string, data: session.SessionData, callback?: Done): void {
    const { touch } = this.#inner;
    if (!touch) return void callback?.();
    this.#call((done) => touch.call(this.#inner, sid, data, done), callback);
  }

  #call(run: (done: Done) => void, callback: Done = () => undefined): void {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      callback(new Error(`the session store gave no answer within ${this.#ms} ms`));
    }, this.#ms);
    run((error, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callback(error, value);
    });
  }
}
