import supertest from 'supertest';

/** A browser: a cookie-keeping supertest agent. */
export type Browser = ReturnType<typeof supertest.agent>;

/** A browser on `app`. */
export function browserOn(app: unknown): Browser {
  return supertest.agent(app as Parameters<typeof supertest.agent>[0]);
}

/** The path and query of an absolute URL, to request it on a supertest agent. */
export function localPath(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** The `connect.sid` cookie (`name=value`) a response sets, if it sets one. */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = res.headers['set-cookie'];
  const list = Array.isArray(cookies) ? (cookies as string[]) : [];
  return list.find((cookie) => cookie.startsWith('connect.sid='))?.split(';')[0];
}
