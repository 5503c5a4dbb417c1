import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import {
  type ProviderCallInfo,
  ProviderError,
  ProviderNetworkError,
  ProviderResponseError,
  ProviderStatusError,
  ProviderTimeoutError,
} from './errors.js';
import { createLogger } from './log.js';

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
  /** `'json'` (default): a 2xx body must be JSON; `'none'`: the body is read and ignored. */
  responseType?: 'json' | 'none';
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
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/**
 * One undici `Agent` (a keep-alive pool per origin) for every call, driven through its `dispatch` API: the response
 * is handed over as status, headers and chunks, with no `ClientRequest`, `IncomingMessage` or stream per call. In
 * the bench (section 1b), a details GET costs 53 µs of CPU here and 163 µs through bare `node:http` (test/bench).
 * Idle sockets are closed after 4 s, before Node servers' default 5 s keep-alive timeout, so a reused socket is
 * rarely stale. undici's own header and body timeouts are off: the call's deadline covers both.
 */
const agent = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000, headersTimeout: 0, bodyTimeout: 0 });

/**
 * The one function every passport-idv client uses to call a provider: keep-alive connections, a deadline on the
 * whole call, JSON parsed and shape-checked, bounded retries with jitter for idempotent GETs only (never for a code
 * exchange or a session creation), typed {@link ProviderError}s and no secret in any message or log line.
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
  const timeout = request.timeout ?? 10_000;
  // One timer per call, cleared as soon as the call settles; only a caller's own signal gets a listener.
  const control = new CallControl();
  const timer = setTimeout(() => control.stop(timeoutError(request, timeout)), timeout);
  timer.unref();
  const unlisten = request.signal ? listen(request.signal, request, control) : undefined;
  const retries = request.method === 'GET' ? Math.max(0, request.retries ?? 2) : 0;
  const retryDelay = request.retryDelay ?? 100;
  const started = performance.now();
  const options = prepare(request);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await send(request, options, control);
        log('%s %s → %d in %dms', request.provider, request.operation, response.status, elapsed(started));
        return response;
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        const retryable =
          control.stopped === undefined &&
          (error instanceof ProviderNetworkError ||
            (error instanceof ProviderStatusError &&
              (error.upstreamStatus === 429 || (error.upstreamStatus ?? 0) >= 500)));
        const wait = retryDelay * 2 ** attempt * (0.5 + Math.random());
        const remaining = timeout - (performance.now() - started);
        // A retry must leave itself as much time after its back-off as the back-off took; otherwise the deadline
        // would mostly cut it short, and the caller learns more from the provider's own answer than from a timeout.
        if (!retryable || attempt >= retries || 2 * wait >= remaining) {
          log('%s %s failed (%s) in %dms', request.provider, request.operation, error.code, elapsed(started));
          throw error;
        }
        log('%s %s: %s, retry %d', request.provider, request.operation, error.code, attempt + 1);
        await pause(wait, control);
      }
    }
  } finally {
    clearTimeout(timer);
    unlisten?.();
  }
}

/**
 * The deadline and the cancellation of one call. A plain object rather than an `AbortController`: an `EventTarget`
 * and its listener per call cost more than the rest of the call's bookkeeping, and only a caller's own `signal`
 * needs one. It holds what the call waits for as plain references (the request in flight or the retry timer, and the
 * promise's `reject`), not as a closure made per call: storing such a closure here made V8 keep every call's objects
 * alive through garbage collections (test/bench/README.md).
 */
class CallControl {
  /** Why the call stopped (its deadline passed, or the caller cancelled it); set once. */
  stopped: ProviderError | undefined;
  /** The request in flight (undici's controller of it), if any. */
  #request: Dispatcher.DispatchController | undefined;
  /** The pause before a retry, if any. */
  #timer: NodeJS.Timeout | undefined;
  /** Rejects what the call waits for now. */
  #reject: ((error: ProviderError) => void) | undefined;

  /** Waits on a request or a pause: {@link stop} rejects with its error and aborts the request or clears the pause. */
  wait(timer: NodeJS.Timeout | undefined, reject: (error: ProviderError) => void): void {
    this.#timer = timer;
    this.#reject = reject;
  }

  /** The request is on a socket now: {@link stop} aborts it there. */
  started(request: Dispatcher.DispatchController): void {
    this.#request = request;
  }

