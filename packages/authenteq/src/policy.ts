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
  /**
   * Accept documents whose `dateOfExpiry` is before today (UTC); this turns the expiry check off, so documents
   * without an expiry date are accepted too. Default `false`.
   */
  acceptExpiredDocuments?: boolean;
  /**
   * Accept a document the provider sent without a `dateOfExpiry` (Web IDV leaves it out of some documents, e.g.
   * driving licences issued without an expiry date). Default `false`: such a document is refused with
   * `document_without_expiry`, since nothing shows it is still valid. Web KYC always sends the date.
   */
  acceptDocumentsWithoutExpiry?: boolean;
}

/**
 * Why the policy refused an identity.
 *
 * @example
 * ```ts
 * if (info.code === 'under_age') res.redirect('/signup/too-young');
 * ```
 */
export type PolicyFailureCode = 'document_expired' | 'document_without_expiry' | 'under_age' | 'country_not_accepted';

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

/**
 * What the policy reads: Web KYC's `details` and Web IDV's `documentData` both have these fields. A date that is
 * `undefined`, `null` or `''` is missing.
 *
 * @example
 * ```ts
 * const subject: PolicySubject = { issuingCountry: 'DEU', dateOfBirth: '1987-01-12', dateOfExpiry: '2031-11-22' };
 * ```
 */
export interface PolicySubject {
  /** ISO 3166-1 alpha-3, e.g. `'DEU'`. */
  issuingCountry: string;
  /** `YYYY-MM-DD`. */
  dateOfBirth?: unknown;
  /** `YYYY-MM-DD`. */
  dateOfExpiry?: unknown;
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
 * A date the policy needs but cannot read counts as a refusal (fail closed); a missing expiry date is refused as
 * `document_without_expiry` unless the policy accepts it, a missing birth date as `under_age` when there is a
 * `minimumAge`.
 *
 * @example
 * ```ts
 * const refusal = checkPolicy(details, { minimumAge: 18 }, Date.now());
 * if (refusal) console.log(refusal.code); // 'under_age'
 * ```
 */
export function checkPolicy(details: PolicySubject, policy: AuthenteqPolicy, now: number): PolicyFailure | undefined {
  const today = new Date(now);
  const todayKey = today.getUTCFullYear() * 10_000 + (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  const { dateOfExpiry } = details;
  const noExpiry = dateOfExpiry === undefined || dateOfExpiry === null || dateOfExpiry === '';
  if (noExpiry && !policy.acceptExpiredDocuments && !policy.acceptDocumentsWithoutExpiry) {
    return {
      code: 'document_without_expiry',
      message: 'The identity document has no expiry date. Please use a document that shows one.',
    };
  }
  if (!noExpiry && !policy.acceptExpiredDocuments) {
    const expiry = parseDate(dateOfExpiry);
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
