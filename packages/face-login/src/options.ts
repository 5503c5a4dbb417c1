import type { Clock, Store } from '@passport-idv/core';
import type { Request } from 'express';
import type { AliceClient } from './alice-client.js';
import type { AliceResultVersion } from './results.js';

/** Minimum scores, inclusive, on the 0–100 scale. */
export interface FaceLoginThresholds {
  /** Face liveness. Default 50. */
  liveness?: number;
  /** Face matching against the enrollment selfie. Default 50 (V1), 70 (V0). */
  matching?: number;
}

/** What a successful face login hands to `verify`. */
export interface FaceLoginResult {
  aliceUserId: string;
  authenticationId: string;
  /** Face liveness, 0–100. */
  liveness: number;
  /** Face matching, 0–100. */
  matching: number;
  /** The result version the provider answered with. */
  version: AliceResultVersion;
  /** When the provider created the authentication, ms since the epoch. */
  createdAt: number;
}

/** `done` of a verify callback, as Passport defines it: the user to log in, or `false` to refuse. */
export type FaceLoginDone = (error: unknown, user?: Express.User | false | null, info?: unknown) => void;

/** What a verify callback returns: nothing (it calls `done`), or a promise of the user or `false`. */
// biome-ignore lint/suspicious/noConfusingVoidType: a callback-style verify returns nothing.
export type FaceLoginVerifyReturn = void | Promise<Express.User | false | null | undefined>;

/** Decides who `aliceUserId` is in your app; call `done(null, user)`, `done(null, false)` or return a promise. */
export type FaceLoginVerify = (
  aliceUserId: string,
  result: FaceLoginResult,
  done: FaceLoginDone,
) => FaceLoginVerifyReturn;
/** Like {@link FaceLoginVerify}, with the request first (`passReqToCallback: true`). */
export type FaceLoginVerifyWithRequest = (
  req: Request,
  aliceUserId: string,
  result: FaceLoginResult,
  done: FaceLoginDone,
) => FaceLoginVerifyReturn;

/** Options of {@link FaceLoginStrategy}. */
export interface FaceLoginStrategyOptions {
  /** The Alice client used to issue USER_TOKENs and read authentications. */
  client: AliceClient;
  /** Inclusive minimum scores for V1 results. Default `{ liveness: 50, matching: 50 }`. */
  thresholds?: FaceLoginThresholds;
  /** Inclusive minimum scores for V0 results, scaled ×100. Default `{ liveness: 50, matching: 70 }`. */
  thresholdsV0?: FaceLoginThresholds;
  /** Seconds an attempt stays open after `begin()`, from 1 to 1,200. Default 300. */
  maxAge?: number;
  /** Seconds of clock difference tolerated on `created_at` (the API sends whole seconds), 0 to 300. Default 5. */
  clockSkew?: number;
  /** Where attempts and used authentication ids are kept (single use). Default: a MemoryStore on `clock`. */
  store?: Store;
  /** The clock behind every expiry. Default: the system clock. */
  clock?: Clock;
  /** The body field holding the authentication id. Default `'authenticationId'`. */
  authenticationIdField?: string;
  /**
   * A login posted without an authentication id (Alice's web SDK gives the page none) is resolved on the server: the
   * newest authentication of the attempt's user, read with that user's token, if it was created inside the attempt's
   * window. The SDK reports a capture finished before its upload is stored, so the strategy reads the user's list
   * again, with pauses of 0.25 s, 0.5 s, 1 s… for up to `wait` seconds (0 to 10, default 5) before it refuses. `sleep`
   * makes the pauses (default: a timer; tests pass one that moves their clock). `false`: an id must be posted.
   */
  resolveAuthentication?: { wait?: number; sleep?: (ms: number) => Promise<void> } | false;
  /**
   * Failed face logins allowed per Alice user and per IP (each 1 to 1,000) in `rateLimit.window` seconds (a whole
   * number, 1 to 86,400); `false` turns it off.
   */
  rateLimit?: { perUser?: number; perIp?: number; window?: number } | false;
  passReqToCallback?: false;
}

/** {@link FaceLoginStrategyOptions} with `passReqToCallback: true`. */
export interface FaceLoginStrategyOptionsWithRequest extends Omit<FaceLoginStrategyOptions, 'passReqToCallback'> {
  passReqToCallback: true;
}

/** What `begin()` returns. */
export interface FaceLoginBegin {
  /** The USER_TOKEN for the client SDK: send it to the browser in a response body, never in a URL. */
  userToken: string;
  /** When the attempt closes, ms since the epoch. */
  expiresAt: number;
}

/** Why a face login was refused: `req.authInfo`-free challenge `{ code, message }` passed to `fail()`. */
export type FaceLoginFailureCode =
  | 'no_attempt'
  | 'attempt_expired'
  | 'authentication_id_missing'
  | 'authentication_id_used'
  | 'rate_limited'
  | 'authentication_not_found'
  | 'invalid_scores'
  | 'liveness_too_low'
  | 'face_mismatch'
  | 'enrollment_changed'
  | 'authentication_outside_window'
  | 'rejected';

/** The challenge a refused face login fails with (Passport puts `message` in the flash / `info`). */
export interface FaceLoginFailure {
  code: FaceLoginFailureCode;
  message: string;
}
