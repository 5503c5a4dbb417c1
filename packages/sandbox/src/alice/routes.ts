import type { SandboxEnv } from '../env.js';
import type { Context } from '../router.js';
import { SDK_SCRIPT, sdkDemoPage } from './sdk.js';
import { AliceRefusal, type AliceState } from './state.js';
import type { AliceTokenClaims, AliceTokenKind, TokenIssuer } from './tokens.js';
import { authenticationV0, authenticationV1, reportV0, reportV1, userStatus } from './views.js';

interface Deps {
  env: SandboxEnv;
  state: AliceState;
  tokens: TokenIssuer;
  apiKey: string;
  base: string;
  baseURL: string;
}

/** Error bodies use the newer `{"detail": "..."}` shape (docs/providers/alice.md, "Errors"). */
function refuse(ctx: Context, status: number, detail: string): void {
  ctx.send(status, { detail });
}

/**
 * Browsers call the USER_TOKEN endpoints directly (the client SDK does): they answer any origin, no cookies, on every
 * answer, injected faults included, so the SDK sees the API's status rather than a CORS failure.
 */
const CORS = { headers: { 'access-control-allow-origin': '*', vary: 'origin' } };

/**
 * Checks the Bearer token: a live token of this sandbox, of one of the `kinds` the endpoint documents. Logs the
 * credential kind (and user) in the request log; answers 401 and returns `undefined` otherwise.
 */
async function bearer(deps: Deps, ctx: Context, kinds: AliceTokenKind[]): Promise<AliceTokenClaims | undefined> {
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

async function video(ctx: Context): Promise<Uint8Array | undefined> {
  const form = await ctx.multipart();
  const file = form?.files.video;
  if (!file || file.data.length === 0) {
    refuse(ctx, 400, 'A multipart field "video" is required');
    return undefined;
  }
  return file.data;
}

/** Runs `fn`, turning an {@link AliceRefusal} into its documented answer. */
async function guarded(ctx: Context, fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AliceRefusal) refuse(ctx, error.status, error.message);
    else throw error;
  }
}

function version(ctx: Context, header: string): 0 | 1 | undefined {
  const raw = ctx.req.headers[header];
  if (raw === undefined || raw === '1') return 1;
  if (raw === '0') return 0;
  refuse(ctx, 400, `${header} must be 0 or 1`);
  return undefined;
}

