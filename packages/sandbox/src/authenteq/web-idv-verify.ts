import { randomBytes } from 'node:crypto';
import type { Context } from '../router.js';
import { PLACEHOLDER_JPEG } from './identities.js';
import { single } from './web-idv-api.js';
import type { AuthenteqWebIdvResult } from './web-idv-identities.js';
import { verifyErrorPage, verifyPage } from './web-idv-pages.js';
import { withCode } from './web-idv-redirect.js';
import type { Verification, WebIdvState } from './web-idv-state.js';

/** `2026-04-10T11:44:40Z`: ISO 8601 in UTC without fractions, as in the documented examples. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The verification page a person uses (`verify?token=`), standing in for Authenteq's identity server: choose a test
 * identity (passed: back with a code, and the webhook), cancel or fail (back without a code).
 */
export function mountWebIdvVerify(state: WebIdvState): void {
  const { env, prefix } = state;

  /** The verification behind a page's token, or an error page (never a redirect: the link is not trusted). */
  const open = (ctx: Context, token: string | null | undefined): Verification | undefined => {
    const verification = token ? state.verifications.get(token) : undefined;
    ctx.res.setHeader('referrer-policy', 'no-referrer'); // the token is in the page's URL
    if (!verification || verification.expiresAt <= env.clock.now()) {
      ctx.html(
        400,
        verifyErrorPage(
          'This link does not work',
          'This verification link is not valid or has expired. Go back to the site and start again.',
          verification?.redirectUrl,
        ),
      );
      return undefined;
    }
    if (verification.outcome !== 'open') {
      ctx.html(
        400,
        verifyErrorPage(
          'This verification has ended',
          'This verification has already ended. Go back to the site and start again.',
          verification.redirectUrl,
        ),
      );
      return undefined;
    }
    return verification;
  };

  env.router.add('GET', `${prefix}/verify`, 'authenteq.web_idv_verify', (ctx) => {
    const token = single(ctx.url.searchParams, 'token');
    const verification = open(ctx, token);
    if (!verification || !token) return;
    ctx.html(200, verifyPage({ ...verification, action: `${state.baseURL}/verify`, identities: state.identities() }));
  });

  env.router.add('POST', `${prefix}/verify`, 'authenteq.web_idv_verify_submit', async (ctx) => {
    const form = await ctx.form();
    const verification = open(ctx, single(form, 'token'));
    if (!verification) return;
    const choice = form.get('choice') ?? '';
    if (choice === 'cancel' || choice === 'fail') {
      // Documented: a cancelled or failed verification returns to redirectUrl without a code.
      verification.outcome = choice === 'cancel' ? 'cancelled' : 'failed';
      ctx.redirect(verification.redirectUrl);
      return;
    }
    const identity = state.identities().find((candidate) => candidate.id === choice);
    if (!identity) {
      ctx.html(400, verifyErrorPage('Unknown choice', 'Choose one of the test identities on the page.'));
      return;
    }
    const now = env.clock.now();
    const result: AuthenteqWebIdvResult = {
      id: verification.id,
      status: 'PASSED',
      platform: 'WEB',
      startTime: isoSeconds(verification.startedAt),
      endTime: isoSeconds(now),
      livenessFaceImage: { contentType: 'image/jpeg', content: PLACEHOLDER_JPEG },
      documentData: identity.documentData,
      nfcVerified: identity.nfcVerified,
    };
    verification.outcome = 'passed';
    state.results.set(result.id, { client: verification.client, result });
    const code = randomBytes(20).toString('hex');
    state.codes.set(code, {
      verificationId: result.id,
      client: verification.client,
      redirectUrl: verification.redirectUrl,
      expiresAt: now + state.codeTTLMs,
      used: false,
    });
    state.webhooks.passed(verification.client, result);
    ctx.redirect(withCode(verification.redirectUrl, code));
  });
}
