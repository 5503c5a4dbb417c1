import { isRecord, ShapeError } from '@passport-idv/core/internal';
import { parseDate } from './policy.js';

/**
 * An image in a Web IDV result: base64 content with its content type (`image/jpeg` as documented). Some documented
 * examples send the base64 string bare; both are accepted.
 *
 * @example
 * ```ts
 * const face = result.livenessFaceImage;
 * const bytes = Buffer.from(typeof face === 'string' ? face : (face?.content ?? ''), 'base64');
 * ```
 */
export interface AuthenteqWebIdvImage {
  contentType: string;
  content: string;
}

/**
 * A document as Web IDV reads it (`documentData`, docs/providers/authenteq.md "Web IDV"). Only `documentType`,
 * `documentNumber`, `issuingCountry` and `surnameAndGivenNames` are always there; dates are `YYYY-MM-DD`. Keys the
 * provider adds are kept.
 *
 * @example
 * ```ts
 * const { documentType, documentNumber, issuingCountry, dateOfExpiry } = result.documentData;
 * ```
 */
export interface AuthenteqWebIdvDocumentData {
  /** `PP` passport, `DL` driver's licence, `NID` national ID card (as sent: any non-empty string is accepted). */
  documentType: 'PP' | 'DL' | 'NID' | (string & {});
  documentNumber: string;
  /** ISO 3166-1 alpha-3, e.g. `DEU`. */
  issuingCountry: string;
  /** Surname and given names joined with spaces. */
  surnameAndGivenNames: string;
  surname?: string;
  givenNames?: string;
  namePrefixes?: string;
  nameSuffixes?: string;
  /** The issuing state, e.g. `UT`. */
  jurisdiction?: string;
  nationality?: string;
  /** `F`, `M` or `X` (unspecified). */
  sex?: string;
  dateOfBirth?: string;
  dateOfIssue?: string;
  dateOfExpiry?: string;
  address?: string;
  licenseClass?: string;
  croppedFrontImage?: AuthenteqWebIdvImage | string;
  croppedBackImage?: AuthenteqWebIdvImage | string;
  faceImage?: AuthenteqWebIdvImage | string;
  [field: string]: unknown;
}

/**
 * A Web IDV verification result: the answer of `verification-result` and of the export by id, and (without its
 * images) the webhook's `result` part. Keys the provider adds are kept.
 *
 * @example
 * ```ts
 * const result: AuthenteqWebIdvResult = await client.getVerificationResult(redirectUrl, code);
 * result.id; // the verification id, for the export and the webhook
 * ```
 */
export interface AuthenteqWebIdvResult {
  /** The verification id (a UUID). */
  id: string;
  /** `PASSED` for a result read with a code or pushed by the webhook; an older revision of the docs has no status. */
  status?: 'PASSED' | (string & {});
  /** `WEB`. */
  platform?: string;
  /** ISO 8601 UTC, e.g. `2020-04-10T11:44:40Z`. */
  startTime?: string;
  endTime?: string;
  /** A frame of the liveness check (not in the webhook's `result`: that carries images as parts). */
  livenessFaceImage?: AuthenteqWebIdvImage | string;
  /** The first document. */
  documentData: AuthenteqWebIdvDocumentData;
  /** The second and third documents of a multi-document flow. */
  documentData2?: AuthenteqWebIdvDocumentData;
  documentData3?: AuthenteqWebIdvDocumentData;
  /** At least one document was read over NFC. */
  nfcVerified?: boolean;
  [field: string]: unknown;
}

const REQUIRED_TEXT = ['documentType', 'documentNumber', 'issuingCountry', 'surnameAndGivenNames'] as const;
const OPTIONAL_TEXT = [
  'surname',
  'givenNames',
  'namePrefixes',
  'nameSuffixes',
  'jurisdiction',
  'nationality',
  'sex',
  'address',
  'licenseClass',
] as const;
const DATES = ['dateOfBirth', 'dateOfIssue', 'dateOfExpiry'] as const;
const DOCUMENT_IMAGES = ['croppedFrontImage', 'croppedBackImage', 'faceImage'] as const;

/** `null` and a missing key alike: what the provider left out. */
const absent = (value: unknown) => value === undefined || value === null;

/**
 * Shape-checks a Web IDV result (docs/providers/authenteq.md, "Reading the result"): `id` and `documentData` with
 * its four mandatory fields must be there; every other documented field may be missing (or `null`), but if present
 * must have its documented type, dates real `YYYY-MM-DD` days (an empty date counts as missing) and images
 * `{contentType, content}` or a bare base64 string. Unknown keys are kept. `status` is not checked here: see
 * {@link requirePassed}. Throws a `ShapeError` naming the first bad field, never its value.
 *
 * @example
 * ```ts
 * const result = parseWebIdvResult(JSON.parse(text));
 * ```
 */
export function parseWebIdvResult(json: unknown): AuthenteqWebIdvResult {
  if (!isRecord(json)) throw new ShapeError('the result is not an object');
  if (typeof json.id !== 'string' || json.id === '') throw new ShapeError('id is not a non-empty string');
  for (const field of ['status', 'platform', 'startTime', 'endTime']) {
    if (!absent(json[field]) && typeof json[field] !== 'string') throw new ShapeError(`${field} is not a string`);
  }
  if (!absent(json.nfcVerified) && typeof json.nfcVerified !== 'boolean') {
    throw new ShapeError('nfcVerified is not a boolean');
  }
  checkImage(json.livenessFaceImage, 'livenessFaceImage');
  checkDocument(json.documentData, 'documentData');
  for (const field of ['documentData2', 'documentData3']) {
    if (!absent(json[field])) checkDocument(json[field], field);
  }
  return json as AuthenteqWebIdvResult;
}

/**
 * Throws a `ShapeError` unless the result's `status` is `PASSED` or absent. Only a passed verification yields a code
 * or a webhook; anything else is not the documented answer, and trusting it could sign up someone who failed.
 *
 * @example
 * ```ts
 * parse: (json) => requirePassed(parseWebIdvResult(json))
 * ```
 */
export function requirePassed(result: AuthenteqWebIdvResult): AuthenteqWebIdvResult {
  if (!absent(result.status) && result.status !== 'PASSED') {
    throw new ShapeError('status is not PASSED');
  }
  return result;
}

function checkDocument(value: unknown, name: string): void {
  if (!isRecord(value)) throw new ShapeError(`${name} is not an object`);
  for (const field of REQUIRED_TEXT) {
    if (typeof value[field] !== 'string' || value[field] === '') {
      throw new ShapeError(`${name}.${field} is not a non-empty string`);
    }
  }
  for (const field of OPTIONAL_TEXT) {
    if (!absent(value[field]) && typeof value[field] !== 'string')
      throw new ShapeError(`${name}.${field} is not a string`);
  }
  for (const field of DATES) {
    const date = value[field];
    if (!absent(date) && date !== '' && !parseDate(date))
      throw new ShapeError(`${name}.${field} is not a YYYY-MM-DD date`);
  }
  for (const field of DOCUMENT_IMAGES) checkImage(value[field], `${name}.${field}`);
}

function checkImage(value: unknown, name: string): void {
  if (absent(value) || typeof value === 'string') return;
  if (!isRecord(value) || typeof value.content !== 'string' || typeof value.contentType !== 'string') {
    throw new ShapeError(`${name} is neither {contentType, content} nor a base64 string`);
  }
}
