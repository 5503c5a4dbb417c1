import { randomBytes } from 'node:crypto';
import { redisFromEnv } from '@passport-idv/example-redis-setup';
import { startSandbox } from '@passport-idv/sandbox';
import { createApp, type MobileHandoffAppOptions } from './app.js';

// Runs the example alone: against the real platform when IDV_HOST, IDV_API_KEY and IDV_WORKFLOW_ID are set,
// otherwise against an embedded sandbox.
const port = Number(process.env.PORT ?? 3003);
const { IDV_HOST, IDV_API_KEY, IDV_WORKFLOW_ID } = process.env;
const real = [IDV_HOST, IDV_API_KEY, IDV_WORKFLOW_ID];

let idv: MobileHandoffAppOptions['idv'];
let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
if (real.every((value) => value)) {
  idv = {
    host: IDV_HOST!,
    apiKey: IDV_API_KEY!,
    workflowId: IDV_WORKFLOW_ID!,
    ...(process.env.IDV_WEBHOOK_SECRET ? { webhookSecret: process.env.IDV_WEBHOOK_SECRET } : {}),
  };
} else if (real.some((value) => value)) {
  console.error(
    'Set all of IDV_HOST, IDV_API_KEY and IDV_WORKFLOW_ID to use a real IDV platform, or none for the sandbox.',
  );
  process.exit(2);
} else {
  const sandboxPort = Number(process.env.SANDBOX_PORT ?? 0);
  sandbox = await startSandbox({ port: sandboxPort }).catch((error) =>
    cannotListen(error, sandboxPort, 'SANDBOX_PORT'),
  );
  // The sandbox delivers its webhook to this app, with a secret of this start.
  const webhookSecret = randomBytes(32).toString('base64url');
  sandbox.idv.setWebhook(`http://127.0.0.1:${port}/webhooks/idv`, { secret: webhookSecret });
  idv = { ...sandbox.idv, webhookSecret };
}

// With REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), sessions and reusable handoffs live in Redis,
// so several instances can serve the app. A Redis that cannot be reached stops the start with one line.
const redis = await redisFromEnv();
const stores: Pick<MobileHandoffAppOptions, 'store' | 'sessionStore'> = redis?.stores('mobile-handoff') ?? {};

const { app } = createApp({
  idv,
  sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
  ...stores,
  ...(sandbox ? { clock: sandbox.clock } : {}),
});
const server = app.listen(port, '127.0.0.1', (error?: Error) => {
  // Express 5 hands a listen error (a taken port) to this callback: then only that is said.
  if (error) cannotListen(error, port, 'PORT');
  console.log(`Continue-on-your-phone example: http://127.0.0.1:${port}`);
  console.log(sandbox ? `IDV platform: the local sandbox at ${sandbox.idv.host}` : `IDV platform: ${idv.host}`);
  console.log(`Sessions and handoff reuse: ${redis?.description ?? 'in memory'}`);
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
