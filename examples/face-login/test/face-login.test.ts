import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Sandbox, sandboxMedia, startSandbox } from '@passport-idv/sandbox';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type FaceLoginApp } from '../src/app.js';
import { enrollPage } from '../src/pages.js';

const require = createRequire(import.meta.url);
let sandbox: Sandbox;
let example: FaceLoginApp;
const seen: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  example = createApp({
    alice: { ...sandbox.alice, timeout: 1_000 },
    sessionSecret: 'test-session-secret',
    clock: sandbox.clock,
    homeURL: 'http://127.0.0.1:3000/',
  });
});
afterAll(() => sandbox.close());

type Agent = ReturnType<typeof request.agent>;

/** Every response the browser got, for the secret check at the end. */
function keep<T extends { text?: string; headers: Record<string, unknown> }>(res: T): T {
  seen.push(`${JSON.stringify(res.headers)}\n${res.text ?? ''}`);
  return res;
}

function csrfIn(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html) ?? /data-csrf="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no csrf token on the page');
  return match[1];
}

async function page(agent: Agent, path: string): Promise<{ html: string; csrf: string }> {
  const res = keep(await agent.get(path).expect(200));
  return { html: res.text, csrf: csrfIn(res.text) };
}

/** What the browser SDK does with the USER_TOKEN: upload the media straight to the provider. */
async function sdkUpload(path: '/user/selfie' | '/user/authenticate', userToken: string, media: Uint8Array) {
  const form = new FormData();
  form.append('video', new Blob([media]), 'selfie.webm');
  const res = await fetch(`${sandbox.alice.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${userToken}` },
    body: form,
  });
  expect(res.ok).toBe(true);
  return (await res.json()) as { authentication_id?: string };
}

/**
 * A face login as the page does it: begin, the SDK's upload, then the form, which carries no authentication id (the
 * server finds it). `postId` posts the id the upload answered, as an app with its own capture may.
 */
async function faceLogin(agent: Agent, media: Uint8Array, options: { returnTo?: string; postId?: boolean } = {}) {
  const { csrf } = await page(agent, `/login?returnTo=${encodeURIComponent(options.returnTo ?? '/account')}`);
  const begin = keep(await agent.post('/login/face/begin').set('x-csrf-token', csrf).send({}).expect(200));
  const { authentication_id } = await sdkUpload('/user/authenticate', begin.body.userToken, media);
  const id = options.postId ? { authenticationId: authentication_id } : {};
  return keep(
    await agent
      .post('/login/face')
      .type('form')
      .send({ csrf, ...id, returnTo: options.returnTo ?? '/account' }),
  );
}

