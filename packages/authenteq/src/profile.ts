import type { AuthenteqDetails, AuthenteqDetailsResponse } from './client.js';

/**
 * The Passport profile of a person whose identity document Authenteq verified. Built from the `details` answer;
 * images only when the strategy's `includeImages` is on, so sessions and logs stay small.
 *
 * @example
 * ```ts
 * new AuthenteqStrategy(options, (profile: VerifiedIdentity, done) => {
 *   done(null, { id: profile.id, name: profile.displayName, birthDate: profile.birthDate });
 * });
 * ```
 */
export interface VerifiedIdentity {
  provider: 'authenteq';
  /** `issuingCountry:documentType:documentNumber`: stable for one document, different for a renewed one. */
  id: string;
  /** Given names and surname, as printed on the document (usually upper case). */
  displayName: string;
  name: { givenName: string; familyName: string };
  /** `YYYY-MM-DD`. */
  birthDate: string;
  nationality: string | undefined;
  sex: string | undefined;
  document: {
    type: string;
    number: string;
    issuingCountry: string;
    dateOfIssue: string | undefined;
    dateOfExpiry: string;
  };
  /** The cropped document photos (base64 JPEG); only with `includeImages: true`. */
  images?: { front: string | undefined; back: string | undefined };
  /** The provider's `details` object (and `croppedDocs` only with `includeImages`). */
  _json: AuthenteqDetails & { croppedDocs?: AuthenteqDetailsResponse['croppedDocs'] };
}

/**
 * Builds a {@link VerifiedIdentity} from a checked details answer.
 *
 * @example
 * ```ts
 * const profile = toVerifiedIdentity(await client.getDetails(token), false);
 * ```
 */
export function toVerifiedIdentity(response: AuthenteqDetailsResponse, includeImages: boolean): VerifiedIdentity {
  const { details } = response;
  const optional = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const givenName = details.givenNames.trim();
  const familyName = details.surname.trim();
  const profile: VerifiedIdentity = {
    provider: 'authenteq',
    id: `${details.issuingCountry}:${details.documentType}:${details.documentNumber}`,
    displayName: [givenName, familyName].filter(Boolean).join(' '),
    name: { givenName, familyName },
    birthDate: details.dateOfBirth,
    nationality: optional(details.nationality),
    sex: optional(details.sex),
    document: {
      type: details.documentType,
      number: details.documentNumber,
      issuingCountry: details.issuingCountry,
      dateOfIssue: optional(details.dateOfIssue),
      dateOfExpiry: details.dateOfExpiry,
    },
    _json: { ...details },
  };
  if (includeImages) {
    profile.images = { front: response.croppedDocs?.front, back: response.croppedDocs?.back };
    if (response.croppedDocs) profile._json.croppedDocs = response.croppedDocs;
  }
  return profile;
}
