import { ProviderStatusError } from '@passport-idv/core';

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Authenteq Web IDV answered a call with an error status (HTTP 502 for Express, like every `ProviderStatusError`,
 * whose `code` it keeps). `errorCode` is the provider's own code from its `{errorCode, errorMessage}` body, for the
 * developer: `BAD_API_KEYS`, `API_KEYS_INVALID`, `API_KEYS_MISSING` (401: check `clientID` and `clientSecret`),
 * `ACCOUNT_DEACTIVATED` (403), `INVALID_REQUEST_PARAMETER` (400: a redirect URL that is not registered, or a code
 * that is invalid, used or expired), `MISSING_REQUEST_PARAMETER`, `NO_REDIRECT_URLS`, `REQUEST_UNPROCESSABLE` (an
 * unknown verification id)… It is left out of the message, and the provider's `errorMessage` stays in the
 * non-enumerable `responseBody`: neither is meant for the person verifying.
 *
 * @example
 * ```ts
 * try {
 *   await client.getVerificationURL(redirectUrl);
 * } catch (error) {
 *   if (error instanceof AuthenteqWebIdvError && error.errorCode === 'INVALID_REQUEST_PARAMETER') {
 *     console.error('register the redirect URL on the Authenteq dashboard');
 *   }
 *   throw error;
 * }
 * ```
 */
export class AuthenteqWebIdvError extends ProviderStatusError {
  /** The provider's `errorCode` (upper-case letters, digits and `_`), `undefined` if the body had none. */
  readonly errorCode: string | undefined;

  constructor(error: ProviderStatusError) {
    super(hint(error.upstreamStatus), {
      provider: error.provider,
      operation: error.operation,
      ...(error.upstreamStatus === undefined ? {} : { upstreamStatus: error.upstreamStatus }),
      ...(error.responseBody === undefined ? {} : { responseBody: error.responseBody }),
    });
    this.errorCode = errorCodeOf(error.responseBody);
  }
}

/** What the status tells the developer to check; never the provider's words. */
function hint(status: number | undefined): string {
  if (status === 401) return 'the provider answered 401: it refused the API keys (check clientID and clientSecret)';
  if (status === 403) return 'the provider answered 403: the account is refused (deactivated?); see errorCode';
  return `the provider answered ${status}`;
}

function errorCodeOf(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    const { errorCode } = JSON.parse(body) as { errorCode?: unknown };
    return typeof errorCode === 'string' && ERROR_CODE.test(errorCode) ? errorCode : undefined;
  } catch {
    return undefined;
  }
}
