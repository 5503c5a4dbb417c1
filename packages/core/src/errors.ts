/**
 * The base class of every error passport-idv throws or hands to Express.
 *
 * `code` is stable and meant for programs to switch on; `status` is the HTTP status an Express error handler should
 * answer with (Express reads `err.status`). Messages never contain secrets, tokens, codes or state values.
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof PassportIdvError) return res.status(err.status).json({ error: err.code });
 *   next(err);
 * });
 * ```
 */
export class PassportIdvError extends Error {
  /** A stable, machine-readable error code. */
  code = 'ERR_PASSPORT_IDV';
  /** The HTTP status an app should answer with. */
  status = 500;
  /** Alias of `status` for frameworks that read `statusCode`. */
  get statusCode(): number {
    return this.status;
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What a provider call was, for errors and logs. */
export interface ProviderCallInfo {
  /** `'authenteq'`, `'alice'` or `'idv'`. */
  provider: string;
  /** The operation, e.g. `'token'`, `'details'`, `'login_token'`. */
  operation: string;
}

/**
 * A call to an identity provider failed. Subclasses say how; `status` is 502 (bad gateway) or 504 (gateway timeout).
 *
 * The provider's response body, when there was one, is kept on the non-enumerable `responseBody` property for the
 * developer: it is left out of the message, of `JSON.stringify` and of `util.inspect`, so it never reaches end users
 * or logs by accident.
 */
export class ProviderError extends PassportIdvError {
  override code = 'ERR_PROVIDER';
  override status = 502;
  /** The provider's name. */
  readonly provider: string;
  /** The operation that failed. */
  readonly operation: string;
  /** The HTTP status the provider answered with, when it answered. */
  readonly upstreamStatus: number | undefined;
  declare readonly responseBody: string | undefined;

  constructor(
    message: string,
    info: ProviderCallInfo & { upstreamStatus?: number; responseBody?: string; cause?: unknown },
  ) {
    super(
      `${info.provider} ${info.operation}: ${message}`,
      info.cause === undefined ? undefined : { cause: info.cause },
    );
    this.provider = info.provider;
    this.operation = info.operation;
    this.upstreamStatus = info.upstreamStatus;
    Object.defineProperty(this, 'responseBody', { value: info.responseBody, enumerable: false });
  }
}

/** The provider did not answer within the deadline. HTTP 504. */
export class ProviderTimeoutError extends ProviderError {
  override code = 'ERR_PROVIDER_TIMEOUT';
  override status = 504;
}

/** The provider answered with a non-2xx status. HTTP 502; `upstreamStatus` holds the provider's status. */
export class ProviderStatusError extends ProviderError {
  override code = 'ERR_PROVIDER_STATUS';
}

/** The provider answered 2xx, but not with what its API documents (not JSON, or the wrong shape). HTTP 502. */
export class ProviderResponseError extends ProviderError {
  override code = 'ERR_PROVIDER_RESPONSE';
}

/** The connection to the provider failed or was dropped before a full answer. HTTP 502. */
export class ProviderNetworkError extends ProviderError {
  override code = 'ERR_PROVIDER_NETWORK';
}

/**
 * The store (memory or Redis) that holds state, attempts and caches failed. HTTP 503: nobody is logged in while the
 * store cannot guarantee single use.
 */
export class StoreError extends PassportIdvError {
  override code = 'ERR_STORE';
  override status = 503;
}

/**
 * Throws a `TypeError` with a `code` for a bad option; constructors call this so mistakes surface at start-up.
 *
 * @example
 * ```ts
 * if (typeof options.clientID !== 'string') invalidOption('clientID must be a non-empty string');
 * ```
 */
export function invalidOption(message: string): never {
  const error = new TypeError(message) as TypeError & { code: string };
  error.code = 'ERR_INVALID_OPTION';
  throw error;
}
