import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from '../router.js';
import type { AuthenteqWebIdvClient } from './web-idv-clients.js';
import { allowedRedirect } from './web-idv-redirect.js';
import type { AuthenteqWebIdvError, WebIdvState } from './web-idv-state.js';

/** Inferred: how long a verification link works (undocumented). */
const LINK_TTL_MS = 60 * 60_000;

/** The one value of a query parameter; `null` when absent or empty, `undefined` when repeated. */
export function single(params: URLSearchParams, name: string): string | null | undefined {
  const values = params.getAll(name).filter((value) => value !== '');
  return values.length === 0 ? null : values.length === 1 ? values[0] : undefined;
}

function apiError(ctx: Context, error: AuthenteqWebIdvError, errorDetails?: Record<string, string[]>): void {
  ctx.send(error.status, {
    errorCode: error.errorCode,
    errorMessage: error.errorMessage,
    ...(errorDetails ? { errorDetails } : {}),
  });
}

function missing(ctx: Context, name: string): void {
  apiError(ctx, {
    status: 400,
    errorCode: 'MISSING_REQUEST_PARAMETER',
    errorMessage: `Required '${name}' parameter is missing`,
  });
}

/** The server-to-server calls: `verification-url`, `verification-result` and the export by id, all with Basic auth. */
export function mountWebIdvApi(state: WebIdvState): void {
  const { env, prefix, clients } = state;

  /** Basic auth on an API call; answers the documented error and returns `undefined` when it fails. */
  const authenticate = (ctx: Context): AuthenteqWebIdvClient | undefined => {
    const auth = clients.authenticate(ctx.req.headers.authorization);
    if (!auth.ok) {
      ctx.credential(auth.credential);
      apiError(ctx, auth);
      return undefined;
    }
    ctx.credential('client_secret');
    return auth.client;
  };

  env.router.add('GET', `${prefix}/web-idv/verification-url`, 'authenteq.web_idv_url', (ctx) => {
    const client = authenticate(ctx);
    if (!client) return;
    const redirectUrl = single(ctx.url.searchParams, 'redirectUrl');
    if (redirectUrl === null) return missing(ctx, 'redirectUrl');
    if (client.redirectURLs.length === 0) {
      return apiError(ctx, {
        status: 400,
        errorCode: 'NO_REDIRECT_URLS',
        errorMessage: 'No registered redirect URLs. Please specify at least one in Customer Dashboard',
      });
    }
    if (redirectUrl === undefined || !allowedRedirect(redirectUrl, client.redirectURLs)) {
      const received = redirectUrl ?? ctx.url.searchParams.getAll('redirectUrl').join(' and ');
      return apiError(
        ctx,
        {
          status: 400,
          errorCode: 'INVALID_REQUEST_PARAMETER',
          errorMessage: "Parameter 'redirectUrl' does not match any registered one",
        },
        // Not in the documented answer: the sandbox adds what it received and how to register it.
        {
          redirectUrl: [
            `received ${received}; registered: ${client.redirectURLs.join(', ')}`,
            `register it on ${env.url}/authenteq/dashboard, with the CLI's --redirect-uri, or with registerRedirectURL()`,
          ],
        },
      );
    }
    const token = randomBytes(24).toString('base64url');
    const now = env.clock.now();
    const flowSlug = ctx.req.headers['aq-flow-slug'];
    state.verifications.set(token, {
      id: randomUUID(),
      client,
      clientID: client.clientID,
      token,
      redirectUrl,
      flowSlug: typeof flowSlug === 'string' && flowSlug !== '' ? flowSlug : undefined,
      multiDocument: String(ctx.req.headers['aq-multi-document-flow']).toLowerCase() === 'on',
      outcome: 'open',
      startedAt: now,
      expiresAt: now + LINK_TTL_MS,
    });
    ctx.send(200, { verificationUrl: `${state.baseURL}/verify?${new URLSearchParams({ token })}` });
  });

  env.router.add('GET', `${prefix}/web-idv/verification-result`, 'authenteq.web_idv_result', (ctx) => {
    const client = authenticate(ctx);
    if (!client) return;
    const code = single(ctx.url.searchParams, 'code');
    const redirectUrl = single(ctx.url.searchParams, 'redirectUrl');
    if (code === null) return missing(ctx, 'code');
    if (redirectUrl === null) return missing(ctx, 'redirectUrl');
    const record = code === undefined ? undefined : state.codes.get(code);
    // Inferred: a code shown by another client is refused without being spent.
    if (!record || record.client !== client) return apiError(ctx, state.invalidCode);
    if (record.used || record.expiresAt <= env.clock.now()) return apiError(ctx, state.invalidCode);
    // Documented: the code works once. Any attempt by its own client spends it, whatever follows.
    record.used = true;
    // Inferred: the redirectUrl must be the very string the verification URL was asked for.
    if (redirectUrl !== record.redirectUrl) return apiError(ctx, state.invalidCode);
    ctx.send(200, state.results.get(record.verificationId)?.result);
  });

  env.router.add('GET', `${prefix}/export/verification-result-as-json`, 'authenteq.web_idv_export', (ctx) => {
    const client = authenticate(ctx);
    if (!client) return;
    const verificationId = single(ctx.url.searchParams, 'verificationId');
    if (verificationId === null) return missing(ctx, 'verificationId');
    const stored = verificationId === undefined ? undefined : state.results.get(verificationId);
    // Inferred: the status and code of an unknown id, from the AML API's "Requested verification not found".
    if (!stored || stored.client !== client) {
      return apiError(
        ctx,
        { status: 422, errorCode: 'REQUEST_UNPROCESSABLE', errorMessage: 'Request is unprocessable' },
        { reason: ['Requested verification not found'] },
      );
    }
    // Inferred: results are kept as long as the sandbox runs (the retention is undocumented).
    ctx.send(200, stored.result);
  });
}
