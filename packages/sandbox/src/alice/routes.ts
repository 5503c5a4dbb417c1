import type { Context } from '../router.js';
import { registerBrowserRoutes } from './browser-routes.js';
import { bearer, type Deps, guarded, refuse, version } from './http.js';
import type { AliceUserFields } from './state.js';
import { registerTokenRoutes } from './token-routes.js';
import { authenticationV0, authenticationV1, reportV0, reportV1 } from './views.js';

export type { Deps } from './http.js';

/** The fields of `POST /user` and where they go. */
const USER_FIELDS = {
  email: 'email',
  first_name: 'firstName',
  last_name: 'lastName',
  device_platform: 'devicePlatform',
  device_platform_version: 'devicePlatformVersion',
  device_model: 'deviceModel',
} as const satisfies Record<string, keyof AliceUserFields>;

/**
 * Reads `POST /user`'s optional fields from a form-encoded body (what the Python SDK sends: `requests` with `data=`),
 * a multipart one (the docs' curl, `AliceClient`), or JSON [I]; any other body, or none, gives no fields. Empty
 * values are absent.
 */
async function userFields(ctx: Context): Promise<AliceUserFields> {
  const type = String(ctx.req.headers['content-type'] ?? '').toLowerCase();
  let get: (name: string) => unknown = () => undefined;
  if (type.startsWith('multipart/form-data')) {
    const form = await ctx.multipart();
    get = (name) => form?.fields[name];
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    const form = await ctx.form();
    get = (name) => form.get(name);
  } else if (type.startsWith('application/json')) {
    const body = await ctx.json();
    get = (name) => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined);
  }
  const fields: AliceUserFields = {};
  for (const [field, key] of Object.entries(USER_FIELDS)) {
    const value = get(field);
    if (typeof value === 'string' && value.length > 0) fields[key] = value;
  }
  return fields;
}

/** `descending` as the SDKs send it: the Python SDK writes `True`/`False`, others `true`/`false`. */
function flag(raw: string | null, fallback: boolean): boolean | undefined {
  if (raw === null) return fallback;
  const lower = raw.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

export function registerRoutes(deps: Deps): void {
  const { env, state, base } = deps;
  const add = env.router.add.bind(env.router);
  /** A route that takes a BACKEND_TOKEN_WITH_USER_ID and acts for its user; `open() === false` answers 404. */
  const backendUser = (
    method: string,
    path: string,
    name: string,
    fn: (ctx: Context, userId?: string) => void,
    open = () => true,
  ) =>
    add(method, `${base}/${path}`, name, async (ctx) => {
      if (!open()) return refuse(ctx, 404, 'Not Found');
      const claims = await bearer(deps, ctx, ['BACKEND_TOKEN_WITH_USER_ID']);
      if (claims) await guarded(ctx, () => fn(ctx, claims.userId));
    });
  /** Such a route that does `action` and answers `200 {}`. */
  const action = (
    method: string,
    path: string,
    name: string,
    act: (userId?: string, ctx?: Context) => void,
    open?: () => boolean,
  ) =>
    backendUser(
      method,
      path,
      name,
      (ctx, userId) => {
        act(userId, ctx);
        ctx.send(200, {});
      },
      open,
    );

  registerTokenRoutes(deps);
  registerBrowserRoutes(deps);

  add('POST', `${base}/user`, 'alice.create_user', async (ctx) => {
    if (!(await bearer(deps, ctx, ['BACKEND_TOKEN']))) return;
    const user = state.createUser(await userFields(ctx));
    ctx.entry.userId = user.id;
    ctx.send(200, { user_id: user.id });
  });
  action('DELETE', 'user', 'alice.delete_user', (userId) => state.deleteUser(userId));
  action('PATCH', 'user/selfie', 'alice.void_selfie', (userId) => state.voidSelfie(userId));
  action('DELETE', 'user/selfie', 'alice.delete_selfie', (userId) => state.deleteSelfie(userId));
  action('DELETE', 'user/selfie/:selfie_id', 'alice.delete_selfie', (userId, ctx) =>
    state.deleteSelfie(userId, ctx?.params.selfie_id ?? ''),
  );
  backendUser('GET', 'user/report', 'alice.report', (ctx, userId) => {
    const v = version(ctx, 'alice-report-version');
    if (v === undefined) return;
    const user = state.user(userId);
    const now = env.clock.now();
    ctx.send(200, v === 0 ? reportV0(user, now) : reportV1(user, state.currentSelfie(user), now, deps.baseURL));
  });

  // Enablement: the SDKs call it /user/authentication/enable (and /disable) since 2023.
  action('POST', 'user/authentication/enable', 'alice.authorize', (userId) => state.authorize(userId));
  action('POST', 'user/authentication/disable', 'alice.deauthorize', (userId) => state.deauthorize(userId));
  // The old names, from the docs' older login page. Whether the real API still accepts them is unknown [I]: off by
  // default, they answer 404 as a removed route would; `legacyAuthorizePaths: true` makes them work like the new ones.
  const legacy = () => deps.legacyAuthorizePaths;
  action('POST', 'user/authorize', 'alice.authorize_legacy', (userId) => state.authorize(userId), legacy);
  action('POST', 'user/deauthorize', 'alice.deauthorize_legacy', (userId) => state.deauthorize(userId), legacy);

  backendUser('GET', 'user/authentication/:id', 'alice.authentication', (ctx, userId) => {
    const v = version(ctx, 'alice-authentication-version');
    if (v === undefined) return;
    const found = state.authentication(userId, ctx.params.id ?? '');
    ctx.send(200, { authentication: v === 0 ? authenticationV0(found) : authenticationV1(found, deps.baseURL) });
  });
  backendUser('GET', 'user/authentications/ids', 'alice.authentication_ids', (ctx, userId) => {
    ctx.send(200, { authentication_ids: state.authenticationsNewestFirst(userId).map((a) => a.id) });
  });
  backendUser('GET', 'user/authentications', 'alice.authentications', (ctx, userId) => {
    const query = ctx.url.searchParams;
    const page = Number(query.get('page') ?? '1');
    const size = Number(query.get('page_size') ?? '0');
    const descending = flag(query.get('descending'), true);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 0 || size > 1000) {
      return refuse(ctx, 400, 'page must be a positive integer and page_size an integer from 0 to 1000');
    }
    if (descending === undefined) return refuse(ctx, 400, 'descending must be True or False');
    const v = version(ctx, 'alice-authentication-version');
    if (v === undefined) return;
    const all = state.authenticationsNewestFirst(userId);
    if (!descending) all.reverse();
    const slice = size === 0 ? all : all.slice((page - 1) * size, page * size);
    ctx.send(200, {
      // A V0 list item is a V0 authentication plus its id, without which a list is of no use [I].
      authentications: slice.map((a) =>
        v === 0 ? { authentication_id: a.id, ...authenticationV0(a) } : authenticationV1(a, deps.baseURL),
      ),
      total: all.length,
      version: v,
    });
  });
}
