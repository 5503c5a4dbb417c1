/** A browser's worth of HTTP for tests: one cookie jar used against any number of app instances. */

/** An answer, with its JSON body parsed (or `{}`). */
export interface Answer {
  status: number;
  headers: Headers;
  /** The `Location` header of a redirect. */
  location: string | undefined;
  body: Record<string, unknown>;
}

/**
 * One cookie jar shared by every instance it talks to, as a browser behind a load balancer has; redirects are not
 * followed, so a test decides where the next request goes.
 *
 * @example
 * ```ts
 * const browser = new Browser();
 * await browser.post(a, '/login/face/begin', { aliceUserId });
 * await browser.post(b, '/login/face', { authenticationId }); // the same session, on the other instance
 * ```
 */
export class Browser {
  readonly #cookies = new Map<string, string>();

  get(base: string, path: string): Promise<Answer> {
    return this.#request('GET', base, path);
  }

  post(base: string, path: string, json: unknown = {}): Promise<Answer> {
    return this.#request('POST', base, path, json);
  }

  /** The value of cookie `name`, if the jar holds it. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  async #request(method: string, base: string, path: string, json?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (this.#cookies.size > 0) {
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (json !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, base), {
      method,
      headers,
      redirect: 'manual',
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      if (at < 1) continue;
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired) this.#cookies.delete(pair.slice(0, at).trim());
      else this.#cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON (a redirect's body): keep {}.
    }
    return { status: res.status, headers: res.headers, location: res.headers.get('location') ?? undefined, body };
  }
}
