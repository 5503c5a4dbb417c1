import { createHmac } from 'node:crypto';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeviceBinding, type DeviceBindingOptions } from '../src/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.clock.reset());

const SECRET = 'device-binding-test-secret-of-32-bytes!';

/** POST /signin {id} binds this browser (the app's full sign-in); GET /who reads it back; POST /forget, /revoke. */
function app(options: Partial<DeviceBindingOptions> = {}) {
  const devices = new DeviceBinding({ secret: SECRET, clock: sandbox.clock, ...options });
  const server = express();
  server.set('trust proxy', 'loopback');
  server.use(express.json());
  server.post('/signin', (req, res) => {
    devices.bind(req, res, String(req.body.id));
    res.sendStatus(204);
  });
  server.get('/who', async (req, res) => res.json({ user: (await devices.userOf(req)) ?? null }));
  server.post('/forget', (req, res) => {
    devices.forget(req, res);
    res.sendStatus(204);
  });
  server.post('/revoke', async (req, res) => {
    await devices.revoke(String(req.body.id));
    res.sendStatus(204);
  });
  return server;
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const line = (res.headers['set-cookie'] as string[] | undefined)?.[0] ?? '';
  return line;
}

const who = async (server: express.Express, cookie: string) =>
  (await request(server).get('/who').set('cookie', cookie)).body.user;

describe('DeviceBinding', () => {
  it('binds a browser to a user in a signed HttpOnly, SameSite=Strict, long-lived cookie, and reads it back', async () => {
    const server = app();
    const browser = request.agent(server);
    const res = await browser.post('/signin').send({ id: 'u1' }).expect(204);
    const line = cookieOf(res);
    expect(line).toMatch(/^passport-idv\.device=[\w-]+\.[\w-]+;/);
    expect(line).toContain('HttpOnly');
    expect(line).toContain('SameSite=Strict');
    expect(line).toContain(`Max-Age=${90 * 86_400}`);
    expect(line).not.toContain('Secure');
    expect((await browser.get('/who')).body.user).toBe('u1');
    expect((await request(server).get('/who')).body.user).toBeNull(); // another browser
    const https = await request(server).post('/signin').set('x-forwarded-proto', 'https').send({ id: 'u1' });
    expect(cookieOf(https)).toContain('Secure'); // secure: 'auto' behind a trusted proxy
  });

  it('refuses a forged, tampered, re-signed or garbled cookie', async () => {
    const server = app();
    const line = cookieOf(await request(server).post('/signin').send({ id: 'victim' }));
    const value = line.slice(line.indexOf('=') + 1, line.indexOf(';'));
    const [body, mac] = value.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
    const macUnder = (key: string, payload: string) =>
      createHmac('sha256', key).update('passport-idv device binding v1\n').update(payload).digest('base64url');
    for (const cookie of [
      `${forged}.${mac}`, // another user, the victim's signature
      `${forged}.${macUnder('another-secret-of-at-least-32-bytes', forged)}`, // signed with another key
      `${body}.${mac.slice(0, -2)}`, // a shortened signature
      `${body}.`,
      `${body}`,
      'garbage',
      `${Buffer.from('not json').toString('base64url')}.${macUnder(SECRET, Buffer.from('not json').toString('base64url'))}`,
    ]) {
      expect(await who(server, `passport-idv.device=${cookie}`), cookie).toBeNull();
    }
    expect(await who(server, `passport-idv.device=${value}`)).toBe('victim');
  });

  it('expires after maxAge, and revoke() ends every binding made so far', async () => {
    const server = app({ maxAge: 3_600 });
    const line = cookieOf(await request(server).post('/signin').send({ id: 'u2' }));
    const cookie = line.slice(0, line.indexOf(';'));
    sandbox.clock.advance(3_599_000);
    expect(await who(server, cookie)).toBe('u2');
    sandbox.clock.advance(1_000);
    expect(await who(server, cookie)).toBeNull();

    const before = cookieOf(await request(server).post('/signin').send({ id: 'u3' }));
    sandbox.clock.advance(1_000);
    await request(server).post('/revoke').send({ id: 'u3' }).expect(204);
    expect(await who(server, before.slice(0, before.indexOf(';')))).toBeNull();
    sandbox.clock.advance(1_000);
    const after = cookieOf(await request(server).post('/signin').send({ id: 'u3' }));
    expect(await who(server, after.slice(0, after.indexOf(';')))).toBe('u3');
  });

  it('forget() clears the cookie', async () => {
    const browser = request.agent(app());
    await browser.post('/signin').send({ id: 'u4' });
    const res = await browser.post('/forget').expect(204);
    expect(cookieOf(res)).toMatch(/^passport-idv\.device=;.*Expires=Thu, 01 Jan 1970/);
    expect((await browser.get('/who')).body.user).toBeNull();
  });

  it.each([
    ['no options', undefined],
    ['a short secret', { secret: 'short' }],
    ['maxAge over 400 days', { secret: SECRET, maxAge: 400 * 86_400 + 1 }],
    ['maxAge overflowing', { secret: SECRET, maxAge: Number.MAX_VALUE }],
    ['a bad cookie name', { secret: SECRET, cookieName: 'a b' }],
    ['a bad secure', { secret: SECRET, secure: 'yes' }],
  ])('refuses %s with a coded TypeError', (_, options) => {
    expect(() => new DeviceBinding(options as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_OPTION' }),
    );
  });
});
