import type { SandboxEnv } from '../env.js';
import type { Context } from '../router.js';
import { DASHBOARD_PATH, type DashboardClient, dashboardPage, type Product } from './dashboard-page.js';
import type { AuthenteqSandbox } from './index.js';
import { basicCredentials, sameSecret } from './secret.js';
import type { AuthenteqWebIdvSandbox } from './web-idv.js';

/** A client the dashboard can change. */
type Target = { product: 'web-kyc' } | { product: 'web-idv'; clientID: string };

/** Why a change was refused. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The running sandbox's dashboard, standing in for Authenteq's Customer Dashboard: a page to register redirect URLs
 * (Web KYC and Web IDV) and set webhook URLs (Web IDV), and the same as an endpoint for scripts.
 *
 * - `GET /authenteq/dashboard` — the page; `?product=&url=` fills in a form (nothing is registered by a GET).
 * - `POST /authenteq/dashboard/redirect-urls` and `POST /authenteq/dashboard/webhook-url`, fields `url`, `product`
 *   (`web-kyc` or `web-idv`) and `clientID` (a Web IDV client), form-encoded or JSON. Either with the client's keys as
 *   Basic auth (`curl -u id:secret`; they say which client), answered with JSON, or from the page itself (a browser
 *   sends its `Origin`: a form on another site cannot change the sandbox), answered with the page again.
 */
export function mountAuthenteqDashboard(env: SandboxEnv, kyc: AuthenteqSandbox, webIdv: AuthenteqWebIdvSandbox): void {
  const clients = (): [DashboardClient, DashboardClient[]] => [
    { product: 'web-kyc', clientID: kyc.clientID, redirectURLs: kyc.redirectURIs, active: true },
    webIdv.clients.map((client) => ({
      product: 'web-idv',
      clientID: client.clientID,
      redirectURLs: client.redirectURLs,
      webhookURL: client.webhookURL,
      active: client.active,
    })),
  ];
  const show = (ctx: Context, status: number, prefill: { product?: string; url?: string }, error?: string) => {
    const [main, others] = clients();
    ctx.html(status, dashboardPage(main, others, prefill, error));
  };

  env.router.add('GET', DASHBOARD_PATH, 'authenteq.dashboard', (ctx) => {
    const product = ctx.url.searchParams.get('product') ?? undefined;
    const url = ctx.url.searchParams.get('url') ?? undefined;
    show(ctx, 200, { ...(product ? { product } : {}), ...(url ? { url } : {}) });
  });

  const change = (name: string, path: string, apply: (target: Target, url: string) => unknown) => {
    env.router.add('POST', `${DASHBOARD_PATH}/${path}`, name, async (ctx) => {
      const fields = await readFields(ctx);
      // Without keys, only the page itself may make a change: a browser sends the page's Origin with its form.
      const keys = ctx.req.headers.authorization !== undefined;
      const fromPage = !keys && ctx.req.headers.origin === `http://${ctx.req.headers.host}`;
      try {
        if (!keys && !fromPage) {
          throw new Refused(
            401,
            'Send the client keys as Basic auth (curl -u "$CLIENT_ID:$CLIENT_SECRET" …), or use the form on the dashboard page.',
          );
        }
        const target = fromPage ? pageTarget(fields, webIdv) : keysTarget(ctx, fields, kyc, webIdv);
        const answer = apply(target, fields.url ?? '');
        if (fromPage) ctx.res.writeHead(303, { location: DASHBOARD_PATH, 'cache-control': 'no-store' }).end();
        else ctx.send(200, answer);
      } catch (error) {
        const status = error instanceof Refused ? error.status : 400;
        const message = (error as Error).message;
        if (fromPage) show(ctx, status, {}, message);
        else ctx.send(status, { error: status === 401 ? 'unauthorized' : 'invalid_request', message });
      }
    });
  };

  change('authenteq.dashboard_redirect_url', 'redirect-urls', (target, url) => {
    if (target.product === 'web-kyc') {
      if (!/^https?:\/\//i.test(url)) throw new Refused(400, 'url must be an absolute http(s) URL');
      kyc.registerRedirectURI(url);
      return { product: 'web-kyc', clientID: kyc.clientID, redirectURLs: kyc.redirectURIs };
    }
    const client = webIdv.clients.find((candidate) => candidate.clientID === target.clientID)!;
    client.registerRedirectURL(url);
    return { product: 'web-idv', clientID: client.clientID, redirectURLs: client.redirectURLs };
  });

  change('authenteq.dashboard_webhook_url', 'webhook-url', (target, url) => {
    if (target.product !== 'web-idv') throw new Refused(400, 'only Web IDV clients have a webhook URL');
    const client = webIdv.clients.find((candidate) => candidate.clientID === target.clientID)!;
    client.setWebhookURL(url === '' ? undefined : url); // an empty url removes it
    return { product: 'web-idv', clientID: client.clientID, webhookURL: client.webhookURL ?? null };
  });
}

async function readFields(ctx: Context): Promise<Record<string, string | undefined>> {
  if (ctx.req.headers['content-type']?.toLowerCase().startsWith('application/json')) {
    const body = await ctx.json();
    if (typeof body !== 'object' || body === null) return {};
    return Object.fromEntries(
      Object.entries(body).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])),
    );
  }
  return Object.fromEntries(await ctx.form());
}

function product(value: string | undefined): Product | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'web-kyc' || value === 'web-idv') return value;
  throw new Refused(400, 'product must be web-kyc or web-idv');
}

/** A change made with the page's form: it names the product and, for Web IDV, the client. */
function pageTarget(fields: Record<string, string | undefined>, webIdv: AuthenteqWebIdvSandbox): Target {
  const chosen = product(fields.product);
  if (chosen === undefined) throw new Refused(400, 'product must be web-kyc or web-idv');
  if (chosen === 'web-kyc') return { product: 'web-kyc' };
  const clientID = fields.clientID || webIdv.clientID;
  if (!webIdv.clients.some((client) => client.clientID === clientID)) throw new Refused(400, 'unknown Web IDV client');
  return { product: 'web-idv', clientID };
}

/** A change made with a client's keys: they say which client (and `product`, if both products share them). */
function keysTarget(
  ctx: Context,
  fields: Record<string, string | undefined>,
  kyc: AuthenteqSandbox,
  webIdv: AuthenteqWebIdvSandbox,
): Target {
  const { id, secret } = basicCredentials(ctx.req.headers.authorization) ?? { id: '', secret: '' };
  const targets: Target[] = [];
  if (id === kyc.clientID && sameSecret(secret, kyc.clientSecret)) targets.push({ product: 'web-kyc' });
  const client = webIdv.clients.find((candidate) => candidate.clientID === id);
  if (client && sameSecret(secret, client.clientSecret)) targets.push({ product: 'web-idv', clientID: id });
  if (targets.length === 0) {
    ctx.credential('invalid');
    throw new Refused(401, 'Unknown client or wrong client secret.');
  }
  ctx.credential('client_secret');
  const chosen = product(fields.product);
  const target =
    chosen === undefined ? (targets.length === 1 ? targets[0] : undefined) : targets.find((t) => t.product === chosen);
  if (!target)
    throw new Refused(400, 'these keys are not those of a client of that product: say product=web-kyc or web-idv');
  return target;
}
