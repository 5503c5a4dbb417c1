import type { Context } from '../router.js';
import type { IdvState } from './state.js';

/** The sandbox's error body. The provider documents none [I]: `{"error": <type>, "message": <text>}`. */
export function fail(ctx: Context, status: number, error: string, message: string): void {
  ctx.send(status, { error, message });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks `Authorization: ApiKey <key>`, as the deeplink and session-data pages write it; the scheme is read
 * case-insensitively, since the session-data page spells it `Apikey` (docs/providers/idv.md). Answers 401 or 403 and
 * returns `false` for anything else: a raw key (the older ephemeral-token page's form; the message names the
 * mistake), an ephemeral token (it reads only what it submitted), or a wrong key.
 */
export function requireApiKeyScheme(ctx: Context, apiKey: string, state: IdvState, permission: string): boolean {
  const authorization = ctx.req.headers.authorization ?? '';
  if (authorization === '') {
    fail(ctx, 401, 'unauthorized', 'Authorization: ApiKey <key> is required');
    return false;
  }
  const match = /^apikey +(\S+)$/i.exec(authorization);
  if (match?.[1] === apiKey) {
    ctx.credential('idv_api_key');
    return true;
  }
  if (state.checkToken(authorization) !== 'unknown') {
    ctx.credential('ephemeral_token');
    fail(ctx, 403, 'forbidden', `an ephemeral token does not have the permission ${permission}`);
    return false;
  }
  ctx.credential('invalid');
  const raw = authorization === apiKey;
  fail(
    ctx,
    401,
    'unauthorized',
    raw ? 'send the API key with its scheme: Authorization: ApiKey <key>' : 'invalid API key',
  );
  return false;
}

/** What both session starts (`POST /api/sessions`, `POST /api/v1/deeplink`) take: a workflow and a JSON body. */
export interface SessionStart {
  workflowId: string;
  body: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/**
 * Reads `?workflowId=` (400 without one, 404 for an unknown one) and the JSON body with its optional `metadata`
 * object (400 unless `metadata.externalUserId`, if there, is a string). Answers the error itself and returns
 * `undefined` then.
 */
export async function readSessionStart(ctx: Context, state: IdvState): Promise<SessionStart | undefined> {
  const workflowId = ctx.url.searchParams.get('workflowId');
  if (workflowId === null || workflowId === '') {
    fail(ctx, 400, 'bad_request', 'the workflowId query parameter is required');
    return undefined;
  }
  if (!state.workflows.has(workflowId)) {
    fail(ctx, 404, 'not_found', 'no such workflow');
    return undefined;
  }
  const body = await ctx.json();
  if (!isObject(body) || (body.metadata !== undefined && !isObject(body.metadata))) {
    fail(ctx, 400, 'bad_request', 'the body must be a JSON object such as {"metadata": {"externalUserId": "..."}}');
    return undefined;
  }
  const metadata = body.metadata ?? {};
  if (metadata.externalUserId !== undefined && typeof metadata.externalUserId !== 'string') {
    fail(ctx, 400, 'bad_request', 'metadata.externalUserId must be a string');
    return undefined;
  }
  return { workflowId, body, metadata };
}
