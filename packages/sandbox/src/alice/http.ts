import type { SandboxEnv } from '../env.js';
import type { Context } from '../router.js';
import { AliceRefusal, type AliceState, CaptureRejected } from './state.js';
import type { AliceTokenClaims, AliceTokenKind, TokenIssuer } from './tokens.js';

/** What the route modules share. */
export interface Deps {
  env: SandboxEnv;
  state: AliceState;
  tokens: TokenIssuer;
  apiKey: string;
  base: string;
  baseURL: string;
  /** Whether the old `/user/authorize` and `/user/deauthorize` paths answer (see `AliceSandboxOptions`). */
  legacyAuthorizePaths: boolean;
}

/** Error bodies use the newer `{"detail": "..."}` shape (docs/providers/alice.md, "Errors"). */
export function refuse(ctx: Context, status: number, detail: string): void {
  ctx.send(status, { detail });
}

/** The header a refused capture's diagnostics code travels in. */
export const DIAGNOSTICS_HEADER = 'x-alice-selfie-diagnostics';

/**
 * CORS for the USER_TOKEN endpoints browsers call directly (the web SDK does): any origin, no cookies, on every
 * answer, injected faults included, so the SDK sees the API's status rather than a CORS failure. The diagnostics
 * header is exposed, or a browser could not read why a capture was refused [I].
 */
export const CORS = {
  headers: {
    'access-control-allow-origin': '*',
    'access-control-expose-headers': DIAGNOSTICS_HEADER,
    vary: 'origin',
  },
};

/** What a CORS preflight allows: the headers the web SDK sends (docs/providers/alice.md, "Headers") [I]. */
export const PREFLIGHT = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST',
  'access-control-allow-headers': 'authorization, content-type, x-correlation-id, alice-user-agent',
  'access-control-max-age': '600',
};

/**
 * Checks the Bearer token: a live token of this sandbox, of one of the `kinds` the endpoint documents. Logs the
 * credential kind (and user) in the request log; answers 401 and returns `undefined` otherwise.
 */
export async function bearer(deps: Deps, ctx: Context, kinds: AliceTokenKind[]): Promise<AliceTokenClaims | undefined> {
  const header = ctx.req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    refuse(ctx, 401, 'Missing or malformed Authorization header');
    return undefined;
  }
  const claims = await deps.tokens.verify(match[1]);
  if ('reason' in claims) {
    ctx.credential('invalid');
    refuse(ctx, 401, claims.reason);
    return undefined;
  }
  ctx.credential(claims.kind, claims.userId);
  if (!kinds.includes(claims.kind)) {
    refuse(ctx, 401, `This endpoint does not accept a ${claims.kind}`);
    return undefined;
  }
  return claims;
}

/**
 * Runs `fn`, turning an {@link AliceRefusal} into its answer. A refused capture answers as the web SDK reads it:
 * `204` with no body and the code in `x-alice-selfie-diagnostics`, or `406 {"detail": "{'error': '<code>'}"}`
 * (a Python-dict-like string, which the SDK turns into JSON by swapping the quotes).
 */
export async function guarded(ctx: Context, fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof CaptureRejected) {
      const { rejection } = error;
      if ('diagnostics' in rejection) ctx.res.writeHead(204, { [DIAGNOSTICS_HEADER]: rejection.diagnostics }).end();
      else refuse(ctx, 406, `{'error': '${rejection.error}'}`);
    } else if (error instanceof AliceRefusal) refuse(ctx, error.status, error.message);
    else throw error;
  }
}

/**
 * Reads a result-version header (`Alice-Report-Version`, `Alice-Authentication-Version`). The Python SDK sends
 * `default`, `0` or `1`; `default` and no header at all mean the account's default, which in the sandbox is 1 [I].
 */
export function version(ctx: Context, header: string): 0 | 1 | undefined {
  const raw = ctx.req.headers[header];
  if (raw === undefined || raw === '1' || raw === 'default') return 1;
  if (raw === '0') return 0;
  refuse(ctx, 400, `${header} must be default, 0 or 1`);
  return undefined;
}
