import { escapeHtml } from './html.js';

/** One flow on the landing page. */
export interface FlowLink {
  title: string;
  url: string;
  demonstrates: string;
  package: string;
}

/** The landing page: one link per flow, with a line on what each demonstrates. */
export function landingPage(flows: FlowLink[], sandboxURL: string): string {
  const items = flows
    .map(
      (flow) => `<li>
  <a class="flow" href="${escapeHtml(flow.url)}">${escapeHtml(flow.title)}</a>
  <p>${escapeHtml(flow.demonstrates)}</p>
  <p class="muted">Package: <code>${escapeHtml(flow.package)}</code> · <a href="${escapeHtml(flow.url)}">${escapeHtml(flow.url)}</a></p>
</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>passport-idv demo</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2430; }
  main { max-width: 44rem; margin: 2.5rem auto; padding: 0 1rem; }
  h1 { margin-bottom: .25rem; }
  ul { list-style: none; padding: 0; }
  li { background: #fff; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
  a.flow { font-size: 1.15rem; font-weight: 600; color: #2c5fd4; }
  li p { margin: .4rem 0 0; }
  .muted { color: #5b6576; font-size: .85rem; }
  code { background: #eef0f4; padding: .1rem .3rem; border-radius: 4px; }
</style>
</head>
<body>
<main>
<h1>passport-idv demo</h1>
<p>Three sample Express apps, each using one passport-idv package against a local sandbox that stands in for the
identity providers. Nothing leaves this machine and no identity data is real.</p>
<ul>
${items}
</ul>
<p class="muted">The provider sandbox runs at <a href="${escapeHtml(sandboxURL)}">${escapeHtml(sandboxURL)}</a>.</p>
</main>
</body>
</html>`;
}
