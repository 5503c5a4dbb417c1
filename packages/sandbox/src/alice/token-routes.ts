import type { Context } from '../router.js';
import { bearer, type Deps, guarded, refuse } from './http.js';

/** The four token endpoints (docs/providers/alice.md, "Tokens"). */
export function registerTokenRoutes(deps: Deps): void {
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
}
