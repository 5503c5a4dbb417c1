import { describe, expect, it } from 'vitest';
import {
  PassportIdvError,
  ProviderError,
  ProviderNetworkError,
  ProviderResponseError,
  ProviderStatusError,
  ProviderTimeoutError,
  StoreError,
} from '../src/index.js';
import { invalidOption } from '../src/internal.js';

describe('errors', () => {
  it.each([
    [ProviderTimeoutError, 'ERR_PROVIDER_TIMEOUT', 504],
    [ProviderStatusError, 'ERR_PROVIDER_STATUS', 502],
    [ProviderResponseError, 'ERR_PROVIDER_RESPONSE', 502],
    [ProviderNetworkError, 'ERR_PROVIDER_NETWORK', 502],
  ])('%o carries a code, an HTTP status for Express and the call it was', (Class, code, status) => {
    const error = new Class('went wrong', { provider: 'alice', operation: 'login_token', upstreamStatus: 503 });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toBeInstanceOf(PassportIdvError);
    expect(error).toMatchObject({ code, status, statusCode: status, provider: 'alice', operation: 'login_token' });
    expect(error.name).toBe(Class.name);
    expect(error.message).toBe('alice login_token: went wrong');
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new ProviderNetworkError('dropped', { provider: 'idv', operation: 'sessions', cause }).cause).toBe(cause);
  });

  it('a store failure is a 503', () => {
    expect(new StoreError('unreachable')).toMatchObject({ code: 'ERR_STORE', status: 503 });
  });

  it('invalidOption throws a coded TypeError', () => {
    expect(() => invalidOption('clientID must be a string')).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_OPTION', message: 'clientID must be a string' }),
    );
  });
});