  /** What the call waited for has settled on its own. */
  release(): void {
    this.#request = undefined;
    this.#timer = undefined;
    this.#reject = undefined;
  }

  stop(error: ProviderError): void {
    if (this.stopped !== undefined) return;
    this.stopped = error;
    const request = this.#request;
    const timer = this.#timer;
    const reject = this.#reject;
    this.release();
    if (timer !== undefined) clearTimeout(timer);
    reject?.(error);
    request?.abort(error);
  }
}

/** Stops the call when the caller's `signal` aborts; returns the function that removes the listener. */
function listen(signal: AbortSignal, request: ProviderCallInfo, control: CallControl): () => void {
  const onAbort = () =>
    control.stop(new ProviderNetworkError('the call was cancelled', { ...info(request), cause: signal.reason }));
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** Waits `ms` before a retry, or rejects as soon as the call is stopped. */
function pause(ms: number, control: CallControl): Promise<void> {
  return new Promise((resolve, reject) => {
    if (control.stopped !== undefined) {
      reject(control.stopped);
      return;
    }
    const timer = setTimeout(() => {
      control.release();
      resolve();
    }, ms);
    control.wait(timer, reject);
  });
}

/** A random, per-process prefix: boundaries need to be unlikely in the body, not secret. */
const BOUNDARY_PREFIX = `----passport-idv-${randomBytes(12).toString('hex')}-`;
let boundaries = 0;

/** Where a request goes, parsed from its URL once. */
interface Target {
  origin: string;
  path: string;
}

/**
 * The targets of the URLs called so far: a client calls the same few endpoints again and again, and parsing a `URL`
 * costs more than a lookup. Bounded (cleared when full) in case an app builds URLs per call.
 */
const targets = new Map<string, Target>();
const MAX_TARGETS = 256;

function targetOf(href: string): Target {
  let target = targets.get(href);
  if (target === undefined) {
    const url = new URL(href);
    target = { origin: url.origin, path: `${url.pathname}${url.search}` };
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(href, target);
  }
  return target;
}

/**
 * undici's dispatch options of one call, built once (retries reuse them) as one object literal. Not an object spread
 * (`{ ...target, method }`): in a loop of calls, that made V8 promote several times more of each call's objects to the
 * old generation (test/bench/README.md).
 */
function prepare(request: ProviderRequest<unknown>): Dispatcher.DispatchOptions {
  const target = targetOf(typeof request.url === 'string' ? request.url : request.url.href);
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: Buffer | undefined;
  if (request.json !== undefined) {
    body = Buffer.from(JSON.stringify(request.json));
    headers['content-type'] = 'application/json';
  } else if (request.multipart !== undefined) {
    boundaries = (boundaries + 1) % Number.MAX_SAFE_INTEGER;
    const boundary = `${BOUNDARY_PREFIX}${boundaries}`;
    body = multipartBody(request.multipart, boundary);
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  }
  // undici adds content-length for a Buffer body, and host and connection itself.
  return {
    origin: target.origin,
    path: target.path,
    method: request.method,
    headers,
    body: body ?? null,
    // Never replayed by undici on another socket: a code exchange or a session creation is not idempotent, and GETs
    // are retried here, within the deadline.
    idempotent: false,
  };
}

function multipartBody(parts: Record<string, string | MultipartFile>, boundary: string): Buffer {
  // The text between files is built as one string and encoded once: a body of text fields alone (a code exchange) is
  // a single `Buffer.from`, not one per part and a concat.
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
  text += `--${boundary}--\r\n`;
  if (chunks.length === 0) return Buffer.from(text);
  chunks.push(Buffer.from(text));
  return Buffer.concat(chunks);
}

function send<T>(
  request: ProviderRequest<T>,
  options: Dispatcher.DispatchOptions,
  control: CallControl,
): Promise<ProviderResponse<T>> {
  return new Promise((resolve, reject) => {
    if (control.stopped !== undefined) {
      reject(control.stopped);
      return;
    }
    control.wait(undefined, reject);
    agent.dispatch(options, new CallHandler(request, control, resolve, reject));
  });
}

/**
 * Receives one attempt's response from undici: the status and headers, the body as chunks (at most 16 MiB), then
 * either the end (the body is interpreted) or an error. Exactly one of them settles the attempt; a stopped call
 * (deadline, cancellation) has settled already, and whatever undici reports after that is ignored.
 */
class CallHandler<T> implements Dispatcher.DispatchHandler {
  readonly #request: ProviderRequest<T>;
  readonly #control: CallControl;
  readonly #resolve: (response: ProviderResponse<T>) => void;
  readonly #reject: (error: unknown) => void;
  #settled = false;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    request: ProviderRequest<T>,
    control: CallControl,
    resolve: (response: ProviderResponse<T>) => void,
    reject: (error: unknown) => void,
  ) {
    this.#request = request;
    this.#control = control;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** True the first time only, and never once the call was stopped. */
  #settle(): boolean {
    if (this.#settled || this.#control.stopped !== undefined) return false;
    this.#settled = true;
    this.#control.release();
    return true;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#control.stopped !== undefined) controller.abort(this.#control.stopped);
    else this.#control.started(controller);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    if (status < 200) return; // 1xx: the answer is still to come
    this.#status = status;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > MAX_BODY_BYTES) {
      if (this.#settle()) this.#reject(new ProviderResponseError('the response is too large', info(this.#request)));
      this.#chunks = [];
      if (!controller.aborted) controller.abort(new Error('the response is too large'));
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (!this.#settle()) return;
    const chunks = this.#chunks;
    try {
      const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      this.#resolve(interpret(this.#request, this.#status, this.#headers, raw));
    } catch (error) {
      this.#reject(error);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, cause: Error): void {
    if (!this.#settle()) return;
    const call = info(this.#request);
    if ((cause as { code?: unknown }).code === 'UND_ERR_INVALID_ARG') {
      // A header value undici refuses to send (a line break in a token, say): nothing was sent, and a retry would
      // send the same. Not a network error, so not retried.
      this.#reject(new ProviderError('the request could not be sent', { ...call, cause }));
      return;
    }
    const message = this.#status === 0 ? 'the connection failed' : 'the connection was dropped';
    this.#reject(new ProviderNetworkError(message, { ...call, cause }));
  }
}

function interpret<T>(
  request: ProviderRequest<T>,
  status: number,
  headers: IncomingHttpHeaders,
  raw: Buffer,
): ProviderResponse<T> {
  if (status < 200 || status >= 300) {
    throw new ProviderStatusError(`the provider answered ${status}`, {
      ...info(request),
      upstreamStatus: status,
      responseBody: raw.subarray(0, 4096).toString('utf8'),
    });
  }
  if (request.responseType === 'none') return { status, headers: headers, body: undefined as T };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (cause) {
    throw new ProviderResponseError('the response is not JSON', { ...info(request), upstreamStatus: status, cause });
  }
  if (request.parse === undefined) return { status, headers: headers, body: json as T };
  let body: T | undefined;
  try {
    body = request.parse(json);
  } catch (cause) {
    throw new ProviderResponseError(`the response does not have the documented shape${reason(cause)}`, {
      ...info(request),
      upstreamStatus: status,
      cause,
    });
  }
  if (body === undefined) {
    throw new ProviderResponseError('the response does not have the documented shape', {
      ...info(request),
      upstreamStatus: status,
    });
  }
  return { status, headers: headers, body };
}

function reason(cause: unknown): string {
  return cause instanceof ShapeError ? ` (${cause.message})` : '';
}

function info(request: ProviderCallInfo): ProviderCallInfo {
  return { provider: request.provider, operation: request.operation };
}

function timeoutError(request: ProviderCallInfo, timeout: number): ProviderTimeoutError {
  return new ProviderTimeoutError(`no answer within ${timeout}ms`, info(request));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * Thrown by shape checks; its message names the offending field (never its value) and is added to the
 * {@link ProviderResponseError}.
 */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** `true` for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads `object[key]` as a string, throwing a {@link ShapeError} naming `key` if it is not a non-empty string.
 *
 * @example
 * ```ts
 * parse: (body) => ({ token: requireString(body, 'token') })
 * ```
 */
export function requireString(object: unknown, key: string): string {
  const value = isRecord(object) ? object[key] : undefined;
  if (typeof value !== 'string' || value.length === 0) throw new ShapeError(`${key} is not a non-empty string`);
  return value;
}

/** Reads `object[key]` as a JSON object, throwing a {@link ShapeError} naming `key` otherwise. */
export function requireRecord(object: unknown, key: string): Record<string, unknown> {
  const value = isRecord(object) ? object[key] : undefined;
  if (!isRecord(value)) throw new ShapeError(`${key} is not an object`);
  return value;
}
