import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import {
  type ProviderCallInfo,
  ProviderError,
  ProviderNetworkError,
  ProviderResponseError,
  ProviderStatusError,
  ProviderTimeoutError,
} from './errors.js';
import { createLogger, warn } from './log.js';
import { ShapeError } from './shape.js';

/** A file part of a multipart body. */
export interface MultipartFile {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

/** One call to a provider, as every passport-idv client describes it. */
export interface ProviderRequest<T> extends ProviderCallInfo {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string | URL;
  /** Extra request headers (credentials go here; they are never logged). */
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A `multipart/form-data` body; a value is a field or a file. */
  multipart?: Record<string, string | MultipartFile>;
  /** Milliseconds for the whole call, retries included. Default 10,000. */
  timeout?: number;
  /**
   * Retries for a GET on a network error, 429 or 5xx. Ignored for every other method. Default 2. A retry is made only
   * if at least twice its back-off is left before the deadline; otherwise the last error is thrown.
   */
  retries?: number;
  /** Base of the exponential back-off between retries, in ms, with jitter. Default 100. */
  retryDelay?: number;
  /**
   * `'json'` (default): a 2xx body must be JSON; `'none'`: the body is read and ignored; `'text'`: the body as text,
   * unparsed, for an API whose 2xx answers are not all JSON (Alice's `204` with a diagnostics header).
   */
  responseType?: 'json' | 'none' | 'text';
  /**
   * Checks the JSON body and returns the typed result; throw (or return `undefined`) if the shape is wrong, which
   * becomes a {@link ProviderResponseError}.
   */
  parse?: (body: unknown) => T | undefined;
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** What {@link providerRequest} resolves to. */
export interface ProviderResponse<T> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

const log = createLogger('http');
/**
 * One keep-alive pool per origin for every call. Idle sockets are closed after 4 s, before Node servers' default 5 s
 * keep-alive timeout, so a reused socket is rarely stale. undici's own header and body timeouts are off: the call's
 * deadline covers both. A response body is read up to 16 MiB; past that undici closes the connection.
 */
const agent = new Agent({
  keepAliveTimeout: 4_000,
  keepAliveMaxTimeout: 4_000,
  headersTimeout: 0,
  bodyTimeout: 0,
  maxResponseSize: 16 * 1024 * 1024,
});

/**
 * The one function every passport-idv client uses to call a provider: keep-alive connections, a deadline on the
 * whole call, JSON parsed and shape-checked, bounded retries with jitter for idempotent GETs only (never for a code
 * exchange or a session creation), typed {@link ProviderError}s and no secret in any message or log line. A failed
 * call writes one warning line (see `setWarningHandler`).
 *
 * @example
 * ```ts
 * const { body } = await providerRequest({
 *   provider: 'authenteq', operation: 'details', method: 'GET', url: detailsURL,
 *   headers: { authorization: `Bearer ${token}` }, timeout: 5_000,
 *   parse: (b) => (isRecord(b) && isRecord(b.details) ? b : undefined),
 * });
 * ```
 */
export async function providerRequest<T = unknown>(request: ProviderRequest<T>): Promise<ProviderResponse<T>> {
  const deadline = new Deadline(request.timeout ?? 10_000, request.signal);
  try {
    return await attempts(request, deadline);
  } finally {
    deadline.clear();
  }
}

/**
 * A call's deadline, and the `signal` that stops its attempt in undici: it emits `abort` when the time is up or when
 * the caller's signal aborts. undici's `signal` option takes an EventEmitter as well as an AbortSignal; one of these
 * is made per call, and on Node 20 an AbortSignal with undici's listener on it costs a sign-up far more CPU (see
 * test/bench/README.md). Its timer is cleared as soon as the call settles, so nothing of the call outlives it.
 */
class Deadline extends EventEmitter {
  /** The time was up. */
  expired = false;
  /** Milliseconds for the whole call. */
  readonly timeout: number;
  readonly #timer: NodeJS.Timeout;
  readonly #signal: AbortSignal | undefined;
  readonly #cancel = () => this.emit('abort');

  constructor(timeout: number, signal: AbortSignal | undefined) {
    super();
    this.timeout = timeout;
    this.#timer = setTimeout(() => {
      this.expired = true;
      this.emit('abort');
    }, timeout);
    this.#signal = signal;
    signal?.addEventListener('abort', this.#cancel, { once: true });
  }

