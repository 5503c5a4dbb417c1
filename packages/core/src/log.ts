import createDebug from 'debug';

/** A `debug` logger. */
export type Logger = createDebug.Debugger;

/**
 * A `debug` logger in the `passport-idv:` namespace (enable with `DEBUG=passport-idv:*`). This is the one place
 * passport-idv logs from; callers pass only operations, statuses, codes and durations, never a credential, token,
 * code or state value.
 *
 * @example
 * ```ts
 * const log = createLogger('authenteq');
 * log('token exchange answered %d', status);
 * ```
 */
export function createLogger(namespace: string): Logger {
  return createDebug(`passport-idv:${namespace}`);
}