async function lastMessage(agent: Agent, returnTo = '/account'): Promise<string> {
  const { html } = await page(agent, `/login?returnTo=${encodeURIComponent(returnTo)}`);
  return /<p id="face-status" role="alert" class="notice">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

describe('examples/face-login: the whole flow over HTTP', () => {
  const email = 'ana@example.com';
  let browser: Agent;

  it('registers with an email, binds this browser and lands on the enrollment page', async () => {
    browser = request.agent(example.app);
    const { html, csrf } = await page(browser, '/register');
    expect(html).toContain('Open an account');
    const res = keep(await browser.post('/register').type('form').send({ csrf, email }).expect(302));
    expect(res.headers.location).toBe('/enroll');
    const device = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('passport-idv.device='));
    expect(device).toMatch(/HttpOnly/);
    expect(device).toMatch(/SameSite=Strict/);
    expect(device).toMatch(/Max-Age=7776000/);
    const enroll = await page(browser, '/enroll');
    expect(enroll.html).toContain(`src="${sandbox.alice.sdkURL}"`);
  });

  it('enrolls: a spoof is voided and asked again, a genuine selfie turns face login on', async () => {
    const { csrf } = await page(browser, '/enroll');
    const token = keep(await browser.post('/enroll/token').set('x-csrf-token', csrf).send({}).expect(200));
    expect(token.headers['cache-control']).toBe('no-store');
    expect(decodeJwt(token.body.userToken).kind).toBe('USER_TOKEN');
    await sdkUpload('/user/selfie', token.body.userToken, sandboxMedia({ live: false }));
    const retry = keep(await browser.post('/enroll/review').type('form').send({ csrf }).expect(302));
    expect(retry.headers.location).toBe('/enroll?reason=retry');
    expect((await page(browser, '/enroll?reason=retry')).html).toContain('could not confirm a live person');
    await sdkUpload('/user/selfie', token.body.userToken, sandboxMedia());
    const ok = keep(await browser.post('/enroll/review').type('form').send({ csrf }).expect(302));
    expect(ok.headers.location).toBe('/account?enrolled=1');
    const account = await page(browser, '/account?enrolled=1');
    expect(account.html).toContain('face login is on');
    expect(sandbox.alice.user(example.users.get(email)?.aliceUserId ?? '')?.authorized).toBe(true);
  });

  it('logs out, then refuses a spoof and a different person in plain words', async () => {
    const { csrf } = await page(browser, '/account');
    expect((await browser.post('/logout').type('form').send({ csrf }).expect(302)).headers.location).toBe('/login');
    expect((await browser.get('/account').expect(302)).headers.location).toBe('/login?returnTo=%2Faccount');
    expect((await page(browser, '/login')).html).toContain(`This browser remembers you as <strong>${email}</strong>`);
    const spoof = await faceLogin(browser, sandboxMedia({ live: false }));
    expect(spoof.status).toBe(302);
    expect(spoof.headers.location).toBe('/login?returnTo=%2Faccount');
    expect(await lastMessage(browser)).toContain('could not confirm a live person');
    const stranger = await faceLogin(browser, sandboxMedia({ face: 'mallory' }));
    expect(stranger.headers.location).toBe('/login?returnTo=%2Faccount');
    expect(await lastMessage(browser)).toContain('did not match the one you enrolled');
    expect((await browser.get('/account')).status).toBe(302);
  });

  it('another browser, knowing only the email, gets no USER_TOKEN: face login starts only on a bound browser', async () => {
    const stranger = request.agent(example.app);
    const login = keep(await stranger.get('/login').expect(200));
    expect(login.text).toContain('Face login is not set up on this browser.');
    expect(login.text).not.toContain('id="face-start"');
    const { csrf } = await page(stranger, '/register');
    for (const cookie of [undefined, 'passport-idv.device=eyJzdWIiOiJ4In0.forged']) {
      const req = stranger.post('/login/face/begin').set('x-csrf-token', csrf);
      if (cookie) req.set('cookie', cookie);
      const res = await req.send({ email });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: expect.stringContaining('not set up on this browser') });
    }
    const noCsrf = await browser.post('/login/face/begin').send({});
    expect(noCsrf.status).toBe(403);
  });

  it('logs in with the face, then reaches /transfer within 5 minutes', async () => {
    const res = await faceLogin(browser, sandboxMedia());
    expect(res.headers.location).toBe('/account');
    expect((await page(browser, '/account')).html).toContain(email);
    const transfer = await page(browser, '/transfer');
    expect(transfer.html).toContain('Transfer money');
    const sent = keep(
      await browser.post('/transfer').type('form').send({ csrf: transfer.csrf, to: 'Bob', amount: '25' }).expect(303),
    );
    expect(sent.headers.location).toBe('/transfer');
    expect((await page(browser, '/transfer')).html).toContain('Sent 25.00 EUR to Bob');
  });

  it('takes cents, says what an amount may be next to the field and keeps what was typed; the result shows once', async () => {
    const { csrf, html } = await page(browser, '/transfer');
    expect(html).toContain('From 0.01 to 10,000 EUR, with at most two decimals (cents), e.g. 12.50.');
    for (const [amount, shown] of [
      ['12.50', '12.50'],
      ['12,5', '12.50'],
      ['0.01', '0.01'],
      ['10000', '10000.00'],
    ]) {
      await browser.post('/transfer').type('form').send({ csrf, to: 'Bob', amount }).expect(303);
      expect((await page(browser, '/transfer')).html).toContain(`Sent ${shown} EUR to Bob`);
    }
    // Shown once: a reload of the page after a transfer is the empty form again, and sends nothing.
    expect((await page(browser, '/transfer')).html).not.toContain('Sent ');
    for (const amount of ['12.505', '0', '10000.01', '-5', '1e3', 'twelve', '']) {
      const refused = keep(
        await browser.post('/transfer').type('form').send({ csrf, to: 'Bob <b>', amount }).expect(400),
      );
      expect(refused.text).toContain(
        '<p class="field-error" id="amount-error">Enter an amount from 0.01 to 10,000 EUR, with at most two decimals, e.g. 12.50.</p>',
      );
      expect(refused.text).toMatch(/<input id="amount" [^>]*aria-invalid="true"/);
      expect(refused.text).toContain(`value="${amount}"`);
      expect(refused.text).toContain('value="Bob &lt;b&gt;"');
      expect(refused.text).not.toContain('Sent ');
    }
    const noRecipient = await browser.post('/transfer').type('form').send({ csrf, to: ' ', amount: '5' }).expect(400);
    expect(noRecipient.text).toContain('id="to-error">Enter who receives the money');
    expect(noRecipient.text).toContain('value="5"');
  });

  it('asks for a new face login after 5 minutes, then returns to /transfer', async () => {
    sandbox.clock.advance(301_000);
    const stale = await browser.get('/transfer').expect(302);
    expect(stale.headers.location).toBe('/login?returnTo=%2Ftransfer');
    const { html } = await page(browser, '/login?returnTo=%2Ftransfer');
    expect(html).toContain('Confirm it is you');
    const res = await faceLogin(browser, sandboxMedia(), { returnTo: '/transfer', postId: true });
    expect(res.headers.location).toBe('/transfer');
    await browser.get('/transfer').expect(200);
    // returnTo cannot leave the site.
    const evil = await faceLogin(browser, sandboxMedia(), { returnTo: '//evil.example/' });
    expect(evil.headers.location).toBe('/account');
  });

  it('answers a provider failure with a plain 502 page and logs no one in', async () => {
    const { csrf } = await page(browser, '/account');
    await browser.post('/logout').type('form').send({ csrf }).expect(302);
    sandbox.faults.inject('alice.authentication', { status: 500 });
    const res = await faceLogin(browser, sandboxMedia());
    sandbox.faults.clear();
    expect(res.status).toBe(502);
    expect(res.text).toContain('could not reach the face check service');
    expect(res.text).not.toMatch(/Injected|ERR_|alice authentication/);
    expect((await browser.get('/account')).status).toBe(302);
  });

  it('"Not you? Forget this browser" removes the binding', async () => {
    const agent = request.agent(example.app);
    const registration = await page(agent, '/register');
    await agent.post('/register').type('form').send({ csrf: registration.csrf, email: 'forget@example.com' });
    const { csrf } = await page(agent, '/enroll');
    await agent.post('/logout').type('form').send({ csrf }).expect(302);
    const login = await page(agent, '/login');
    expect(login.html).toContain('Face login is not set up'); // bound, but no face enrolled yet
    const forgot = await agent.post('/device/forget').type('form').send({ csrf: login.csrf }).expect(302);
    expect(String(forgot.headers['set-cookie'])).toMatch(/passport-idv\.device=;/);
  });

  it('never shows a backend token or the API key to the browser', () => {
    const all = seen.join('\n');
    expect(all).not.toContain(sandbox.alice.apiKey);
    const jwts = all.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g) ?? [];
    expect(jwts.length).toBeGreaterThan(0);
    for (const jwt of jwts) expect(decodeJwt(jwt).kind).toBe('USER_TOKEN');
  });

  it('answers an oversized body with 413, not 500', async () => {
    const agent = request.agent(example.app);
    const { csrf } = await page(agent, '/register');
    const json = await agent
      .post('/login/face/begin')
      .set('x-csrf-token', csrf)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(8_000) }));
    expect(json.status).toBe(413);
    expect(json.body).toEqual({ message: expect.any(String) });
    const form = await agent
      .post('/register')
      .type('form')
      .send({ csrf, email: 'x'.repeat(8_000) });
    expect(form.status).toBe(413);
    expect(form.text).toContain('more than this page accepts');
    expect(form.text).not.toMatch(/PayloadTooLarge|entity|stack/i);
  });

  it('session cookies expire (8 h), are Secure over HTTPS, and the default store drops expired sessions', async () => {
    const res = await request(example.app).get('/register').expect(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^face\.sid=.*; Expires=.*; HttpOnly; SameSite=Lax$/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '');
    expect(Math.abs(expires - (Date.now() + 8 * 3_600_000))).toBeLessThan(5_000);
    expect(cookie).not.toContain('Secure');
    const https = await request(example.app).get('/register').set('x-forwarded-proto', 'https').expect(200);
    expect(String(https.headers['set-cookie'])).toMatch(/; Secure;/);
    // Abandoned visits each left a session behind; eight hours later the store has dropped them all.
    const length = () =>
      new Promise<number>((resolve, reject) =>
        example.sessionStore.length?.((error, n) => (error ? reject(error) : resolve(n ?? 0))),
      );
    for (let i = 0; i < 5; i++) await request(example.app).get('/register').expect(200);
    expect(await length()).toBeGreaterThanOrEqual(5);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 8 * 3_600_000 + 1_000);
      (example.sessionStore as unknown as { prune(): void }).prune();
      expect(await length()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('serves pages with a strict CSP that allows only the SDK origin for scripts', async () => {
    const res = await request(example.app).get('/register').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'self' ${sandbox.url}`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('with the real API (no sdkURL) serves Alice’s web SDK from node_modules, under a CSP that allows what it loads', async () => {
    const real = createApp({
      alice: { apiKey: 'key', baseURL: 'https://apis.sandbox.alicebiometrics.com/onboarding' },
      sessionSecret: 's',
    });
    const enroll = enrollPage({ csrf: 'c' }, { kind: 'alice', api: real.client.baseURL });
    expect(enroll).toContain('<script src="/alice/aliceonboarding.min.js"></script>');
    expect(enroll).toContain('data-api="https://apis.sandbox.alicebiometrics.com/onboarding"');
    expect(enroll).not.toMatch(/<script src="https?:/);
    const installed = readFileSync(join(dirname(require.resolve('aliceonboarding')), 'dist/aliceonboarding.min.js'));
    const bundle = await request(real.app)
      .get('/alice/aliceonboarding.min.js')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/^text\/javascript/);
    expect(Buffer.compare(bundle.body as Buffer, installed)).toBe(0);
    await request(real.app)
      .get('/alice/aliceonboarding.css')
      .expect(200)
      .expect('content-type', /^text\/css/);
    const csp = String((await request(real.app).get('/register')).headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval' https://cdn.jsdelivr.net;");
    expect(csp).toContain(
      "connect-src 'self' https://apis.sandbox.alicebiometrics.com https://storage.googleapis.com https://cdn.jsdelivr.net https://unpkg.com;",
    );
    expect(csp).toContain("worker-src 'self' blob: data:");
  });
});
