// packages/ephemeral-session/README.md, "Example" and "IdvClient".
import { buildHandoffUrl, ephemeralSession, IdvClient } from '@passport-idv/ephemeral-session';
import express from 'express';
import { ensureLoggedIn } from './app-types.js';

declare function renderPage(handoffUrl: string, expiresAt: string): string;

const app = express();
app.post(
  '/verify/handoff',
  ensureLoggedIn,
  ephemeralSession({
    host: 'https://idv.example.com', // https://<IDV_HOST>
    apiKey: process.env.IDV_API_KEY!, // permission "Ephemeral Devices:Write"
    workflowId: process.env.IDV_WORKFLOW_ID!,
    ttl: 3600,
    metadata: (req) => ({ externalUserId: req.user!.id }), // server side only
  }),
);

const host = 'https://idv.example.com';
const apiKey = process.env.IDV_API_KEY!;
const workflowId = process.env.IDV_WORKFLOW_ID!;
const handoff = ephemeralSession({ host, apiKey, workflowId });
app.post('/verify/phone', ensureLoggedIn, async (req, res) => {
  const { handoffUrl, expiresAt } = await handoff.start(req);
  res.send(renderPage(handoffUrl, expiresAt));
});

const client = new IdvClient({ host, apiKey, timeout: 10_000 });
const token = await client.createEphemeralToken(3600);
const started = await client.startSession(token, workflowId, { externalUserId: 'u-1' });
client.handoffUrl(token, started.id);
buildHandoffUrl('https://idv.example.com', 'Token abc', 's-1');

// packages/ephemeral-session/README.md, "Learning the result" and "IdvClient" (deeplink, getSession).
import type { Store } from '@passport-idv/core';
import { idvWebhook, isFinalState } from '@passport-idv/ephemeral-session';

declare const store: Store;
declare const verified: { markVerified(userId: string, sessionId: string): Promise<void> };
declare function showOutcome(verified: boolean): void;

const results = ephemeralSession({ host, apiKey, workflowId, start: 'deeplink', store });
app.post(
  '/webhooks/idv',
  idvWebhook({
    client: results.client,
    store,
    secret: process.env.IDV_WEBHOOK_SECRET,
    onSession: async ({ id, state, externalUserId }) => {
      if (state === 'finished' && externalUserId) await verified.markVerified(externalUserId, id);
    },
  }),
);
app.use(express.json());
const { state } = await results.client.getSession(started.id);
if (isFinalState(state)) showOutcome(state === 'finished');
const link = await client.createDeeplink(workflowId, { externalUserId: 'u-1' }, { ttl: 3600, locale: 'en-us' });
link.sessionId satisfies string;
