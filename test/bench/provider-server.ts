/**
 * The one local provider every sign-up variant of the benchmark talks to: a cheap, stateful stand-in for Authenteq
 * Web KYC on bare `node:http`, run in its own process so its cost is the same for all and never counted against an
 * app. It is not the sandbox (which logs every request and signs JWTs): here only the bodies matter.
 *
 * - `GET /authorize` → 302 to `redirect_uri?code&state` (a single-use code bound to the redirect URI).
 * - `POST /token` → the documented `{"token"}` plus `access_token`/`token_type`/`expires_in` so the OAuth 2.0 peers
 *   accept the same body; takes the documented multipart camelCase fields and the usual urlencoded snake_case ones
 *   (with the client secret in the body or as HTTP Basic).
 * - `GET /details` with `Authorization: Bearer <token>` → the documented `{croppedDocs, details}` body.
 * - Web IDV, with HTTP Basic: `GET /web-idv/verification-url?redirectUrl` → `{verificationUrl}`; `GET
 *   /web-idv/verify?token` (the browser's page, here a 302 like `/authorize`) → `redirectUrl&code`; `GET
 *   /web-idv/verification-result?redirectUrl&code` → the documented result (a single-use code bound to the URL).
 *
 * Every path may carry a `/v/<name>` prefix naming the client, so the connections each app opens can be counted
 * (keep-alive reuse). Started by `run.ts` with `fork()`; it sends `{ type: 'ready', url }` over IPC and answers
 * `{ type: 'stats' }` with the request counts and, per client, `{ connections, calls }`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLIENT_ID, CLIENT_SECRET, detailsBody, webIdvResultBody } from './provider-data.js';

interface Grant {
  redirectUri: string;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;
const TOKEN_TTL_MS = 15 * 60_000;
const MAX_ENTRIES = 200_000;

const codes = new Map<string, Grant>();
/** Web IDV: verification tokens (→ the redirect URL), and codes (→ the redirect URL they were issued for). */
const verifications = new Map<string, Grant>();
const webIdvCodes = new Map<string, Grant>();
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const tokens = new Map<string, number>();
const counts = { authorize: 0, token: 0, details: 0, webIdvUrl: 0, webIdvResult: 0, rejected: 0 };
/** The calls an app makes to the provider (the browser's requests are not counted per client). */
const SERVER_CALLS = new Set(['/token', '/details', '/web-idv/verification-url', '/web-idv/verification-result']);
/** Per client name (the `/v/<name>` prefix): connections it opened for token/details calls, and those calls. */
const clients: Record<string, { connections: number; calls: number }> = {};
const tagged = new WeakSet<object>();

/** Strips an optional `/v/<name>` prefix; counts an app's connections by the first token/details call on them. */
function route(req: http.IncomingMessage, pathname: string): string {
  const match = /^\/v\/([\w-]+)(\/.*)$/.exec(pathname);
  const path = match?.[2] ?? pathname;
  const name = match?.[1];
  if (name !== undefined && SERVER_CALLS.has(path)) {
    const client = clients[name] ?? { connections: 0, calls: 0 };
    clients[name] = client;
    client.calls++;
    if (!tagged.has(req.socket)) {
      tagged.add(req.socket);
      client.connections++;
    }
  }
  return path;
}
const details = JSON.stringify(detailsBody());
const webIdvResult = JSON.stringify(webIdvResultBody('3f1c0a52-8d6e-4b7a-9c2f-5e0d1a7b6c93'));

/** Keeps a map bounded by dropping its oldest entries (a benchmark abandons codes by design). */
function bound<V>(map: Map<string, V>): void {
  if (map.size < MAX_ENTRIES) return;
  let drop = map.size - MAX_ENTRIES + 1_000;
  for (const key of map.keys()) {
    if (drop-- <= 0) break;
    map.delete(key);
  }
}

