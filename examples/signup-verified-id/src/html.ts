/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * The stylesheet, served from `/style.css` so the CSP can forbid inline styles. The `.AuthenteqButton` rules are
 * the ones Authenteq's documentation gives for the "Sign Up with Authenteq" button (docs/providers/authenteq.md,
 * "Branding"), except the caption and logo: dark instead of white, whose 2.2:1 on the orange is below WCAG AA's 4.5:1.
 */
export const STYLESHEET = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2430; line-height: 1.45; }
header { background: #1d2430; color: #fff; padding: .6rem 1rem; display: flex; justify-content: space-between; align-items: center; }
header a, header button { color: #fff; }
header form { margin: 0; }
main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
h1 { font-size: 1.4rem; margin-top: 0; }
button.link { font: inherit; background: none; border: none; padding: 0; margin: 0; text-decoration: underline; cursor: pointer; }
.muted { color: #5b6576; font-size: .9rem; }
.AuthenteqButton:focus-visible { outline: 3px solid #1d2430; outline-offset: 3px; }
.notice { background: #fdecea; border: 1px solid #f5c2c0; color: #7a1f1a; padding: .75rem 1rem; border-radius: 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1.25rem; }
dt { font-weight: 600; }
dd { margin: 0; }
.docs img { max-width: 45%; border: 1px solid #d0d5dd; border-radius: 4px; margin-right: .5rem; }
.button-row { margin: 1.75rem 0; }

.AuthenteqButton,
.AuthenteqButton:hover,
.AuthenteqButton:active {
margin: 0 auto;
display: block;
position: relative;
height: 48.59px;
width: 286px;
border-radius: 28px;
background-color: #F29E2E;
box-shadow: 0 5px 10px -5px rgba(0,0,0,0.2);
color: #1d2430;
font-family: Roboto, system-ui, sans-serif;
font-size: 15px;
line-height: 18px;
text-align: center;
text-decoration: none;
}
.AuthenteqButton-logo {
display: block;
width: 30px;
height: 30px;
position: absolute;
top: 9px;
left: 16px;
}
.AuthenteqButton-caption {
position: absolute;
top: 9px;
left: 62px;
height: 30px;
width: 224px;
color: #1d2430;
font-family: Roboto, system-ui, sans-serif;
font-size: 15px;
line-height: 30px;
font-weight: 500;
text-align: center;
border-left: 1px solid #1d2430;
}
`;

/**
 * Served from `/local-time.js` on every page: each `<time datetime>` in the reader's own time zone, named. Without
 * script the server's text stays (UTC, labelled).
 */
export const LOCAL_TIME_SCRIPT = `for (const time of document.querySelectorAll('time[datetime]')) {
  const at = new Date(time.dateTime);
  const date = time.hasAttribute('data-time-only') ? {} : { year: 'numeric', month: 'short', day: 'numeric' };
  if (!Number.isNaN(at.getTime())) time.textContent = at.toLocaleString([], { ...date, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
}
`;

/** A stand-in logo for the button (the real one comes with Authenteq's integration kit). */
export const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 30" width="30" height="30">
<circle cx="15" cy="15" r="14" fill="none" stroke="#1d2430" stroke-width="2"/>
<path d="M9 21 15 8l6 13M11.5 16h7" fill="none" stroke="#1d2430" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;

/** What every page shows in its header. */
export interface Chrome {
  /** The signed-in user's name, if any (shows a sign-out button). */
  userName?: string | undefined;
  /** The CSRF token of the sign-out form. */
  csrf?: string | undefined;
  /** A link back to the demo's landing page. */
  homeURL?: string | undefined;
}

/** A page of the example. Every dynamic value in `body` must already be escaped. */
export function layout(title: string, body: string, chrome: Chrome = {}): string {
  const home = chrome.homeURL ? `<a href="${escapeHtml(chrome.homeURL)}">← All demos</a>` : '<span>passport-idv</span>';
  const account =
    chrome.userName === undefined
      ? ''
      : `<form method="post" action="/logout"><span>${escapeHtml(chrome.userName)} · </span>
<input type="hidden" name="csrf" value="${escapeHtml(chrome.csrf ?? '')}"><button class="link" type="submit">Sign out</button></form>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Sign up with a verified ID</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header>${home}${account}</header>
<main>
${body}
</main>
<script src="/local-time.js" defer></script>
</body>
</html>`;
}
