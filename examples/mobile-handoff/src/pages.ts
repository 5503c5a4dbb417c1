import type { IdvSessionState } from '@passport-idv/ephemeral-session';
import { renderSVG } from 'uqr';
import { type Chrome, escapeHtml, layout } from './html.js';

/** The sign-in page: a demo login by name. */
export function signInPage(chrome: Chrome, csrf: string, error?: string): string {
  return layout(
    'Sign in',
    `<h1>Continue a verification on your phone</h1>
<p>This demo shows how a website hands an identity verification over to the user's phone: the server starts a
verification session and shows a QR code; the phone scans it and takes the photos.</p>
<p>First, sign in. This demo has no passwords: pick any name and you are signed in as that demo user.</p>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<label for="name">Your name</label>
<input id="name" name="name" type="text" maxlength="40" required autocomplete="name">
<button type="submit">Continue as demo user</button>
</form>`,
    chrome,
  );
}

/** The signed-in home page: the "Verify on your phone" button (and a link to the verification under way, if any). */
export function homePage(chrome: Chrome & { userName: string }, csrf: string, current?: boolean): string {
  return layout(
    'Verify your identity',
    `<h1>Hello, ${escapeHtml(chrome.userName)}</h1>
<p>To finish setting up your account, verify your identity. You will need your identity document and your phone's
camera.</p>
<p>When you press the button, this site asks the verification service to start a session for your account and shows
you a QR code to scan with your phone.</p>
<form method="post" action="/verify/phone">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<button type="submit">Verify on your phone</button>
</form>
${current ? '<p><a href="/verify/phone">See your last verification</a></p>' : ''}`,
    chrome,
  );
}

/** The handoff the user is working on, as the app keeps it in their session. */
export interface CurrentHandoff {
  handoffUrl: string;
  sessionId: string;
  expiresAt: string;
}

/** What the computer's page says while the phone works, per state the platform reports. */
const PROGRESS: Partial<Record<IdvSessionState, string>> = {
  document_sent: 'Your phone sent the photo of your document. Next: a selfie.',
  selfie_sent: 'Your phone sent the selfie. Checking…',
};

/**
 * The page with the QR code of the handoff link, and the progress of the phone. It asks `/verify/phone/status`
 * every few seconds (a same-origin script) and reloads itself when the state changes; without script, "Check now"
 * does the same.
 */
export function handoffPage(chrome: Chrome, handoff: CurrentHandoff, state: IdvSessionState): string {
  const expiresAt = new Date(handoff.expiresAt).toISOString();
  const progress = PROGRESS[state] ?? 'Waiting for your phone…';
  return layout(
    'Scan with your phone',
    `<h1>Scan this code with your phone</h1>
<ol>
<li>Open your phone's camera and point it at the code below.</li>
<li>Open the link it shows. The verification continues on your phone: a photo of your document, then a selfie.</li>
<li>Keep this page open: it shows the result when your phone is done.</li>
</ol>
<div class="qr">${renderSVG(handoff.handoffUrl, { border: 2 })}</div>
<p class="status" role="status" data-poll="/verify/phone/status" data-state="${escapeHtml(state)}">${escapeHtml(progress)}</p>
<p><a href="/verify/phone">Check now</a></p>
<p class="muted">The link works until <time datetime="${expiresAt}" data-time-only>${expiresAt.slice(11, 16)} UTC</time>. If the code does not scan, open this link on your phone:</p>
<p><code>${escapeHtml(handoff.handoffUrl)}</code></p>
<p><a class="button" href="${escapeHtml(handoff.handoffUrl)}" rel="noreferrer" target="_blank">Open on this device instead</a></p>
<p class="muted">Pressing "Verify on your phone" again while this link is valid shows the same session.</p>
<p><a href="/">Back to your account</a></p>
<script src="/handoff.js" defer></script>`,
    chrome,
  );
}

/** How a verification ended, as the computer's page shows it. */
export type Outcome = 'verified' | 'not_verified' | 'expired';

/** The outcome of the verification, with the next step. */
export function outcomePage(chrome: Chrome, outcome: Outcome, csrf: string): string {
  const again = (label: string) => `<form method="post" action="/verify/phone">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<button type="submit">${escapeHtml(label)}</button>
</form>`;
  const bodies: Record<Outcome, [string, string]> = {
    verified: [
      'Your identity is verified',
      `<p class="ok">Verified. Thank you: your account is set up.</p>
<p><a class="button" href="/">Continue to your account</a></p>`,
    ],
    not_verified: [
      'Not verified',
      `<p class="error">Not verified: the check of your document and selfie did not succeed.</p>
<p>Try again with your identity document at hand, in good light. A new code is made for you.</p>
${again('Try again on your phone')}
<p><a href="/">Back to your account</a></p>`,
    ],
    expired: [
      'The link expired',
      `<p>The verification was not finished in time, so its link no longer works.</p>
${again('Start again on your phone')}
<p><a href="/">Back to your account</a></p>`,
    ],
  };
  const [title, body] = bodies[outcome];
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n${body}`, chrome);
}

/** A page for a failure, in plain words. */
export function errorPage(chrome: Chrome, title: string, message: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/">Back to the start</a></p>`,
    chrome,
  );
}
