/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The stylesheet, served from `/style.css` so the CSP can forbid inline styles. */
export const STYLESHEET = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2430; line-height: 1.45; }
header { background: #1d2430; color: #fff; padding: .6rem 1rem; display: flex; justify-content: space-between; align-items: center; }
header a, header button { color: #fff; }
header form { margin: 0; }
main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
h1 { font-size: 1.4rem; margin-top: 0; }
label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
input[type=text] { font: inherit; padding: .5rem; width: 100%; box-sizing: border-box; border: 1px solid #b8bfcc; border-radius: 6px; }
button, .button { font: inherit; padding: .6rem 1rem; border-radius: 6px; border: 1px solid #2c5fd4; background: #2c5fd4; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; margin: .5rem 0; }
button.link { background: none; border: none; padding: 0; margin: 0; text-decoration: underline; }
.qr { width: 16rem; max-width: 100%; }
.qr svg { width: 100%; height: auto; display: block; }
.muted { color: #5b6576; font-size: .9rem; }
.error { color: #a4161a; }
.ok { color: #1a6b32; font-weight: 600; }
.status { font-weight: 600; }
code { background: #eef0f4; padding: .1rem .3rem; border-radius: 4px; word-break: break-all; }
ol li { margin: .3rem 0; }
`;

/**
 * The handoff page's script, served from `/handoff.js` so the CSP allows only same-origin scripts: it asks the status
 * endpoint every two seconds and reloads the page (which the server renders) when the state has changed.
 */
export const HANDOFF_SCRIPT = `
const status = document.querySelector('[data-poll]');
if (status) {
  const check = async () => {
    try {
      const res = await fetch(status.dataset.poll, { cache: 'no-store', headers: { accept: 'application/json' } });
      if (res.ok && (await res.json()).state !== status.dataset.state) return location.reload();
    } catch {}
    setTimeout(check, 2000);
  };
  setTimeout(check, 2000);
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

/** What every page shows in its header. */
export interface Chrome {
  /** The signed-in user's name, if any (shows a sign-out button). */
  userName?: string | undefined;
  /** The CSRF token for the sign-out form. */
  csrf?: string | undefined;
  /** A link back to the demo's landing page. */
  homeURL?: string | undefined;
}

/** A page of the example: header, main content. Every dynamic value in `body` must already be escaped. */
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
<title>${escapeHtml(title)} · Continue on your phone</title>
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
