import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type BodyTooLargeError,
  InvalidArgumentError,
  InvalidOptionError,
  type ProviderError,
  type ProviderNetworkError,
  type ProviderResponseError,
  ProviderStatusError,
  ProviderTimeoutError,
  SessionRequiredError,
  StoreError,
} from '../src/index.js';

/** What an app's error handler may receive from core, as a union a `switch` on `code` can narrow. */
type CoreError =
  | ProviderTimeoutError
  | ProviderStatusError
  | ProviderResponseError
  | ProviderNetworkError
  | StoreError
  | SessionRequiredError
  | BodyTooLargeError
  | InvalidOptionError
  | InvalidArgumentError;

/** Exhaustive: adding a class to the union without a case fails to compile (`never`). */
function statusOf(error: CoreError): number {
  switch (error.code) {
    case 'ERR_PROVIDER_TIMEOUT':
      expectTypeOf(error).toEqualTypeOf<ProviderTimeoutError>();
      return 504;
    case 'ERR_PROVIDER_STATUS':
      expectTypeOf(error.upstreamStatus).toEqualTypeOf<number | undefined>();
      return 502;
    case 'ERR_PROVIDER_RESPONSE':
    case 'ERR_PROVIDER_NETWORK':
      return 502;
    case 'ERR_STORE':
      expectTypeOf(error).toEqualTypeOf<StoreError>();
      return 503;
    case 'ERR_SESSION_REQUIRED':
      return 500;
    case 'ERR_BODY_TOO_LARGE':
      return 413;
    case 'ERR_INVALID_OPTION':
    case 'ERR_INVALID_ARGUMENT':
      expectTypeOf(error).toExtend<TypeError>();
      return 500;
    default: {
      const unreachable: never = error;
      return unreachable;
    }
  }
}

describe('error codes', () => {
  it('are literal, on the class and on each instance, so a switch narrows', () => {
    const info = { provider: 'alice', operation: 'token' };
    expect(statusOf(new ProviderTimeoutError('late', info))).toBe(504);
    expect(statusOf(new ProviderStatusError('no', { ...info, upstreamStatus: 500 }))).toBe(502);
    expect(statusOf(new StoreError('down'))).toBe(503);
    expect(statusOf(new SessionRequiredError('mount express-session'))).toBe(500);
    expect(statusOf(new InvalidOptionError('clock must have a now() method'))).toBe(500);
    for (const type of [
      ProviderTimeoutError,
      StoreError,
      SessionRequiredError,
      InvalidOptionError,
      InvalidArgumentError,
    ]) {
      expect(new type('x', info).code).toBe(type.code);
    }
    expectTypeOf(StoreError.code).toEqualTypeOf<'ERR_STORE'>();
    expectTypeOf<ProviderError['code']>().toEqualTypeOf<string>();
  });
});
