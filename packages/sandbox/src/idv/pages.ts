import { renderSVG } from 'uqr';
import type { SandboxEnv } from '../env.js';
import { escapeHtml, page } from '../html.js';
import type { Context } from '../router.js';
import { IDV_CAPTURE_STEPS, type IdvCaptureStep, type IdvSandboxSession, type IdvState } from './state.js';

const PROVIDER = 'IDV platform';

/** The handoff pages carry an ephemeral token in their URL: it must not leak to other sites through Referer. */
function sendPage(ctx: Context, status: number, title: string, body: string): void {
  ctx.res.setHeader('referrer-policy', 'no-referrer');
  ctx.html(status, page(title, PROVIDER, body));
}

/**
 * The browser pages of the handoff: `/capture?url=` (the link and its QR code, for the computer) and `/mobile`
 * (a simulated phone capture standing in for the provider's mobile web app: the two photos, or a failed check).
 */
export function mountIdvPages(env: SandboxEnv, base: string, state: IdvState): void {
  const origin = new URL(env.url).origin;

  env.router.add('GET', `${base}/capture`, 'idv.capture', (ctx) => {
    const link = ctx.url.searchParams.get('url');
    const target = link === null ? undefined : handoffTarget(link, base, origin, ctx.req.headers.host);
    if (link === null || target === undefined) {
      sendPage(
        ctx,
        400,
        'Not a handoff link',
        `<h1>This is not a handoff link</h1>
<p>The <code>url</code> parameter must be a link to this platform's <code>${escapeHtml(base)}/mobile</code> page,
URL-encoded, as the provider documents: <code>/capture?url=&lt;url-encoded mobile link&gt;</code>.</p>`,
      );
      return;
    }
    sendPage(
      ctx,
      200,
      'Continue on your phone',
      `<h1>Continue on your phone</h1>
<p>On a computer? Scan this code with your phone's camera to continue the verification there.</p>
<div style="max-width:16rem">${renderSVG(link, { border: 2 })}</div>
<p class="muted">Or open this link on your phone:</p>
<p><code>${escapeHtml(link)}</code></p>
<p>Already on your phone, or no phone at hand? Continue here.</p>
<p><a class="button" href="${escapeHtml(link)}">Continue on this device</a></p>
<p class="muted">The link works until its ephemeral token expires.</p>`,
    );
  });

  env.router.add('GET', `${base}/mobile`, 'idv.mobile', (ctx) => {
    const token = ctx.url.searchParams.get('authorization') ?? '';
    const sessionId = ctx.url.searchParams.get('sessionId') ?? '';
    const session = authorise(ctx, state, token, sessionId);
    if (session === undefined) return;
    sendPage(ctx, 200, 'Verify your identity', mobileBody(base, token, session));
  });

  env.router.add('POST', `${base}/mobile`, 'idv.mobile_capture', async (ctx) => {
    const form = await ctx.form();
    const token = form.get('authorization') ?? '';
    const sessionId = form.get('sessionId') ?? '';
    const session = authorise(ctx, state, token, sessionId);
    if (session === undefined) return;
    const step = IDV_CAPTURE_STEPS.find(({ id }) => id === form.get('step'));
    if (form.get('step') === 'fail') state.fail(sessionId);
    else if (step !== undefined) state.capture(sessionId, step.id);
    else {
      sendPage(ctx, 400, 'Unknown step', '<h1>Unknown step</h1><p>Go back and use the buttons on the page.</p>');
      return;
    }
    ctx.res.setHeader('referrer-policy', 'no-referrer');
    ctx.redirect(`${base}/mobile?${new URLSearchParams({ authorization: token, sessionId })}`);
  });
}

/** The session the phone asks for, if its token is live and started that session; otherwise answers 401. */
function authorise(ctx: Context, state: IdvState, token: string, sessionId: string): IdvSandboxSession | undefined {
  const check = token === '' ? 'unknown' : state.checkToken(token);
  ctx.credential(token === '' ? 'none' : check === 'unknown' ? 'invalid' : 'ephemeral_token');
  const session = check === 'live' ? state.boundSession(token, sessionId) : undefined;
  if (session === undefined) {
    sendPage(
      ctx,
      401,
      'Link not valid',
      `<h1>This link has expired or is not valid</h1>
<p>Go back to the site where you started and ask for a new link.</p>`,
    );
  }
  return session;
}

function mobileBody(base: string, token: string, session: IdvSandboxSession): string {
  const next = IDV_CAPTURE_STEPS.find(({ id }) => session.steps[id] === undefined);
  const items = IDV_CAPTURE_STEPS.map(({ id, title }) => {
    const done = session.steps[id as IdvCaptureStep] !== undefined;
    return `<li>${done ? '✓' : '○'} ${escapeHtml(title)}${done ? ' — done' : ''}</li>`;
  }).join('\n');
  const form = (
    step: string,
    label: string,
    className = '',
  ) => `<form method="post" action="${escapeHtml(`${base}/mobile`)}">
<input type="hidden" name="authorization" value="${escapeHtml(token)}">
<input type="hidden" name="sessionId" value="${escapeHtml(session.id)}">
<input type="hidden" name="step" value="${escapeHtml(step)}">
<button type="submit"${className ? ` class="${className}"` : ''}>${escapeHtml(label)}</button>
</form>`;
  let action: string;
  if (session.state === 'finished') {
    action = `<h2>Done</h2>
<p>Your photos were sent and your identity is verified. You can close this page and return to the site where you
started.</p>`;
  } else if (session.state === 'failed') {
    action = `<h2>Not verified</h2>
<p>The verification did not succeed. Return to the site where you started to try again.</p>`;
  } else {
    action = `<p><strong>${escapeHtml(next?.title ?? '')}.</strong> In this sandbox the camera is simulated: the button stands in
for the photo.</p>
${form(next?.id ?? '', next?.action ?? '')}
<p class="muted">To see how a site handles a verification that does not pass:</p>
${form('fail', 'Simulate a failed verification', 'secondary')}`;
  }
  return `<h1>Verify your identity</h1>
<p class="muted">Session <code>${escapeHtml(session.id)}</code> · workflow <code>${escapeHtml(session.workflowId)}</code></p>
<ol>
${items}
</ol>
${action}`;
}

/** The mobile link inside `/capture?url=`, if it points at this platform's `/mobile` page. */
function handoffTarget(link: string, base: string, origin: string, hostHeader: string | undefined): URL | undefined {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  // Accept the sandbox's own origin and the one the browser used (localhost vs 127.0.0.1); nothing else, so the
  // page can never be used to show a QR code of an arbitrary site.
  const origins = new Set([origin]);
  if (hostHeader !== undefined) origins.add(`http://${hostHeader}`);
  if (!origins.has(url.origin) || url.pathname !== `${base}/mobile`) return undefined;
  return url;
}
