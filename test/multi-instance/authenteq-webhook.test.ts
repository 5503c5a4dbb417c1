import { AuthenteqWebIdvClient, type AuthenteqWebIdvResult, authenteqWebhook } from '@passport-idv/authenteq';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inProcessInstances } from './in-process.js';
import { waitFor } from './wait.js';

// Authenteq's Web IDV webhook on two app instances behind one URL: each has its own Redis connection and RedisStore
// on one Redis, as two processes would; Authenteq (the sandbox) delivers to either. Whatever instance a delivery or
// its repeat reaches, the app is handed each verification once.
const redisURL = process.env.REDIS_URL;
if (!redisURL) throw new Error('REDIS_URL is not set: run with REDIS_URL=redis://127.0.0.1:6379 (npm run test:redis)');

const REDIRECT = 'http://app.test/auth/idv/callback';
const HOUR = 60 * 60_000;
const instances = inProcessInstances(redisURL);
let sandbox: Sandbox;

interface Instance {
  name: string;
  url: string;
  app: express.Express;
  /** Makes the instance's next `onResult` calls throw. */
  failNext(times: number): void;
}

/** Everything any instance handed over, with the instance that did. */
const handed: { instance: string; result: AuthenteqWebIdvResult }[] = [];
let A: Instance;
let B: Instance;

async function instance(name: string): Promise<Instance> {
  const store = await instances.store();
  let failures = 0;
  const app = express();
  app.post(
    '/webhooks/authenteq',
    authenteqWebhook({
      clientID: sandbox.authenteqWebIdv.clientID,
      clientSecret: sandbox.authenteqWebIdv.clientSecret,
      store,
      clock: sandbox.clock,
      onResult: async (result) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error(`instance ${name} fails on purpose`);
        }
        handed.push({ instance: name, result });
      },
    }),
  );
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'ERR_APP' });
  });
  const origin = await instances.listen(app);
  return {
    name,
    url: `${origin}/webhooks/authenteq`,
    app,
    failNext: (times) => {
      failures = times;
    },
  };
}

/** Passes a verification, lets its webhook be answered, and returns its id. */
async function verified(): Promise<string> {
  const client = new AuthenteqWebIdvClient(sandbox.authenteqWebIdv);
  await sandbox.authenteqWebIdv.complete(await client.getVerificationURL(REDIRECT), 'adult');
  await sandbox.authenteqWebIdv.webhooks.idle();
  return sandbox.authenteqWebIdv.verifications.at(-1)!.id;
}

/** The delivery the sandbox made, sent again to `to` (a repeat reaching another instance). */
function redeliver(to: Instance, id: string) {
  const delivery = sandbox.authenteqWebIdv.webhooks.deliveries.find((d) => d.verificationId === id)!;
  return supertest(to.app).post('/webhooks/authenteq').set(delivery.headers).send(delivery.body);
}

const handedFor = (id: string) => handed.filter((h) => h.result.id === id).map((h) => h.instance);
const statuses = (id: string) =>
  sandbox.authenteqWebIdv.webhooks.deliveries.filter((d) => d.verificationId === id).map((d) => d.status);

beforeAll(async () => {
  sandbox = await startSandbox({ authenteqWebIdv: { redirectURLs: [REDIRECT] } });
  A = await instance('A');
  B = await instance('B');
});

afterAll(async () => {
  await sandbox?.close();
  await instances.close();
});

beforeEach(() => {
  sandbox.clock.reset();
  sandbox.authenteqWebIdv.webhooks.clear();
});

describe('the Authenteq webhook on two instances sharing one Redis', () => {
  it('hands a delivery over once, whichever instance its repeats (resends, replays) reach', async () => {
    sandbox.authenteqWebIdv.setWebhookURL(A.url);
    const id = await verified();
    sandbox.authenteqWebIdv.setWebhookURL(B.url);
    expect((await sandbox.authenteqWebIdv.webhooks.resend(id)).status).toBe(200);
    for (const to of [A, B]) expect((await redeliver(to, id)).status).toBe(200);
    expect(statuses(id)).toEqual([200, 200]);
    expect(handedFor(id)).toEqual(['A']);
  });

  it('a new verification delivered 40 times at once, to both instances, is handed over once', async () => {
    sandbox.authenteqWebIdv.setWebhookURL(undefined);
    const id = await verified();
    // A signed delivery to copy, sent where nobody hands anything over (the sandbox's own 404).
    sandbox.authenteqWebIdv.setWebhookURL(`${sandbox.url}/nowhere`);
    await sandbox.authenteqWebIdv.webhooks.resend(id);
    sandbox.authenteqWebIdv.setWebhookURL(undefined);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => redeliver(i % 2 ? A : B, id)));
    expect(answers.every((res) => res.status === 200 || res.status === 409)).toBe(true);
    expect(answers.filter((res) => res.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(handedFor(id)).toHaveLength(1);
  });

  it('when one instance fails to handle a delivery, the retry an hour later reaches the other and hands it over', async () => {
    A.failNext(1);
    sandbox.authenteqWebIdv.setWebhookURL(A.url);
    const id = await verified();
    expect(statuses(id)).toEqual([500]);
    expect(handedFor(id)).toEqual([]);
    // The load balancer sends the retry to B; Authenteq's clock moves an hour (no flush: the sandbox sends it).
    sandbox.authenteqWebIdv.setWebhookURL(B.url);
    sandbox.clock.advance(HOUR);
    await waitFor(() => statuses(id).length === 2, { what: 'the provider to retry the webhook' });
    await sandbox.authenteqWebIdv.webhooks.idle();
    expect(statuses(id)).toEqual([500, 200]);
    expect(handedFor(id)).toEqual(['B']);
    // A later repeat to A hands nothing more.
    expect((await redeliver(A, id)).status).toBe(200);
    expect(handedFor(id)).toEqual(['B']);
  });
});
