import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One authentication the fake holds. */
interface FakeAuthentication {
  id: string;
  createdAt: number;
  liveness: number;
  matching: number;
}

/** A running fake of Alice Onboarding's current API. */
export interface FakeAliceApi {
  baseURL: string;
  apiKey: string;
  /** Every request: method, path (no query) and status. */
  requests: { method: string; path: string; status: number }[];
  /** Creates a user who is enrolled and enabled; returns its id. */
  user(): string;
  /** Stores an authentication for `userId` now (on the fake's clock), as a finished upload would; returns its id. */
  authenticate(userId: string, scores?: { liveness?: number; matching?: number }): string;
  /** The next `count` uploads to `POST /user/authenticate` answer 204 with this diagnostics code. */
  rejectUploads(count: number, diagnostics: string): void;
  /** The next `count` reads of `GET /user/authentications/ids` leave out the newest authentication (not stored yet). */
  lagIds(count: number): void;
  close(): Promise<void>;
}

/** An unsigned JWT with `exp`, as the token endpoints hand out (only `exp` and `sub` are read by clients). */
function token(kind: string, sub: string | undefined, now: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ kind, sub, exp: Math.floor(now / 1000) + 3_600, jti: randomUUID() })}.x`;
}

function claims(req: IncomingMessage): { kind?: string; sub?: string } {
  const [, payload] = (req.headers.authorization ?? '').replace(/^Bearer /, '').split('.');
  try {
    return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
  } catch {
    return {};
  }
}

/** Alice's time stamps: UTC without a zone, with microseconds. */
const aliceTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}412`;

/**
 * A small stand-alone fake of Alice Onboarding's current API, written from the official SDKs' reading of it and
 * independent of the sandbox: the token endpoints, `POST /user/authenticate` (`200 {authentication_id}`, or `204` with
 * `x-alice-selfie-diagnostics` and no body), `GET /user/authentications/ids` (newest first, unwrapped ids), and
 * `GET /user/authentication/{id}` (`{"authentication": {...}}`, V1 only, `created_at` without a zone and with
 * microseconds). Anything else answers 404. `now` is its clock.
 */
export async function startFakeAliceApi(now: () => number): Promise<FakeAliceApi> {
  const apiKey = `fake-${randomUUID()}`;
  const auths = new Map<string, FakeAuthentication[]>();
  const requests: FakeAliceApi['requests'] = [];
  let rejections: { count: number; diagnostics: string } = { count: 0, diagnostics: '' };
  let lag = 0;

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://fake.invalid').pathname.replace(/^\/onboarding/, '');
    const send = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method: req.method ?? '', path, status });
      res.writeHead(status, { ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    };
    const who = claims(req);
    const mine = who.sub ? auths.get(who.sub) : undefined;
    if (req.method === 'GET' && path === '/login_token') {
      return req.headers.apikey === apiKey ? send(200, { token: token('LOGIN_TOKEN', undefined, now()) }) : send(401);
    }
    const issued = /^\/(user_token|backend_token)\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && issued && who.kind === 'LOGIN_TOKEN') {
      const kind = issued[1] === 'user_token' ? 'USER_TOKEN' : 'BACKEND_TOKEN_WITH_USER_ID';
      return send(200, { token: token(kind, decodeURIComponent(issued[2] ?? ''), now()) });
    }
    if (req.method === 'POST' && path === '/user/authenticate' && who.kind === 'USER_TOKEN' && mine) {
      if (!body.includes('name="video"')) return send(400, { detail: 'video is required' });
      if (rejections.count > 0) {
        rejections.count--;
        return send(204, undefined, { 'x-alice-selfie-diagnostics': rejections.diagnostics });
      }
      return send(200, { authentication_id: api.authenticate(who.sub ?? '') });
    }
    if (who.kind !== 'BACKEND_TOKEN_WITH_USER_ID' || !mine) return send(who.kind ? 404 : 401, { detail: 'Not Found' });
    if (req.method === 'GET' && path === '/user/authentications/ids') {
      const newestFirst = [...mine].sort((a, b) => b.createdAt - a.createdAt).map((a) => a.id);
      if (lag > 0) {
        lag--;
        newestFirst.shift();
      }
      return send(200, { authentication_ids: newestFirst });
    }
    const one = /^\/user\/authentication\/([^/]+)$/.exec(path);
    const found = one ? mine.find((a) => a.id === decodeURIComponent(one[1] ?? '')) : undefined;
    if (req.method === 'GET' && found) {
      return send(200, {
        authentication: {
          authentication_id: found.id,
          created_at: aliceTime(found.createdAt),
          face_liveness: found.liveness,
          face_matching: found.matching,
        },
      });
    }
    send(404, { detail: 'Not Found' });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api: FakeAliceApi = {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/onboarding`,
    apiKey,
    requests,
    user() {
      const id = randomUUID();
      auths.set(id, []);
      return id;
    },
    authenticate(userId, scores = {}) {
      const id = randomUUID();
      auths
        .get(userId)
        ?.push({ id, createdAt: now(), liveness: scores.liveness ?? 91.2, matching: scores.matching ?? 88.7 });
      return id;
    },
    rejectUploads(count, diagnostics) {
      rejections = { count, diagnostics };
    },
    lagIds(count) {
      lag = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return api;
}
