import type { NextFunction, Request, Response } from 'express';

/**
 * The error handler every test app ends with: the error's HTTP `status` and its `code` as JSON
 * (`{"error": "ERR_PROVIDER_TIMEOUT"}`, with the provider's `errorCode` when the error has one), never its message,
 * so tests can read what went wrong without internals reaching the body.
 *
 * @example
 * ```ts
 * app.use(jsonErrors);
 * ```
 */
export function jsonErrors(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const { status, code, errorCode } = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    code?: unknown;
    errorCode?: unknown;
  };
  res.status(typeof status === 'number' && status >= 400 && status < 600 ? status : 500).json({
    error: typeof code === 'string' ? code : 'ERR_UNKNOWN',
    // A provider's own error code (AuthenteqWebIdvError#errorCode), kept for the developer.
    ...(typeof errorCode === 'string' ? { errorCode } : {}),
  });
}

/** Records unhandled promise rejections while a test file runs. */
export interface RejectionWatch {
  /** Every rejection reason seen since `watchRejections()`. */
  readonly seen: unknown[];
  /** Stops listening. */
  stop(): void;
}

/**
 * Listens to `process` `'unhandledRejection'` until `stop()`, so a test can assert that a flow left none behind.
 *
 * @example
 * ```ts
 * const watch = watchRejections();
 * // ... drive the flows ...
 * watch.stop();
 * expect(watch.seen).toEqual([]);
 * ```
 */
export function watchRejections(): RejectionWatch {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  return { seen, stop: () => process.off('unhandledRejection', listener) };
}
