import { escapeHtml } from '../html.js';

/** One submit button per test identity, each posting `name=<identity id>`. */
export function identityButtons(name: string, identities: { id: string; label: string }[]): string {
  return identities
    .map(
      (identity) =>
        `<button class="choice" type="submit" name="${escapeHtml(name)}" value="${escapeHtml(identity.id)}">${escapeHtml(
          identity.label,
        )}</button>`,
    )
    .join('\n');
}

/** A link back to the app: the origin of a URL it registered (nothing for a non-http(s) one). */
export function backLink(registeredURL: string): string {
  const origin = new URL(registeredURL).origin;
  if (!/^https?:\/\//.test(origin)) return '';
  return `<p><a href="${escapeHtml(`${origin}/`)}">Back to ${escapeHtml(origin)}</a></p>`;
}
