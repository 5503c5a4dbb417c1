import createDebug from 'debug';

/**
 * A logger from {@link createLogger}: printf-style (`%s`, `%d`, `%o`), silent unless `DEBUG` enables its namespace.
 * A structural type, so the published types need nothing of `debug`'s.
 */
export interface Logger {
  (formatter: string, ...args: unknown[]): void;
  /** Whether `DEBUG` enables this logger's namespace. */
  readonly enabled: boolean;
}

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
