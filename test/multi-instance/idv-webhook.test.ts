import type http from 'node:http';
import type { IdvSessionDetails } from '@passport-idv/ephemeral-session';
import { IDV_WEBHOOK_RETRY_DELAYS, type Sandbox, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handoffApp } from '../support/index.js';
import { inProcessInstances } from './in-process.js';
import { waitFor } from './wait.js';

// The IDV webhook on two app instances behind one URL: each has its own Redis connection and RedisStore on one
// Redis, as two processes would; the platform (the sandbox) delivers to either. Whatever instance a delivery or its
// repeat reaches, the app is handed each session and status once.
const redisURL = process.env.REDIS_URL;
if (!redisURL) throw new Error('REDIS_URL is not set: run with REDIS_URL=redis://127.0.0.1:6379 (npm run test:redis)');

const instances = inProcessInstances(redisURL);
let sandbox: Sandbox;

interface Instance {
  name: string;
  url: string;
  app: http.RequestListener;
  /** Makes the instance's next `onSession` calls throw. */
  failNext(times: number): void;
}

/** Everything any instance handed over, with the instance that did. */
const handed: { instance: string; session: IdvSessionDetails }[] = [];
let A: Instance;
let B: Instance;

async function instance(name: string): Promise<Instance> {
  const store = await instances.store();
  let failures = 0;
  const { app } = handoffApp(
    sandbox,
    { store },
    {
      store,
      onSession: async (session) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error(`instance ${name} fails on purpose`);
        }
        handed.push({ instance: name, session });
      },
    },
  );
  const url = await instances.listen(app);
  return {
    name,
    url,
    app,
    failNext: (times) => {
      failures = times;
    },
  };
}

/** A session of `user`, started through instance A. */
async function started(user: string): Promise<string> {
  const agent = supertest.agent(A.app);
  await agent.post(`/login/${user}`).expect(204);
  return (await agent.post('/verify/handoff').expect(201)).body.sessionId as string;
}

const deliver = (to: Instance, sessionId: string) => supertest(to.app).post('/webhooks/idv').send({ sessionId });
const handedFor = (sessionId: string) =>
  handed.filter((h) => h.session.id === sessionId).map((h) => [h.instance, h.session.state]);

beforeAll(async () => {
  sandbox = await startSandbox();
  A = await instance('A');
  B = await instance('B');
});

afterAll(async () => {
  await sandbox?.close();
  await instances.close();
});

beforeEach(() => {
  sandbox.idv.setWebhook(undefined);
  sandbox.faults.clear();
});

describe('the IDV webhook on two instances sharing one Redis', () => {
  it('hands a delivery over once, whichever instance its repeats reach; the next status is handed over', async () => {
    const sessionId = await started('user-1');
    sandbox.idv.setWebhook(`${A.url}/webhooks/idv`);
    sandbox.idv.completeCapture(sessionId, ['document']);
    await sandbox.idv.flushWebhooks();
    for (const to of [B, A, B]) await deliver(to, sessionId).expect(200);
    expect(handedFor(sessionId)).toEqual([['A', 'document_sent']]);
    // The platform now reaches the other instance: the next status is handed over there, once.
    sandbox.idv.setWebhook(`${B.url}/webhooks/idv`);
    sandbox.idv.completeCapture(sessionId);
    await sandbox.idv.flushWebhooks();
    await deliver(A, sessionId).expect(200);
    expect(handedFor(sessionId)).toEqual([
      ['A', 'document_sent'],
      ['B', 'finished'],
    ]);
  });

  it('hands 40 concurrent deliveries of one session and status, spread over both, over once', async () => {
    const sessionId = await started('user-2');
    sandbox.idv.failSession(sessionId);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => deliver(i % 2 ? A : B, sessionId)));
    expect(answers.every((res) => res.status === 200 || res.status === 409)).toBe(true);
    expect(handedFor(sessionId)).toHaveLength(1);
    expect(handedFor(sessionId)[0]?.[1]).toBe('failed');
  });

  it('when one instance fails to handle a delivery, a retry through the other hands it over, and only once', async () => {
    const sessionId = await started('user-3');
    A.failNext(1);
    sandbox.idv.setWebhook(`${A.url}/webhooks/idv`);
    sandbox.idv.failSession(sessionId);
    await sandbox.idv.flushWebhooks();
    expect(handedFor(sessionId)).toEqual([]);
    const delivery = sandbox.idv.webhookDeliveries().length - 1;
    expect(sandbox.idv.webhookDeliveries()[delivery]).toMatchObject({ outcome: 'pending', answers: [500] });
    // A repeat of the same event reaches B (a load balancer's choice): A freed the delivery, so B hands it over.
    await deliver(B, sessionId).expect(200);
    expect(handedFor(sessionId)).toEqual([['B', 'failed']]);
    // The platform's own retry comes due on its clock (no flush: the sandbox's tick sends it) and hands nothing more.
    sandbox.clock.advance(IDV_WEBHOOK_RETRY_DELAYS[0]);
    await waitFor(() => sandbox.idv.webhookDeliveries()[delivery]?.outcome === 'delivered', {
      what: 'the platform to retry the webhook',
    });
    expect(sandbox.idv.webhookDeliveries()[delivery]?.answers).toEqual([500, 200]);
    expect(handedFor(sessionId)).toEqual([['B', 'failed']]);
  });
});