function json(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

function reject(res: http.ServerResponse, status: number, error: string): undefined {
  counts.rejected++;
  json(res, status, JSON.stringify({ error }));
  return undefined;
}

/** Reads the fields of a multipart/form-data body (text fields only: all the token endpoint takes). */
function multipartFields(body: string, contentType: string): Map<string, string> {
  const fields = new Map<string, string>();
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) return fields;
  for (const part of body.split(`--${boundary}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const name = /name="([^"]*)"/i.exec(part.slice(0, headerEnd))?.[1];
    if (name === undefined) continue;
    fields.set(name, part.slice(headerEnd + 4).replace(/\r\n$/, ''));
  }
  return fields;
}

function tokenRequest(req: http.IncomingMessage, res: http.ServerResponse, body: string): undefined {
  const type = req.headers['content-type'] ?? '';
  let fields: Map<string, string>;
  if (type.startsWith('multipart/form-data')) fields = multipartFields(body, type);
  else if (type.startsWith('application/x-www-form-urlencoded')) fields = new Map(new URLSearchParams(body));
  else return reject(res, 415, 'unsupported_content_type');
  const pick = (camel: string, snake: string) => fields.get(camel) ?? fields.get(snake);
  let clientId = pick('clientId', 'client_id');
  let clientSecret = pick('clientSecret', 'client_secret');
  const basic = req.headers.authorization;
  if (basic?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':');
    clientId = decodeURIComponent(id ?? '');
    clientSecret = decodeURIComponent(secret ?? '');
  }
  const grantType = pick('grantType', 'grant_type');
  if (grantType !== 'authorization_code' && grantType !== 'authorizationCode') {
    return reject(res, 400, 'unsupported_grant_type');
  }
  if (clientId !== CLIENT_ID || clientSecret !== CLIENT_SECRET) return reject(res, 401, 'invalid_client');
  const code = pick('code', 'code');
  const grant = code === undefined ? undefined : codes.get(code);
  if (code === undefined || grant === undefined) return reject(res, 400, 'invalid_grant');
  codes.delete(code);
  if (grant.expiresAt <= Date.now() || grant.redirectUri !== pick('redirectUri', 'redirect_uri')) {
    return reject(res, 400, 'invalid_grant');
  }
  const token = randomBytes(24).toString('base64url');
  bound(tokens);
  tokens.set(token, Date.now() + TOKEN_TTL_MS);
  counts.token++;
  json(res, 200, JSON.stringify({ token, access_token: token, token_type: 'Bearer', expires_in: 900 }));
  return undefined;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://provider.local');
  const path = route(req, url.pathname);
  if (req.method === 'GET' && path === '/authorize') {
    const redirectUri = url.searchParams.get('redirect_uri');
    if (url.searchParams.get('client_id') !== CLIENT_ID || redirectUri === null) {
      return reject(res, 400, 'invalid_request');
    }
    const code = randomBytes(16).toString('hex');
    bound(codes);
    codes.set(code, { redirectUri, expiresAt: Date.now() + CODE_TTL_MS });
    const location = new URL(redirectUri);
    location.searchParams.set('code', code);
    const state = url.searchParams.get('state');
    if (state !== null) location.searchParams.set('state', state);
    counts.authorize++;
    res.writeHead(302, { location: location.href, 'content-length': 0 });
    res.end();
    return;
  }
  if (req.method === 'POST' && path === '/token') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => tokenRequest(req, res, Buffer.concat(chunks).toString('utf8')));
    return;
  }
  if (req.method === 'GET' && path.startsWith('/web-idv/')) return webIdv(req, res, url, path);
  if (req.method === 'GET' && path === '/details') {
    const auth = req.headers.authorization ?? '';
    const expiresAt = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
    if (expiresAt === undefined || expiresAt <= Date.now()) return reject(res, 401, 'invalid_token');
    counts.details++;
    json(res, 200, details);
    return;
  }
  reject(res, 404, 'not_found');
});
server.keepAliveTimeout = 30_000;

function webIdv(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string): undefined {
  const redirectUrl = url.searchParams.get('redirectUrl');
  if (path === '/web-idv/verify') {
    const token = url.searchParams.get('token') ?? '';
    const grant = verifications.get(token);
    if (grant === undefined) return reject(res, 404, 'not_found');
    verifications.delete(token);
    const code = randomBytes(16).toString('hex');
    bound(webIdvCodes);
    webIdvCodes.set(code, { redirectUri: grant.redirectUri, expiresAt: Date.now() + CODE_TTL_MS });
    const location = `${grant.redirectUri}${grant.redirectUri.includes('?') ? '&' : '?'}code=${code}`;
    res.writeHead(302, { location, 'content-length': 0 });
    res.end();
    return undefined;
  }
  if (req.headers.authorization !== BASIC) return reject(res, 401, 'BAD_API_KEYS');
  if (redirectUrl === null) return reject(res, 400, 'MISSING_REQUEST_PARAMETER');
  if (path === '/web-idv/verification-url') {
    const token = randomBytes(24).toString('base64url');
    bound(verifications);
    verifications.set(token, { redirectUri: redirectUrl, expiresAt: Date.now() + CODE_TTL_MS });
    counts.webIdvUrl++;
    const prefix = url.pathname.slice(0, url.pathname.length - path.length);
    const verificationUrl = `http://${req.headers.host}${prefix}/web-idv/verify?token=${token}`;
    json(res, 200, JSON.stringify({ verificationUrl }));
    return undefined;
  }
  if (path === '/web-idv/verification-result') {
    const code = url.searchParams.get('code') ?? '';
    const grant = webIdvCodes.get(code);
    webIdvCodes.delete(code);
    if (grant === undefined || grant.expiresAt <= Date.now() || grant.redirectUri !== redirectUrl) {
      return reject(res, 400, 'INVALID_REQUEST_PARAMETER');
    }
    counts.webIdvResult++;
    json(res, 200, webIdvResult);
    return undefined;
  }
  return reject(res, 404, 'not_found');
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats', counts, clients });
  if (message.type === 'exit') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
