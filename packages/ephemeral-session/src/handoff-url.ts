import { InvalidArgumentError } from '@passport-idv/core';
/**
 * Normalises an IDV host to the base URL every call and link is built on: `https://<IDV_HOST>` plus an optional
 * path prefix, without a trailing slash.
 *
 * - A bare host name (`idv.example.com`) means `https://idv.example.com`.
 * - A path prefix is kept (`http://127.0.0.1:4000/idv` → calls go to `…/idv/api/...`, links to `…/idv/capture`), for
 *   platforms served under a path, such as the sandbox.
 * - The scheme and host are lower-cased and a default port dropped, as the WHATWG URL parser does.
 * - A query string, a fragment, user info or a scheme other than http(s) throws a `TypeError`.
 *
 * @example
 * ```ts
 * idvBaseURL('idv.example.com');             // 'https://idv.example.com'
 * idvBaseURL('http://127.0.0.1:4000/idv/');  // 'http://127.0.0.1:4000/idv'
 * ```
 */
export function idvBaseURL(host: string): string {
  if (typeof host !== 'string' || host.trim() === '') throw new InvalidArgumentError('host must be a non-empty string');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidArgumentError('host must be a URL such as https://idv.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidArgumentError('host must be an http(s) URL');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new InvalidArgumentError('host must not have a query string, a fragment or user info');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Builds the handoff URL exactly as the provider documents it:
 * `https://<IDV_HOST>/capture?url=<url-encoded("https://<IDV_HOST>/mobile?authorization=<token>&sessionId=<id>")>`.
 *
 * The token and the session id are URL-encoded inside the inner link (tokens may contain a space, `Token xxx`), then
 * the whole inner link is encoded once more as the `url` parameter, so the token appears double-encoded in the result
 * (`Token%2520xxx`). `host` is normalised by {@link idvBaseURL}; a path prefix is kept in both the outer and the inner
 * link.
 *
 * @throws TypeError for an invalid host, or an empty token or session id.
 *
 * @example
 * ```ts
 * buildHandoffUrl('https://idv.example.com', 'Token abc', 's-1');
 * // 'https://idv.example.com/capture?url=https%3A%2F%2Fidv.example.com%2Fmobile%3Fauthorization%3DToken%2520abc%26sessionId%3Ds-1'
 * ```
 */
export function buildHandoffUrl(host: string, token: string, sessionId: string): string {
  const base = idvBaseURL(host);
  if (typeof token !== 'string' || token === '') throw new InvalidArgumentError('token must be a non-empty string');
  if (typeof sessionId !== 'string' || sessionId === '')
    throw new InvalidArgumentError('sessionId must be a non-empty string');
  const mobile = `${base}/mobile?authorization=${encodeURIComponent(token)}&sessionId=${encodeURIComponent(sessionId)}`;
  return `${base}/capture?url=${encodeURIComponent(mobile)}`;
}
