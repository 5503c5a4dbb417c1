import { randomBytes } from 'node:crypto';
import { redisFromEnv } from '@passport-idv/example-redis-setup';
import { startSandbox } from '@passport-idv/sandbox';
import { createApp, type SignUpAppOptions } from './app.js';

// Runs the example alone, with Authenteq Web IDV (the current generation) or, with AUTHENTEQ_FLOW=web-kyc, Web KYC
// (the one before): against the real Authenteq when AUTHENTEQ_CLIENT_ID, AUTHENTEQ_CLIENT_SECRET and
// AUTHENTEQ_CALLBACK_URL are set, otherwise against an embedded sandbox with this app's callback (and, for Web IDV,
// its webhook) registered. In real mode AUTHENTEQ_WEB_IDV_BASE_URL (Web IDV) or AUTHENTEQ_AUTHORIZATION_URL,
// AUTHENTEQ_TOKEN_URL and AUTHENTEQ_DETAILS_URL (Web KYC) point it elsewhere (default: the production URLs).
const port = Number(process.env.PORT ?? 3001);
const flow = process.env.AUTHENTEQ_FLOW || 'web-idv';
if (flow !== 'web-idv' && flow !== 'web-kyc') {
  console.error(`AUTHENTEQ_FLOW must be web-idv (the default) or web-kyc, not ${JSON.stringify(flow)}.`);
  process.exit(2);
}
const { AUTHENTEQ_CLIENT_ID, AUTHENTEQ_CLIENT_SECRET, AUTHENTEQ_CALLBACK_URL } = process.env;
const real = [AUTHENTEQ_CLIENT_ID, AUTHENTEQ_CLIENT_SECRET, AUTHENTEQ_CALLBACK_URL];
const { AUTHENTEQ_WEB_IDV_BASE_URL, AUTHENTEQ_FLOW_SLUG } = process.env;
const { AUTHENTEQ_AUTHORIZATION_URL, AUTHENTEQ_TOKEN_URL, AUTHENTEQ_DETAILS_URL } = process.env;
const urls =
  flow === 'web-idv'
    ? [AUTHENTEQ_WEB_IDV_BASE_URL, AUTHENTEQ_FLOW_SLUG]
    : [AUTHENTEQ_AUTHORIZATION_URL, AUTHENTEQ_TOKEN_URL, AUTHENTEQ_DETAILS_URL];

let authenteq: SignUpAppOptions['authenteq'];
let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
if (real.every((value) => value)) {
  authenteq = {
    flow,
    clientID: AUTHENTEQ_CLIENT_ID!,
    clientSecret: AUTHENTEQ_CLIENT_SECRET!,
    callbackURL: AUTHENTEQ_CALLBACK_URL!,
    ...(flow === 'web-idv'
      ? {
          ...(AUTHENTEQ_WEB_IDV_BASE_URL ? { baseURL: AUTHENTEQ_WEB_IDV_BASE_URL } : {}),
          ...(AUTHENTEQ_FLOW_SLUG ? { flowSlug: AUTHENTEQ_FLOW_SLUG } : {}),
        }
      : {
          ...(AUTHENTEQ_AUTHORIZATION_URL ? { authorizationURL: AUTHENTEQ_AUTHORIZATION_URL } : {}),
          ...(AUTHENTEQ_TOKEN_URL ? { tokenURL: AUTHENTEQ_TOKEN_URL } : {}),
          ...(AUTHENTEQ_DETAILS_URL ? { detailsURL: AUTHENTEQ_DETAILS_URL } : {}),
        }),
  };
} else if ([...real, ...urls].some((value) => value)) {
  console.error(
    'Set all of AUTHENTEQ_CLIENT_ID, AUTHENTEQ_CLIENT_SECRET and AUTHENTEQ_CALLBACK_URL to use the real Authenteq ' +
      (flow === 'web-idv'
        ? '(and AUTHENTEQ_WEB_IDV_BASE_URL, AUTHENTEQ_FLOW_SLUG to point it elsewhere), '
        : '(and AUTHENTEQ_AUTHORIZATION_URL, AUTHENTEQ_TOKEN_URL, AUTHENTEQ_DETAILS_URL to point it elsewhere), ') +
      'or none for the sandbox.',
  );
  process.exit(2);
} else {
  const sandboxPort = Number(process.env.SANDBOX_PORT ?? 0);
  sandbox = await startSandbox({ port: sandboxPort }).catch((error) =>
    cannotListen(error, sandboxPort, 'SANDBOX_PORT'),
  );
  const callbackURL = `http://127.0.0.1:${port}/auth/authenteq/callback`;
  if (flow === 'web-idv') {
    sandbox.authenteqWebIdv.registerRedirectURL(callbackURL);
    sandbox.authenteqWebIdv.setWebhookURL(`http://127.0.0.1:${port}/webhooks/authenteq`);
    authenteq = { ...sandbox.authenteqWebIdv, callbackURL };
  } else {
    sandbox.authenteq.registerRedirectURI(callbackURL);
    authenteq = { flow, ...sandbox.authenteq, callbackURL };
  }
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
  const where =
    flow === 'web-idv'
      ? (authenteq.baseURL ?? 'https://api.app.authenteq.com')
      : (authenteq.authorizationURL ?? 'https://identity.authenteq.com/authorize');
  const generation = flow === 'web-idv' ? 'Authenteq Web IDV' : 'Authenteq Web KYC';
  console.log(`${generation}: ${sandbox ? `the local sandbox at ${where}` : where}`);
  if (flow === 'web-idv') console.log(`Authenteq webhook: ${new URL('/webhooks/authenteq', origin).href}`);
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
