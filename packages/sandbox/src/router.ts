import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import type { Faults } from './faults.js';
import type { CredentialKind, LoggedRequest, RequestLog } from './request-log.js';

/** One file part of a `multipart/form-data` body. */
export interface MultipartFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A parsed `multipart/form-data` body. */
export interface Multipart {
  fields: Record<string, string>;
  /** The last file part of each name. */
  files: Record<string, MultipartFile>;
  /** Every file part, in order, with its field name (a field may repeat, e.g. one `video` part per frame). */
  parts: (MultipartFile & { name: string })[];
}

/** What a route handler gets. */
export interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** This request's entry in the request log; handlers set `credential` (and `userId`) once they know them. */
  entry: LoggedRequest;
  /** Marks which credential this request presented. */
  credential(kind: CredentialKind, userId?: string): void;
  /** The raw body (at most 32 MiB). */
  body(): Promise<Buffer>;
  /** The body as JSON; `undefined` if it is not JSON. */
  json(): Promise<unknown>;
  /** The body as `multipart/form-data`; `undefined` if it is not. */
  multipart(): Promise<Multipart | undefined>;
  /** The body as `application/x-www-form-urlencoded` (the sandbox's own pages post these). */
  form(): Promise<URLSearchParams>;
  /** Sends JSON with a status. */
  send(status: number, body: unknown): void;
  /** Sends an HTML page. */
  html(status: number, page: string): void;
  /** Redirects (302). */
  redirect(location: string): void;
}

export type Handler = (ctx: Context) => void | Promise<void>;

/** Per-route settings of {@link Router.add}. */
export interface RouteOptions {
  /** Headers set on every answer of the route, injected faults included (e.g. CORS for browser-called routes). */
  headers?: Record<string, string>;
}

interface Route {
  headers: Record<string, string> | undefined;
  method: string;
  name: string;
  provider: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const MAX_BODY = 32 * 1024 * 1024;

/** A minimal router: named routes (for the request log and fault injection), path parameters, body helpers. */
export class Router {
  readonly #routes: Route[] = [];
  readonly names = new Set<string>();

  /**
   * Adds a route. `path` may hold `:param` segments. `name` is what the request log records and what
   * `faults.inject()` takes.
   */
  add(method: string, path: string, name: string, handler: Handler, options: RouteOptions = {}): void {
    const keys: string[] = [];
    const source = path.replace(/:([A-Za-z_]+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.#routes.push({
      headers: options.headers,
      method,
      name,
      provider: name.split('.')[0] ?? 'sandbox',
      pattern: new RegExp(`^${source}/?$`),
      keys,
      handler,
    });
    this.names.add(name);
  }

  /** Handles a request: finds the route, logs it, applies any armed fault, runs it. */
  async handle(req: IncomingMessage, res: ServerResponse, log: RequestLog, faults: Faults, now: () => number) {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const method = req.method ?? 'GET';
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of this.#routes) {
      if (candidate.method !== method && !(method === 'HEAD' && candidate.method === 'GET')) continue;
      match = candidate.pattern.exec(url.pathname);
      if (match) {
        route = candidate;
        break;
      }
    }
    const entry: LoggedRequest = {
      provider: route?.provider ?? 'sandbox',
      route: route?.name ?? 'not_found',
      method,
      path: url.pathname,
      credential: 'none',
      status: 0,
      at: now(),
    };
    log.entries.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    if (!route || !match) {
      sendJson(res, 404, { detail: 'Not Found' });
      return;
    }
    const params: Record<string, string> = {};
    route.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(match[i + 1] ?? '');
    });
    if (route.headers) for (const [header, value] of Object.entries(route.headers)) res.setHeader(header, value);
    const fault = faults.next(route.name);
    if (fault) {
      if (fault.latency) await new Promise((resolve) => setTimeout(resolve, fault.latency));
      if (fault.gate) await Promise.resolve(fault.gate).catch(() => undefined);
      if (fault.hang) return; // the socket stays open until the client gives up or the sandbox closes
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.malformed) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"token": "unterminated');
        return;
      }
      if (fault.status !== undefined) {
        sendJson(res, fault.status, { error: { message: 'Injected fault', type: 'sandbox_fault' } });
        return;
      }
      if (fault.body !== undefined) {
        sendJson(res, 200, fault.body);
        return;
      }
    }
    let raw: Promise<Buffer> | undefined;
    const body = () => {
      raw ??= readBody(req);
      return raw;
    };
    const ctx: Context = {
      req,
      res,
      url,
      params,
      entry,
      credential(kind, userId) {
        entry.credential = kind;
        if (userId !== undefined) entry.userId = userId;
      },
      body,
      async json() {
        try {
          return JSON.parse((await body()).toString('utf8')) as unknown;
        } catch {
          return undefined;
        }
      },
      async multipart() {
        return parseMultipart(req.headers['content-type'], await body());
      },
      async form() {
        return new URLSearchParams((await body()).toString('utf8'));
      },
      send: (status, payload) => sendJson(res, status, payload),
      html: (status, page) => {
        res.writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy':
            "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'self'",
        });
        res.end(page);
      },
      redirect: (location) => {
        res.writeHead(302, { location, 'cache-control': 'no-store' }).end();
      },
    };
    try {
      await route.handler(ctx);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { detail: 'Sandbox error', message: String(error) });
      else res.destroy();
    }
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseMultipart(contentType: string | undefined, raw: Buffer): Promise<Multipart | undefined> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const result: Multipart = { fields: {}, files: {}, parts: [] };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { fileSize: MAX_BODY } });
    } catch {
      resolve(undefined);
      return;
    }
    parser.on('field', (name, value) => {
      result.fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      const part = { name, filename: info.filename ?? '', contentType: info.mimeType, data: Buffer.alloc(0) };
      result.parts.push(part);
      stream.on('end', () => {
        part.data = Buffer.concat(chunks);
        result.files[name] = { filename: part.filename, contentType: part.contentType, data: part.data };
      });
    });
    parser.on('close', () => resolve(result));
    parser.on('error', () => resolve(undefined));
    parser.end(raw);
  });
}
