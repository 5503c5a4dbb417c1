import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.requests.clear());

let n = 0;
const fresh = (path = 'callback') => `http://127.0.0.1:3001/${path}/${++n}`;
const dashboard = () => `${sandbox.url}/authenteq/dashboard`;

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** A POST as the dashboard page's form makes it: form-encoded, with the browser's Origin. */
function fromPage(path: string, fields: Record<string, string>, origin = sandbox.url): Promise<Response> {
  return fetch(`${dashboard()}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** A POST as a script makes it, with a client's keys. */
function withKeys(path: string, authorization: string, fields: Record<string, string>, json = false) {
  return fetch(`${dashboard()}/${path}`, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
}

function authorizeURL(redirectUri: string): string {
  const url = new URL(sandbox.authenteq.authorizationURL);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.authenteq.clientID,
    redirect_uri: redirectUri,
    scope: 'kyc',
    state: 'state-1',
  }).toString();
  return url.href;
}

function verificationURL(redirectUrl: string): Promise<Response> {
  const { baseURL, clientID, clientSecret } = sandbox.authenteqWebIdv;
  return fetch(`${baseURL}/web-idv/verification-url?${new URLSearchParams({ redirectUrl })}`, {
    headers: { authorization: basic(clientID, clientSecret) },
  });
}

describe('Authenteq dashboard: the page', () => {
  it('shows both clients and what is registered, never a secret, and is linked from the home page', async () => {
    const uri = fresh();
    sandbox.authenteq.registerRedirectURI(uri);
    const response = await fetch(dashboard());
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(sandbox.authenteq.clientID);
    expect(html).toContain(sandbox.authenteqWebIdv.clientID);
    expect(html).toContain(uri);
    expect(html).not.toContain(sandbox.authenteq.clientSecret);
    expect(html).not.toContain(sandbox.authenteqWebIdv.clientSecret);
    expect(await (await fetch(`${sandbox.url}/`)).text()).toContain(`href="${dashboard()}"`);
  });

  it('fills in the form from the query, escaped, and registers nothing on a GET', async () => {
    const uri = `${fresh()}?a="><b>`;
    const html = await (await fetch(`${dashboard()}?${new URLSearchParams({ product: 'web-idv', url: uri })}`)).text();
    expect(html).toContain('value="http://127.0.0.1:3001/');
    expect(html).toContain('a=&quot;&gt;&lt;b&gt;');
    expect(html).not.toContain('"><b>');
    expect(sandbox.authenteqWebIdv.redirectURLs).not.toContain(uri);
  });

  it('registers a Web KYC redirect URI from the form, and the identity check then starts', async () => {
    const uri = fresh();
    expect((await fetch(authorizeURL(uri))).status).toBe(400);
    const response = await fromPage('redirect-urls', { product: 'web-kyc', url: uri });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/authenteq/dashboard');
    expect(sandbox.authenteq.redirectURIs).toContain(uri);
    expect((await fetch(authorizeURL(uri))).status).toBe(200);
  });

  it('registers a Web IDV redirect URL and sets its webhook URL from the forms', async () => {
    const url = fresh();
    expect((await verificationURL(url)).status).toBe(400);
    expect((await fromPage('redirect-urls', { product: 'web-idv', url })).status).toBe(303);
    expect((await verificationURL(url)).status).toBe(200);
    const hook = fresh('webhooks');
    expect((await fromPage('webhook-url', { product: 'web-idv', url: hook })).status).toBe(303);
    expect(sandbox.authenteqWebIdv.webhookURL).toBe(hook);
    expect((await fromPage('webhook-url', { product: 'web-idv', url: '' })).status).toBe(303);
    expect(sandbox.authenteqWebIdv.webhookURL).toBeUndefined();
  });

  it("changes another Web IDV client's URLs when the form names it", async () => {
    const other = sandbox.authenteqWebIdv.addClient();
    const url = fresh();
    await fromPage('redirect-urls', { product: 'web-idv', clientID: other.clientID, url });
    expect(other.redirectURLs).toEqual([url]);
    expect(sandbox.authenteqWebIdv.redirectURLs).not.toContain(url);
  });

  it('refuses a form posted from another site, or with no Origin and no keys', async () => {
    const url = fresh();
    const foreign = await fromPage('redirect-urls', { product: 'web-kyc', url }, 'https://evil.example');
    expect(foreign.status).toBe(401);
    const bare = await fetch(`${dashboard()}/redirect-urls`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ product: 'web-kyc', url }).toString(),
    });
    expect(bare.status).toBe(401);
    expect(await bare.text()).toContain('curl -u');
    expect(sandbox.authenteq.redirectURIs).not.toContain(url);
  });

  it('refuses a URL that is not absolute http(s), and an unknown product', async () => {
    for (const product of ['web-kyc', 'web-idv']) {
      const response = await fromPage('redirect-urls', { product, url: 'javascript:alert(1)' });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('class="error"');
    }
    expect((await fromPage('redirect-urls', { product: 'alice', url: fresh() })).status).toBe(400);
  });
});

