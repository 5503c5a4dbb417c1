/**
 * The `details` object of Authenteq's `/v2/web-kyc/details` answer (docs/providers/authenteq.md).
 *
 * @example
 * ```ts
 * const adult: AuthenteqDetails = sandbox.authenteq.identities.find((i) => i.id === 'adult')!.details;
 * ```
 */
export interface AuthenteqDetails {
  documentNumber: string;
  issuingCountry: string;
  documentType: string;
  givenNames: string;
  surname: string;
  dateOfBirth: string;
  nationality: string;
  dateOfIssue: string;
  dateOfExpiry: string;
  sex: string;
}

/**
 * A test identity offered on the sandbox's `/authorize` page.
 *
 * @example
 * ```ts
 * for (const identity of sandbox.authenteq.identities) console.log(identity.id, identity.label);
 * ```
 */
export interface AuthenteqIdentity {
  /** What `complete()` and the page's form take: `'adult'`, `'minor'`, `'expired'`, `'foreign'`, `'markup'`. */
  id: string;
  /** One line saying what the identity is for. */
  label: string;
  /** What the details endpoint returns for it, dated relative to the sandbox clock. */
  details: AuthenteqDetails;
}

/**
 * The ids of the built-in test identities.
 *
 * @example
 * ```ts
 * const choice: AuthenteqIdentityId = 'minor';
 * await sandbox.authenteq.complete(authorizeURL, choice);
 * ```
 */
export type AuthenteqIdentityId = 'adult' | 'minor' | 'expired' | 'foreign' | 'markup';

const DAY = 86_400_000;

/** `YYYY-MM-DD` of a time (UTC). */
function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD`, `years` years before (negative: after) the UTC date of `now`. */
function yearsAgo(now: number, years: number): string {
  const date = new Date(now);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  return isoDate(date.getTime());
}

/**
 * The built-in test identities, dated from `now` (the sandbox clock) so a "valid" document never expires and the
 * minor stays 16 whatever the real date is.
 */
export function testIdentities(now: number): AuthenteqIdentity[] {
  return [
    {
      id: 'adult',
      label: 'Anna Maria Schmidt — adult, valid German passport',
      details: {
        documentNumber: 'C01X00T47',
        issuingCountry: 'DEU',
        documentType: 'PASSPORT',
        givenNames: 'ANNA MARIA',
        surname: 'SCHMIDT',
        dateOfBirth: '1987-01-12',
        nationality: 'DEU',
        dateOfIssue: yearsAgo(now, 3),
        dateOfExpiry: yearsAgo(now, -7),
        sex: 'F',
      },
    },
    {
      id: 'minor',
      label: 'Lukas Becker — 16 years old today, valid German ID card',
      details: {
        documentNumber: 'L8TZ2K1N4',
        issuingCountry: 'DEU',
        documentType: 'ID_CARD',
        givenNames: 'LUKAS',
        surname: 'BECKER',
        dateOfBirth: yearsAgo(now, 16),
        nationality: 'DEU',
        dateOfIssue: yearsAgo(now, 1),
        dateOfExpiry: yearsAgo(now, -5),
        sex: 'M',
      },
    },
    {
      id: 'expired',
      label: 'María García López — adult, Spanish passport expired 30 days ago',
      details: {
        documentNumber: 'PAA123456',
        issuingCountry: 'ESP',
        documentType: 'PASSPORT',
        givenNames: 'MARÍA',
        surname: 'GARCÍA LÓPEZ',
        dateOfBirth: '1979-05-23',
        nationality: 'ESP',
        dateOfIssue: isoDate(now - 30 * DAY - 10 * 365 * DAY),
        dateOfExpiry: isoDate(now - 30 * DAY),
        sex: 'F',
      },
    },
    {
      id: 'foreign',
      label: "Seán O'Brien — adult, valid Irish passport (another issuing country)",
      details: {
        documentNumber: 'PX4417821',
        issuingCountry: 'IRL',
        documentType: 'PASSPORT',
        givenNames: 'SEÁN',
        surname: "O'BRIEN",
        dateOfBirth: '1992-11-03',
        nationality: 'IRL',
        dateOfIssue: yearsAgo(now, 2),
        dateOfExpiry: yearsAgo(now, -8),
        sex: 'M',
      },
    },
    {
      id: 'markup',
      label: 'An adult whose name contains HTML — checks that apps escape what they show',
      details: {
        documentNumber: 'X<1>&"2\'',
        issuingCountry: 'FRA',
        documentType: 'ID_CARD',
        givenNames: '<script>alert("given")</script>',
        surname: '<img src=x onerror=alert(1)> & "SONS"',
        dateOfBirth: '1990-02-28',
        nationality: 'FRA',
        dateOfIssue: yearsAgo(now, 4),
        dateOfExpiry: yearsAgo(now, -6),
        sex: 'X',
      },
    },
  ];
}

/**
 * A 1×1 grey JPEG, base64: the sandbox's stand-in for `croppedDocs.front` and `croppedDocs.back` (the real API
 * returns the cropped document photos there).
 */
export const PLACEHOLDER_JPEG =
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=';
