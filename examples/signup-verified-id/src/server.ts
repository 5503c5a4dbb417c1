import { randomBytes } from 'node:crypto';
import { redisFromEnv } from '@passport-idv/example-redis-setup';
import { startSandbox } from '@passport-idv/sandbox';
import { createApp, type SignUpAppOptions } from './app.js';

// Runs the example alone: against the real Authenteq when AUTHENTEQ_CLIENT_ID, AUTHENTEQ_CLIENT_SECRET and
// AUTHENTEQ_CALLBACK_URL are set, otherwise against an embedded sandbox with this app's callback registered. In real
// mode AUTHENTEQ_AUTHORIZATION_URL, AUTHENTEQ_TOKEN_URL and AUTHENTEQ_DETAILS_URL point it elsewhere (default: the
// production URLs).
const port = Number(process.env.PORT ?? 3001);
const { AUTHENTEQ_CLIENT_ID, AUTHENTEQ_CLIENT_SECRET, AUTHENTEQ_CALLBACK_URL } = process.env;
const real = [AUTHENTEQ_CLIENT_ID, AUTHENTEQ_CLIENT_SECRET, AUTHENTEQ_CALLBACK_URL];
const { AUTHENTEQ_AUTHORIZATION_URL, AUTHENTEQ_TOKEN_URL, AUTHENTEQ_DETAILS_URL } = process.env;
const urls = [AUTHENTEQ_AUTHORIZATION_URL, AUTHENTEQ_TOKEN_URL, AUTHENTEQ_DETAILS_URL];

let authenteq: SignUpAppOptions['authenteq'];
let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
if (real.every((value) => value)) {
  authenteq = {
    clientID: AUTHENTEQ_CLIENT_ID!,
    clientSecret: AUTHENTEQ_CLIENT_SECRET!,
    callbackURL: AUTHENTEQ_CALLBACK_URL!,
    ...(AUTHENTEQ_AUTHORIZATION_URL ? { authorizationURL: AUTHENTEQ_AUTHORIZATION_URL } : {}),
    ...(AUTHENTEQ_TOKEN_URL ? { tokenURL: AUTHENTEQ_TOKEN_URL } : {}),
    ...(AUTHENTEQ_DETAILS_URL ? { detailsURL: AUTHENTEQ_DETAILS_URL } : {}),
  };
} else if ([...real, ...urls].some((value) => value)) {
  console.error(
    'Set all of AUTHENTEQ_CLIENT_ID, AUTHENTEQ_CLIENT_SECRET and AUTHENTEQ_CALLBACK_URL to use the real Authenteq ' +
      '(and AUTHENTEQ_AUTHORIZATION_URL, AUTHENTEQ_TOKEN_URL, AUTHENTEQ_DETAILS_URL to point it elsewhere), or none ' +
      'for the sandbox.',
  );
  process.exit(2);
} else {
  const sandboxPort = Number(process.env.SANDBOX_PORT ?? 0);
  sandbox = await startSandbox({ port: sandboxPort }).catch((error) =>
    cannotListen(error, sandboxPort, 'SANDBOX_PORT'),
  );
  const callbackURL = `http://127.0.0.1:${port}/auth/authenteq/callback`;
  sandbox.authenteq.registerRedirectURI(callbackURL);
  authenteq = { ...sandbox.authenteq, callbackURL };
}

// With REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), sessions and OAuth states live in Redis, so
// several instances can serve the app (give them all the same SESSION_SECRET and AUTHENTEQ_CALLBACK_URL). A Redis
// that cannot be reached stops the start with one line saying what to set.
const redis = await redisFromEnv();
const stores: Pick<SignUpAppOptions, 'store' | 'sessionStore'> = redis?.stores('signup') ?? {};

const { app } = createApp({
  authenteq,
  sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
  ...stores,
  ...(sandbox ? { clock: sandbox.clock } : {}),
});
const server = app.listen(port, '127.0.0.1', (error?: Error) => {
  // Express 5 hands a listen error (a taken port) to this callback: then only that is said.
  if (error) cannotListen(error, port, 'PORT');
  const origin = sandbox ? `http://127.0.0.1:${port}` : new URL(authenteq.callbackURL).origin;
  console.log(`Sign-up-with-a-verified-ID example: ${origin}`);
  console.log(
    sandbox
      ? `Authenteq: the local sandbox at ${sandbox.authenteq.authorizationURL}`
      : `Authenteq: ${authenteq.authorizationURL ?? 'https://identity.authenteq.com/authorize'}`,
  );
  console.log(`Sessions and OAuth states: ${redis?.description ?? 'in memory'}`);
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
