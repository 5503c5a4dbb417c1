import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import type express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
});

const app = () => createApp({ idv: { ...sandbox.idv, timeout: 300 }, sessionSecret: 'test', clock: sandbox.clock }).app;

function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

function decode(html: string): string {
  return html.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'");
}

async function signIn(agent: request.Agent, name = 'Ada Lovelace'): Promise<string> {
  const start = await agent.get('/').expect(200);
  expect(start.text).toContain('Continue as demo user');
  await agent
    .post('/login')
    .type('form')
    .send({ name, csrf: csrfOf(start.text) })
    .expect(303);
  const home = await agent.get('/').expect(200);
  expect(home.text).toContain(`Hello, ${name}`);
  return csrfOf(home.text);
}

/** Presses "Verify on your phone" (POST, then the redirect to GET /verify/phone) and returns the page. */
async function press(agent: request.Agent, csrf: string) {
  const posted = await agent.post('/verify/phone').type('form').send({ csrf }).expect(303);
  expect(posted.headers.location).toBe('/verify/phone');
  return agent.get('/verify/phone').expect(200);
}

const linkOf = (html: string) => decode(/<code>([^<]+)<\/code>/.exec(html)?.[1] ?? '');

/** Completes the phone's capture as a phone would, through the sandbox's pages. */
async function phone(link: string, steps = ['document', 'selfie']) {
  const url = new URL(link);
  for (const step of steps) {
    const res = await fetch(`${sandbox.idv.host}/mobile`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        authorization: url.searchParams.get('authorization') ?? '',
        sessionId: url.searchParams.get('sessionId') ?? '',
        step,
      }),
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
  }
  return url.searchParams.get('sessionId') ?? '';
}

