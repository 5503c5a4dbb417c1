import type { Clock } from './clock.js';
import { invalidOption } from './errors.js';

// The option checks every package's constructors share. Each throws an `InvalidOptionError` (code
// `ERR_INVALID_OPTION`) naming the option, never its value.

/** The range an option in seconds may take; `integer` also refuses fractions. @internal */
export interface SecondsRange {
  min: number;
  max: number;
  integer?: boolean;
}

/**
 * Checks an option given in seconds and returns it in milliseconds. The bound keeps the milliseconds meaningful: a
 * huge number of seconds would otherwise become `Infinity` ms, an expiry that never comes.
 *
 * @internal
 * @example
 * ```ts
 * this._maxAgeMs = secondsOption(options.maxAge ?? 300, 'maxAge', { min: 1, max: 1_200 });
 * ```
 */
export function secondsOption(value: unknown, name: string, range: SecondsRange): number {
  const { min, max, integer = false } = range;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    invalidOption(`${name} must be ${integer ? 'a whole number' : 'a number'} of seconds from ${min} to ${max}`);
  }
  return value * 1000;
}

/**
 * Checks a deadline given in milliseconds: a finite number above zero.
 *
 * @internal
 * @example
 * ```ts
 * assertTimeout(options.timeout ?? 10_000);
 * ```
 */
export function assertTimeout(value: unknown, name = 'timeout'): asserts value is number {
  if (typeof value !== 'number' || !(Number.isFinite(value) && value > 0)) {
    invalidOption(`${name} must be a positive number of milliseconds`);
  }
}

/**
 * Checks that `value` is a {@link Clock} (an object with a `now()` method).
 *
 * @internal
 * @example
 * ```ts
 * const clock = options.clock ?? systemClock;
 * assertClock(clock);
 * ```
 */
export function assertClock(value: unknown, name = 'clock'): asserts value is Clock {
  if (typeof (value as Partial<Clock> | null | undefined)?.now !== 'function') {
    invalidOption(`${name} must have a now() method`);
  }
}

/**
 * Checks that `value` is an absolute http(s) URL (an app's own URL: a callback, a page to come back to).
 *
 * @internal
 * @example
 * ```ts
 * assertHttpURL(options.callbackURL, 'callbackURL');
 * ```
 */
export function assertHttpURL(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    invalidOption(`${name} must be an absolute http(s) URL`);
  }
}

/**
 * Checks a provider's URL (an API base, a token endpoint): an absolute http(s) URL, and `https:` unless it points at
 * this machine (`localhost`, `127.0.0.0/8`, `::1`) or `allowInsecureHTTP` is `true`. Plain http to another host
 * would send API keys, tokens and identity data in clear.
 *
 * @internal
 * @example
 * ```ts
 * assertProviderURL(baseURL, 'baseURL', options.allowInsecureHTTP);
 * ```
 */
export function assertProviderURL(value: unknown, name: string, allowInsecureHTTP: unknown): asserts value is string {
  assertHttpURL(value, name);
  if (allowInsecureHTTP !== undefined && typeof allowInsecureHTTP !== 'boolean') {
    invalidOption('allowInsecureHTTP must be a boolean');
  }
  const url = new URL(value);
  if (url.protocol === 'http:' && allowInsecureHTTP !== true && !isLoopback(url.hostname)) {
    invalidOption(
      `${name} must be an https URL: plain http is accepted only for localhost, 127.0.0.0/8 and ::1, ` +
        'or with allowInsecureHTTP: true (never in production)',
    );
  }
}

/** Whether a URL's `hostname` (as the WHATWG parser normalises it) names this machine. */
function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
