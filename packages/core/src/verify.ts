/** The `done` callback a verify function receives, as Passport strategies call it. @internal */
export type VerifyCallback = (error: unknown, user?: unknown, info?: unknown) => void;

/** What a verify function decided: a user (or `false`, refused) and the info it passed along. @internal */
export interface VerifyOutcome {
  user: unknown;
  info: unknown;
}

/**
 * Runs an app's verify function the way Passport strategies do: `verify(...args, done)`, or `verify(req, ...args,
 * done)` with `passReqToCallback`; it may call `done` or return a promise of the user. Only the first answer counts
 * (a second `done`, or a `done` and a resolved promise, is ignored). Resolves to the user (`false` when refused) and
 * the info; rejects with the error the function passed, threw or rejected with.
 *
 * @internal
 * @example
 * ```ts
 * const { user, info } = await runVerify(this._verify, { passReqToCallback: this._passReqToCallback }, req, [profile]);
 * if (!user) return this.fail(info ?? { message: 'refused' }, 401);
 * this.success(user, info);
 * ```
 */
export function runVerify(
  // biome-ignore lint/suspicious/noExplicitAny: any verify signature of any strategy
  verify: (...args: any[]) => unknown,
  options: { passReqToCallback: boolean },
  req: unknown,
  args: readonly unknown[],
): Promise<VerifyOutcome> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done: VerifyCallback = (error, user, info) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve({ user: user ?? false, info });
    };
    try {
      const returned = options.passReqToCallback ? verify(req, ...args, done) : verify(...args, done);
      if (isThenable(returned)) {
        returned.then(
          (user) => done(null, user),
          (error: unknown) => done(error ?? new Error('verify rejected')),
        );
      }
    } catch (error) {
      done(error ?? new Error('verify threw'));
    }
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}
