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
  /** The code of this class; each subclass has its own literal one. */
  static readonly code: string = 'ERR_PASSPORT_IDV';
  /** A stable, machine-readable error code; a literal type on each concrete subclass, so a `switch` narrows. */
  readonly code: string = 'ERR_PASSPORT_IDV';
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
  static override readonly code: string = 'ERR_PROVIDER';
  override readonly code: string = 'ERR_PROVIDER';
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
  static override readonly code = 'ERR_PROVIDER_TIMEOUT' as const;
  override readonly code = 'ERR_PROVIDER_TIMEOUT' as const;
  override status = 504;
}

/** The provider answered with a non-2xx status. HTTP 502; `upstreamStatus` holds the provider's status. */
export class ProviderStatusError extends ProviderError {
  static override readonly code = 'ERR_PROVIDER_STATUS' as const;
  override readonly code = 'ERR_PROVIDER_STATUS' as const;
}

/** The provider answered 2xx, but not with what its API documents (not JSON, or the wrong shape). HTTP 502. */
export class ProviderResponseError extends ProviderError {
  static override readonly code = 'ERR_PROVIDER_RESPONSE' as const;
  override readonly code = 'ERR_PROVIDER_RESPONSE' as const;
}

/** The connection to the provider failed or was dropped before a full answer. HTTP 502. */
export class ProviderNetworkError extends ProviderError {
  static override readonly code = 'ERR_PROVIDER_NETWORK' as const;
  override readonly code = 'ERR_PROVIDER_NETWORK' as const;
}

/**
 * The store (memory or Redis) that holds state, attempts and caches failed. HTTP 503: nobody is logged in while the
 * store cannot guarantee single use.
 */
export class StoreError extends PassportIdvError {
  static override readonly code = 'ERR_STORE' as const;
  override readonly code = 'ERR_STORE' as const;
  override status = 503;
}

/**
 * The request reached a strategy or middleware that needs a session, but `req.session` is missing: mount
 * `express-session` (or a compatible session middleware) before Passport. HTTP 500: a mistake in the app's setup.
 *
 * @example
 * ```ts
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use(passport.session());
 * ```
 */
export class SessionRequiredError extends PassportIdvError {
  static override readonly code = 'ERR_SESSION_REQUIRED' as const;
  override readonly code = 'ERR_SESSION_REQUIRED' as const;
}

/**
 * A webhook's body is larger than the handler's `limit`. HTTP 413; reading stopped at the limit.
 *
 * @example
 * ```ts
 * if (error instanceof BodyTooLargeError) res.status(413).end();
 * ```
 */
export class BodyTooLargeError extends PassportIdvError {
  static override readonly code = 'ERR_BODY_TOO_LARGE' as const;
  override readonly code = 'ERR_BODY_TOO_LARGE' as const;
  override status = 413;
}

/**
 * Something read the request's body before the webhook handler could: a body parser (`express.json()`,
 * `express.urlencoded()`, …) mounted in front of it. HTTP 500: a mistake in the app, not in the request. Mount the
 * handler before any body parser, since a signature or a size limit needs the bytes as they arrived.
 *
 * @example
 * ```ts
 * app.post('/webhooks/idv', idvWebhook({ client, onSession })); // first
 * app.use(express.json());                                      // then the parsers
 * ```
 */
export class BodyConsumedError extends PassportIdvError {
  static override readonly code = 'ERR_BODY_CONSUMED' as const;
  override readonly code = 'ERR_BODY_CONSUMED' as const;
  override status = 500;
}

/**
 * The request's body could not be read to its end: the sender aborted, or the connection failed. HTTP 400.
 *
 * @example
 * ```ts
 * if (error instanceof BodyReadError) return; // the sender is gone; nothing to answer
 * ```
 */
export class BodyReadError extends PassportIdvError {
  static override readonly code = 'ERR_BODY_READ' as const;
  override readonly code = 'ERR_BODY_READ' as const;
  override status = 400;
}

/**
 * A constructor or factory was given a bad option (a missing key, a number out of range, a URL that is not http(s)).
 * Thrown at start-up, so a mistake surfaces before the first request; the message names the option, never its value.
 *
 * @example
 * ```ts
 * try {
 *   new AuthenteqStrategy({ ...options, stateTTL: 0 }, verify);
 * } catch (error) {
 *   if (error instanceof InvalidOptionError) console.error(error.message); // 'stateTTL must be a number of seconds from 1 to 86400'
 * }
 * ```
 */
export class InvalidOptionError extends TypeError {
  // `name` stays 'TypeError', as in Node's own coded errors (`TypeError [ERR_INVALID_ARG_TYPE]`).
  static readonly code = 'ERR_INVALID_OPTION' as const;
  readonly code = 'ERR_INVALID_OPTION' as const;
}

/**
 * A method was called with a bad argument (for example `begin(req, '')`): a mistake in the app's code, thrown at once.
 *
 * @example
 * ```ts
 * await faceLogin.begin(req, user.aliceUserId); // an InvalidArgumentError if aliceUserId is not a non-empty string
 * ```
 */
export class InvalidArgumentError extends TypeError {
  static readonly code = 'ERR_INVALID_ARGUMENT' as const;
  readonly code = 'ERR_INVALID_ARGUMENT' as const;
}

/**
 * Throws an {@link InvalidOptionError}; constructors call this so mistakes surface at start-up.
 *
 * @internal
 * @example
 * ```ts
 * if (typeof options.clientID !== 'string') invalidOption('clientID must be a non-empty string');
 * ```
 */
export function invalidOption(message: string): never {
  throw new InvalidOptionError(message);
}
