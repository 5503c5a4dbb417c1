import type { Server } from 'node:http';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { freePort } from './free-port.js';

// The app with its default flow, Authenteq Web IDV, listening for real so the sandbox can POST its signed webhook.
let sandbox: Sandbox;
let server: Server;
let origin: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const { app, flow } = createApp({
    authenteq: { ...sandbox.authenteqWebIdv, callbackURL: `${origin}/auth/authenteq/callback` },
    sessionSecret: 'test-secret',
    clock: sandbox.clock,
  });
  expect(flow).toBe('web-idv');
  server = await new Promise<Server>((resolve) => {
    const listening: Server = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  sandbox.authenteqWebIdv.registerRedirectURL(`${origin}/auth/authenteq/callback`);
  sandbox.authenteqWebIdv.setWebhookURL(`${origin}/webhooks/authenteq`);
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await sandbox?.close();
});
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
});

/** Presses the button, completes the Web IDV check as `choice`, follows the callback. */
async function signUp(browser: ReturnType<typeof supertest.agent>, choice: 'adult' | 'minor' | 'cancel' | 'fail') {
  const page = await browser.get('/signup').expect(200);
  expect(page.text).toContain('Authenteq Web IDV, the current generation');
  const start = await browser.get('/auth/authenteq').expect(302);
  const location = start.headers.location as string;
  expect(location.startsWith(`${sandbox.authenteqWebIdv.baseURL}/verify?token=`)).toBe(true);
  const callback = new URL(await sandbox.authenteqWebIdv.complete(location, choice));
  return browser.get(`${callback.pathname}${callback.search}`);
}

describe('examples/signup-verified-id with Authenteq Web IDV', () => {
  it('signs an adult up; the account page says when the signed webhook confirmed the verification', async () => {
    const browser = supertest.agent(origin);
    const res = await signUp(browser, 'adult');
    expect([res.status, res.headers.location]).toEqual([302, '/account']);
    expect(sandbox.requests.count({ route: 'authenteq.web_idv_result' })).toBe(1);
    await sandbox.authenteqWebIdv.webhooks.idle();
    const delivered = sandbox.authenteqWebIdv.webhooks.deliveries.at(-1);
    expect(delivered?.status).toBe(200);
    const account = await browser.get('/account').expect(200);
    expect(account.text).toContain('Welcome, ANNA MARIA SCHMIDT');
    expect(account.text).toMatch(/Document<\/dt><dd>Passport /);
    expect(account.text).toMatch(/Provider confirmation<\/dt><dd class="confirmation">Confirmed by Authenteq at <time/);
  });

  it('a forged webhook is refused (401) and confirms nothing', async () => {
    const res = await supertest(origin)
      .post('/webhooks/authenteq')
      .set({ 'x-client-id': sandbox.authenteqWebIdv.clientID, 'x-signature': '00'.repeat(32) })
      .set('content-type', 'multipart/form-data; boundary=x')
      .send('--x\r\nContent-Disposition: form-data; name="result"\r\n\r\n{}\r\n--x--\r\n');
    expect(res.status).toBe(401);
  });

  it('without the webhook yet, the account page says it is waiting for the confirmation', async () => {
    sandbox.authenteqWebIdv.setWebhookURL(undefined);
    try {
      const browser = supertest.agent(origin);
      expect((await signUp(browser, 'adult')).status).toBe(302);
      const account = await browser.get('/account').expect(200);
      expect(account.text).toContain('Waiting for Authenteq’s signed confirmation');
    } finally {
      sandbox.authenteqWebIdv.setWebhookURL(`${origin}/webhooks/authenteq`);
    }
  });

  it('a minor is refused with the reason; a cancelled or failed check says so; no result call for those', async () => {
    const minor = supertest.agent(origin);
    expect((await signUp(minor, 'minor')).headers.location).toBe('/signup');
    expect((await minor.get('/signup')).text).toContain('You must be at least 18 years old to sign up.');
    sandbox.requests.clear();
    for (const choice of ['cancel', 'fail'] as const) {
      const browser = supertest.agent(origin);
      expect((await signUp(browser, choice)).headers.location).toBe('/signup');
      expect((await browser.get('/signup')).text).toContain('The identity check was cancelled or did not pass.');
      expect((await browser.get('/account')).headers.location).toBe('/signup');
    }
    expect(sandbox.requests.count({ route: 'authenteq.web_idv_result' })).toBe(0);
  });
});
