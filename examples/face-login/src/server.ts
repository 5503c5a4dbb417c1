import { randomBytes } from 'node:crypto';
import { startSandbox } from '@passport-idv/sandbox';
import { createApp, type FaceLoginAppOptions } from './app.js';

// Runs the example alone: against the real Alice Onboarding when ALICE_API_KEY is set (ALICE_BASE_URL optional,
// e.g. https://apis.sandbox.alicebiometrics.com/onboarding), otherwise against an embedded sandbox.
const port = Number(process.env.PORT ?? 3002);
let alice: FaceLoginAppOptions['alice'];
let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
if (process.env.ALICE_API_KEY) {
  alice = {
    apiKey: process.env.ALICE_API_KEY,
    ...(process.env.ALICE_BASE_URL ? { baseURL: process.env.ALICE_BASE_URL } : {}),
  };
} else {
  sandbox = await startSandbox({ port: Number(process.env.SANDBOX_PORT ?? 0) });
  alice = sandbox.alice;
}

const { app, client } = createApp({
  alice,
  sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
  ...(sandbox ? { clock: sandbox.clock } : {}),
});
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`Face-login example: http://127.0.0.1:${port}`);
  console.log(
    sandbox ? `Alice Onboarding: the local sandbox at ${client.baseURL}` : `Alice Onboarding: ${client.baseURL}`,
  );
});
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: set PORT to another one.` : error.message);
  process.exit(1);
});
const stop = () => {
  server.close();
  void sandbox?.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
