// packages/authenteq/README.md, "Web IDV: the client and the webhook".
import {
  AuthenteqWebIdvClient,
  type AuthenteqWebIdvDocumentData,
  AuthenteqWebIdvError,
  authenteqWebhook,
  toWebIdvVerifiedIdentity,
  type VerifiedIdentity,
} from '@passport-idv/authenteq';
import { RedisStore } from '@passport-idv/redis';
import express from 'express';
import { createClient } from 'redis';

declare const state: string;
declare const code: string;
declare const res: express.Response;
declare const verifications: { confirm(id: string, document: AuthenteqWebIdvDocumentData): Promise<void> };

const idv = new AuthenteqWebIdvClient({
  clientID: process.env.AUTHENTEQ_CLIENT_ID!,
  clientSecret: process.env.AUTHENTEQ_CLIENT_SECRET!,
});
// Your own one-time value in the query is kept by Authenteq, which adds &code=… beside it.
const redirectUrl = `https://app.example/auth/idv/callback?state=${state}`;
res.redirect(await idv.getVerificationURL(redirectUrl));
// … on the callback, after checking your state: the very same redirectUrl, and the code
const result = await idv.getVerificationResult(redirectUrl, code);
const profile: VerifiedIdentity<AuthenteqWebIdvDocumentData> = toWebIdvVerifiedIdentity(result, false);
const expiry: string | undefined = profile.document.dateOfExpiry;
const verificationId: string | undefined = profile.verificationId;
console.log(expiry, verificationId, (await idv.exportVerificationResult(result.id)).status);
try {
  await idv.getVerificationResult(redirectUrl, code);
} catch (error) {
  if (error instanceof AuthenteqWebIdvError) console.log(error.errorCode, error.upstreamStatus);
}

const client = createClient();
const app = express();
app.post(
  '/webhooks/authenteq',
  authenteqWebhook({
    clientID: process.env.AUTHENTEQ_CLIENT_ID!,
    clientSecret: process.env.AUTHENTEQ_CLIENT_SECRET!,
    store: new RedisStore({ client }), // several instances: one store for all
    onResult: async (result, images) => {
      await verifications.confirm(result.id, result.documentData); // images.livenessFaceImage is a Buffer
      const face: Buffer | undefined = images.livenessFaceImage;
      console.log(face?.length);
    },
  }),
);
app.use(express.json()); // body parsers after it
authenteqWebhook({ clientID: 'c', clientSecret: 's', onResult: () => {}, signature: 'hmac-sha256' });
