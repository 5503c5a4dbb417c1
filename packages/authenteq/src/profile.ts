import type { AuthenteqDetails, AuthenteqDetailsResponse } from './client.js';
import type { AuthenteqWebIdvDocumentData, AuthenteqWebIdvImage, AuthenteqWebIdvResult } from './web-idv-result.js';

/**
 * The provider's JSON a {@link VerifiedIdentity} is built from: Web KYC's `details` (the default) or Web IDV's
 * `documentData`. Its date fields type the profile's: always there with Web KYC, possibly missing with Web IDV.
 *
 * @example
 * ```ts
 * type WebIdvProfile = VerifiedIdentity<AuthenteqWebIdvDocumentData>;
 * ```
 */
export interface VerifiedIdentityJson {
  dateOfBirth?: string;
  dateOfExpiry?: string;
}

/** Web KYC's `_json`: the `details` object, and `croppedDocs` only with `includeImages`. */
export type AuthenteqWebKycJson = AuthenteqDetails & { croppedDocs?: AuthenteqDetailsResponse['croppedDocs'] };

/**
 * The Passport profile of a person whose identity document Authenteq verified, the same for both generations: Web
 * KYC builds it from the `details` answer (`VerifiedIdentity`), Web IDV from the result's `documentData`
 * (`VerifiedIdentity<AuthenteqWebIdvDocumentData>`, where the birth and expiry dates may be `undefined`). Images
 * only when `includeImages` is on, so sessions and logs stay small.
 *
 * @example
 * ```ts
 * new AuthenteqStrategy(options, (profile: VerifiedIdentity, done) => {
 *   done(null, { id: profile.id, name: profile.displayName, birthDate: profile.birthDate });
 * });
 * ```
 */
export interface VerifiedIdentity<Json extends VerifiedIdentityJson = AuthenteqWebKycJson> {
  provider: 'authenteq';
  /** `issuingCountry:documentType:documentNumber`: stable for one document, different for a renewed one. */
  id: string;
  /** Given names and surname, as printed on the document (usually upper case). */
  displayName: string;
  /** Empty strings where the provider sent no split name (Web IDV's optional `surname` and `givenNames`). */
  name: { givenName: string; familyName: string };
  /** `YYYY-MM-DD`; Web IDV may leave it out. */
  birthDate: Json['dateOfBirth'];
  nationality: string | undefined;
  sex: string | undefined;
  document: {
    /** As the provider sends it: Web IDV's `PP`, `DL`, `NID`; Web KYC's own values. */
    type: string;
    number: string;
    issuingCountry: string;
    dateOfIssue: string | undefined;
    /** `YYYY-MM-DD`; Web IDV may leave it out (the policy decides: `acceptDocumentsWithoutExpiry`). */
    dateOfExpiry: Json['dateOfExpiry'];
  };
  /**
   * The images (base64, JPEG as documented); only with `includeImages: true`. `face` (the document's portrait) and
   * `liveness` (a frame of the liveness check) come with Web IDV only.
   */
  images?: {
    front: string | undefined;
    back: string | undefined;
    face?: string | undefined;
    liveness?: string | undefined;
  };
  /** Web IDV only: the verification's `id`, the key of the export and of the webhook's result. */
  verificationId?: string;
  /** The provider's `details` (Web KYC) or `documentData` (Web IDV); its images only with `includeImages`. */
  _json: Json;
}

/** A non-empty string, else `undefined`. */
const optional = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** Given names and surname as one name, as Web KYC shows it. */
const joined = (givenName: string, familyName: string) => [givenName, familyName].filter(Boolean).join(' ');

/**
 * Builds a {@link VerifiedIdentity} from a checked Web KYC details answer.
 *
 * @example
 * ```ts
 * const profile = toVerifiedIdentity(await client.getDetails(token), false);
 * ```
 */
export function toVerifiedIdentity(response: AuthenteqDetailsResponse, includeImages: boolean): VerifiedIdentity {
  const { details } = response;
  const givenName = details.givenNames.trim();
  const familyName = details.surname.trim();
  const profile: VerifiedIdentity = {
    provider: 'authenteq',
    id: `${details.issuingCountry}:${details.documentType}:${details.documentNumber}`,
    displayName: joined(givenName, familyName),
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

/**
 * Builds the same {@link VerifiedIdentity} from a checked Web IDV result (`getVerificationResult`, the export or the
 * webhook's `result`), from its `documentData`. Fields the provider marks optional may be missing: without `surname`
 * and `givenNames`, `displayName` is `surnameAndGivenNames` and `name` holds empty strings; a missing birth or expiry
 * date is `undefined` (a question for the policy, not an error). The images (the document's and the liveness frame)
 * only with `includeImages`, in `images` and in `_json`.
 *
 * @example
 * ```ts
 * const profile = toWebIdvVerifiedIdentity(await client.getVerificationResult(redirectUrl, code), false);
 * profile.verificationId; // the result's id
 * ```
 */
export function toWebIdvVerifiedIdentity(
  result: AuthenteqWebIdvResult,
  includeImages: boolean,
): VerifiedIdentity<AuthenteqWebIdvDocumentData> {
  const { croppedFrontImage, croppedBackImage, faceImage, ...withoutImages } = result.documentData;
  const data = result.documentData;
  const split = typeof data.givenNames === 'string' || typeof data.surname === 'string';
  const givenName = data.givenNames?.trim() ?? '';
  const familyName = data.surname?.trim() ?? '';
  const profile: VerifiedIdentity<AuthenteqWebIdvDocumentData> = {
    provider: 'authenteq',
    id: `${data.issuingCountry}:${data.documentType}:${data.documentNumber}`,
    displayName: split ? joined(givenName, familyName) : data.surnameAndGivenNames.trim(),
    name: { givenName, familyName },
    birthDate: optional(data.dateOfBirth),
    nationality: optional(data.nationality),
    sex: optional(data.sex),
    document: {
      type: data.documentType,
      number: data.documentNumber,
      issuingCountry: data.issuingCountry,
      dateOfIssue: optional(data.dateOfIssue),
      dateOfExpiry: optional(data.dateOfExpiry),
    },
    verificationId: result.id,
    _json: includeImages ? { ...data } : withoutImages,
  };
  if (includeImages) {
    profile.images = {
      front: base64Of(croppedFrontImage),
      back: base64Of(croppedBackImage),
      face: base64Of(faceImage),
      liveness: base64Of(result.livenessFaceImage),
    };
  }
  return profile;
}

/** The base64 content of an image, sent as `{contentType, content}` or, on some documented pages, bare. */
function base64Of(image: AuthenteqWebIdvImage | string | null | undefined): string | undefined {
  if (typeof image === 'string') return optional(image);
  return optional(image?.content);
}
