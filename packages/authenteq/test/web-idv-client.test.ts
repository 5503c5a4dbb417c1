import { ProviderNetworkError, ProviderResponseError, ProviderTimeoutError } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureDebug } from '../../../test/support/debug.js';
import {
  AUTHENTEQ_WEB_IDV_BASE_URL,
  AuthenteqWebIdvClient,
  type AuthenteqWebIdvClientOptions,
  AuthenteqWebIdvError,
} from '../src/index.js';

const debugLines = captureDebug();

const REDIRECT = 'http://app.test/auth/idv/callback';
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ authenteqWebIdv: { redirectURLs: [REDIRECT] } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.authenteqWebIdv.activate();
});

const client = (options: Partial<AuthenteqWebIdvClientOptions> = {}) =>
  new AuthenteqWebIdvClient({ ...sandbox.authenteqWebIdv, timeout: 2_000, ...options });
const count = (route: string) => sandbox.requests.count({ route });

/** Runs a verification to a passed result as `adult` (or `choice`): the redirect URL used and the code. */
async function passed(redirectUrl = `${REDIRECT}?state=s1`, choice: 'adult' | 'minimal' = 'adult') {
  const back = new URL(await sandbox.authenteqWebIdv.complete(await client().getVerificationURL(redirectUrl), choice));
  return { redirectUrl, code: back.searchParams.get('code')!, back };
}

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: Error) => error,
  );
}

