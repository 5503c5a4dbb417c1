import {
  type AuthenteqWebhookOptions,
  AuthenteqWebIdvClient,
  type AuthenteqWebIdvClientOptions,
  type AuthenteqWebIdvResult,
  authenteqWebhook,
  toWebIdvVerifiedIdentity,
} from '@passport-idv/authenteq';
import type { Sandbox } from '@passport-idv/sandbox';
import express from 'express';
import session from 'express-session';
import { jsonErrors } from './errors.js';

/** The redirect URL the Web IDV test apps use; register it with `startSandbox({ authenteqWebIdv: { redirectURLs } })`. */
export const WEB_IDV_CALLBACK_URL = 'http://app.test/auth/idv/callback';

/**
 * A real Express 5 app with express-session on `AuthenteqWebIdvClient` and `authenteqWebhook()` against the sandbox.
 * It drives the two Web IDV calls by hand, with no state of its own (for the calls' faults and secrets); the sign-up
 * through `AuthenteqWebIdvStrategy` is `webIdvStrategyApp` (authenteq-app.ts).
 *
 * - `POST /webhooks/authenteq` → the webhook, before any body parser; what it hands over is pushed to `handed`;
 * - `GET /auth/idv` → 302 to the `verificationUrl`, or `{error}` with the error's status;
 * - `GET /auth/idv/callback?code=` → 200 `{verified: <profile id>}` (kept in the session), 403 `{failure: 'code_missing'}`
 *   without a code, or `{error}` with the error's status;
 * - `GET /me` → `{verified}`, `null` when nothing was verified in this session.
 *
 * @example
 * ```ts
 * const { app, handed } = webIdvApp(sandbox, { timeout: 300 });
 * const start = await supertest.agent(app).get('/auth/idv');
 * ```
 */
export function webIdvApp(
  sandbox: Sandbox,
  options: Partial<AuthenteqWebIdvClientOptions> = {},
  webhook: Partial<AuthenteqWebhookOptions> = {},
) {
  const client = new AuthenteqWebIdvClient({ ...sandbox.authenteqWebIdv, ...options });
  const handed: AuthenteqWebIdvResult[] = [];
  const app = express();
  app.post(
    '/webhooks/authenteq',
    authenteqWebhook({
      clientID: sandbox.authenteqWebIdv.clientID,
      clientSecret: sandbox.authenteqWebIdv.clientSecret,
      clock: sandbox.clock,
      onResult: (result) => {
        handed.push(result);
      },
      ...webhook,
    }),
  );
  app.use(session({ secret: 'attack-suite-session-secret', resave: false, saveUninitialized: false }));
  app.get('/auth/idv', async (_req, res) => {
    res.redirect(await client.getVerificationURL(WEB_IDV_CALLBACK_URL));
  });
  app.get('/auth/idv/callback', async (req, res) => {
    const { code } = req.query;
    if (typeof code !== 'string' || code === '') {
      res.status(403).json({ failure: 'code_missing' });
      return;
    }
    const profile = toWebIdvVerifiedIdentity(await client.getVerificationResult(WEB_IDV_CALLBACK_URL, code), false);
    (req.session as unknown as { verified?: string }).verified = profile.id;
    res.json({ verified: profile.id });
  });
  app.get('/me', (req, res) =>
    res.json({ verified: (req.session as unknown as { verified?: string }).verified ?? null }),
  );
  app.use(jsonErrors);
  return { app, client, handed };
}
