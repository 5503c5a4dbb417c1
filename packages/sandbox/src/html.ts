/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A sandbox page: a plain, tidy layout with a banner saying this is the local sandbox, not the real provider. */
export function page(title: string, provider: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(provider)} sandbox</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2430; }
  .banner { background: #1d2430; color: #fff; padding: .5rem 1rem; font-size: .85rem; }
  main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
         box-shadow: 0 1px 3px rgba(0,0,0,.1); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  button, .button { font: inherit; padding: .6rem 1rem; border-radius: 6px; border: 1px solid #2c5fd4;
         background: #2c5fd4; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; margin: .25rem 0; }
  button.secondary { background: #fff; color: #2c5fd4; }
  .choice { display: block; width: 100%; text-align: left; margin: .5rem 0; }
  .muted { color: #5b6576; font-size: .9rem; }
  code { background: #eef0f4; padding: .1rem .3rem; border-radius: 4px; word-break: break-all; }
  .error { color: #a4161a; }
</style>
</head>
<body>
<div class="banner">${escapeHtml(provider)} · local sandbox — no real identity data, no network</div>
<main>
${body}
</main>
</body>
</html>`;
}
