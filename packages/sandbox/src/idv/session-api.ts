import type { SandboxEnv } from '../env.js';
import { fail, readSessionStart, requireApiKeyScheme } from './api-checks.js';
import { IDV_CAPTURE_STEPS, IDV_TTL_RANGE, type IdvSandboxSession, type IdvState } from './state.js';

/** A 1×1 PNG: the sandbox's stand-in for every captured image. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/**
 * The newer calls (docs/providers/idv.md): the one-call deeplink start and reading a session back, both with
 * `Authorization: ApiKey <key>`, plus the files a session's answer links to.
 */
export function mountIdvSessionApi(env: SandboxEnv, base: string, apiKey: string, state: IdvState): void {
  const host = `${env.url}${base}`;

  env.router.add('POST', `${base}/api/v1/deeplink`, 'idv.deeplink', async (ctx) => {
    if (!requireApiKeyScheme(ctx, apiKey, state, 'deeplink:write')) return;
    const start = await readSessionStart(ctx, state);
    if (start === undefined) return;
    const { workflowId, body, metadata } = start;
    const { ttl = 3600, locale = null } = body;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < IDV_TTL_RANGE.min || ttl > IDV_TTL_RANGE.max) {
      fail(ctx, 400, 'bad_request', `ttl must be an integer from ${IDV_TTL_RANGE.min} to ${IDV_TTL_RANGE.max}`);
      return;
    }
    if (locale !== null && typeof locale !== 'string') {
      fail(ctx, 400, 'bad_request', 'locale must be a string');
      return;
    }
    const token = state.issueToken(ttl);
    const session = state.createSession(token, workflowId, metadata);
    // The documented answer: the session id travels only inside `url`. The success status is not documented [I].
    ctx.send(200, {
      url: `${host}/mobile?authorization=${encodeURIComponent(token)}&sessionId=${encodeURIComponent(session.id)}`,
      // `createdAt` is the token's creation, and the token and the session expire together (= createdAt + ttl).
      createdAt: new Date(Date.parse(session.expiresAt) - ttl * 1000).toISOString(),
      expiresAt: session.expiresAt,
      workflowIds: [workflowId],
    });
  });

  env.router.add('GET', `${base}/api/sessions/:id`, 'idv.session', (ctx) => {
    if (!requireApiKeyScheme(ctx, apiKey, state, 'session_all:read')) return;
    const session = state.getSession(ctx.params.id ?? '');
    if (session === undefined) {
      fail(ctx, 404, 'not_found', 'no such session');
      return;
    }
    ctx.send(200, sessionBody(host, session));
  });

  env.router.add('GET', `${base}/api/sessions/:id/files/:name`, 'idv.session_file', (ctx) => {
    if (!requireApiKeyScheme(ctx, apiKey, state, 'session_all:read')) return;
    const session = state.getSession(ctx.params.id ?? '');
    const step = IDV_CAPTURE_STEPS.find(({ id }) => `${id}.png` === ctx.params.name);
    if (session === undefined || step === undefined || session.steps[step.id] === undefined) {
      fail(ctx, 404, 'not_found', 'no such file');
      return;
    }
    ctx.res.writeHead(200, { 'content-type': 'image/png', 'content-length': PIXEL.length }).end(PIXEL);
  });
}

/**
 * A session as `GET /api/sessions/{id}` answers it. The documented container: `id`, an integer `status`,
 * `properties` (structured data) and `files` (each with its own URL). The rest of the shape is the sandbox's [I]:
 * `workflowId`, `metadata` at the top level, the time stamps, and what the containers hold (when each capture step
 * was done; one image per step).
 */
function sessionBody(host: string, session: IdvSandboxSession): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const files: { name: string; contentType: string; url: string }[] = [];
  for (const { id } of IDV_CAPTURE_STEPS) {
    const at = session.steps[id];
    if (at === undefined) continue;
    properties[id] = { capturedAt: at };
    files.push({
      name: `${id}.png`,
      contentType: 'image/png',
      url: `${host}/api/sessions/${encodeURIComponent(session.id)}/files/${id}.png`,
    });
  }
  return {
    id: session.id,
    workflowId: session.workflowId,
    status: session.status,
    metadata: session.metadata,
    properties,
    files,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    expiresAt: session.expiresAt,
  };
}
