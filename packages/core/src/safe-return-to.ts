/**
 * Keeps a post-login destination only if it is a relative path on this site; anything else (another origin, a
 * protocol-relative `//host`, a backslash trick such as `/\host`, `javascript:`, control characters) becomes
 * `fallback`. Use it on every `returnTo` taken from a query string or a form.
 *
 * What is checked is what is returned: the path is normalised first (`/a/../b` is `/b`), and the result must again be
 * a path that stays on this site. Normalising can make a new `//`: `/.//evil.example` becomes `//evil.example`, which a
 * browser reads as another host, so such an input gets `fallback` too.
 *
 * @param value - what the request asked for, of any type.
 * @param allowedOrigin - the app's own origin; the path is resolved against it and must stay on it.
 * @param fallback - what to use instead. Default `'/'`.
 * @returns a path such as `/account?tab=1`.
 *
 * @example
 * ```ts
 * safeReturnTo('/account', 'https://app.example');           // '/account'
 * safeReturnTo('//evil.example', 'https://app.example');     // '/'
 * safeReturnTo('https://evil.example', 'https://app.example'); // '/'
 * ```
 */
export function safeReturnTo(value: unknown, allowedOrigin = 'http://localhost', fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  // Only a path: one leading slash, never two, and no backslash anywhere (browsers read `\` as `/`).
  if (value[0] !== '/' || value[1] === '/' || value.includes('\\')) return fallback;
  // Control characters and spaces are stripped or rewritten by URL parsers in surprising ways: refuse them.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) return fallback;
  let origin: string;
  let resolved: URL;
  try {
    origin = new URL(allowedOrigin).origin;
    resolved = new URL(value, origin);
  } catch {
    return fallback;
  }
  if (resolved.origin !== origin) return fallback;
  const result = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  return isSitePath(result, origin) ? result : fallback;
}

/** `true` if a browser given `path` as a `Location` stays on `origin` and reads the same path back. */
function isSitePath(path: string, origin: string): boolean {
  if (path[0] !== '/' || path[1] === '/' || path[1] === '\\') return false;
  const again = new URL(path, origin);
  return again.origin === origin && `${again.pathname}${again.search}${again.hash}` === path;
}
