import type { Clock, Store } from '@passport-idv/core';
import type { Request } from 'express';
import type { IdvMetadata } from './idv-client.js';
import type { IdvStatusTable } from './session-status.js';

/** Options of {@link ephemeralSession}. */
export interface EphemeralSessionOptions {
  /** `https://<IDV_HOST>`, optionally with a path prefix (the sandbox's `…/idv`); a bare host name means https. */
  host: string;
  /**
   * An API key with "Ephemeral Devices:Write" (or `deeplink:write` with `start: 'deeplink'`), and "All Sessions: Read"
   * for `reuse`. Stays on the server: in no response, header, URL or log line.
   */
  apiKey: string;
  /** How the key is sent to the calls that document a scheme (see `IdvClientOptions.apiKeyScheme`). Default `'ApiKey'`. */
  apiKeyScheme?: 'ApiKey' | 'raw';
  /** The workflow the session runs. */
  workflowId: string;
  /**
   * How a session is started: `'ephemeral-token'` (default: an ephemeral token, then the session, and the handoff URL
   * built as documented, `…/capture?url=…`) or `'deeplink'` (one call, `POST /api/v1/deeplink`; the handoff URL is
   * the link the platform returns, `…/mobile?…`).
   */
  start?: 'ephemeral-token' | 'deeplink';
  /** Seconds the token (and so the handoff link) lives: an integer from 60 to 86400. Default 3600. */
  ttl?: number;
  /**
   * The session's metadata, from the server side only (never from the request body). No `externalUserId` → 401
   * with no upstream call. Default: `{ externalUserId: String(req.user.id) }` when `req.user.id` is a string or a
   * number.
   */
  metadata?: (req: Request) => IdvMetadata | undefined | Promise<IdvMetadata | undefined>;
  /**
   * Hand the same session back to the same user for the same workflow while its token is alive (minus a margin, see
   * the README) and the session has not ended: before handing it out again, the session is read back (one
   * `GET /api/sessions/{id}`); a finished, failed, expired or unknown one is never handed out again, a new one is
   * started. Default `true`.
   */
  reuse?: boolean;
  /** What each integer session `status` means (see `IdvClientOptions.statuses`). Default: the sandbox's table. */
  statuses?: IdvStatusTable;
  /** Where reusable sessions and the creation lock live. Default: a `MemoryStore` (use a `RedisStore` for several instances). */
  store?: Store;
  /** The clock for `expiresAt` and the reuse window. Default: the system clock. */
  clock?: Clock;
  /** Milliseconds each upstream call may take. Default 10,000. */
  timeout?: number;
  /**
   * Accept a plain `http:` URL for the platform (`host`) on a host other than this machine (`localhost`, `127.0.0.0/8` and `::1`
   * are always accepted). Default `false`: http would carry keys, tokens and identity data in clear. For a test setup
   * only.
   */
  allowInsecureHTTP?: boolean;
}