  /** The call ended or was stopped: by its deadline, or by the caller. */
  get aborted(): boolean {
    return this.expired || this.#signal?.aborted === true;
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#cancel);
  }
}

/** The call's attempts: the first, and retries of a GET while the deadline allows. */
async function attempts<T>(request: ProviderRequest<T>, deadline: Deadline): Promise<ProviderResponse<T>> {
  const stop = (cause: unknown, message: string) => failure(request, cause, message, deadline);
  const retries = request.method === 'GET' ? Math.max(0, request.retries ?? 2) : 0;
  const retryDelay = request.retryDelay ?? 100;
  const started = performance.now();
  const options = prepare(request, deadline);
  if (deadline.aborted) throw failed(request, stop(undefined, 'the call was cancelled'), 0, started);
  for (let attempt = 0; ; attempt++) {
    let error: ProviderError;
    try {
      const response = await send(request, options, stop);
      log('%s %s → %d in %dms', request.provider, request.operation, response.status, elapsed(started));
      return response;
    } catch (thrown) {
      error = stop(thrown, 'the connection failed');
    }
    const retryable =
      error instanceof ProviderNetworkError ||
      (error instanceof ProviderStatusError && (error.upstreamStatus === 429 || (error.upstreamStatus ?? 0) >= 500));
    const wait = retryDelay * 2 ** attempt * (0.5 + Math.random());
    const remaining = deadline.timeout - (performance.now() - started);
    // A retry must leave itself as much time after its back-off as the back-off took; otherwise the deadline would
    // mostly cut it short, and the caller learns more from the provider's own answer than from a timeout.
    if (!retryable || deadline.aborted || attempt >= retries || 2 * wait >= remaining) {
      throw failed(request, error, attempt + 1, started);
    }
    log('%s %s: %s, retry %d', request.provider, request.operation, error.code, attempt + 1);
    // The pause ends well before the deadline (see above); only the caller's signal can cut it short.
    try {
      await sleep(wait, undefined, request.signal ? { signal: request.signal } : undefined);
    } catch (cause) {
      throw failed(request, stop(cause, 'the call was cancelled'), attempt + 1, started);
    }
  }
}

type Stop = (cause: unknown, message: string) => ProviderError;

/** undici's options for one call, body included, built once: retries send the same. */
function prepare(request: ProviderRequest<unknown>, signal: Deadline): Dispatcher.RequestOptions {
  const url = new URL(request.url);
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: Buffer | undefined;
  if (request.json !== undefined) {
    body = Buffer.from(JSON.stringify(request.json));
    headers['content-type'] = 'application/json';
  } else if (request.multipart !== undefined) {
    // Random, so that it is unlikely to occur in the data; it need not be secret.
    const boundary = `----passport-idv-${randomUUID()}`;
    body = multipartBody(request.multipart, boundary);
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  }
  // undici adds content-length, host and connection.
  const path = `${url.pathname}${url.search}`;
  return { origin: url.origin, path, method: request.method, headers, body: body ?? null, signal };
}

function multipartBody(parts: Record<string, string | MultipartFile>, boundary: string): Buffer {
  const chunks: Uint8Array[] = [];
  let text = '';
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') {
      text += `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    } else {
      text +=
        `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${value.filename}"\r\n` +
        `content-type: ${value.contentType}\r\n\r\n`;
      chunks.push(Buffer.from(text), value.data);
      text = '\r\n';
    }
  }
  chunks.push(Buffer.from(`${text}--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** One attempt: the request, its whole body, then the answer checked. */
async function send<T>(
  request: ProviderRequest<T>,
  options: Dispatcher.RequestOptions,
  stop: Stop,
): Promise<ProviderResponse<T>> {
  let response: Dispatcher.ResponseData<unknown>;
  try {
    response = await agent.request(options);
  } catch (cause) {
    throw stop(cause, 'the connection failed');
  }
  let raw: string;
  try {
    raw = await response.body.text();
  } catch (cause) {
    throw stop(cause, 'the connection was dropped');
  }
  return interpret(request, response.statusCode, response.headers as IncomingHttpHeaders, raw);
}

/** The {@link ProviderError} an attempt failed with: the deadline and the caller's signal first, then the cause. */
function failure(
  request: ProviderRequest<unknown>,
  cause: unknown,
  message: string,
  deadline: Deadline,
): ProviderError {
  if (cause instanceof ProviderError) return cause;
  const call = info(request);
  if (deadline.expired) return new ProviderTimeoutError(`no answer within ${deadline.timeout}ms`, call);
  if (request.signal?.aborted) {
    return new ProviderNetworkError('the call was cancelled', { ...call, cause: request.signal.reason });
  }
  const code = (cause as { code?: unknown } | undefined)?.code;
  // undici stopped reading past the agent's `maxResponseSize` and closed the connection.
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new ProviderResponseError('the response is too large', call);
  if (code === 'UND_ERR_INVALID_ARG') {
    // A header value undici refuses to send (a line break in a token, say): nothing was sent, and a retry would send
    // the same. Not a network error, so not retried.
    return new ProviderError('the request could not be sent', { ...call, cause });
  }
  return new ProviderNetworkError(message, { ...call, cause });
}

/**
 * Writes the one warning line of a failed call and returns its error. The line holds the error's message (which
 * never holds a secret), its code, the host (no path, no query) and the cause's error code, if it has one.
 */
function failed(request: ProviderRequest<unknown>, error: ProviderError, attempts: number, started: number): Error {
  const url = String(request.url);
  const details = [error.code, `host ${URL.canParse(url) ? new URL(url).host : 'unknown'}`];
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof cause === 'string' && /^[A-Z][A-Z0-9_]*$/.test(cause)) details.push(cause);
  if (attempts > 1) details.push(`after ${attempts} attempts`);
  warn(`${error.message} (${details.join(', ')})`);
  log('%s %s failed (%s) in %dms', request.provider, request.operation, error.code, elapsed(started));
  return error;
}

function interpret<T>(
  request: ProviderRequest<T>,
  status: number,
  headers: IncomingHttpHeaders,
  raw: string,
): ProviderResponse<T> {
  const call = { ...info(request), upstreamStatus: status };
  if (status < 200 || status >= 300) {
    const responseBody = raw.slice(0, 4096);
    throw new ProviderStatusError(`the provider answered ${status}`, { ...call, responseBody });
  }
  if (request.responseType === 'none') return { status, headers, body: undefined as T };
  if (request.responseType === 'text') return { status, headers, body: raw as T };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new ProviderResponseError('the response is not JSON', { ...call, cause });
  }
  if (request.parse === undefined) return { status, headers, body: json as T };
  let body: T | undefined;
  try {
    body = request.parse(json);
  } catch (cause) {
    const reason = cause instanceof ShapeError ? ` (${cause.message})` : '';
    throw new ProviderResponseError(`the response does not have the documented shape${reason}`, { ...call, cause });
  }
  if (body === undefined) throw new ProviderResponseError('the response does not have the documented shape', call);
  return { status, headers, body };
}

function info(request: ProviderCallInfo): ProviderCallInfo {
  return { provider: request.provider, operation: request.operation };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
