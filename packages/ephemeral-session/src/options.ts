import type { Clock, Store } from '@passport-idv/core';
import type { Request } from 'express';
import type { IdvMetadata } from './idv-client.js';

/** Options of {@link ephemeralSession}. */
export interface EphemeralSessionOptions {
  /** `https://<IDV_HOST>`, optionally with a path prefix (the sandbox's `…/idv`); a bare host name means https. */
  host: string;
  /** An API key with "Ephemeral Devices:Write". Stays on the server: in no response, header, URL or log line. */
  apiKey: string;
  /** The workflow the session runs. */
  workflowId: string;
  /** Seconds the ephemeral token (and so the handoff link) lives: an integer from 60 to 86400. Default 3600. */
  ttl?: number;
  /**
   * The session's metadata, from the server side only (never from the request body). No `externalUserId` → 401
   * with no upstream call. Default: `{ externalUserId: String(req.user.id) }` when `req.user.id` is a string or a
   * number.
   */
  metadata?: (req: Request) => IdvMetadata | undefined | Promise<IdvMetadata | undefined>;
  /**
   * Hand the same session back to the same user for the same workflow while its token is alive (minus a margin, see
   * the README), with no upstream call. Default `true`.
   */
  reuse?: boolean;
  /** Where reusable sessions and the creation lock live. Default: a `MemoryStore` (use a `RedisStore` for several instances). */
  store?: Store;
  /** The clock for `expiresAt` and the reuse window. Default: the system clock. */
  clock?: Clock;
  /** Milliseconds each upstream call may take. Default 10,000. */
  timeout?: number;
}
