import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
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

describe('mobile-handoff example', () => {
  it('signs in, shows a QR code and the link, and the link opens the phone capture for this user', async () => {
    const agent = request.agent(app());
    const csrf = await signIn(agent);
    const page = await agent.post('/verify/phone').type('form').send({ csrf }).expect(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('<svg');
    expect(page.text).toContain('Scan this code with your phone');
    expect(page.text).not.toContain(sandbox.idv.apiKey);
    const link = decode(/<code>([^<]+)<\/code>/.exec(page.text)?.[1] ?? '');
    expect(link.startsWith(`${sandbox.idv.host}/capture?url=`)).toBe(true);
    expect(sandbox.requests.count({ route: 'idv.ephemeral' })).toBe(1);
    expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(1);

    // The computer's page: the sandbox shows the link and its QR code.
    const capture = await fetch(link);
    expect(capture.status).toBe(200);
    const mobileLink = new URL(link).searchParams.get('url') ?? '';
    // The phone: the simulated capture, for this user's session.
    const mobile = await fetch(mobileLink);
    expect(mobile.status).toBe(200);
    expect(await mobile.text()).toContain('Take a photo of your document');
    const sessionId = new URL(mobileLink).searchParams.get('sessionId') ?? '';
    expect(sandbox.idv.getSession(sessionId)?.metadata).toEqual({ externalUserId: 'demo-ada-lovelace' });
    for (const step of ['document', 'selfie']) {
      const res = await fetch(`${sandbox.idv.host}/mobile`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          authorization: new URL(mobileLink).searchParams.get('authorization') ?? '',
          sessionId,
          step,
        }),
        redirect: 'manual',
      });
      expect(res.status).toBe(302);
    }
    expect(sandbox.idv.getSession(sessionId)?.status).toBe('completed');

    // Pressing the button again shows the same session, with no upstream call.
    const again = await agent.post('/verify/phone').type('form').send({ csrf }).expect(200);
    expect(decode(/<code>([^<]+)<\/code>/.exec(again.text)?.[1] ?? '')).toBe(link);
    expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(1);
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
    expect(sandbox.requests.count({ route: 'idv.sessions' })).toBe(1);
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
    sandbox.faults.inject('idv.sessions', { status: 500, times: 1 });
    const failed = await agent.post('/verify/phone').type('form').send({ csrf }).expect(502);
    expect(failed.text).toContain('Please try again in a moment');
    expect(failed.text).not.toMatch(/sandbox_fault|Injected|answered 500|ERR_/i);
    sandbox.faults.inject('idv.ephemeral', { hang: true, times: 1 });
    await agent.post('/verify/phone').type('form').send({ csrf }).expect(504);
    await agent.post('/verify/phone').type('form').send({ csrf }).expect(200);
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