/** The app listening on a port, so the sandbox can deliver its webhook to it. */
async function listening(app: express.Express) {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('mobile-handoff example', () => {
  it('signs in, shows a QR code and the link, and the link opens the phone capture for this user', async () => {
    const agent = request.agent(app());
    const csrf = await signIn(agent);
    const page = await press(agent, csrf);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('<svg');
    expect(page.text).toContain('Scan this code with your phone');
    expect(page.text).toContain('Waiting for your phone');
    expect(page.text).not.toContain(sandbox.idv.apiKey);
    // One call (the deeplink), and the link is the phone's capture itself: no second QR page on the phone.
    const link = linkOf(page.text);
    expect(link.startsWith(`${sandbox.idv.host}/mobile?authorization=Token%20`)).toBe(true);
    expect(sandbox.requests.filter({ provider: 'idv' }).map((r) => r.route)).toEqual(['idv.deeplink', 'idv.session']);

    const mobile = await fetch(link);
    expect(mobile.status).toBe(200);
    expect(await mobile.text()).toContain('Take a photo of your document');
    const sessionId = new URL(link).searchParams.get('sessionId') ?? '';
    expect(sandbox.idv.getSession(sessionId)?.metadata).toEqual({ externalUserId: 'demo-ada-lovelace' });

    // The page follows the phone.
    await phone(link, ['document']);
    sandbox.clock.advance(5_000);
    expect((await agent.get('/verify/phone').expect(200)).text).toContain('sent the photo of your document');
    await phone(link, ['selfie']);
    sandbox.clock.advance(5_000);
    const done = await agent.get('/verify/phone').expect(200);
    expect(done.text).toContain('Your identity is verified');
    expect(done.text).not.toContain('<svg');

    // Pressing the button again after a finished session starts a new one.
    const again = await press(agent, csrf);
    expect(linkOf(again.text)).not.toBe(link);
    expect(sandbox.requests.count({ route: 'idv.deeplink' })).toBe(2);
  });

  it('shows the same session on a reload and on a second press while it is under way', async () => {
    const agent = request.agent(app());
    const csrf = await signIn(agent);
    const link = linkOf((await press(agent, csrf)).text);
    for (let i = 0; i < 3; i++) expect(linkOf((await agent.get('/verify/phone').expect(200)).text)).toBe(link);
    expect(linkOf((await press(agent, csrf)).text)).toBe(link);
    expect(sandbox.requests.count({ route: 'idv.deeplink' })).toBe(1);
    // With no verification yet, the page leads back to the account.
    const other = request.agent(app());
    await signIn(other, 'Grace');
    expect((await other.get('/verify/phone').expect(303)).headers.location).toBe('/');
    expect((await request(app()).get('/verify/phone').expect(303)).headers.location).toBe('/');
  });

  it('says "not verified, try again" after a failed check, and "try again" starts a new session', async () => {
    const agent = request.agent(app());
    const csrf = await signIn(agent);
    const link = linkOf((await press(agent, csrf)).text);
    sandbox.idv.failSession(new URL(link).searchParams.get('sessionId') ?? '');
    sandbox.clock.advance(5_000);
    const failed = await agent.get('/verify/phone').expect(200);
    expect(failed.text).toContain('Not verified');
    expect(failed.text).toContain('Try again on your phone');
    const again = await press(agent, csrfOf(failed.text));
    expect(linkOf(again.text)).not.toBe(link);
  });

  it('says the link expired once its time has passed', async () => {
    const agent = request.agent(app());
    const csrf = await signIn(agent);
    await press(agent, csrf);
    sandbox.clock.advance(3_600_000);
    const expired = await agent.get('/verify/phone').expect(200);
    expect(expired.text).toContain('The link expired');
    expect(expired.text).toContain('Start again on your phone');
  });

  it('learns the outcome from the webhook, with no read-back, and from reading back without one', async () => {
    const { app: webhooked } = createApp({ idv: sandbox.idv, sessionSecret: 'test', clock: sandbox.clock });
    const server = await listening(webhooked);
    try {
      sandbox.idv.setWebhook(`${server.url}/webhooks/idv`);
      const agent = request.agent(webhooked);
      const csrf = await signIn(agent);
      const link = linkOf((await press(agent, csrf)).text);
      await phone(link);
      await sandbox.idv.flushWebhooks();
      expect(sandbox.idv.webhookDeliveries().every((d) => d.outcome === 'delivered')).toBe(true);
      sandbox.requests.clear();
      sandbox.clock.advance(60_000); // what the app knows is old, but final: no need to ask
      expect((await agent.get('/verify/phone/status').expect(200)).body).toEqual({ state: 'finished' });
      expect((await agent.get('/verify/phone').expect(200)).text).toContain('Your identity is verified');
      expect(sandbox.requests.count({ route: 'idv.session' })).toBe(0);
    } finally {
      sandbox.idv.setWebhook(undefined);
      await server.close();
    }
    // No webhook: the page reads the session back.
    const agent = request.agent(app());
    const csrf = await signIn(agent);
    const link = linkOf((await press(agent, csrf)).text);
    await phone(link);
    sandbox.requests.clear();
    sandbox.clock.advance(5_000);
    expect((await agent.get('/verify/phone').expect(200)).text).toContain('Your identity is verified');
    expect(sandbox.requests.count({ route: 'idv.session' })).toBe(1);
  });

  it('answers the page’s poll with the state as JSON, for the signed-in user’s own session only', async () => {
    const agent = request.agent(app());
    const csrf = await signIn(agent);
    await press(agent, csrf);
    const status = await agent.get('/verify/phone/status').expect(200);
    expect(status.body).toEqual({ state: 'started' });
    expect(status.headers['cache-control']).toBe('no-store');
    await request(app()).get('/verify/phone/status').expect(404);
    const script = await agent.get('/handoff.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.text).toContain('data-poll');
  });

  it('refuses a webhook without its secret when the app has one', async () => {
    const { app: secured } = createApp({
      idv: { ...sandbox.idv, webhookSecret: 'shared-webhook-secret' },
      sessionSecret: 'test',
      clock: sandbox.clock,
    });
    const res = await request(secured).post('/webhooks/idv').send({ sessionId: 'x' }).expect(401);
    expect(res.body).toEqual({ error: 'ERR_WEBHOOK_SECRET' });
    await request(secured)
      .post('/webhooks/idv')
      .set('x-webhook-secret', 'shared-webhook-secret')
      .send({ sessionId: 'no-such-session' })
      .expect(200);
  });

  it('answers the JSON endpoint with the handoff, and 401 without a user', async () => {
    const agent = request.agent(app());
    const csrf = await signIn(agent, 'Grace');
    const res = await agent.post('/verify/handoff').set('x-csrf-token', csrf).expect(201);
    expect(res.body).toEqual({
      handoffUrl: expect.any(String),
      sessionId: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(sandbox.idv.getSession(res.body.sessionId)?.metadata).toEqual({ externalUserId: 'demo-grace' });

    const anonymous = request.agent(app());
    const start = await anonymous.get('/').expect(200);
    await anonymous.post('/verify/handoff').set('x-csrf-token', csrfOf(start.text)).expect(401);
    await anonymous
      .post('/verify/phone')
      .type('form')
      .send({ csrf: csrfOf(start.text) })
      .expect(303);
    expect(sandbox.requests.count({ route: 'idv.deeplink' })).toBe(1);
  });

  it('refuses POSTs without the CSRF token, before any upstream call', async () => {
    const agent = request.agent(app());
    await signIn(agent);
    await agent.post('/verify/phone').type('form').send({}).expect(403);
    await agent.post('/verify/handoff').expect(403);
    await agent.post('/verify/handoff').set('x-csrf-token', 'wrong').expect(403);
    expect(sandbox.requests.count({ provider: 'idv' })).toBe(0);
  });

  it('explains an unavailable verification service in plain words', async () => {
    const agent = request.agent(app());
    const csrf = await signIn(agent);
    sandbox.faults.inject('idv.deeplink', { status: 500, times: 1 });
    const failed = await agent.post('/verify/phone').type('form').send({ csrf }).expect(502);
    expect(failed.text).toContain('Please try again in a moment');
    expect(failed.text).not.toMatch(/sandbox_fault|Injected|answered 500|ERR_/i);
    sandbox.faults.inject('idv.deeplink', { hang: true, times: 1 });
    await agent.post('/verify/phone').type('form').send({ csrf }).expect(504);
    await agent.post('/verify/phone').type('form').send({ csrf }).expect(303);
    // Reading the session back fails too: the page says so in plain words, and works again afterwards.
    sandbox.faults.inject('idv.session', { status: 503 });
    const unread = await agent.get('/verify/phone').expect(502);
    expect(unread.text).toContain('Please try again in a moment');
    expect((await agent.get('/verify/phone/status').expect(502)).body).toEqual({ error: 'ERR_PROVIDER_STATUS' });
    sandbox.faults.clear();
    await agent.get('/verify/phone').expect(200);
  });

  it('escapes the user name, and refuses an empty one', async () => {
    const agent = request.agent(app());
    const start = await agent.get('/').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ name: '!!!', csrf: csrfOf(start.text) })
      .expect(400);
    await agent
      .post('/login')
      .type('form')
      .send({ name: '<script>x</script>', csrf: csrfOf(start.text) })
      .expect(303);
    const home = await agent.get('/').expect(200);
    expect(home.text).not.toContain('<script>x');
    expect(home.text).toContain('&lt;script&gt;x&lt;/script&gt;');
  });

  it('links back to the demo page, serves its stylesheet, and answers unknown pages in plain words', async () => {
    const { app: withHome } = createApp({
      idv: sandbox.idv,
      sessionSecret: 'test',
      clock: sandbox.clock,
      homeURL: 'http://127.0.0.1:3000/',
    });
    const home = await request(withHome).get('/').expect(200);
    expect(home.text).toContain('href="http://127.0.0.1:3000/"');
    const css = await request(withHome).get('/style.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const missing = await request(withHome).get('/nope').expect(404);
    expect(missing.text).toContain('There is nothing at this address.');
  });
});
