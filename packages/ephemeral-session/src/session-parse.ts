import { isRecord, ShapeError } from '@passport-idv/core/internal';
import type { IdvDeeplink, IdvSession } from './idv-client.js';
import type { IdvSessionState, IdvStatusTable } from './session-status.js';

/** A session as `GET /api/sessions/{id}` answers it, read by `IdvClient#getSession`. */
export interface IdvSessionDetails {
  /** The session id (the answer's own `id`, which must be the one asked for). */
  id: string;
  /** The platform's integer status, as it answered it. */
  status: number;
  /** What `status` means by the client's `statuses` table; `'unknown'` for a number outside it. */
  state: IdvSessionState;
  /**
   * `metadata.externalUserId` as the platform holds it: at the top level (where the sandbox puts it) or under
   * `properties.metadata` (the docs do not say where it sits). `undefined` if neither holds a string.
   */
  externalUserId: string | undefined;
  /** The whole answer: `properties`, `files` (each with its URL) and the rest. */
  raw: Record<string, unknown>;
}

/** The id of the session object `POST /api/sessions` answers: its shape is not documented, so `id`, else `sessionId`. */
export function parseSession(body: unknown): IdvSession {
  if (!isRecord(body)) throw new ShapeError('the session is not an object');
  for (const key of ['id', 'sessionId']) {
    const id = idOf(body[key]);
    if (id !== undefined) return { id, raw: body };
  }
  throw new ShapeError('id is not a non-empty string');
}

/**
 * The deeplink answer `{url, createdAt, expiresAt, workflowIds}`: `url` must be an http(s) link carrying a
 * `sessionId`, the only place the answer names the session.
 */
export function parseDeeplink(body: unknown): IdvDeeplink {
  if (!isRecord(body) || typeof body.url !== 'string') throw new ShapeError('url is not a string');
  let url: URL;
  try {
    url = new URL(body.url);
  } catch {
    throw new ShapeError('url is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ShapeError('url is not an http(s) link');
  const sessionId = url.searchParams.get('sessionId');
  if (sessionId === null || sessionId === '') throw new ShapeError('url has no sessionId');
  const expiresAt =
    typeof body.expiresAt === 'string' && Number.isFinite(Date.parse(body.expiresAt)) ? body.expiresAt : undefined;
  return { url: body.url, sessionId, expiresAt, raw: body };
}

/** A session read back: its `id` must be the one asked for, its `status` an integer. */
export function parseSessionDetails(body: unknown, expectedId: string, statuses: IdvStatusTable): IdvSessionDetails {
  if (!isRecord(body)) throw new ShapeError('the session is not an object');
  const id = idOf(body.id) ?? idOf(body.sessionId);
  // Never hand over another session's data, whatever answered.
  if (id !== expectedId) throw new ShapeError('the answer is not about the session asked for');
  const { status } = body;
  if (typeof status !== 'number' || !Number.isSafeInteger(status)) throw new ShapeError('status is not an integer');
  return { id, status, state: statuses[status] ?? 'unknown', externalUserId: externalUserIdOf(body), raw: body };
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function externalUserIdOf(body: Record<string, unknown>): string | undefined {
  const nested = isRecord(body.properties) ? body.properties.metadata : undefined;
  for (const metadata of [body.metadata, nested]) {
    if (isRecord(metadata) && typeof metadata.externalUserId === 'string') return metadata.externalUserId;
  }
  return undefined;
}
