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

/** The signed-in home page: the "Verify on your phone" button. */
export function homePage(chrome: Chrome & { userName: string }, csrf: string): string {
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
</form>`,
    chrome,
  );
}

/** The page with the QR code of the handoff link. */
export function handoffPage(chrome: Chrome, handoffUrl: string, expiresAt: string): string {
  const until = new Date(expiresAt).toISOString().slice(11, 16);
  return layout(
    'Scan with your phone',
    `<h1>Scan this code with your phone</h1>
<ol>
<li>Open your phone's camera and point it at the code below.</li>
<li>Open the link it shows. The verification continues on your phone: a photo of your document, then a selfie.</li>
<li>When your phone says you are done, come back here.</li>
</ol>
<div class="qr">${renderSVG(handoffUrl, { border: 2 })}</div>
<p class="muted">The link works until ${escapeHtml(until)} UTC. If the code does not scan, open this link on your phone:</p>
<p><code>${escapeHtml(handoffUrl)}</code></p>
<p><a class="button" href="${escapeHtml(handoffUrl)}" rel="noreferrer">Open on this device instead</a></p>
<p class="muted">Pressing "Verify on your phone" again while this link is valid shows the same session.</p>
<p><a href="/">Back to your account</a></p>`,
    chrome,
  );
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
