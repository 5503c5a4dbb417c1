/**
 * What the benchmark's local provider answers and what every variant makes of it: the credentials, the documented
 * details body, and the one profile builder the peer variants share (ours builds its own, as it ships).
 */

export const CLIENT_ID = 'bench-client';
export const CLIENT_SECRET = 'bench-client-secret-0123456789abcdef';
export const SCOPE = 'kyc';

/** A small stand-in for a base64 JPEG: real ones are far larger, which would only add parsing cost to every variant. */
const FAKE_JPEG = Buffer.alloc(768, 0x5a).toString('base64');

/** The `GET /details` body, shaped as Authenteq documents it (docs/providers/authenteq.md). */
export function detailsBody() {
  return {
    croppedDocs: { front: FAKE_JPEG, back: FAKE_JPEG },
    details: {
      documentNumber: '8136431812',
      issuingCountry: 'DEU',
      documentType: 'FG617451',
      givenNames: 'ANNA MARIA',
      surname: 'SCHMIDT',
      dateOfBirth: '1987-01-12',
      nationality: 'DEU',
      dateOfIssue: '2021-01-30',
      dateOfExpiry: '2041-01-30',
      sex: 'F',
    },
  };
}

/** The `GET /web-idv/verification-result` body, shaped as Authenteq documents it, with the same person. */
export function webIdvResultBody(id: string) {
  const { details } = detailsBody();
  const image = { contentType: 'image/jpeg', content: FAKE_JPEG };
  return {
    id,
    status: 'PASSED',
    platform: 'WEB',
    startTime: '2026-12-01T10:00:00Z',
    endTime: '2026-12-01T10:02:00Z',
    livenessFaceImage: image,
    documentData: {
      documentType: 'PP',
      documentNumber: details.documentNumber,
      issuingCountry: details.issuingCountry,
      surnameAndGivenNames: `${details.surname} ${details.givenNames}`,
      surname: details.surname,
      givenNames: details.givenNames,
      nationality: details.nationality,
      sex: details.sex,
      dateOfBirth: details.dateOfBirth,
      dateOfIssue: details.dateOfIssue,
      dateOfExpiry: details.dateOfExpiry,
      croppedFrontImage: image,
      croppedBackImage: image,
    },
    nfcVerified: true,
  };
}

/** The user every variant's verify callback stores in the session. */
export interface BenchUser {
  id: string;
  displayName: string;
}

/** The profile the peer variants build, mirroring the fields of `VerifiedIdentity`. */
export interface PeerProfile {
  provider: 'authenteq';
  id: string;
  displayName: string;
  name: { givenName: string; familyName: string };
  birthDate: string;
  nationality: string;
  sex: string;
  document: { type: string; number: string; issuingCountry: string; dateOfIssue: string; dateOfExpiry: string };
  _json: Record<string, unknown>;
}

const FIELDS = [
  'documentNumber',
  'issuingCountry',
  'documentType',
  'givenNames',
  'surname',
  'dateOfBirth',
  'nationality',
  'dateOfIssue',
  'dateOfExpiry',
  'sex',
] as const;

/**
 * Shape-checks a details body and builds the profile, as a careful user of a peer library would write it; returns
 * `undefined` when the shape is wrong (the peers then fail the login).
 */
export function peerProfile(body: unknown): PeerProfile | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const details = (body as { details?: unknown }).details;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  const d = details as Record<string, unknown>;
  const v: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = d[field];
    if (typeof value !== 'string' || value.length === 0) return undefined;
    v[field] = value;
  }
  const text = (field: (typeof FIELDS)[number]) => v[field] ?? '';
  return {
    provider: 'authenteq',
    id: `${text('issuingCountry')}:${text('documentType')}:${text('documentNumber')}`,
    displayName: `${text('givenNames')} ${text('surname')}`,
    name: { givenName: text('givenNames'), familyName: text('surname') },
    birthDate: text('dateOfBirth'),
    nationality: text('nationality'),
    sex: text('sex'),
    document: {
      type: text('documentType'),
      number: text('documentNumber'),
      issuingCountry: text('issuingCountry'),
      dateOfIssue: text('dateOfIssue'),
      dateOfExpiry: text('dateOfExpiry'),
    },
    _json: d,
  };
}

/** The user stored in the session: small, the same for every variant. */
export function toUser(profile: { id: string; displayName?: string }): BenchUser {
  return { id: profile.id, displayName: profile.displayName ?? '' };
}
