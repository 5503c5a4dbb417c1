// Runs one sign-up against an app, as a browser would, and prints what the browser and the provider saw as JSON:
//   node signup-flow.mjs express4|nest
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { startSandbox } from '@passport-idv/sandbox';

const which = process.argv[2];
const sandbox = await startSandbox({ port: 0 });
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const appURL = `http://127.0.0.1:${server.address().port}`;
const callbackURL = `${appURL}/auth/authenteq/callback`;
sandbox.authenteq.registerRedirectURI(callbackURL);
const options = { ...sandbox.authenteq, callbackURL, clock: sandbox.clock };

let handler;
if (which === 'express4') handler = (await import('./express4/app.cjs')).default.createApp(options);
else if (which === 'nest') handler = await (await import('./nest/dist/main.js')).default.createNestApp(options);
else throw new Error(`unknown app ${which}`);
server.on('request', handler);

const cookies = new Map();
async function get(url) {
  const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const res = await fetch(new URL(url, appURL), { redirect: 'manual', headers: cookie ? { cookie } : {} });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return res;
}

const out = { express: createRequire(import.meta.url)('express/package.json').version };
try {
  const start = await get('/auth/authenteq?returnTo=/account?from=signup');
  const identityPage = start.headers.get('location') ?? '';
  out.start = { status: start.status, toSandbox: identityPage.startsWith(`${sandbox.url}/authenteq/authorize?`) };
  const back = await get(await sandbox.authenteq.complete(identityPage, 'adult'));
  out.callback = { status: back.status, location: back.headers.get('location') };
  const account = await get(out.callback.location ?? '/account');
  out.account = { status: account.status, body: await account.json() };
  out.upstream = {
    token: sandbox.requests.count({ route: 'authenteq.token' }),
    details: sandbox.requests.count({ route: 'authenteq.details' }),
  };
} catch (error) {
  out.error = String(error?.stack ?? error);
} finally {
  server.closeAllConnections();
  server.close();
  await sandbox.close();
}
console.log(JSON.stringify(out));
