import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from './free-port.js';

// The built server in "real" mode (AUTHENTEQ_CLIENT_ID, _SECRET, _CALLBACK_URL set), pointed at another Authenteq by
// its URL variables: here a sandbox this test started, standing in for a provider's staging host. Once with Web IDV
// (the default, AUTHENTEQ_WEB_IDV_BASE_URL), once with AUTHENTEQ_FLOW=web-kyc (AUTHENTEQ_AUTHORIZATION_URL,
// AUTHENTEQ_TOKEN_URL, AUTHENTEQ_DETAILS_URL). `npm test` builds first.
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));

let sandbox: Sandbox;
const servers: ChildProcess[] = [];

/** Starts the built server with `vars` on a free port: its URL, its callback URL and what it printed. */
async function startServer(vars: (callbackURL: string) => Record<string, string>) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const callbackURL = `${url}/auth/authenteq/callback`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(ALICE|IDV|AUTHENTEQ|REDIS)_/.test(name)) delete env[name];
  Object.assign(env, { PORT: String(port), AUTHENTEQ_CALLBACK_URL: callbackURL, ...vars(callbackURL) });
  const child = spawn(process.execPath, [SERVER], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(child);
  let banner = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      banner += chunk;
      if (banner.includes('Sessions and OAuth states')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${banner}`)));
  });
  return { url, banner };
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  for (const server of servers) server.kill();
  await sandbox?.close();
});

it('Web IDV by default: signs up through AUTHENTEQ_WEB_IDV_BASE_URL and names its webhook URL', async () => {
  const { url, banner } = await startServer((callbackURL) => {
    sandbox.authenteqWebIdv.registerRedirectURL(callbackURL);
    return {
      AUTHENTEQ_CLIENT_ID: sandbox.authenteqWebIdv.clientID,
      AUTHENTEQ_CLIENT_SECRET: sandbox.authenteqWebIdv.clientSecret,
      AUTHENTEQ_WEB_IDV_BASE_URL: sandbox.authenteqWebIdv.baseURL,
    };
  });
  expect(banner).toContain(`Authenteq Web IDV: ${sandbox.authenteqWebIdv.baseURL}`);
  expect(banner).toContain(`Authenteq webhook: ${url}/webhooks/authenteq`);
  const browser = supertest.agent(url);
  const start = await browser.get('/auth/authenteq').expect(302);
  const location = start.headers.location as string;
  expect(location.startsWith(`${sandbox.authenteqWebIdv.baseURL}/verify?token=`)).toBe(true);
  const callback = new URL(await sandbox.authenteqWebIdv.complete(location, 'adult'));
  await browser.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/account');
  expect((await browser.get('/account').expect(200)).text).toContain('Welcome, ANNA MARIA SCHMIDT');
  expect(sandbox.requests.count({ route: 'authenteq.web_idv_result' })).toBe(1);
});

it('AUTHENTEQ_FLOW=web-kyc: sends the visitor to AUTHENTEQ_AUTHORIZATION_URL, signs up through _TOKEN_URL and _DETAILS_URL', async () => {
  const { url, banner } = await startServer((callbackURL) => {
    sandbox.authenteq.registerRedirectURI(callbackURL);
    return {
      AUTHENTEQ_FLOW: 'web-kyc',
      AUTHENTEQ_CLIENT_ID: sandbox.authenteq.clientID,
      AUTHENTEQ_CLIENT_SECRET: sandbox.authenteq.clientSecret,
      AUTHENTEQ_AUTHORIZATION_URL: sandbox.authenteq.authorizationURL,
      AUTHENTEQ_TOKEN_URL: sandbox.authenteq.tokenURL,
      AUTHENTEQ_DETAILS_URL: sandbox.authenteq.detailsURL,
    };
  });
  expect(banner).toContain(`Authenteq Web KYC: ${sandbox.authenteq.authorizationURL}`);
  expect(banner).not.toContain('webhook');
  const browser = supertest.agent(url);
  expect((await browser.get('/signup')).text).toContain('Authenteq Web KYC, the earlier generation');
  const start = await browser.get('/auth/authenteq').expect(302);
  const location = start.headers.location as string;
  expect(location.startsWith(`${sandbox.authenteq.authorizationURL}?`)).toBe(true);
  const callback = new URL(await sandbox.authenteq.complete(location, 'adult'));
  await browser.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/account');
  const account = await browser.get('/account').expect(200);
  expect(account.text).toContain('Welcome, ANNA MARIA SCHMIDT');
  expect(account.text).not.toContain('Provider confirmation');
  expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(1);
  expect(sandbox.requests.count({ route: 'authenteq.details' })).toBe(1);
});
