import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

const REDIRECT = 'https://app.example/auth/authenteq/callback';
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ authenteq: { redirectURIs: [REDIRECT] } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
});

function authorizeURL(params: Record<string, string | undefined> = {}): string {
  const url = new URL(sandbox.authenteq.authorizationURL);
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: sandbox.authenteq.clientID,
    redirect_uri: REDIRECT,
    scope: 'kyc',
    state: 'state-123',
    ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

async function codeFor(choice: 'adult' | 'minor' | 'expired' | 'foreign' | 'markup' = 'adult'): Promise<string> {
  const callback = new URL(await sandbox.authenteq.complete(authorizeURL(), choice));
  return callback.searchParams.get('code')!;
}

function exchange(fields: Record<string, string | undefined>): Promise<Response> {
  const form = new FormData();
  const all: Record<string, string | undefined> = {
    grantType: 'authorization_code',
    redirectUri: REDIRECT,
    clientId: sandbox.authenteq.clientID,
    clientSecret: sandbox.authenteq.clientSecret,
    ...fields,
  };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) form.set(key, value);
  return fetch(sandbox.authenteq.tokenURL, { method: 'POST', body: form });
}

async function tokenFor(choice: 'adult' | 'minor' | 'expired' = 'adult'): Promise<string> {
  const response = await exchange({ code: await codeFor(choice) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

function details(token: string | undefined): Promise<Response> {
  return fetch(sandbox.authenteq.detailsURL, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

describe('Authenteq sandbox: programmatic API', () => {
  it('exposes credentials, the documented URL paths and registered redirect URIs', async () => {
    const { authenteq } = sandbox;
    expect(authenteq.authorizationURL).toBe(`${sandbox.url}/authenteq/authorize`);
    expect(authenteq.tokenURL).toBe(`${sandbox.url}/authenteq/v2/web-kyc/token`);
    expect(authenteq.detailsURL).toBe(`${sandbox.url}/authenteq/v2/web-kyc/details`);
    expect(authenteq.clientSecret.length).toBeGreaterThanOrEqual(32);
    expect(authenteq.redirectURIs).toEqual([REDIRECT]);
    authenteq.registerRedirectURI('http://127.0.0.1:9/cb');
    expect(authenteq.redirectURIs).toContain('http://127.0.0.1:9/cb');
    expect(() => authenteq.registerRedirectURI('/relative')).toThrow(TypeError);
    const ids = authenteq.identities.map((identity) => identity.id);
    expect(ids).toEqual(expect.arrayContaining(['adult', 'minor', 'expired', 'foreign']));
  });

  it('draws new credentials on every start unless given', async () => {
    const other = await startSandbox({ authenteq: { clientID: 'fixed-id', clientSecret: 'fixed-secret' } });
    try {
      expect(other.authenteq.clientID).toBe('fixed-id');
      expect(other.authenteq.clientSecret).toBe('fixed-secret');
      const third = await startSandbox();
      expect(third.authenteq.clientSecret).not.toBe(sandbox.authenteq.clientSecret);
      expect(third.authenteq.clientID).not.toBe(sandbox.authenteq.clientID);
      await third.close();
    } finally {
      await other.close();
    }
  });

  it('dates identities from the sandbox clock: the minor is 16, the expired document expired, the others valid', () => {
    const today = new Date(sandbox.clock.now()).toISOString().slice(0, 10);
    const byId = Object.fromEntries(sandbox.authenteq.identities.map((identity) => [identity.id, identity.details]));
    expect(byId.adult!.dateOfExpiry > today).toBe(true);
    expect(byId.expired!.dateOfExpiry < today).toBe(true);
    expect(Number(today.slice(0, 4)) - Number(byId.minor!.dateOfBirth.slice(0, 4))).toBe(16);
  });
});

describe('Authenteq sandbox: GET /authorize', () => {
  it('shows the identity check with every test identity, cancel and the back_url link', async () => {
    const response = await fetch(authorizeURL({ back_url: 'https://app.example/signup' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    for (const identity of ['adult', 'minor', 'expired', 'foreign']) expect(html).toContain(`value="${identity}"`);
    expect(html).toContain('value="cancel"');
    expect(html).toContain('href="https://app.example/signup"');
    expect(sandbox.requests.count({ route: 'authenteq.authorize' })).toBe(1);
  });

  it('accepts the doc getting-started URL without scope', async () => {
    expect((await fetch(authorizeURL({ scope: undefined }))).status).toBe(200);
  });

  it.each([
    ['an unknown client_id', { client_id: 'someone-else' }],
    ['a missing client_id', { client_id: undefined }],
    ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/cb' }],
    ['a redirect_uri with a trailing slash', { redirect_uri: `${REDIRECT}/` }],
    ['a redirect_uri with an extra query', { redirect_uri: `${REDIRECT}?x=1` }],
    ['a redirect_uri differing in case', { redirect_uri: REDIRECT.replace('app', 'APP') }],
    ['response_type=token', { response_type: 'token' }],
    ['a missing response_type', { response_type: undefined }],
    ['scope other than kyc', { scope: 'openid' }],
    ['a missing state', { state: undefined }],
  ])('refuses %s with an error page and no redirect', async (_, params) => {
    const response = await fetch(authorizeURL(params), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('cannot start');
    await expect(sandbox.authenteq.complete(authorizeURL(params), 'adult')).rejects.toThrow(/refused/);
  });

  it('escapes everything it echoes', async () => {
    const html = await (await fetch(authorizeURL({ state: '"><script>x()</script>' }))).text();
    expect(html).not.toContain('<script>x()');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });
});

describe('Authenteq sandbox: choosing on the page', () => {
  it('posts the form and redirects to redirect_uri?code&state', async () => {
    const form = new URLSearchParams(new URL(authorizeURL()).searchParams);
    form.set('identity', 'adult');
    const response = await fetch(sandbox.authenteq.authorizationURL, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.get('code')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('re-checks the redirect URI on the POST (a tampered form is refused)', async () => {
    const form = new URLSearchParams(new URL(authorizeURL()).searchParams);
    form.set('redirect_uri', 'https://evil.example/cb');
    form.set('identity', 'adult');
    const response = await fetch(sandbox.authenteq.authorizationURL, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('cancel redirects with error=access_denied and the state, no code', async () => {
    const location = new URL(await sandbox.authenteq.complete(authorizeURL(), 'cancel'));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('keeps the query a registered redirect URI already has', async () => {
    const withQuery = 'https://app.example/cb?tenant=a';
    sandbox.authenteq.registerRedirectURI(withQuery);
    const location = new URL(await sandbox.authenteq.complete(authorizeURL({ redirect_uri: withQuery }), 'adult'));
    expect(location.searchParams.get('tenant')).toBe('a');
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('refuses an unknown identity', async () => {
    await expect(sandbox.authenteq.complete(authorizeURL(), 'nobody' as 'adult')).rejects.toThrow(/test identities/);
  });
});

describe('Authenteq sandbox: POST /v2/web-kyc/token', () => {
  it('exchanges a code with the documented multipart camelCase fields for {"token"}', async () => {
    const response = await exchange({ code: await codeFor() });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['token']);
    expect(typeof body.token).toBe('string');
    expect(sandbox.requests.count({ route: 'authenteq.token', credential: 'client_secret' })).toBe(1);
  });

  it('accepts grantType=authorizationCode, the spelling of the parameter list', async () => {
    expect((await exchange({ code: await codeFor(), grantType: 'authorizationCode' })).status).toBe(200);
  });

  it('refuses another grantType', async () => {
    const response = await exchange({ code: await codeFor(), grantType: 'client_credentials' });
    expect(response.status).toBe(400);
  });

  it('accepts a code once: the second exchange is an error, and revokes the first token', async () => {
    const code = await codeFor();
    const first = await exchange({ code });
    const { token } = (await first.json()) as { token: string };
    const second = await exchange({ code });
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ errorCode: 'INVALID_GRANT' });
    expect((await details(token)).status).toBe(401);
  });

  it('refuses a wrong client secret, a wrong client id and missing credentials with 401', async () => {
    const code = await codeFor();
    const wrong = await exchange({ code, clientSecret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(sandbox.requests.count({ route: 'authenteq.token', credential: 'invalid' })).toBe(1);
    expect((await exchange({ code, clientId: 'someone-else' })).status).toBe(401);
    expect((await exchange({ code, clientSecret: undefined })).status).toBe(401);
    // none of these spent the code
    expect((await exchange({ code })).status).toBe(200);
  });

  it('refuses a redirectUri other than the one the code was issued for', async () => {
    sandbox.authenteq.registerRedirectURI('https://app.example/other');
    const response = await exchange({ code: await codeFor(), redirectUri: 'https://app.example/other' });
    expect(response.status).toBe(400);
  });

  it('refuses an unknown code, a missing code and a code past its 10 minutes', async () => {
    expect((await exchange({ code: 'f'.repeat(40) })).status).toBe(400);
    expect((await exchange({ code: undefined })).status).toBe(400);
    const code = await codeFor();
    sandbox.clock.advance(10 * 60_000);
    expect((await exchange({ code })).status).toBe(400);
  });

  it('refuses a body that is not multipart', async () => {
    const response = await fetch(sandbox.authenteq.tokenURL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grantType: 'authorization_code' }),
    });
    expect(response.status).toBe(400);
  });
});

describe('Authenteq sandbox: GET /v2/web-kyc/details', () => {
  it('answers the documented shape for the chosen identity', async () => {
    const response = await details(await tokenFor('adult'));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      croppedDocs: { front: string; back: string };
      details: Record<string, string>;
    };
    expect(Buffer.from(body.croppedDocs.front, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(typeof body.croppedDocs.back).toBe('string');
    expect(Object.keys(body.details).sort()).toEqual(
      [
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
      ].sort(),
    );
    expect(body.details).toMatchObject({ givenNames: 'ANNA MARIA', surname: 'SCHMIDT', issuingCountry: 'DEU' });
    expect(sandbox.requests.count({ route: 'authenteq.details', credential: 'authenteq_token' })).toBe(1);
  });

  it('can be read again within 15 minutes of the token, and not after', async () => {
    const token = await tokenFor('minor');
    // The sandbox clock also moves with real time: keep a margin of a few seconds before the boundary.
    sandbox.clock.advance(15 * 60_000 - 5_000);
    expect((await details(token)).status).toBe(200);
    sandbox.clock.advance(5_000);
    expect((await details(token)).status).toBe(401);
  });

  it('answers 401 for an unknown token, a missing header and a non-Bearer scheme', async () => {
    expect((await details('nope')).status).toBe(401);
    expect(sandbox.requests.count({ route: 'authenteq.details', credential: 'invalid' })).toBe(1);
    expect((await details(undefined)).status).toBe(401);
    const basic = await fetch(sandbox.authenteq.detailsURL, { headers: { authorization: 'Basic abc' } });
    expect(basic.status).toBe(401);
  });

  it('lets fault injection replace the answer', async () => {
    const token = await tokenFor();
    sandbox.faults.inject('authenteq.details', { status: 503, times: 1 });
    expect((await details(token)).status).toBe(503);
    expect((await details(token)).status).toBe(200);
  });
});