export function registerRoutes(deps: Deps): void {
  const { env, state, tokens, base } = deps;
  const add = env.router.add.bind(env.router);
  const useCache = (ctx: Context) => /\buse-cache\b/i.test(String(ctx.req.headers['cache-control'] ?? ''));

  add('GET', `${base}/login_token`, 'alice.login_token', async (ctx) => {
    const key = ctx.req.headers.apikey;
    if (typeof key !== 'string' || key.length === 0) return refuse(ctx, 401, 'Missing apikey header');
    if (key !== deps.apiKey) {
      ctx.credential('invalid');
      return refuse(ctx, 401, 'Invalid API key');
    }
    ctx.credential('apikey');
    ctx.send(200, { token: await tokens.issue('LOGIN_TOKEN', undefined, useCache(ctx)) });
  });
  add('GET', `${base}/backend_token`, 'alice.backend_token', async (ctx) => {
    if (!(await bearer(deps, ctx, ['LOGIN_TOKEN']))) return;
    ctx.send(200, { token: await tokens.issue('BACKEND_TOKEN', undefined, useCache(ctx)) });
  });
  for (const [path, name, kind] of [
    ['backend_token', 'alice.backend_token_with_user_id', 'BACKEND_TOKEN_WITH_USER_ID'],
    ['user_token', 'alice.user_token', 'USER_TOKEN'],
  ] as const) {
    add('GET', `${base}/${path}/:user_id`, name, async (ctx) => {
      if (!(await bearer(deps, ctx, ['LOGIN_TOKEN']))) return;
      const userId = ctx.params.user_id ?? '';
      ctx.entry.userId = userId;
      await guarded(ctx, async () => {
        state.user(userId);
        ctx.send(200, { token: await tokens.issue(kind, userId, useCache(ctx)) });
      });
    });
  }

  add('POST', `${base}/user`, 'alice.create_user', async (ctx) => {
    if (!(await bearer(deps, ctx, ['BACKEND_TOKEN']))) return;
    const form = await ctx.multipart();
    const text = (name: string) => form?.fields[name] || undefined;
    const user = state.createUser({ email: text('email'), firstName: text('first_name'), lastName: text('last_name') });
    ctx.entry.userId = user.id;
    ctx.send(200, { user_id: user.id });
  });
  add('DELETE', `${base}/user`, 'alice.delete_user', async (ctx) => {
    const claims = await bearer(deps, ctx, ['BACKEND_TOKEN_WITH_USER_ID']);
    if (claims)
      await guarded(ctx, () => {
        state.deleteUser(claims.userId);
        ctx.send(200, {});
      });
  });
  add(
    'GET',
    `${base}/user/status`,
    'alice.user_status',
    async (ctx) => {
      const claims = await bearer(deps, ctx, ['USER_TOKEN']);
      if (claims)
        await guarded(ctx, () => {
          const user = state.user(claims.userId);
          ctx.send(200, userStatus(user, state.currentSelfie(user), state.selfieLimitReached(user)));
        });
    },
    CORS,
  );
  add(
    'POST',
    `${base}/user/selfie`,
    'alice.selfie',
    async (ctx) => {
      const claims = await bearer(deps, ctx, ['USER_TOKEN']);
      const media = claims && (await video(ctx));
      if (claims && media)
        await guarded(ctx, () => {
          state.addSelfie(claims.userId, media);
          ctx.send(201, {});
        });
    },
    CORS,
  );
  add('PATCH', `${base}/user/selfie`, 'alice.void_selfie', async (ctx) => {
    const claims = await bearer(deps, ctx, ['BACKEND_TOKEN_WITH_USER_ID']);
    if (claims)
      await guarded(ctx, () => {
        state.voidSelfie(claims.userId);
        ctx.send(200, {});
      });
  });
  add('GET', `${base}/user/report`, 'alice.report', async (ctx) => {
    const claims = await bearer(deps, ctx, ['BACKEND_TOKEN_WITH_USER_ID']);
    const v = claims && version(ctx, 'alice-report-version');
    if (!claims || v === undefined) return;
    await guarded(ctx, () => {
      const user = state.user(claims.userId);
      const now = env.clock.now();
      ctx.send(200, v === 0 ? reportV0(user, now) : reportV1(user, state.currentSelfie(user), now, deps.baseURL));
    });
  });
  // The docs call it /user/authorize; the SDKs renamed it /user/authentication/enable in 2023. Both work.
  for (const path of ['user/authorize', 'user/authentication/enable']) {
    add('POST', `${base}/${path}`, 'alice.authorize', async (ctx) => {
      const claims = await bearer(deps, ctx, ['BACKEND_TOKEN_WITH_USER_ID']);
      if (claims)
        await guarded(ctx, () => {
          state.authorize(claims.userId);
          ctx.send(200, {});
        });
    });
  }
  add(
    'POST',
    `${base}/user/authenticate`,
    'alice.authenticate',
    async (ctx) => {
      const claims = await bearer(deps, ctx, ['USER_TOKEN']);
      const media = claims && (await video(ctx));
      if (claims && media)
        await guarded(ctx, () => ctx.send(200, { authentication_id: state.authenticate(claims.userId, media).id }));
    },
    CORS,
  );
  add('GET', `${base}/user/authentication/:id`, 'alice.authentication', async (ctx) => {
    const claims = await bearer(deps, ctx, ['BACKEND_TOKEN_WITH_USER_ID']);
    const v = claims && version(ctx, 'alice-authentication-version');
    if (!claims || v === undefined) return;
    await guarded(ctx, () => {
      const found = state.authentication(claims.userId, ctx.params.id ?? '');
      ctx.send(200, { authentication: v === 0 ? authenticationV0(found) : authenticationV1(found, deps.baseURL) });
    });
  });
  add('GET', `${base}/user/authentications`, 'alice.authentications', async (ctx) => {
    const claims = await bearer(deps, ctx, ['BACKEND_TOKEN_WITH_USER_ID']);
    if (!claims) return;
    const page = Number(ctx.url.searchParams.get('page') ?? '1');
    const size = Number(ctx.url.searchParams.get('page_size') ?? '0');
    const descending = ctx.url.searchParams.get('descending') !== 'false';
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 0 || size > 1000) {
      return refuse(ctx, 400, 'page must be a positive integer and page_size an integer from 0 to 1000');
    }
    await guarded(ctx, () => {
      const all = [...state.user(claims.userId).authentications];
      if (descending) all.reverse();
      const slice = size === 0 ? all : all.slice((page - 1) * size, page * size);
      ctx.send(200, {
        authentications: slice.map((a) => authenticationV1(a, deps.baseURL)),
        total: all.length,
        version: 1,
      });
    });
  });

  // CORS preflight for the endpoints the browser SDK calls with a USER_TOKEN.
  for (const path of ['user/status', 'user/selfie', 'user/authenticate']) {
    add('OPTIONS', `${base}/${path}`, 'alice.cors', (ctx) => {
      ctx.res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type, alice-user-agent',
        'access-control-max-age': '600',
      });
      ctx.res.end();
    });
  }

  // The stand-in for the provider's web SDK, and a page to try it by hand.
  add('GET', `${base}/sdk.js`, 'alice.sdk', (ctx) => {
    ctx.res.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    });
    ctx.res.end(SDK_SCRIPT);
  });
  add('GET', `${base}/sdk`, 'alice.sdk_page', (ctx) => ctx.html(200, sdkDemoPage(deps.baseURL)));
}
