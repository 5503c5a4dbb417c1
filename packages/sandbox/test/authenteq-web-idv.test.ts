import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AuthenteqWebIdvIdentityId, type Sandbox, startSandbox } from '../src/index.js';

const REDIRECT = 'https://app.example/auth/idv/callback';
const OTHER_REDIRECT = 'http://127.0.0.1:3001/auth/idv/callback';
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ authenteqWebIdv: { redirectURLs: [REDIRECT, OTHER_REDIRECT] } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.authenteqWebIdv.activate();
});

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

const keys = () => basic(sandbox.authenteqWebIdv.clientID, sandbox.authenteqWebIdv.clientSecret);

function api(
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = { authorization: keys() },
): Promise<Response> {
  return fetch(`${sandbox.authenteqWebIdv.baseURL}${path}?${new URLSearchParams(params)}`, { headers });
}

async function verificationUrl(redirectUrl = REDIRECT, headers: Record<string, string> = {}): Promise<string> {
  const response = await api('/web-idv/verification-url', { redirectUrl }, { authorization: keys(), ...headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as { verificationUrl: string }).verificationUrl;
}

async function pass(choice: AuthenteqWebIdvIdentityId = 'adult', redirectUrl = REDIRECT) {
  const back = await sandbox.authenteqWebIdv.complete(await verificationUrl(redirectUrl), choice);
  return { back, code: new URL(back).searchParams.get('code')! };
}

function result(code: string, redirectUrl = REDIRECT, authorization = keys()): Promise<Response> {
  return api('/web-idv/verification-result', { redirectUrl, code }, { authorization });
}

describe('Authenteq Web IDV sandbox: programmatic API', () => {
  it('exposes what a strategy needs under sandbox.authenteqWebIdv, apart from Web KYC', () => {
    const { authenteqWebIdv: webIdv, authenteq } = sandbox;
    expect(webIdv.baseURL).toBe(`${sandbox.url}/authenteq-web-idv`);
    expect(webIdv.clientID).toMatch(/^sandbox-web-idv-[0-9a-f]{8}$/);
    expect(webIdv.clientSecret.length).toBeGreaterThanOrEqual(32);
    expect(webIdv.clientID).not.toBe(authenteq.clientID);
    expect(webIdv.clientSecret).not.toBe(authenteq.clientSecret);
    expect(webIdv.redirectURLs).toEqual([REDIRECT, OTHER_REDIRECT]);
    expect(authenteq.redirectURIs).toEqual([]); // the two products keep their own registrations
    const spread = { ...webIdv };
    expect(spread).toMatchObject({ clientID: webIdv.clientID, clientSecret: webIdv.clientSecret });
    expect(spread.redirectURLs).toEqual(webIdv.redirectURLs);
  });

  it('refuses a redirect URL that is relative, not http(s) or has a fragment', () => {
    for (const url of ['/relative', 'ftp://app.example/cb', 'https://app.example/cb#x', 'app://cb']) {
      expect(() => sandbox.authenteqWebIdv.registerRedirectURL(url)).toThrow(TypeError);
    }
    expect(() => sandbox.authenteqWebIdv.setWebhookURL('not a url')).toThrow(TypeError);
  });

  it("offers Web KYC's test identities and two with optional fields missing", () => {
    const ids = sandbox.authenteqWebIdv.identities.map((identity) => identity.id);
    expect(ids).toEqual(['adult', 'minor', 'expired', 'foreign', 'markup', 'no-expiry', 'minimal']);
    const today = new Date(sandbox.clock.now()).toISOString().slice(0, 10);
    const byId = Object.fromEntries(sandbox.authenteqWebIdv.identities.map((i) => [i.id, i.documentData]));
    expect(byId.expired!.dateOfExpiry! < today).toBe(true);
    expect(byId.adult!.dateOfExpiry! > today).toBe(true);
    expect(byId['no-expiry']).not.toHaveProperty('dateOfExpiry');
  });

  it('refuses options it cannot run with before it listens', async () => {
    await expect(startSandbox({ authenteqWebIdv: { codeTTL: 0 } })).rejects.toThrow(TypeError);
    await expect(startSandbox({ authenteqWebIdv: { webhookSignature: 'md5' as 'hmac-sha256' } })).rejects.toThrow(
      /webhookSignature/,
    );
  });
});

describe('Authenteq Web IDV sandbox: Basic auth on every call', () => {
  const routes = [
    ['authenteq.web_idv_url', '/web-idv/verification-url', { redirectUrl: REDIRECT }],
    ['authenteq.web_idv_result', '/web-idv/verification-result', { redirectUrl: REDIRECT, code: 'x' }],
    ['authenteq.web_idv_export', '/export/verification-result-as-json', { verificationId: 'x' }],
  ] as const;

  it.each(routes)('%s answers the documented 401 and 403 codes', async (route, path, params) => {
    const cases: [Record<string, string>, number, string][] = [
      [{}, 401, 'API_KEYS_MISSING'],
      [{ authorization: `Bearer ${sandbox.authenteqWebIdv.clientSecret}` }, 401, 'API_KEYS_INVALID'],
      [{ authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` }, 401, 'API_KEYS_INVALID'],
      [{ authorization: basic(sandbox.authenteqWebIdv.clientID, 'wrong') }, 401, 'BAD_API_KEYS'],
      [{ authorization: basic('someone-else', sandbox.authenteqWebIdv.clientSecret) }, 401, 'BAD_API_KEYS'],
      // Web KYC's keys are not Web IDV's
      [{ authorization: basic(sandbox.authenteq.clientID, sandbox.authenteq.clientSecret) }, 401, 'BAD_API_KEYS'],
    ];
    for (const [headers, status, errorCode] of cases) {
      const response = await api(path, params, headers);
      expect(response.status).toBe(status);
      const body = (await response.json()) as { errorCode: string; errorMessage: string };
      expect(body.errorCode).toBe(errorCode);
      expect(typeof body.errorMessage).toBe('string');
      expect(JSON.stringify(body)).not.toContain(sandbox.authenteqWebIdv.clientSecret);
    }
    expect(sandbox.requests.count({ route, credential: 'invalid' })).toBe(5);
    expect(sandbox.requests.count({ route, credential: 'none' })).toBe(1);

    sandbox.authenteqWebIdv.deactivate();
    const deactivated = await api(path, params);
    expect(deactivated.status).toBe(403);
    expect(await deactivated.json()).toMatchObject({ errorCode: 'ACCOUNT_DEACTIVATED' });
    sandbox.authenteqWebIdv.activate();
    expect((await api(path, params)).status).not.toBe(403);
  });

  it('a deactivated client cannot read a result it was given a code for', async () => {
    const { code } = await pass();
    sandbox.authenteqWebIdv.deactivate();
    expect((await result(code)).status).toBe(403);
    sandbox.authenteqWebIdv.activate();
    expect((await result(code)).status).toBe(200); // the 403 did not spend the code
  });
});

describe('Authenteq Web IDV sandbox: GET /web-idv/verification-url', () => {
  it('answers {verificationUrl} on the sandbox verification page', async () => {
    const response = await api('/web-idv/verification-url', { redirectUrl: REDIRECT });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, string>;
    expect(Object.keys(body)).toEqual(['verificationUrl']);
    const url = new URL(body.verificationUrl!);
    expect(`${url.origin}${url.pathname}`).toBe(`${sandbox.authenteqWebIdv.baseURL}/verify`);
    expect(url.searchParams.get('token')).toMatch(/^[\w-]{32}$/);
    expect(sandbox.requests.count({ route: 'authenteq.web_idv_url', credential: 'client_secret' })).toBe(1);
  });

  it('answers MISSING_REQUEST_PARAMETER without redirectUrl', async () => {
    const response = await api('/web-idv/verification-url');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errorCode: 'MISSING_REQUEST_PARAMETER',
      errorMessage: "Required 'redirectUrl' parameter is missing",
    });
  });

  it('answers NO_REDIRECT_URLS for a client with none registered', async () => {
    const bare = sandbox.authenteqWebIdv.addClient();
    const response = await api(
      '/web-idv/verification-url',
      { redirectUrl: REDIRECT },
      { authorization: basic(bare.clientID, bare.clientSecret) },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errorCode: 'NO_REDIRECT_URLS' });
  });

  it.each([
    ['another host', 'https://evil.example/auth/idv/callback'],
    ['a trailing slash', `${REDIRECT}/`],
    ['a longer path', `${REDIRECT}x`],
    ['another case', REDIRECT.replace('app', 'APP')],
    ['http instead of https', REDIRECT.replace('https', 'http')],
    ['a fragment', `${REDIRECT}#x`],
  ])(
    'refuses a redirectUrl with %s as INVALID_REQUEST_PARAMETER, saying how to register it',
    async (_, redirectUrl) => {
      const response = await api('/web-idv/verification-url', { redirectUrl });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errorCode: string; errorMessage: string; errorDetails: unknown };
      expect(body.errorCode).toBe('INVALID_REQUEST_PARAMETER');
      expect(body.errorMessage).toBe("Parameter 'redirectUrl' does not match any registered one");
      expect(JSON.stringify(body.errorDetails)).toContain(redirectUrl);
      expect(JSON.stringify(body.errorDetails)).toContain(`${sandbox.url}/authenteq/dashboard`);
    },
  );

  it('refuses a repeated redirectUrl', async () => {
    const url = `${sandbox.authenteqWebIdv.baseURL}/web-idv/verification-url?redirectUrl=${encodeURIComponent(REDIRECT)}&redirectUrl=${encodeURIComponent(OTHER_REDIRECT)}`;
    const response = await fetch(url, { headers: { authorization: keys() } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errorCode: 'INVALID_REQUEST_PARAMETER' });
  });

  it("accepts each registered URL, and the app's own query parameters after it", async () => {
    await verificationUrl(OTHER_REDIRECT);
    await verificationUrl(`${REDIRECT}?state=abc&tenant=a`);
    const withQuery = 'https://app.example/cb?tenant=a';
    sandbox.authenteqWebIdv.registerRedirectURL(withQuery);
    await verificationUrl(`${withQuery}&state=abc`);
    const other = await api('/web-idv/verification-url', { redirectUrl: 'https://app.example/cb?tenant=b' });
    expect(other.status).toBe(400);
  });

  it('keeps AQ-Flow-Slug as an opaque flow id, and shows it on the page', async () => {
    const url = await verificationUrl(REDIRECT, { 'aq-flow-slug': 'kyc-<b>eu</b>', 'aq-multi-document-flow': 'On' });
    expect(sandbox.authenteqWebIdv.verifications.at(-1)).toMatchObject({
      flowSlug: 'kyc-<b>eu</b>',
      multiDocument: true,
      outcome: 'open',
      redirectUrl: REDIRECT,
    });
    const html = await (await fetch(url)).text();
    expect(html).toContain('kyc-&lt;b&gt;eu&lt;/b&gt;');
    await verificationUrl();
    expect(sandbox.authenteqWebIdv.verifications.at(-1)).toMatchObject({ flowSlug: undefined, multiDocument: false });
  });
});

describe('Authenteq Web IDV sandbox: the verification page', () => {
  it('offers every test identity, a failure and a cancel, and a way back to the app', async () => {
    const response = await fetch(await verificationUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    for (const identity of sandbox.authenteqWebIdv.identities) expect(html).toContain(`value="${identity.id}"`);
    expect(html).toContain('value="cancel"');
    expect(html).toContain('value="fail"');
    expect(html).toContain('href="https://app.example/"');
    expect(sandbox.requests.count({ route: 'authenteq.web_idv_verify' })).toBe(1);
  });

  it('refuses an unknown token and an expired link with an error page, never a redirect', async () => {
    const unknown = await fetch(`${sandbox.authenteqWebIdv.baseURL}/verify?token=nope`, { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('location')).toBeNull();
    const url = await verificationUrl();
    sandbox.clock.advance(60 * 60_000);
    expect((await fetch(url)).status).toBe(400);
    await expect(sandbox.authenteqWebIdv.complete(url, 'adult')).rejects.toThrow(/not valid or has expired/);
  });

  it('returns with code appended to the query, every app parameter kept as sent', async () => {
    const redirectUrl = `${REDIRECT}?state=a%20b+c&flag&x=%2F`;
    const { back, code } = await pass('adult', redirectUrl);
    expect(back).toBe(`${redirectUrl}&code=${code}`);
    expect(code).toMatch(/^[0-9a-f]{40}$/);
    const plain = await pass('adult', REDIRECT);
    expect(plain.back).toBe(`${REDIRECT}?code=${plain.code}`);
  });

  it('replaces a code the redirect URL already has', async () => {
    const { back } = await pass('adult', `${REDIRECT}?code=stale&state=s`);
    const url = new URL(back);
    expect(url.searchParams.getAll('code')).toHaveLength(1);
    expect(url.searchParams.get('code')).not.toBe('stale');
    expect(url.searchParams.get('state')).toBe('s');
  });

  it.each(['cancel', 'fail'] as const)('%s returns to redirectUrl exactly, without a code', async (choice) => {
    const redirectUrl = `${REDIRECT}?state=abc`;
    const url = await verificationUrl(redirectUrl);
    expect(await sandbox.authenteqWebIdv.complete(url, choice)).toBe(redirectUrl);
    expect(sandbox.authenteqWebIdv.verifications.at(-1)?.outcome).toBe(choice === 'cancel' ? 'cancelled' : 'failed');
    // the link is spent
    await expect(sandbox.authenteqWebIdv.complete(url, 'adult')).rejects.toThrow(/already ended/);
  });

  it('a link is used once', async () => {
    const url = await verificationUrl();
    await sandbox.authenteqWebIdv.complete(url, 'adult');
    const again = await fetch(url);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('href="https://app.example/"');
  });

  it('refuses an unknown choice', async () => {
    await expect(sandbox.authenteqWebIdv.complete(await verificationUrl(), 'nobody' as 'adult')).rejects.toThrow(
      /test identities/,
    );
  });
});

describe('Authenteq Web IDV sandbox: GET /web-idv/verification-result', () => {
  it('answers the documented shape for a passport', async () => {
    const { code } = await pass('adult');
    const response = await result(code);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown> & { documentData: Record<string, unknown> };
    expect(Object.keys(body).sort()).toEqual(
      ['id', 'status', 'platform', 'startTime', 'endTime', 'livenessFaceImage', 'documentData', 'nfcVerified'].sort(),
    );
    expect(body).toMatchObject({ status: 'PASSED', platform: 'WEB', nfcVerified: true });
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(body.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.endTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const face = body.livenessFaceImage as { contentType: string; content: string };
    expect(face.contentType).toBe('image/jpeg');
    expect(Buffer.from(face.content, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(body.documentData).toMatchObject({
      documentType: 'PP',
      documentNumber: 'C01X00T47',
      issuingCountry: 'DEU',
      surnameAndGivenNames: 'SCHMIDT ANNA MARIA',
      surname: 'SCHMIDT',
      givenNames: 'ANNA MARIA',
      sex: 'F',
      dateOfBirth: '1987-01-12',
      nationality: 'DEU',
    });
    expect(body.documentData).toHaveProperty('croppedFrontImage.contentType', 'image/jpeg');
    expect(body.documentData).toHaveProperty('faceImage');
    expect(body.documentData).not.toHaveProperty('croppedBackImage'); // a passport has no back
    expect(sandbox.requests.count({ route: 'authenteq.web_idv_result', credential: 'client_secret' })).toBe(1);
  });

  it('uses NID and DL, and leaves out what an identity lacks', async () => {
    const card = (await (await result((await pass('minor')).code)).json()) as { documentData: object };
    expect(card.documentData).toMatchObject({ documentType: 'NID' });
    expect(card.documentData).toHaveProperty('croppedBackImage');
    const licence = (await (await result((await pass('no-expiry')).code)).json()) as { documentData: object };
    expect(licence.documentData).toMatchObject({ documentType: 'DL', licenseClass: 'B' });
    expect(licence.documentData).not.toHaveProperty('dateOfExpiry');
    const minimal = (await (await result((await pass('minimal')).code)).json()) as { documentData: object };
    expect(Object.keys(minimal.documentData).sort()).toEqual(
      ['documentType', 'documentNumber', 'issuingCountry', 'surnameAndGivenNames', 'dateOfBirth'].sort(),
    );
  });

  it('answers a code once: the second call is INVALID_REQUEST_PARAMETER', async () => {
    const { code } = await pass();
    expect((await result(code)).status).toBe(200);
    const second = await result(code);
    expect(second.status).toBe(400);
    expect(await second.json()).toEqual({
      errorCode: 'INVALID_REQUEST_PARAMETER',
      errorMessage: 'Code is invalid or expired',
    });
  });

  it('expires a code after 10 minutes on the sandbox clock', async () => {
    const early = await pass();
    const late = await pass();
    // The sandbox clock also moves with real time: keep a margin of a few seconds before the boundary.
    sandbox.clock.advance(10 * 60_000 - 5_000);
    expect((await result(early.code)).status).toBe(200);
    sandbox.clock.advance(5_000);
    expect((await result(late.code)).status).toBe(400);
  });

  it('requires the very redirectUrl the verification was started with, and a wrong one spends the code', async () => {
    const redirectUrl = `${REDIRECT}?state=abc`;
    const { code } = await pass('adult', redirectUrl);
    expect((await result(code, REDIRECT)).status).toBe(400);
    expect((await result(code, redirectUrl)).status).toBe(400);
  });

  it("refuses another client's code without spending it", async () => {
    const other = sandbox.authenteqWebIdv.addClient({ redirectURLs: [REDIRECT] });
    const { code } = await pass();
    const foreign = await result(code, REDIRECT, basic(other.clientID, other.clientSecret));
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ errorCode: 'INVALID_REQUEST_PARAMETER' });
    expect((await result(code)).status).toBe(200);
  });

  it('a call with bad keys does not spend the code', async () => {
    const { code } = await pass();
    expect((await result(code, REDIRECT, basic(sandbox.authenteqWebIdv.clientID, 'wrong'))).status).toBe(401);
    expect((await result(code)).status).toBe(200);
  });

  it('answers MISSING_REQUEST_PARAMETER without code or redirectUrl, and refuses an unknown code', async () => {
    const noCode = await api('/web-idv/verification-result', { redirectUrl: REDIRECT });
    expect(noCode.status).toBe(400);
    expect(await noCode.json()).toMatchObject({ errorCode: 'MISSING_REQUEST_PARAMETER' });
    const noRedirect = await api('/web-idv/verification-result', { code: 'abc' });
    expect(await noRedirect.json()).toMatchObject({ errorCode: 'MISSING_REQUEST_PARAMETER' });
    expect((await result('f'.repeat(40))).status).toBe(400);
  });

  it('lets fault injection replace the answer', async () => {
    const { code } = await pass();
    sandbox.faults.inject('authenteq.web_idv_result', { status: 503, times: 1 });
    expect((await result(code)).status).toBe(503);
    expect(sandbox.routes).toEqual(
      expect.arrayContaining([
        'authenteq.web_idv_url',
        'authenteq.web_idv_result',
        'authenteq.web_idv_export',
        'authenteq.web_idv_verify',
        'authenteq.web_idv_verify_submit',
      ]),
    );
  });
});

describe('Authenteq Web IDV sandbox: options', () => {
  it('takes a code lifetime and the answer for a bad code', async () => {
    const other = await startSandbox({
      authenteqWebIdv: {
        redirectURLs: [REDIRECT],
        codeTTL: 30,
        invalidCodeError: { status: 404, errorCode: 'CODE_NOT_FOUND', errorMessage: 'No such code' },
      },
    });
    try {
      const authorization = basic(other.authenteqWebIdv.clientID, other.authenteqWebIdv.clientSecret);
      const start = await fetch(
        `${other.authenteqWebIdv.baseURL}/web-idv/verification-url?${new URLSearchParams({ redirectUrl: REDIRECT })}`,
        { headers: { authorization } },
      );
      const { verificationUrl: url } = (await start.json()) as { verificationUrl: string };
      const code = new URL(await other.authenteqWebIdv.complete(url, 'adult')).searchParams.get('code')!;
      other.clock.advance(30_000);
      const response = await fetch(
        `${other.authenteqWebIdv.baseURL}/web-idv/verification-result?${new URLSearchParams({ redirectUrl: REDIRECT, code })}`,
        { headers: { authorization } },
      );
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ errorCode: 'CODE_NOT_FOUND', errorMessage: 'No such code' });
    } finally {
      await other.close();
    }
  });
});

describe('Authenteq Web IDV sandbox: GET /export/verification-result-as-json', () => {
  it('answers the result by id, also after the code is spent', async () => {
    const { code } = await pass('foreign');
    const first = (await (await result(code)).json()) as { id: string };
    const response = await api('/export/verification-result-as-json', { verificationId: first.id });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(first);
  });

  it("refuses an unknown id and another client's verification", async () => {
    const unknown = await api('/export/verification-result-as-json', { verificationId: 'nope' });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ errorCode: 'REQUEST_UNPROCESSABLE' });
    const missing = await api('/export/verification-result-as-json');
    expect(await missing.json()).toMatchObject({ errorCode: 'MISSING_REQUEST_PARAMETER' });
    const { code } = await pass();
    const { id } = (await (await result(code)).json()) as { id: string };
    const other = sandbox.authenteqWebIdv.addClient();
    const foreign = await api(
      '/export/verification-result-as-json',
      { verificationId: id },
      { authorization: basic(other.clientID, other.clientSecret) },
    );
    expect(foreign.status).toBe(422);
  });
});
