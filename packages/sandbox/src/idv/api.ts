import type { SandboxEnv } from '../env.js';
import { fail, isObject, readSessionStart } from './api-checks.js';
import { IDV_TTL_RANGE, type IdvState } from './state.js';

/**
 * The two documented server-side calls (docs/providers/idv.md): API key → ephemeral token,
 * ephemeral token → session for a workflow.
 */
export function mountIdvApi(env: SandboxEnv, base: string, apiKey: string, state: IdvState): void {
  env.router.add('POST', `${base}/api/device/ephemeral`, 'idv.ephemeral', async (ctx) => {
    const authorization = ctx.req.headers.authorization;
    if (authorization === undefined || authorization === '') {
      fail(ctx, 401, 'unauthorized', 'Authorization header with the API key is required');
      return;
    }
    if (authorization !== apiKey) {
      if (state.checkToken(authorization) !== 'unknown') {
        ctx.credential('ephemeral_token');
        fail(ctx, 403, 'forbidden', 'an ephemeral token cannot create ephemeral tokens (Ephemeral Devices:Write)');
        return;
      }
      ctx.credential('invalid');
      // The documented header is the raw key: a scheme in front of the right key is a common mistake worth naming.
      const schemed = /^\S+ /.test(authorization) && authorization.slice(authorization.indexOf(' ') + 1) === apiKey;
      fail(
        ctx,
        401,
        'unauthorized',
        schemed ? 'send the raw API key in Authorization, without a scheme' : 'invalid API key',
      );
      return;
    }
    ctx.credential('idv_api_key');
    const body = await ctx.json();
    if (!isObject(body)) {
      fail(ctx, 400, 'bad_request', 'the body must be a JSON object such as {"ttl": 3600}');
      return;
    }
    const { ttl } = body;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < IDV_TTL_RANGE.min || ttl > IDV_TTL_RANGE.max) {
      fail(
        ctx,
        400,
        'bad_request',
        `ttl must be an integer number of seconds from ${IDV_TTL_RANGE.min} to ${IDV_TTL_RANGE.max}`,
      );
      return;
    }
    ctx.send(200, { authorization: state.issueToken(ttl) });
  });

  env.router.add('POST', `${base}/api/sessions`, 'idv.sessions', async (ctx) => {
    const authorization = ctx.req.headers.authorization;
    if (authorization === undefined || authorization === '') {
      fail(ctx, 401, 'unauthorized', 'Authorization header with an ephemeral token is required');
      return;
    }
    if (authorization === apiKey) {
      ctx.credential('idv_api_key');
      fail(ctx, 403, 'forbidden', 'start sessions with an ephemeral token, not the API key');
      return;
    }
    const check = state.checkToken(authorization);
    if (check === 'unknown') {
      ctx.credential('invalid');
      fail(ctx, 401, 'unauthorized', 'invalid ephemeral token');
      return;
    }
    ctx.credential('ephemeral_token');
    if (check === 'expired') {
      fail(ctx, 401, 'unauthorized', 'the ephemeral token has expired');
      return;
    }
    const start = await readSessionStart(ctx, state);
    if (start === undefined) return;
    const { workflowId, metadata } = start;
    const { id, workflowId: workflow, createdAt } = state.createSession(authorization, workflowId, metadata);
    ctx.send(200, { id, workflowId: workflow, metadata, createdAt });
  });
}
