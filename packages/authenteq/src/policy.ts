import type { AuthenteqDetails } from './client.js';

/**
 * What identities are accepted, checked after the details are read and before the verify callback runs.
 *
 * @example
 * ```ts
 * const policy: AuthenteqPolicy = { minimumAge: 18, acceptedIssuingCountries: ['DEU', 'AUT'] };
 * ```
 */
export interface AuthenteqPolicy {
  /** The youngest accepted age in full years on the clock's "today" (UTC). Default: no age check. */
  minimumAge?: number;
  /**
   * Issuing countries accepted, as the provider writes them (ISO 3166-1 alpha-3, e.g. `'DEU'`); compared without
   * regard to case. Default: every country.
   */
  acceptedIssuingCountries?: readonly string[];
  /** Accept documents whose `dateOfExpiry` is before today (UTC). Default `false`. */
  acceptExpiredDocuments?: boolean;
}

/**
 * Why the policy refused an identity.
 *
 * @example
 * ```ts
 * if (info.code === 'under_age') res.redirect('/signup/too-young');
 * ```
 */
export type PolicyFailureCode = 'document_expired' | 'under_age' | 'country_not_accepted';

/**
 * A policy refusal: a stable `code` and a sentence fit for the person signing up.
 *
 * @example
 * ```ts
 * const refusal: PolicyFailure | undefined = checkPolicy(details, policy, Date.now());
 * ```
 */
export interface PolicyFailure {
  code: PolicyFailureCode;
  message: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a `YYYY-MM-DD` calendar date; `undefined` if it is not one (e.g. `2023-02-30`).
 *
 * @example
 * ```ts
 * parseDate('1987-01-12'); // { year: 1987, month: 1, day: 12 }
 * ```
 */
export function parseDate(value: unknown): { year: number; month: number; day: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/**
 * Checks `details` against `policy` on the UTC date of `now`: `undefined` if accepted, else the first refusal.
 * A date the policy needs but cannot read counts as a refusal (fail closed).
 *
 * @example
 * ```ts
 * const refusal = checkPolicy(details, { minimumAge: 18 }, Date.now());
 * if (refusal) console.log(refusal.code); // 'under_age'
 * ```
 */
export function checkPolicy(
  details: AuthenteqDetails,
  policy: AuthenteqPolicy,
  now: number,
): PolicyFailure | undefined {
  const today = new Date(now);
  const todayKey = today.getUTCFullYear() * 10_000 + (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  if (!policy.acceptExpiredDocuments) {
    const expiry = parseDate(details.dateOfExpiry);
    // A document is valid through its expiry date.
    if (!expiry || expiry.year * 10_000 + expiry.month * 100 + expiry.day < todayKey) {
      return { code: 'document_expired', message: 'The identity document has expired. Please use a valid document.' };
    }
  }
  if (policy.minimumAge !== undefined) {
    const birth = parseDate(details.dateOfBirth);
    const age = birth ? ageOn(birth, todayKey) : -1;
    if (age < policy.minimumAge) {
      return {
        code: 'under_age',
        message: `You must be at least ${policy.minimumAge} years old to sign up.`,
      };
    }
  }
  if (policy.acceptedIssuingCountries !== undefined) {
    const country = details.issuingCountry.toUpperCase();
    if (!policy.acceptedIssuingCountries.some((accepted) => accepted.toUpperCase() === country)) {
      return {
        code: 'country_not_accepted',
        message: 'Identity documents from this country are not accepted here.',
      };
    }
  }
  return undefined;
}

/** Full years between a birth date and a `YYYYMMDD` day key. */
function ageOn(birth: { year: number; month: number; day: number }, todayKey: number): number {
  const todayYear = Math.floor(todayKey / 10_000);
  const todayMonthDay = todayKey % 10_000;
  return todayYear - birth.year - (todayMonthDay < birth.month * 100 + birth.day ? 1 : 0);
}
