import { escapeHtml, page } from '../html.js';

/** Where the dashboard lives, under the sandbox's URL. */
export const DASHBOARD_PATH = '/authenteq/dashboard';

/** The two products a redirect URL can be registered for. */
export type Product = 'web-kyc' | 'web-idv';

/** What the dashboard shows of one client. */
export interface DashboardClient {
  product: Product;
  clientID: string;
  redirectURLs: string[];
  /** Web IDV only. */
  webhookURL?: string | undefined;
  active: boolean;
}

/**
 * The help shown where a redirect URL was refused: what was received, and the three ways to register it (the
 * dashboard with the URL filled in, the CLI flag, the programmatic call).
 */
export function registrationHint(sandboxURL: string, product: Product, received: string): string {
  const call =
    product === 'web-kyc' ? 'sandbox.authenteq.registerRedirectURI' : 'sandbox.authenteqWebIdv.registerRedirectURL';
  const form = `${sandboxURL}${DASHBOARD_PATH}?${new URLSearchParams({ product, url: received })}`;
  return `<p>Received: <code>${escapeHtml(received)}</code></p>
<p>To use it, register it with this sandbox, exactly as the site sends it:</p>
<ul>
<li>on the sandbox's <a href="${escapeHtml(form)}">dashboard</a> (the form is filled in),</li>
<li>when starting the CLI: <code>--redirect-uri ${escapeHtml(received)}</code>,</li>
<li>or from code: <code>${call}(${escapeHtml(JSON.stringify(received))})</code>.</li>
</ul>`;
}

function list(items: string[]): string {
  if (items.length === 0) return '<p class="muted">None yet.</p>';
  return `<ul>${items.map((item) => `<li><code>${escapeHtml(item)}</code></li>`).join('')}</ul>`;
}

function clientSection(client: DashboardClient, action: string, prefill: { product?: string; url?: string }): string {
  const value = prefill.product === client.product && prefill.url !== undefined ? prefill.url : '';
  const hidden = `<input type="hidden" name="product" value="${client.product}">
<input type="hidden" name="clientID" value="${escapeHtml(client.clientID)}">`;
  const webhook =
    client.product === 'web-idv'
      ? `<p>Webhook URL: ${client.webhookURL === undefined ? '<span class="muted">none</span>' : `<code>${escapeHtml(client.webhookURL)}</code>`}</p>
<form method="post" action="${escapeHtml(action)}/webhook-url">
${hidden}
<label>Webhook URL <input name="url" type="url" size="50" placeholder="http://127.0.0.1:3001/webhooks/authenteq"></label>
<button type="submit">Set</button>
</form>`
      : '';
  return `<h3>Client <code>${escapeHtml(client.clientID)}</code>${client.active ? '' : ' <span class="error">(deactivated)</span>'}</h3>
<p>Redirect URLs:</p>
${list(client.redirectURLs)}
<form method="post" action="${escapeHtml(action)}/redirect-urls">
${hidden}
<label>Redirect URL <input name="url" type="url" size="50" required value="${escapeHtml(value)}"></label>
<button type="submit">Register</button>
</form>
${webhook}`;
}

/** The sandbox's stand-in for Authenteq's Customer Dashboard "API Keys" page: redirect URLs and webhook URLs. */
export function dashboardPage(
  kyc: DashboardClient,
  webIdv: DashboardClient[],
  prefill: { product?: string; url?: string },
  error?: string,
): string {
  // Relative, so the forms post to the host the page was opened on, with that page's Origin.
  const action = DASHBOARD_PATH;
  return page(
    'Dashboard',
    'Authenteq',
    `<h1>API keys</h1>
${error === undefined ? '' : `<p class="error">${escapeHtml(error)}</p>`}
<p>Redirect URLs are matched exactly (Web IDV allows the app's own query parameters after them). Client secrets are
not shown here: the CLI prints them when it starts (<code>--seed</code> keeps them the same from one start to the
next).</p>
<h2>Web KYC</h2>
${clientSection(kyc, action, prefill)}
<h2>Web IDV</h2>
${webIdv.map((client) => clientSection(client, action, prefill)).join('\n')}
<p><a href="/">Back to the sandbox's home page</a></p>`,
  );
}
