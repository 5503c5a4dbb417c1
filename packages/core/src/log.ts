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
 * A `debug` logger in the `passport-idv:` namespace (enable with `DEBUG=passport-idv:*`). With {@link warn}, this is
 * the one place passport-idv logs from; callers pass only operations, statuses, codes and durations, never a
 * credential, token, code or state value.
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

/** Receives each warning line passport-idv writes. */
export type WarningHandler = (line: string) => void;

const consoleWarning: WarningHandler = (line) => console.warn(line);
let handler: WarningHandler | null = consoleWarning;

/**
 * Sends passport-idv's warnings (one line per failed provider call) to `next` instead of `console.warn`; `null`
 * silences them, `undefined` restores `console.warn`. The environment variable `PASSPORT_IDV_WARNINGS=off` silences
 * them too. A line names the provider, the operation, the host and the status or cause: never a credential, token,
 * code, state, query string or body.
 *
 * @example
 * ```ts
 * setWarningHandler((line) => logger.warn(line)); // pino, winston, …
 * ```
 */
export function setWarningHandler(next: WarningHandler | null | undefined): void {
  handler = next === undefined ? consoleWarning : next;
}

/** Writes one warning line through the handler set with {@link setWarningHandler}. */
export function warn(line: string): void {
  if (handler === null || process.env.PASSPORT_IDV_WARNINGS === 'off') return;
  handler(`passport-idv: ${line}`);
}