describe('Authenteq dashboard: the endpoint, with a client’s keys', () => {
  it('registers for the product whose keys are sent, and answers JSON', async () => {
    const uri = fresh();
    const kyc = await withKeys('redirect-urls', basic(sandbox.authenteq.clientID, sandbox.authenteq.clientSecret), {
      url: uri,
    });
    expect(kyc.status).toBe(200);
    expect(await kyc.json()).toMatchObject({ product: 'web-kyc', clientID: sandbox.authenteq.clientID });
    expect(sandbox.authenteq.redirectURIs).toContain(uri);
    expect(sandbox.authenteqWebIdv.redirectURLs).not.toContain(uri);
    expect(sandbox.requests.count({ route: 'authenteq.dashboard_redirect_url', credential: 'client_secret' })).toBe(1);

    const url = fresh();
    const keys = basic(sandbox.authenteqWebIdv.clientID, sandbox.authenteqWebIdv.clientSecret);
    const webIdv = await withKeys('redirect-urls', keys, { url }, true);
    expect(webIdv.status).toBe(200);
    expect(await webIdv.json()).toMatchObject({ product: 'web-idv', redirectURLs: expect.arrayContaining([url]) });
    expect((await verificationURL(url)).status).toBe(200);
  });

  it('sets and removes the Web IDV webhook URL; Web KYC has none', async () => {
    const keys = basic(sandbox.authenteqWebIdv.clientID, sandbox.authenteqWebIdv.clientSecret);
    const hook = fresh('webhooks');
    const set = await withKeys('webhook-url', keys, { url: hook });
    expect(await set.json()).toMatchObject({ webhookURL: hook });
    expect(sandbox.authenteqWebIdv.webhookURL).toBe(hook);
    expect(await (await withKeys('webhook-url', keys, { url: '' })).json()).toMatchObject({ webhookURL: null });
    const kyc = basic(sandbox.authenteq.clientID, sandbox.authenteq.clientSecret);
    expect((await withKeys('webhook-url', kyc, { url: hook })).status).toBe(400);
  });

  it('refuses wrong keys with 401 and changes nothing', async () => {
    const url = fresh();
    const response = await withKeys('redirect-urls', basic(sandbox.authenteq.clientID, 'wrong'), { url });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    expect(sandbox.requests.count({ route: 'authenteq.dashboard_redirect_url', credential: 'invalid' })).toBe(1);
    const asPage = await fetch(`${dashboard()}/redirect-urls`, {
      method: 'POST',
      headers: { authorization: 'Bearer x', origin: sandbox.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ product: 'web-kyc', url }).toString(),
    });
    expect(asPage.status).toBe(401); // keys that do not check out are not rescued by an Origin
    expect(sandbox.authenteq.redirectURIs).not.toContain(url);
  });
});

describe('Authenteq Web KYC pages: the way to register, and the way back', () => {
  it('the redirect-mismatch page shows the URI it received and how to register it', async () => {
    const uri = `${fresh()}?x=<i>`;
    const response = await fetch(authorizeURL(uri), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    expect(html).toContain('does not exactly match');
    expect(html).toContain(`Received: <code>${uri.replace('<', '&lt;').replace('>', '&gt;')}</code>`);
    expect(html).toContain(`--redirect-uri ${uri.replace('<', '&lt;').replace('>', '&gt;')}`);
    const link = new URLSearchParams({ product: 'web-kyc', url: uri }).toString().replaceAll('&', '&amp;');
    expect(html).toContain(`href="${dashboard()}?${link}"`);
    expect(html).not.toContain(`href="${uri}`); // an unregistered URI is never a link
  });

  it('the identity check links back to the app, by back_url or else the redirect URI’s origin', async () => {
    const uri = fresh();
    sandbox.authenteq.registerRedirectURI(uri);
    const html = await (await fetch(authorizeURL(uri))).text();
    expect(html).toContain('href="http://127.0.0.1:3001/"');
  });
});
