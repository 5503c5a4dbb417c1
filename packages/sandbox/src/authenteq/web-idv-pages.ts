import { escapeHtml, page } from '../html.js';
import { backLink, identityButtons } from './page-parts.js';
import type { AuthenteqWebIdvIdentity } from './web-idv-identities.js';

const PROVIDER = 'Authenteq Web IDV';

/** What the verification page shows about the verification it serves. */
export interface VerifyPageInput {
  token: string;
  action: string;
  redirectUrl: string;
  flowSlug: string | undefined;
  multiDocument: boolean;
  identities: AuthenteqWebIdvIdentity[];
}

/** The verification: pick a test identity, or cancel, or fail the check; each choice posts the token back with it. */
export function verifyPage(input: VerifyPageInput): string {
  const choices = identityButtons('choice', input.identities);
  const flow = [
    input.flowSlug === undefined ? 'the default flow' : `flow <code>${escapeHtml(input.flowSlug)}</code>`,
    input.multiDocument ? 'multi-document flow on' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return page(
    'Verify your identity',
    PROVIDER,
    `<h1>Verify your identity</h1>
<p>The real service would now run a liveness check, scan an identity document and check that both show the same
person. Here you choose the outcome: pick a test identity to pass the verification and be sent back to
<code>${escapeHtml(input.redirectUrl)}</code> with a one-time code, or cancel, or fail the check (both go back
without a code).</p>
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="token" value="${escapeHtml(input.token)}">
${choices}
<button class="secondary" type="submit" name="choice" value="fail">The check fails (document or face not accepted)</button>
<button class="secondary" type="submit" name="choice" value="cancel">Cancel the verification</button>
</form>
${backLink(input.redirectUrl)}
<p class="muted">Requested with ${flow}.</p>`,
  );
}

/** A page for a link the sandbox cannot serve (unknown, expired or finished), with a way back when it knows one. */
export function verifyErrorPage(title: string, message: string, redirectUrl?: string): string {
  return page(
    title,
    PROVIDER,
    `<h1>${escapeHtml(title)}</h1>
<p class="error">${escapeHtml(message)}</p>
${redirectUrl === undefined ? '' : backLink(redirectUrl)}`,
  );
}
