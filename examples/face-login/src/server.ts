import { randomBytes } from 'node:crypto';
import { redisFromEnv } from '@passport-idv/example-redis-setup';
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
  const sandboxPort = Number(process.env.SANDBOX_PORT ?? 0);
  sandbox = await startSandbox({ port: sandboxPort }).catch((error) =>
    cannotListen(error, sandboxPort, 'SANDBOX_PORT'),
  );
  alice = sandbox.alice;
}

// With REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), sessions, attempts, used authentication ids,
// rate limits and Alice tokens live in Redis, so several instances can serve the app (give them all the same
// SESSION_SECRET). A Redis that cannot be reached stops the start with one line saying what to set.
const redis = await redisFromEnv();
const stores: Pick<FaceLoginAppOptions, 'store' | 'sessionStore'> = redis?.stores('face-login') ?? {};

const { app, client } = createApp({
  alice,
  sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
  ...stores,
  ...(sandbox ? { clock: sandbox.clock } : {}),
});
const server = app.listen(port, '127.0.0.1', (error?: Error) => {
  // Express 5 hands a listen error (a taken port) to this callback: then only that is said.
  if (error) cannotListen(error, port, 'PORT');
  console.log(`Face-login example: http://127.0.0.1:${port}`);
  console.log(
    sandbox ? `Alice Onboarding: the local sandbox at ${client.baseURL}` : `Alice Onboarding: ${client.baseURL}`,
  );
  console.log(`Sessions and face-login stores: ${redis?.description ?? 'in memory'}`);
});
const stop = () => {
  server.close();
  void sandbox?.close();
  void redis?.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

/** One line (the port, the variable to set) instead of a banner or a stack trace, and exit 1. */
function cannotListen(error: NodeJS.ErrnoException, port: number, envVar: string): never {
  console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: set ${envVar} to another one.` : error.message);
  process.exit(1);
}
