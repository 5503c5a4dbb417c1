import { escapeHtml, page } from '../html.js';
import type { AuthorizeRequest } from './authorize.js';
import type { AuthenteqIdentity } from './identities.js';
import { backLink, identityButtons } from './page-parts.js';

const PROVIDER = 'Authenteq Web KYC';

/** The identity check: pick a test identity (or cancel); each choice posts the request back with it. */
export function authorizePage(request: AuthorizeRequest, action: string, identities: AuthenteqIdentity[]): string {
  const hidden = [
    ['response_type', 'code'],
    ['client_id', request.clientId],
    ['redirect_uri', request.redirectUri],
    ['scope', request.scope],
    ['state', request.state],
    ...(request.backUrl === undefined ? [] : [['back_url', request.backUrl]]),
  ]
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const choices = identityButtons('identity', identities);
  // The way back: the app's back_url when it gave one, else the origin of its (registered) redirect URI.
  let back = backLink(request.redirectUri);
  if (request.backUrl !== undefined && /^https?:\/\//i.test(request.backUrl)) {
    back = `<p><a href="${escapeHtml(request.backUrl)}">Back to the site</a></p>`;
  }
  return page(
    'Verify your identity',
    PROVIDER,
    `<h1>Verify your identity</h1>
<p>The real service would now run a liveness test, scan an identity document and check that both show the same
person. Here you choose the outcome: pick a test identity to be sent back to
<code>${escapeHtml(request.redirectUri)}</code> with a one-time code, or cancel.</p>
<form method="post" action="${escapeHtml(action)}">
${hidden}
${choices}
<button class="secondary" type="submit" name="identity" value="cancel">Cancel the identity check</button>
</form>
${back}
<p class="muted">Client <code>${escapeHtml(request.clientId)}</code> asked for scope <code>${escapeHtml(request.scope)}</code>.</p>`,
  );
}

/** The page for a request the sandbox refuses to redirect; `hint` (HTML) says how to fix it, when known. */
export function errorPage(message: string, hint = ''): string {
  return page(
    'Identity check cannot start',
    PROVIDER,
    `<h1>This identity check cannot start</h1>
<p class="error">${escapeHtml(message)}</p>
${hint}
<p class="muted">The site that sent you here is not set up correctly, so you were not sent back to it.</p>`,
  );
}
