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
