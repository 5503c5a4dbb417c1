/**
 * The load driver: keep-alive `node:http` with a cookie jar per virtual user, bounded concurrency, runs by time or
 * by count, and a latency for every iteration.
 */
import http from 'node:http';

/** Cookies of one virtual user (name → value), as a browser would send them back. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** The `Cookie` header to send, if any. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    let header = '';
    for (const [name, value] of this.#cookies) header += `${header ? '; ' : ''}${name}=${value}`;
    return header;
  }

  /** Takes the `Set-Cookie` headers of a response. */
  store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const end = line.indexOf(';');
      const pair = end < 0 ? line : line.slice(0, end);
      const eq = pair.indexOf('=');
      if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Forgets every cookie: the next request comes from a new visitor. */
  clear(): void {
    this.#cookies.clear();
  }
}

/** A response as the driver sees it. */
export interface Reply {
  status: number;
  location: string | undefined;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });

/** One HTTP request through the shared keep-alive agent; cookies go to and from `jar`. */
export function request(
  url: string,
  options: { method?: string; jar?: CookieJar; json?: unknown } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    const cookie = options.jar?.header();
    if (cookie) headers.cookie = cookie;
    let body: Buffer | undefined;
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
    }
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent }, (res) => {
      options.jar?.store(res.headers['set-cookie']);
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What one run of iterations measured. */
export interface LoadResult {
  ok: number;
  failed: number;
  elapsedMs: number;
  /** Wall time of every successful iteration, ms. */
  latencies: number[];
  /** The first failure's description, for the report. */
  firstFailure?: string;
}

/**
 * Runs `iteration(vu)` on `concurrency` virtual users until `durationMs` has passed or `total` iterations have
 * started, whichever is given. An iteration resolves to `true` (success) or a string saying what went wrong.
 */
export async function runLoad(options: {
  concurrency: number;
  durationMs?: number;
  total?: number;
  iteration: (vu: number) => Promise<true | string>;
}): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: 0, elapsedMs: 0, latencies: [] };
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  let remaining = options.total ?? Number.POSITIVE_INFINITY;
  const worker = async (vu: number) => {
    while (remaining > 0 && performance.now() < deadline) {
      remaining--;
      const t0 = performance.now();
      let outcome: true | string;
      try {
        outcome = await options.iteration(vu);
      } catch (error) {
        outcome = (error as Error).message;
      }
      if (outcome === true) {
        result.ok++;
        result.latencies.push(performance.now() - t0);
      } else {
        result.failed++;
        result.firstFailure ??= outcome;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, vu) => worker(vu)));
  result.elapsedMs = performance.now() - started;
  return result;
}
