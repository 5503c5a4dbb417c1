import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';

// The built server in "real" mode (AUTHENTEQ_CLIENT_ID, _SECRET, _CALLBACK_URL set), pointed at another Authenteq
// with AUTHENTEQ_AUTHORIZATION_URL, AUTHENTEQ_TOKEN_URL and AUTHENTEQ_DETAILS_URL: here a sandbox this test started,
// standing in for a provider's staging host. `npm test` builds first.
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));

let sandbox: Sandbox;
let server: ChildProcess | undefined;
let url: string;
let banner = '';

/** A port free right now (the callback URL must name the app's port before it starts). */
function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) =>
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    }),
  );
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const callbackURL = `${url}/auth/authenteq/callback`;
  sandbox.authenteq.registerRedirectURI(callbackURL);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(ALICE|IDV|AUTHENTEQ|REDIS)_/.test(name)) delete env[name];
  Object.assign(env, {
    PORT: String(port),
    AUTHENTEQ_CLIENT_ID: sandbox.authenteq.clientID,
    AUTHENTEQ_CLIENT_SECRET: sandbox.authenteq.clientSecret,
    AUTHENTEQ_CALLBACK_URL: callbackURL,
    AUTHENTEQ_AUTHORIZATION_URL: sandbox.authenteq.authorizationURL,
    AUTHENTEQ_TOKEN_URL: sandbox.authenteq.tokenURL,
    AUTHENTEQ_DETAILS_URL: sandbox.authenteq.detailsURL,
  });
  const child = spawn(process.execPath, [SERVER], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  server = child;
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      banner += chunk;
      if (banner.includes('Sessions and OAuth states')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${banner}`)));
  });
});
afterAll(async () => {
  server?.kill();
  await sandbox?.close();
});

it('sends the visitor to AUTHENTEQ_AUTHORIZATION_URL and signs up through AUTHENTEQ_TOKEN_URL and _DETAILS_URL', async () => {
  expect(banner).toContain(`Authenteq: ${sandbox.authenteq.authorizationURL}`);
  const browser = supertest.agent(url);
  const start = await browser.get('/auth/authenteq').expect(302);
  const location = start.headers.location as string;
  expect(location.startsWith(`${sandbox.authenteq.authorizationURL}?`)).toBe(true);
  const callback = new URL(await sandbox.authenteq.complete(location, 'adult'));
  await browser.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/account');
  const account = await browser.get('/account').expect(200);
  expect(account.text).toContain('Welcome, ANNA MARIA SCHMIDT');
  expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(1);
  expect(sandbox.requests.count({ route: 'authenteq.details' })).toBe(1);
});
