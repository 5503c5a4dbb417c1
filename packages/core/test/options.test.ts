import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../src/index.js';
import { assertClock, assertHttpURL, assertProviderURL, assertTimeout, secondsOption } from '../src/internal.js';

const invalid = (message: RegExp) =>
  expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_OPTION', message: expect.stringMatching(message) });

describe('assertProviderURL', () => {
  it.each([
    'https://api.example.com',
    'http://localhost:4000/alice',
    'http://app.localhost',
    'http://127.0.0.1:4000',
    'http://127.10.20.30',
    'http://[::1]:8080/idv',
  ])('accepts %s', (url) => {
    expect(() => assertProviderURL(url, 'baseURL', undefined)).not.toThrow();
  });

  it.each([
    'http://api.example.com',
    'http://10.0.0.5:4000',
    'http://128.0.0.1',
    'http://[::2]',
    'http://localhost.example.com',
  ])('refuses plain http to %s, naming the option and allowInsecureHTTP', (url) => {
    expect(() => assertProviderURL(url, 'baseURL', undefined)).toThrow(InvalidOptionError);
    expect(() => assertProviderURL(url, 'baseURL', false)).toThrow(
      invalid(/^baseURL must be an https URL.*allowInsecureHTTP: true/),
    );
  });

  it('accepts plain http anywhere with allowInsecureHTTP: true', () => {
    expect(() => assertProviderURL('http://sandbox.internal:4000', 'baseURL', true)).not.toThrow();
  });

  it('refuses a URL that is not http(s), and a non-boolean allowInsecureHTTP', () => {
    expect(() => assertProviderURL('ftp://api.example.com', 'tokenURL', true)).toThrow(invalid(/tokenURL/));
    expect(() => assertProviderURL('https://api.example.com', 'tokenURL', 'yes')).toThrow(invalid(/allowInsecureHTTP/));
  });
});

describe('the other option checks', () => {
  it('assertHttpURL accepts any absolute http(s) URL', () => {
    expect(() => assertHttpURL('http://app.example/callback', 'callbackURL')).not.toThrow();
    expect(() => assertHttpURL('/callback', 'callbackURL')).toThrow(invalid(/callbackURL/));
  });

  it('assertClock wants a now() method', () => {
    expect(() => assertClock({ now: () => 0 })).not.toThrow();
    expect(() => assertClock({})).toThrow(invalid(/clock must have a now\(\) method/));
    expect(() => assertClock(undefined)).toThrow(InvalidOptionError);
  });

  it('assertTimeout wants a positive finite number of ms', () => {
    expect(() => assertTimeout(1)).not.toThrow();
    for (const value of [0, -1, Number.POSITIVE_INFINITY, Number.NaN, '10']) {
      expect(() => assertTimeout(value)).toThrow(invalid(/timeout must be a positive number of milliseconds/));
    }
  });

  it('secondsOption returns milliseconds within the range', () => {
    expect(secondsOption(2, 'maxAge', { min: 1, max: 10 })).toBe(2_000);
    expect(() => secondsOption(1e306, 'maxAge', { min: 1, max: 10 })).toThrow(invalid(/maxAge/));
    expect(() => secondsOption(1.5, 'window', { min: 1, max: 10, integer: true })).toThrow(invalid(/whole number/));
  });
});
