import type { Context } from '../router.js';
import { bearer, CORS, type Deps, guarded, PREFLIGHT, refuse } from './http.js';
import { SDK_SCRIPT, sdkDemoPage } from './sdk.js';
import { userStatus } from './views.js';

/** What `/client/config` answers: the web SDK's own default, a production account with no feature flags. */
const CLIENT_CONFIG = { credentials_type: 'PRODUCTION', features: [] };

/**
 * Reads an upload's multipart body as the SDKs send it: one `video` part, or several (the web SDK's frames mode, one
 * per frame), and the optional fields `wait_for_completion` (`True`/`False`, Python), `start`, `duration` and
 * `challenge_angle` (numbers, web). The sandbox handles every upload at once, so `wait_for_completion` changes
 * nothing; a value of the wrong kind answers 400 [I]. Returns the video parts, or `undefined` once it has answered.
 */
async function capture(ctx: Context): Promise<Uint8Array[] | undefined> {
  const form = await ctx.multipart();
  const videos = form?.parts.filter((part) => part.name === 'video') ?? [];
  if (!form || videos.length === 0 || videos.some((part) => part.data.length === 0)) {
    refuse(ctx, 400, 'A multipart field "video" is required');
    return undefined;
  }
  const wait = form.fields.wait_for_completion;
  if (wait !== undefined && !/^(true|false)$/i.test(wait)) {
    refuse(ctx, 400, 'wait_for_completion must be True or False');
    return undefined;
  }
  for (const key of ['start', 'duration', 'challenge_angle']) {
    const raw = form.fields[key];
    if (raw !== undefined && (raw.trim() === '' || !Number.isFinite(Number(raw)))) {
      refuse(ctx, 400, `${key} must be a number`);
      return undefined;
    }
  }
  return videos.map((part) => part.data);
}

/**
 * The USER_TOKEN endpoints a browser calls (the web SDK's `OnboardingClient`): each answers CORS, preflights
 * included. A refused capture answers 204 or 406 and stores nothing [I] (see `guarded`).
 */
export function registerBrowserRoutes(deps: Deps): void {
  const { env, state, base } = deps;
  const add = env.router.add.bind(env.router);
  /** A CORS route that takes a USER_TOKEN and acts for its user. */
  const userRoute = (method: string, path: string, name: string, fn: (ctx: Context, userId?: string) => unknown) =>
    add(
      method,
      `${base}/${path}`,
      name,
      async (ctx) => {
        const claims = await bearer(deps, ctx, ['USER_TOKEN']);
        if (claims) await guarded(ctx, async () => void (await fn(ctx, claims.userId)));
      },
      CORS,
    );

  userRoute('GET', 'user/status', 'alice.user_status', (ctx, userId) => {
    const user = state.user(userId);
    ctx.send(200, userStatus(user, state.currentSelfie(user), state.selfieLimitReached(user)));
  });
  userRoute('POST', 'user/selfie', 'alice.selfie', async (ctx, userId) => {
    const media = await capture(ctx);
    if (!media) return;
    state.addSelfie(userId, media);
    ctx.send(201, {});
  });
  userRoute('POST', 'user/authenticate', 'alice.authenticate', async (ctx, userId) => {
    const media = await capture(ctx);
    if (!media) return;
    ctx.send(200, { authentication_id: state.authenticate(userId, media).id });
  });
  userRoute('GET', 'client/config', 'alice.client_config', (ctx) => ctx.send(200, CLIENT_CONFIG));
  // The web SDK's telemetry (`{"event": {...}}`): accepted and dropped; the SDK ignores the answer.
  userRoute('POST', 'user/event', 'alice.user_event', (ctx) => ctx.send(200, {}));

  for (const path of ['user/status', 'user/selfie', 'user/authenticate', 'client/config', 'user/event']) {
    add('OPTIONS', `${base}/${path}`, 'alice.cors', (ctx) => {
      ctx.res.writeHead(204, PREFLIGHT);
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
