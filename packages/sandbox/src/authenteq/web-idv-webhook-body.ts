import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { AuthenteqWebIdvResult } from './web-idv-identities.js';

/**
 * How `X-SIGNATURE` is computed from the raw body and the client secret. Authenteq documents "the hex-encoded SHA256
 * digest of the request body and your Client Secret", which does not say whether that is a plain digest or an HMAC,
 * nor the order. `'sha256-body-secret'` (the default) is the literal reading, `SHA-256(body ‖ secret)`;
 * `'sha256-secret-body'` is `SHA-256(secret ‖ body)`; `'hmac-sha256'` is `HMAC-SHA256(key = secret, body)`. Always
 * lowercase hex.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox({ authenteqWebIdv: { webhookSignature: 'hmac-sha256' } });
 * ```
 */
export type AuthenteqWebhookSignature = 'sha256-body-secret' | 'sha256-secret-body' | 'hmac-sha256';

export const WEBHOOK_SIGNATURES: readonly AuthenteqWebhookSignature[] = [
  'sha256-body-secret',
  'sha256-secret-body',
  'hmac-sha256',
];

/**
 * `X-SIGNATURE` of a webhook body, as the sandbox signs it.
 *
 * @example
 * ```ts
 * const [delivery] = sandbox.authenteqWebIdv.webhooks.deliveries;
 * signWebhook(delivery.body, sandbox.authenteqWebIdv.clientSecret); // === delivery.headers['x-signature']
 * ```
 */
export function signWebhook(
  body: Uint8Array,
  clientSecret: string,
  variant: AuthenteqWebhookSignature = 'sha256-body-secret',
): string {
  const secret = Buffer.from(clientSecret, 'utf8');
  if (variant === 'hmac-sha256') return createHmac('sha256', secret).update(body).digest('hex');
  const hash = createHash('sha256');
  if (variant === 'sha256-secret-body') hash.update(secret).update(body);
  else hash.update(body).update(secret);
  return hash.digest('hex');
}

/** A passed verification, as the webhook carries it: the result without its images, and the images as parts. */
export function webhookBody(result: AuthenteqWebIdvResult): { contentType: string; body: Buffer } {
  const { livenessFaceImage, documentData, ...rest } = result;
  const { croppedFrontImage, croppedBackImage, faceImage, ...data } = documentData;
  const boundary = `AuthenteqSandbox${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="result"\r\n\r\n${JSON.stringify({ ...rest, documentData: data })}\r\n`,
    ),
  ];
  // Inferred: the parts' encoding is not documented; the sandbox sends raw JPEG bytes with a content type and a name.
  const images = { croppedFrontImage, croppedBackImage, faceImage, livenessFaceImage };
  for (const [name, image] of Object.entries(images)) {
    if (!image) continue;
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.jpg"\r\n` +
          `Content-Type: ${image.contentType}\r\n\r\n`,
      ),
      Buffer.from(image.content, 'base64'),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}