describe('AuthenteqWebIdvClient: the calls', () => {
  it('starts a verification with Basic auth; the app’s own query parameters come back beside the code', async () => {
    const url = await client().getVerificationURL(`${REDIRECT}?state=a%20b&tab=2`);
    expect(url.startsWith(`${sandbox.authenteqWebIdv.baseURL}/verify?token=`)).toBe(true);
    expect(sandbox.requests.filter({ route: 'authenteq.web_idv_url' })).toMatchObject([
      { method: 'GET', credential: 'client_secret', status: 200 },
    ]);
    const back = new URL(await sandbox.authenteqWebIdv.complete(url, 'adult'));
    expect(back.searchParams.get('state')).toBe('a b');
    expect(back.searchParams.get('tab')).toBe('2');
    expect(back.searchParams.get('code')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('sends flowSlug as AQ-Flow-Slug; without it, no flow is named', async () => {
    await client({ flowSlug: 'kyc-eu' }).getVerificationURL(REDIRECT);
    await client().getVerificationURL(REDIRECT);
    expect(sandbox.authenteqWebIdv.verifications.slice(-2).map((v) => v.flowSlug)).toEqual(['kyc-eu', undefined]);
  });

  it('reads the result once, with the same redirect URL, and can export it by id afterwards', async () => {
    const { redirectUrl, code } = await passed();
    const result = await client().getVerificationResult(redirectUrl, code);
    expect(result).toMatchObject({
      status: 'PASSED',
      platform: 'WEB',
      nfcVerified: true,
      documentData: { documentType: 'PP', issuingCountry: 'DEU', surnameAndGivenNames: 'SCHMIDT ANNA MARIA' },
    });
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(count('authenteq.web_idv_result')).toBe(1);
    expect(await client().exportVerificationResult(result.id)).toEqual(result);
    expect(sandbox.requests.filter({ route: 'authenteq.web_idv_export' })).toMatchObject([
      { credential: 'client_secret', status: 200 },
    ]);
  });

  it('defaults to the production host', () => {
    expect(AUTHENTEQ_WEB_IDV_BASE_URL).toBe('https://api.app.authenteq.com');
  });
});

describe('AuthenteqWebIdvClient: the result call is never retried (the code works once)', () => {
  it.each([
    ['a 503', { status: 503 }, AuthenteqWebIdvError],
    ['a 429', { status: 429 }, AuthenteqWebIdvError],
    ['a dropped connection', { drop: true }, ProviderNetworkError],
  ])('%s → one upstream call and an error', async (_, fault, type) => {
    const { redirectUrl, code } = await passed();
    sandbox.requests.clear();
    sandbox.faults.inject('authenteq.web_idv_result', fault);
    expect(await rejection(client().getVerificationResult(redirectUrl, code))).toBeInstanceOf(type);
    expect(count('authenteq.web_idv_result')).toBe(1);
  });

  it('while the idempotent start and export are retried on the same faults', async () => {
    sandbox.faults.inject('authenteq.web_idv_url', { status: 503, times: 1 });
    await client().getVerificationURL(REDIRECT);
    expect(count('authenteq.web_idv_url')).toBe(2);
    const { redirectUrl, code } = await passed();
    const { id } = await client().getVerificationResult(redirectUrl, code);
    sandbox.faults.inject('authenteq.web_idv_export', { drop: true, times: 1 });
    await client().exportVerificationResult(id);
    expect(count('authenteq.web_idv_export')).toBe(2);
  });
});

describe('AuthenteqWebIdvClient: provider errors keep the errorCode for the developer, out of the message', () => {
  async function expectError(promise: Promise<unknown>, upstreamStatus: number, errorCode: string) {
    const error = await rejection(promise);
    expect(error).toBeInstanceOf(AuthenteqWebIdvError);
    expect(error).toMatchObject({ upstreamStatus, errorCode, status: 502, code: 'ERR_PROVIDER_STATUS' });
    expect(error.message).not.toContain(errorCode);
    const text = `${error.message}\n${JSON.stringify(error)}\n${error.stack}`;
    expect(text).not.toContain(sandbox.authenteqWebIdv.clientSecret);
    return error as AuthenteqWebIdvError;
  }

  it('BAD_API_KEYS (401) for a wrong secret or an unknown client, on every call', async () => {
    const wrong = client({ clientSecret: 'not-the-secret' });
    await expectError(wrong.getVerificationURL(REDIRECT), 401, 'BAD_API_KEYS');
    await expectError(client({ clientID: 'nobody' }).getVerificationURL(REDIRECT), 401, 'BAD_API_KEYS');
    const { redirectUrl, code } = await passed();
    await expectError(wrong.getVerificationResult(redirectUrl, code), 401, 'BAD_API_KEYS');
    await expectError(wrong.exportVerificationResult('any'), 401, 'BAD_API_KEYS');
    expect(sandbox.requests.filter({ credential: 'invalid' })).toHaveLength(4);
    // The refused call did not spend the code.
    expect((await client().getVerificationResult(redirectUrl, code)).status).toBe('PASSED');
  });

  it('ACCOUNT_DEACTIVATED (403) for the right keys of a deactivated account', async () => {
    sandbox.authenteqWebIdv.deactivate();
    const error = await expectError(client().getVerificationURL(REDIRECT), 403, 'ACCOUNT_DEACTIVATED');
    expect(error.message).toMatch(/403/);
  });

  it('INVALID_REQUEST_PARAMETER (400) for a redirect URL that is not registered', async () => {
    await expectError(client().getVerificationURL('http://app.test/elsewhere'), 400, 'INVALID_REQUEST_PARAMETER');
  });

  it('NO_REDIRECT_URLS (400) for an account without registered redirect URLs', async () => {
    const other = sandbox.authenteqWebIdv.addClient();
    await expectError(client(other).getVerificationURL(REDIRECT), 400, 'NO_REDIRECT_URLS');
  });

  it('INVALID_REQUEST_PARAMETER (400) for a used, expired, foreign or mismatched code', async () => {
    const used = await passed();
    await client().getVerificationResult(used.redirectUrl, used.code);
    await expectError(client().getVerificationResult(used.redirectUrl, used.code), 400, 'INVALID_REQUEST_PARAMETER');
    const expired = await passed();
    sandbox.clock.advance(601_000);
    await expectError(
      client().getVerificationResult(expired.redirectUrl, expired.code),
      400,
      'INVALID_REQUEST_PARAMETER',
    );
    sandbox.clock.reset();
    const foreign = await passed();
    const other = sandbox.authenteqWebIdv.addClient({ redirectURLs: [REDIRECT] });
    await expectError(
      client(other).getVerificationResult(foreign.redirectUrl, foreign.code),
      400,
      'INVALID_REQUEST_PARAMETER',
    );
    const mismatched = await passed(`${REDIRECT}?state=one`);
    await expectError(
      client().getVerificationResult(`${REDIRECT}?state=two`, mismatched.code),
      400,
      'INVALID_REQUEST_PARAMETER',
    );
  });

  it('REQUEST_UNPROCESSABLE (422) for an export of an unknown verification', async () => {
    await expectError(
      client().exportVerificationResult('00000000-0000-4000-8000-000000000000'),
      422,
      'REQUEST_UNPROCESSABLE',
    );
  });

  it('no errorCode for a body that is not the documented error, e.g. a 500 of a proxy', async () => {
    sandbox.faults.inject('authenteq.web_idv_url', { status: 500 });
    const error = await rejection(client({ timeout: 300 }).getVerificationURL(REDIRECT));
    expect(error).toBeInstanceOf(AuthenteqWebIdvError);
    expect(error).toMatchObject({ upstreamStatus: 500, errorCode: undefined });
  });

  it('MISSING_REQUEST_PARAMETER cannot happen: what the calls need is checked before anything is sent', async () => {
    // The sandbox answers it for a request without redirectUrl, code or verificationId; the client never sends one.
    // API_KEYS_MISSING and API_KEYS_INVALID cannot happen either: every call sends Basic base64(clientID:secret).
    for (const call of [
      () => client().getVerificationURL(''),
      () => client().getVerificationURL('/relative'),
      () => client().getVerificationURL(`${REDIRECT}?code=mine`),
      () => client().getVerificationResult(REDIRECT, ''),
      () => client().exportVerificationResult(''),
    ]) {
      await expect(call()).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_OPTION' });
    }
    expect(sandbox.requests.count({ provider: 'authenteq' })).toBe(0);
  });
});

describe('AuthenteqWebIdvClient: answers are shape-checked', () => {
  // The documented example (docs/providers/authenteq.md, "Reading the result"), built before the sandbox starts.
  const documented = () => ({
    id: '9b2c8f0e-0000-4000-8000-000000000001',
    status: 'PASSED',
    platform: 'WEB',
    startTime: '2026-04-10T11:44:40Z',
    endTime: '2026-04-10T11:46:02Z',
    livenessFaceImage: { contentType: 'image/jpeg', content: '/9j/' },
    documentData: {
      documentType: 'PP',
      documentNumber: 'C01X00T47',
      issuingCountry: 'DEU',
      surnameAndGivenNames: 'SCHMIDT ANNA MARIA',
      surname: 'SCHMIDT',
      givenNames: 'ANNA MARIA',
      dateOfBirth: '1987-01-12',
      dateOfExpiry: '2033-01-01',
    },
    nfcVerified: true,
  });

  async function resultWith(body: unknown) {
    const { redirectUrl, code } = await passed();
    sandbox.faults.inject('authenteq.web_idv_result', { body, times: 1 });
    return client().getVerificationResult(redirectUrl, code);
  }

  it.each([
    ['not an object', []],
    ['no id', { ...documented(), id: undefined }],
    ['no documentData', { ...documented(), documentData: undefined }],
    ['documentData without documentNumber', { ...documented(), documentData: { documentType: 'PP' } }],
    [
      'an empty issuingCountry',
      { ...documented(), documentData: { ...documented().documentData, issuingCountry: '' } },
    ],
    [
      'a date that is no day',
      { ...documented(), documentData: { ...documented().documentData, dateOfBirth: '1987-02-30' } },
    ],
    ['a number for a name', { ...documented(), documentData: { ...documented().documentData, surname: 42 } }],
    ['an image of the wrong shape', { ...documented(), livenessFaceImage: { data: 'x' } }],
    ['nfcVerified as a string', { ...documented(), nfcVerified: 'true' }],
    ['a status other than PASSED', { ...documented(), status: 'FAILED' }],
  ])('%s → ProviderResponseError (502), whose message names the field, not its value', async (_, body) => {
    const error = await rejection(resultWith(body));
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect(error).toMatchObject({ status: 502, operation: 'web_idv_result' });
    expect(error.message).not.toMatch(/SCHMIDT|C01X00T47|FAILED/);
  });

  it('optional fields may be missing or null; images may be bare base64; unknown keys are kept', async () => {
    const body = {
      id: 'f00d',
      documentData: {
        documentType: 'RP',
        documentNumber: 'X1',
        issuingCountry: 'AUT',
        surnameAndGivenNames: 'HUBER ANNA',
        sex: null,
        dateOfExpiry: '',
        croppedFrontImage: '/9j/4AAQ',
        licenseClassDetails: { B: { from: '2001-01-01' } },
      },
      addressProofDocument: { kind: 'utility bill' },
    };
    expect(await resultWith(body)).toEqual(body);
    // An older revision of the docs has no status: a result without one is accepted.
    expect(await resultWith({ ...documented(), status: undefined })).toMatchObject({ id: documented().id });
  });

  it('the export accepts any status: a stored verification may have failed', async () => {
    const { redirectUrl, code } = await passed();
    const { id } = await client().getVerificationResult(redirectUrl, code);
    sandbox.faults.inject('authenteq.web_idv_export', { body: { ...documented(), id, status: 'FAILED' }, times: 1 });
    expect((await client().exportVerificationResult(id)).status).toBe('FAILED');
  });

  it('a verificationUrl that is missing or not an http(s) URL → ProviderResponseError; nothing to redirect to', async () => {
    for (const body of [{}, { verificationUrl: 'javascript:alert(1)' }, { verificationUrl: '/verify?token=x' }]) {
      sandbox.faults.inject('authenteq.web_idv_url', { body, times: 1 });
      expect(await rejection(client().getVerificationURL(REDIRECT))).toBeInstanceOf(ProviderResponseError);
    }
  });

  it('a hung provider → ProviderTimeoutError (504) within the timeout', async () => {
    const { redirectUrl, code } = await passed();
    sandbox.faults.inject('authenteq.web_idv_result', { hang: true });
    const started = performance.now();
    const error = await rejection(client({ timeout: 300 }).getVerificationResult(redirectUrl, code));
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error).toMatchObject({ status: 504 });
    expect(performance.now() - started).toBeLessThan(1_300);
  });
});

describe('AuthenteqWebIdvClient: options', () => {
  it.each([
    ['no options', undefined],
    ['no clientID', { clientSecret: 's' }],
    ['a clientID with a colon', { clientID: 'a:b', clientSecret: 's' }],
    ['an empty clientSecret', { clientID: 'a', clientSecret: '' }],
    ['a relative baseURL', { clientID: 'a', clientSecret: 's', baseURL: '/api' }],
    ['a baseURL with a query', { clientID: 'a', clientSecret: 's', baseURL: 'https://api.example/?x=1' }],
    ['a flowSlug with a line break', { clientID: 'a', clientSecret: 's', flowSlug: 'a\r\nx-evil: 1' }],
    ['a zero timeout', { clientID: 'a', clientSecret: 's', timeout: 0 }],
  ])('%s → TypeError ERR_INVALID_OPTION', (_, options) => {
    expect(() => new AuthenteqWebIdvClient(options as AuthenteqWebIdvClientOptions)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_OPTION' }),
    );
  });

  it('a baseURL with a trailing slash works like one without', async () => {
    await client({ baseURL: `${sandbox.authenteqWebIdv.baseURL}/` }).getVerificationURL(REDIRECT);
    expect(sandbox.requests.filter({ route: 'authenteq.web_idv_url' })).toMatchObject([{ status: 200 }]);
  });

  it('no secret, Basic credential or code in any debug line', async () => {
    const { redirectUrl, code } = await passed();
    await client().getVerificationResult(redirectUrl, code);
    await rejection(client().getVerificationResult(redirectUrl, code));
    await rejection(client({ clientSecret: 'wrong-secret-0123456789' }).getVerificationURL(REDIRECT));
    const basic = Buffer.from(`${sandbox.authenteqWebIdv.clientID}:${sandbox.authenteqWebIdv.clientSecret}`);
    for (const line of debugLines) {
      for (const secret of [sandbox.authenteqWebIdv.clientSecret, basic.toString('base64'), code]) {
        expect(line).not.toContain(secret);
      }
    }
  });
});
