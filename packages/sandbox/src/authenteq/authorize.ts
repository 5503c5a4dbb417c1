/** A checked authorization request. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  scope: string;
  /** The optional `back_url` (the doc's button example spells it `back`: both are read). */
  backUrl: string | undefined;
}

/** What the authorize checks decided. */
export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest }
  /** `unregistered`: the redirect URI received, when that is what failed (the error page says how to register it). */
  | { ok: false; message: string; unregistered?: string };

/** The registered client the checks compare against. */
export interface RegisteredClient {
  clientId: string;
  redirectURIs: ReadonlySet<string>;
}

/**
 * Checks `/authorize` parameters the way Authenteq documents them (docs/providers/authenteq.md). Every failure is shown
 * as an error page and never redirected: a request whose client or redirect URI is not trusted must not send the
 * browser anywhere (RFC 6749 §4.1.2.1). The page (GET), its form (POST) and `complete()` all go through this.
 */
export function checkAuthorize(params: URLSearchParams, client: RegisteredClient): AuthorizeCheck {
  const one = (name: string): string | undefined => {
    const values = params.getAll(name);
    return values.length === 1 ? values[0] : undefined;
  };
  const clientId = one('client_id');
  if (!clientId) return fail('client_id is missing or repeated.');
  if (clientId !== client.clientId) return fail('client_id is not a registered client.');
  const redirectUri = one('redirect_uri');
  if (!redirectUri) return fail('redirect_uri is missing or repeated.');
  // Matched exactly, character for character: no prefix, case or trailing-slash leniency.
  if (!client.redirectURIs.has(redirectUri)) {
    const message = 'redirect_uri does not exactly match a redirect URI registered for this client.';
    return { ok: false, message, unregistered: redirectUri };
  }
  const responseType = one('response_type');
  if (responseType !== 'code') return fail('response_type must be "code" (the only flow Web KYC supports).');
  // The doc's parameter table requires scope=kyc while its getting-started URL leaves scope out: absent means kyc.
  const scope = params.has('scope') ? one('scope') : 'kyc';
  if (scope !== 'kyc') return fail('scope must be "kyc" (the only scope Web KYC supports).');
  // The doc calls the state check optional but highly recommended; the sandbox insists, so apps cannot forget it.
  const state = one('state');
  if (!state) return fail('state is missing or repeated: generate a random state and keep it in the session.');
  const backUrl = one('back_url') ?? one('back');
  return { ok: true, request: { clientId, redirectUri, state, scope, backUrl: backUrl || undefined } };
}

function fail(message: string): AuthorizeCheck {
  return { ok: false, message };
}

/** `redirectUri` with `params` added, keeping any query it already has. */
export function withParams(redirectUri: string, params: Record<string, string>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}
