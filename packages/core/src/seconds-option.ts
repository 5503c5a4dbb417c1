import { invalidOption } from './errors.js';

/** The range an option in seconds may take; `integer` also refuses fractions. */
export interface SecondsRange {
  min: number;
  max: number;
  integer?: boolean;
}

/**
 * Checks an option given in seconds and returns it in milliseconds, or throws a `TypeError` with code
 * `ERR_INVALID_OPTION` naming the option and its range. The bound keeps the milliseconds meaningful: a huge number of
 * seconds would otherwise become `Infinity` ms, an expiry that never comes.
 *
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
