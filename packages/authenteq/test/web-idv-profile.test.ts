import type { AuthenteqWebIdvIdentityId, Sandbox } from '@passport-idv/sandbox';
import { startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthenteqPolicy,
  AuthenteqWebIdvClient,
  type AuthenteqWebIdvResult,
  checkPolicy,
  toWebIdvVerifiedIdentity,
} from '../src/index.js';

const REDIRECT = 'http://app.test/auth/idv/callback';
let sandbox: Sandbox;
let client: AuthenteqWebIdvClient;

beforeAll(async () => {
  sandbox = await startSandbox({ authenteqWebIdv: { redirectURLs: [REDIRECT] } });
  client = new AuthenteqWebIdvClient(sandbox.authenteqWebIdv);
});
afterAll(() => sandbox.close());

/** The result of a verification passed as `choice`, read through the client. */
async function resultOf(choice: AuthenteqWebIdvIdentityId): Promise<AuthenteqWebIdvResult> {
  const back = new URL(await sandbox.authenteqWebIdv.complete(await client.getVerificationURL(REDIRECT), choice));
  return client.getVerificationResult(REDIRECT, back.searchParams.get('code')!);
}

describe('toWebIdvVerifiedIdentity: the same VerifiedIdentity as Web KYC, from documentData', () => {
  it('a passport with every field: id, names, dates, document; no images unless asked', async () => {
    const result = await resultOf('adult');
    const data = result.documentData;
    const profile = toWebIdvVerifiedIdentity(result, false);
    expect(profile).toEqual({
      provider: 'authenteq',
      id: `DEU:PP:${data.documentNumber}`,
      displayName: 'ANNA MARIA SCHMIDT',
      name: { givenName: 'ANNA MARIA', familyName: 'SCHMIDT' },
      birthDate: '1987-01-12',
      nationality: 'DEU',
      sex: 'F',
      document: {
        type: 'PP',
        number: data.documentNumber,
        issuingCountry: 'DEU',
        dateOfIssue: data.dateOfIssue,
        dateOfExpiry: data.dateOfExpiry,
      },
      verificationId: result.id,
      _json: expect.not.objectContaining({ croppedFrontImage: expect.anything(), faceImage: expect.anything() }),
    });
    expect(profile._json).toMatchObject({ surnameAndGivenNames: 'SCHMIDT ANNA MARIA', documentType: 'PP' });
    const image = (result.livenessFaceImage as { content: string }).content;
    expect(JSON.stringify(profile)).not.toContain(image);
  });

  it('includeImages: the document’s images and the liveness frame, in images and in _json', async () => {
    const result = await resultOf('minor');
    const profile = toWebIdvVerifiedIdentity(result, true);
    const content = (result.livenessFaceImage as { content: string }).content;
    expect(profile.images).toEqual({ front: content, back: content, face: content, liveness: content });
    expect(profile._json.croppedBackImage).toEqual({ contentType: 'image/jpeg', content });
    expect(profile.document.type).toBe('NID');
  });

  it('only the mandatory fields: displayName from surnameAndGivenNames, empty name parts, no dates, no images', async () => {
    const result = await resultOf('minimal');
    const profile = toWebIdvVerifiedIdentity(result, true);
    expect(profile).toMatchObject({
      id: 'CZE:NID:000123456',
      displayName: 'NOVAK EVA',
      name: { givenName: '', familyName: '' },
      birthDate: '1984-03-17',
      nationality: undefined,
      sex: undefined,
      document: { type: 'NID', dateOfIssue: undefined, dateOfExpiry: undefined },
    });
    expect(profile.images).toEqual({
      front: undefined,
      back: undefined,
      face: undefined,
      liveness: expect.any(String),
    });
  });

  it('a driving licence without an expiry date: dateOfExpiry undefined, licence fields kept in _json', async () => {
    const profile = toWebIdvVerifiedIdentity(await resultOf('no-expiry'), false);
    expect(profile.document).toMatchObject({ type: 'DL', issuingCountry: 'DEU', dateOfExpiry: undefined });
    expect(profile._json.licenseClass).toBe('B');
  });

  it('bare base64 images (some documented examples) and null fields', () => {
    const profile = toWebIdvVerifiedIdentity(
      {
        id: 'v-1',
        livenessFaceImage: 'bGl2ZQ==',
        documentData: {
          documentType: 'PP',
          documentNumber: 'P1',
          issuingCountry: 'FRA',
          surnameAndGivenNames: 'MARTIN LÉA',
          surname: 'MARTIN',
          croppedFrontImage: 'ZnJvbnQ=',
          sex: null as unknown as string,
        },
      },
      true,
    );
    expect(profile).toMatchObject({
      displayName: 'MARTIN',
      name: { givenName: '', familyName: 'MARTIN' },
      sex: undefined,
    });
    expect(profile.images).toEqual({ front: 'ZnJvbnQ=', back: undefined, face: undefined, liveness: 'bGl2ZQ==' });
  });
});

describe('the policy on Web IDV documents', () => {
  const today = () => sandbox.clock.now();
  const refusal = async (choice: AuthenteqWebIdvIdentityId, policy: AuthenteqPolicy) =>
    checkPolicy(toWebIdvVerifiedIdentity(await resultOf(choice), false)._json, policy, today())?.code;

  it('a document without an expiry date is refused by default, with a code of its own', async () => {
    expect(await refusal('no-expiry', {})).toBe('document_without_expiry');
    expect(checkPolicy({ issuingCountry: 'DEU', dateOfExpiry: null }, {}, today())).toEqual({
      code: 'document_without_expiry',
      message: 'The identity document has no expiry date. Please use a document that shows one.',
    });
  });

  it('accepted with acceptDocumentsWithoutExpiry, or with acceptExpiredDocuments (no expiry check at all)', async () => {
    expect(await refusal('no-expiry', { acceptDocumentsWithoutExpiry: true })).toBeUndefined();
    expect(await refusal('no-expiry', { acceptExpiredDocuments: true })).toBeUndefined();
    // Accepting documents without a date does not accept expired ones.
    expect(await refusal('expired', { acceptDocumentsWithoutExpiry: true })).toBe('document_expired');
  });

  it('the other rules apply as with Web KYC; a missing birth date fails a minimumAge', async () => {
    expect(await refusal('minor', { minimumAge: 18 })).toBe('under_age');
    expect(await refusal('foreign', { acceptedIssuingCountries: ['DEU'] })).toBe('country_not_accepted');
    expect(await refusal('adult', { minimumAge: 18, acceptedIssuingCountries: ['deu'] })).toBeUndefined();
    const noBirthDate = { issuingCountry: 'DEU', dateOfExpiry: '2099-01-01' };
    expect(checkPolicy(noBirthDate, { minimumAge: 1 }, today())?.code).toBe('under_age');
    expect(checkPolicy(noBirthDate, {}, today())).toBeUndefined();
  });
});
