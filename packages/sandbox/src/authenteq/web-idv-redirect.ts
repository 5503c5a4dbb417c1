/**
 * Whether `redirectUrl` (what an app sent to `verification-url`) is allowed by one of the `registered` URLs.
 *
 * Inferred: Authenteq matches against the URLs registered on its dashboard, lets apps put their own query parameters
 * in the redirect URL (`?id=…&email=…`) and says nothing on how the two combine. The sandbox accepts a registered URL
 * character for character, optionally followed by more query parameters: `https://app/cb` allows
 * `https://app/cb?state=x` but not `https://app/cb/`, `https://app/cbx` or `https://APP/cb`; `https://app/cb?t=a`
 * allows `https://app/cb?t=a&state=x` but not `https://app/cb?t=b`. A fragment is never accepted (it would be lost
 * on the way back).
 */
export function allowedRedirect(redirectUrl: string, registered: Iterable<string>): boolean {
  if (redirectUrl.includes('#') || !URL.canParse(redirectUrl)) return false;
  for (const url of registered) {
    if (redirectUrl === url) return true;
    if (!redirectUrl.startsWith(url)) continue;
    const next = redirectUrl.charAt(url.length);
    if (next === (url.includes('?') ? '&' : '?')) return true;
  }
  return false;
}

/**
 * `redirectUrl` with `code` added to its query, every other parameter kept byte for byte (documented: Authenteq adds
 * `code` to the app's own parameters). Inferred: a `code` the URL already has is replaced, not repeated — the docs
 * only ask apps not to use that name.
 */
export function withCode(redirectUrl: string, code: string): string {
  const at = redirectUrl.indexOf('?');
  const path = at === -1 ? redirectUrl : redirectUrl.slice(0, at);
  const query = at === -1 ? '' : redirectUrl.slice(at + 1);
  const kept = query.split('&').filter((pair) => pair !== '' && decodeName(pair) !== 'code');
  kept.push(`code=${encodeURIComponent(code)}`);
  return `${path}?${kept.join('&')}`;
}

function decodeName(pair: string): string {
  const name = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}
