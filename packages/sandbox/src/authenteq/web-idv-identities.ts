import { type AuthenteqDetails, type AuthenteqIdentityId, PLACEHOLDER_JPEG, testIdentities } from './identities.js';

/**
 * An image in a Web IDV result: a base64 JPEG with its content type.
 *
 * @example
 * ```ts
 * const face: AuthenteqWebIdvImage = result.livenessFaceImage;
 * Buffer.from(face.content, 'base64');
 * ```
 */
export interface AuthenteqWebIdvImage {
  contentType: string;
  content: string;
}

/**
 * `documentData` of a Web IDV result (docs/providers/authenteq.md, "Web IDV"): only `documentType`,
 * `documentNumber`, `issuingCountry` and `surnameAndGivenNames` are always there.
 *
 * @example
 * ```ts
 * const { documentType, documentNumber, issuingCountry } = result.documentData;
 * ```
 */
export interface AuthenteqWebIdvDocumentData {
  /** `PP` passport, `DL` driver's licence, `NID` national ID card. */
  documentType: 'PP' | 'DL' | 'NID';
  documentNumber: string;
  /** ISO 3166-1 alpha-3. */
  issuingCountry: string;
  /** Surname and given names, joined with a space. */
  surnameAndGivenNames: string;
  surname?: string;
  givenNames?: string;
  jurisdiction?: string;
  nationality?: string;
  sex?: 'F' | 'M' | 'X';
  /** `YYYY-MM-DD`, like the other dates. */
  dateOfBirth?: string;
  dateOfExpiry?: string;
  dateOfIssue?: string;
  licenseClass?: string;
  croppedFrontImage?: AuthenteqWebIdvImage;
  croppedBackImage?: AuthenteqWebIdvImage;
  faceImage?: AuthenteqWebIdvImage;
}

/**
 * The body of `GET /web-idv/verification-result` (and of the export by id): a passed verification.
 *
 * @example
 * ```ts
 * const result = (await response.json()) as AuthenteqWebIdvResult;
 * result.status; // 'PASSED'
 * ```
 */
export interface AuthenteqWebIdvResult {
  /** The verification id (a UUID): what the export takes. */
  id: string;
  /** Always `PASSED`: only a passed verification yields a code. */
  status: 'PASSED';
  platform: 'WEB';
  /** ISO 8601 UTC without fractions, e.g. `2026-04-10T11:44:40Z`. */
  startTime: string;
  endTime: string;
  livenessFaceImage: AuthenteqWebIdvImage;
  documentData: AuthenteqWebIdvDocumentData;
  nfcVerified: boolean;
}

/**
 * The ids of the Web IDV test identities: Web KYC's, plus two with optional fields missing.
 *
 * @example
 * ```ts
 * const choice: AuthenteqWebIdvIdentityId = 'no-expiry';
 * await sandbox.authenteqWebIdv.complete(verificationUrl, choice);
 * ```
 */
export type AuthenteqWebIdvIdentityId = AuthenteqIdentityId | 'no-expiry' | 'minimal';

/**
 * A test identity offered on the Web IDV verification page.
 *
 * @example
 * ```ts
 * for (const identity of sandbox.authenteqWebIdv.identities) console.log(identity.id, identity.label);
 * ```
 */
export interface AuthenteqWebIdvIdentity {
  id: AuthenteqWebIdvIdentityId;
  label: string;
  /** What the result's `documentData` holds for it, dated from the sandbox clock. */
  documentData: AuthenteqWebIdvDocumentData;
  nfcVerified: boolean;
}

const IMAGE: AuthenteqWebIdvImage = { contentType: 'image/jpeg', content: PLACEHOLDER_JPEG };

/** The Web KYC sandbox's own `documentType` values, in Web IDV's codes. */
const DOCUMENT_TYPES: Record<string, AuthenteqWebIdvDocumentData['documentType']> = {
  PASSPORT: 'PP',
  ID_CARD: 'NID',
};

/** A Web KYC test identity's details as Web IDV `documentData`, with the document's images. */
function fromWebKyc(details: AuthenteqDetails): AuthenteqWebIdvDocumentData {
  const documentType = DOCUMENT_TYPES[details.documentType] ?? 'NID';
  return {
    documentType,
    documentNumber: details.documentNumber,
    issuingCountry: details.issuingCountry,
    // Inferred: the order inside surnameAndGivenNames is not documented; surname first, as in a passport's MRZ.
    surnameAndGivenNames: `${details.surname} ${details.givenNames}`,
    surname: details.surname,
    givenNames: details.givenNames,
    nationality: details.nationality,
    sex: details.sex as AuthenteqWebIdvDocumentData['sex'],
    dateOfBirth: details.dateOfBirth,
    dateOfExpiry: details.dateOfExpiry,
    dateOfIssue: details.dateOfIssue,
    croppedFrontImage: IMAGE,
    // A passport's data page has no back.
    ...(documentType === 'PP' ? {} : { croppedBackImage: IMAGE }),
    faceImage: IMAGE,
  };
}

/** `YYYY-MM-DD`, `years` years before the UTC date of `now`. */
function yearsAgo(now: number, years: number): string {
  const date = new Date(now);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  return date.toISOString().slice(0, 10);
}

/**
 * The Web IDV test identities, dated from `now`: the Web KYC ones (same people, same documents, Web IDV's document
 * codes), plus `no-expiry` (a licence without an expiry date) and `minimal` (only the fields the provider always sends,
 * and a birth date).
 */
export function webIdvIdentities(now: number): AuthenteqWebIdvIdentity[] {
  const kyc = testIdentities(now).map(
    (identity): AuthenteqWebIdvIdentity => ({
      id: identity.id as AuthenteqIdentityId,
      label: identity.label,
      documentData: fromWebKyc(identity.details),
      // An e-passport read over NFC, for one identity, so both values of the flag occur.
      nfcVerified: identity.id === 'adult',
    }),
  );
  return [
    ...kyc,
    {
      id: 'no-expiry',
      label: 'Jonas Weber — adult, German driving licence with no expiry date',
      documentData: {
        documentType: 'DL',
        documentNumber: 'B072RRE2I55',
        issuingCountry: 'DEU',
        surnameAndGivenNames: 'WEBER JONAS',
        surname: 'WEBER',
        givenNames: 'JONAS',
        sex: 'M',
        dateOfBirth: '1975-08-30',
        dateOfIssue: yearsAgo(now, 20),
        licenseClass: 'B',
        croppedFrontImage: IMAGE,
        croppedBackImage: IMAGE,
        faceImage: IMAGE,
      },
      nfcVerified: false,
    },
    {
      id: 'minimal',
      label: 'Eva Novak — adult, ID card: only the fields always sent, and a birth date',
      documentData: {
        documentType: 'NID',
        documentNumber: '000123456',
        issuingCountry: 'CZE',
        surnameAndGivenNames: 'NOVAK EVA',
        dateOfBirth: '1984-03-17',
      },
      nfcVerified: false,
    },
  ];
}
