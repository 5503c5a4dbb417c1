import { escapeHtml } from './html.js';

/** A user of the example app. */
export interface BankUser {
  id: string;
  email: string;
  aliceUserId: string;
  /** `true` once `reviewEnrollment` authorized the enrollment selfie. */
  faceLoginEnabled: boolean;
}

/** What every page's header needs. */
export interface Chrome {
  user?: BankUser;
  csrf: string;
  homeURL?: string;
}

/**
 * How the page captures a selfie: the sandbox's stand-in for the SDK (its dialog of synthetic choices), or Alice's
 * real web SDK served from this app (`/alice/`), pointed at `api`.
 */
export type SdkTag = { kind: 'stand-in'; src: string } | { kind: 'alice'; api: string };

function layout(title: string, chrome: Chrome, body: string, scripts = ''): string {
  const home = chrome.homeURL ? `<a href="${escapeHtml(chrome.homeURL)}">← All demos</a>` : '<span></span>';
  const who = chrome.user
    ? `<span>${escapeHtml(chrome.user.email)} · <form method="post" action="/logout"><input type="hidden" name="csrf" value="${escapeHtml(chrome.csrf)}"><button class="link" type="submit">Log out</button></form></span>`
    : '<a href="/login">Log in</a>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Face login example</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header>${home}<strong>Face login example</strong>${who}</header>
<main>
${body}
</main>
<script src="/local-time.js" defer></script>
${scripts}
</body>
</html>`;
}

function notice(text: string | undefined, kind: 'notice' | 'ok' = 'notice'): string {
  return text ? `<p class="${kind}" role="status">${escapeHtml(text)}</p>` : '';
}

/**
 * The one place a face page says what went wrong: the server's message when the page loads (the refusal of the last
 * try), replaced by the page script's once the person tries again.
 */
function faceStatus(message: string | undefined): string {
  return `<p id="face-status" role="alert"${message ? ` class="notice">${escapeHtml(message)}` : '>'}</p>`;
}

function sdkScripts(sdk: SdkTag): string {
  if (sdk.kind === 'stand-in')
    return `<script src="${escapeHtml(sdk.src)}"></script>\n<script src="/face.js"></script>`;
  // The SDK renders its camera screen into #alice-camera (it replaces what is inside).
  return `<link rel="stylesheet" href="/alice/aliceonboarding.css">
<div id="alice-camera" data-api="${escapeHtml(sdk.api)}"></div>
<script src="/alice/aliceonboarding.min.js"></script>
<script src="/face.js"></script>`;
}

export function registerPage(chrome: Chrome, message?: string, email = ''): string {
  return layout(
    'Register',
    chrome,
    `<h1>Open an account</h1>
<p>This example shows face login with Alice Onboarding: you register with an email, enroll a selfie, log out, then
log back in with your face — and confirm a money transfer with a fresh face login.</p>
<ol class="steps"><li>Register with your email.</li><li>Take an enrollment selfie; we check it is a live person.</li>
<li>Log out, then log in with your face.</li><li>Open “Transfer money”: it asks for a face login in the last 5 minutes.</li></ol>
${notice(message)}
<form method="post" action="/register">
<input type="hidden" name="csrf" value="${escapeHtml(chrome.csrf)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" required maxlength="200" autocomplete="email" value="${escapeHtml(email)}">
<button type="submit">Register</button>
</form>
<p class="muted">Already enrolled? <a href="/login">Log in with your face</a>.</p>`,
  );
}

export function enrollPage(chrome: Chrome, sdk: SdkTag, message?: string): string {
  return layout(
    'Enroll your face',
    chrome,
    `<h1>Enroll your face</h1>
<p>Take a short selfie. We check that a live person is in front of the camera; if so, face login is turned on for
your account. The selfie goes straight from your browser to the identity provider.</p>
<div data-face="enroll" data-csrf="${escapeHtml(chrome.csrf)}">
${faceStatus(message)}
<button id="face-start" type="button">Take my enrollment selfie</button>
</div>
<form id="face-done" method="post" action="/enroll/review">
<input type="hidden" name="csrf" value="${escapeHtml(chrome.csrf)}">
</form>`,
    sdkScripts(sdk),
  );
}

export function loginPage(
  chrome: Chrome,
  sdk: SdkTag,
  options: { returnTo: string; stepUp: boolean; message?: string | undefined; device?: BankUser | undefined },
): string {
  const { device } = options;
  const stepUp = chrome.user !== undefined;
  if (!stepUp && !device?.faceLoginEnabled) {
    // Nobody to log in as: face login starts only on a browser bound to its user, never from a typed email.
    return layout(
      'Log in',
      chrome,
      `<h1>Log in with your face</h1>
${notice(options.message)}
<p class="notice" role="status">Face login is not set up on this browser.</p>
<p>Face login works on a browser where you signed in before: registering here signs you in, and once your selfie is
accepted, this browser remembers you for 90 days. On a new browser, a real app would have you sign in with your
password (and a second factor) first; this example has no passwords, so <a href="/register">register</a> here.</p>
${device ? forgetForm(chrome) : ''}`,
    );
  }
  const intro = stepUp
    ? `<p>The page you opened needs a face login from the last 5 minutes. Take a new selfie to confirm it is you,
<strong>${escapeHtml(chrome.user?.email)}</strong>.</p>`
    : `<p>This browser remembers you as <strong>${escapeHtml(device?.email)}</strong>. Take a selfie: we compare it
with the face you enrolled.</p>`;
  const forget = stepUp ? '' : forgetForm(chrome);
  return layout(
    options.stepUp ? 'Confirm it is you' : 'Log in',
    chrome,
    `<h1>${options.stepUp ? 'Confirm it is you' : 'Log in with your face'}</h1>
${intro}
<div data-face="login" data-csrf="${escapeHtml(chrome.csrf)}">
${faceStatus(options.message)}
<button id="face-start" type="button">${stepUp ? 'Confirm with my face' : 'Log in with my face'}</button>
</div>
<form id="face-done" method="post" action="/login/face">
<input type="hidden" name="csrf" value="${escapeHtml(chrome.csrf)}">
<input type="hidden" name="returnTo" value="${escapeHtml(options.returnTo)}">
</form>
${forget}`,
    sdkScripts(sdk),
  );
}

function forgetForm(chrome: Chrome): string {
  return `<form method="post" action="/device/forget">
<input type="hidden" name="csrf" value="${escapeHtml(chrome.csrf)}">
<button class="link" type="submit">Not you? Forget this browser</button>
</form>`;
}

/**
 * A time for people: `<time datetime>` with `2026-11-22 00:37 UTC` in it, which the page's script shows in the
 * reader's own time zone.
 */
function readableTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

export function accountPage(
  chrome: Chrome & { user: BankUser },
  options: { message?: string; lastFaceLogin?: number },
): string {
  const { user } = chrome;
  return layout(
    'Your account',
    chrome,
    `<h1>Your account</h1>
${notice(options.message, 'ok')}
<dl>
<dt>Email</dt><dd>${escapeHtml(user.email)}</dd>
<dt>Face login</dt><dd>${user.faceLoginEnabled ? 'On' : 'Not set up yet'}</dd>
<dt>Last face login</dt><dd>${
      options.lastFaceLogin === undefined ? 'Not in this session' : readableTime(options.lastFaceLogin)
    }</dd>
</dl>
${
  user.faceLoginEnabled
    ? '<p><a class="button" href="/transfer">Transfer money</a></p><p class="muted">Transfers need a face login from the last 5 minutes.</p>'
    : '<p><a class="button" href="/enroll">Enroll your face</a></p>'
}`,
  );
}

/** What the transfer form was sent with, and what was wrong with it, field by field. */
export interface TransferForm {
  to: string;
  amount: string;
  errors: { to?: string; amount?: string };
}

/** The transfer page: the result of the last transfer (shown once), or the form as it was sent, with its errors. */
export function transferPage(
  chrome: Chrome,
  options: { sent?: { amount: string; to: string }; form?: TransferForm } = {},
): string {
  const { sent, form } = options;
  const field = (name: 'to' | 'amount', label: string, hint: string, attributes: string) => {
    const error = form?.errors[name];
    const described = [`${name}-hint`, ...(error ? [`${name}-error`] : [])].join(' ');
    return `<label for="${name}">${label}</label>
<p class="hint" id="${name}-hint">${hint}</p>
${error ? `<p class="field-error" id="${name}-error">${escapeHtml(error)}</p>` : ''}
<input id="${name}" name="${name}" ${attributes} required value="${escapeHtml(form?.[name] ?? '')}" aria-describedby="${described}"${error ? ' aria-invalid="true"' : ''}>`;
  };
  return layout(
    'Transfer money',
    chrome,
    `<h1>Transfer money</h1>
<p>You confirmed it is you with a face login in the last 5 minutes, so you may send a transfer.</p>
${sent ? notice(`Sent ${sent.amount} EUR to ${sent.to} (a pretend transfer: no money moves).`, 'ok') : ''}
<form method="post" action="/transfer" novalidate>
<input type="hidden" name="csrf" value="${escapeHtml(chrome.csrf)}">
${field('to', 'To (IBAN or name)', 'Up to 64 characters.', 'type="text" maxlength="64" autocomplete="off"')}
${field('amount', 'Amount (EUR)', 'From 0.01 to 10,000 EUR, with at most two decimals (cents), e.g. 12.50.', 'type="text" inputmode="decimal" maxlength="9" autocomplete="off"')}
<button type="submit">Send</button>
</form>
<p><a href="/account">Back to your account</a></p>`,
  );
}

export function errorPage(chrome: Chrome, title: string, text: string): string {
  return layout(title, chrome, `<h1>${escapeHtml(title)}</h1>${notice(text)}<p><a href="/">Start again</a></p>`);
}
