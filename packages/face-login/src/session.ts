import { createHash } from 'node:crypto';
import { isRecord } from '@passport-idv/core';
import type { Request } from 'express';

/** The session key of an open face-login attempt (set by `begin`, consumed by `authenticate`). */
export const ATTEMPT_KEY = 'passportIdvFaceLoginAttempt';
/** The session key of the last successful face login, read by `requireFaceLogin`. */
export const FACE_LOGIN_KEY = 'passportIdvFaceLogin';

/** An open attempt, as kept in the session. */
export interface FaceLoginAttempt {
  id: string;
  aliceUserId: string;
  /** When `begin` ran, ms since the epoch. */
  at: number;
}

/** What the session remembers of a successful face login. */
export interface FaceLoginRecord {
  /** When the face login succeeded, ms since the epoch. */
  at: number;
  authenticationId: string;
  aliceUserId: string;
  /**
   * Whom the face login logged in: a digest (SHA-256, base64url) of what Passport's `serializeUser` stored for that
   * user (`req.session.passport.user`). A record whose `user` is not the session's current user counts for nobody.
   */
  user: string;
}

export type SessionData = Record<string, unknown>;

/** `req.session` as a plain object, or `undefined` without express-session. */
export function sessionOf(req: Request): SessionData | undefined {
  const session = (req as Request & { session?: unknown }).session;
  return typeof session === 'object' && session !== null ? (session as unknown as SessionData) : undefined;
}

/** A digest of the user Passport has logged in on this session (`session.passport.user`), or `undefined`. */
function sessionUser(session: SessionData): string | undefined {
  const user = isRecord(session.passport) ? session.passport.user : undefined;
  if (user === undefined || user === null) return undefined;
  return createHash('sha256').update(JSON.stringify(user)).digest('base64url');
}

/**
 * The face login recorded in this session, if it is well-formed and was made for the user logged in now; a record
 * left from another user (a later login that kept the session's data) is no face login at all.
 */
export function faceLoginOf(req: Request): FaceLoginRecord | undefined {
  const session = sessionOf(req);
  const record = session?.[FACE_LOGIN_KEY] as Partial<FaceLoginRecord> | undefined;
  if (typeof record?.at !== 'number' || typeof record.authenticationId !== 'string') return undefined;
  const user = session && sessionUser(session);
  if (user === undefined || record.user !== user) return undefined;
  return record as FaceLoginRecord;
}

/**
 * Passport regenerates the session on login, dropping everything in it: remember the face login on the new
 * session, right after `req.logIn` has regenerated it and stored the user, naming that user, and save it before the
 * response goes out.
 */
export function recordOnLogin(req: Request, record: Omit<FaceLoginRecord, 'user'>): void {
  const original = req.logIn;
  if (typeof original !== 'function') return;
  const wrapped = function (this: Request, user: unknown, options: unknown, callback?: unknown) {
    req.login = req.logIn = original;
    const cb = (typeof options === 'function' ? options : callback) as (err?: unknown) => void;
    const opts = typeof options === 'function' ? {} : options;
    const after = (err?: unknown) => {
      const session = sessionOf(req);
      const loggedIn = session && sessionUser(session);
      if (err || !session || loggedIn === undefined) return cb(err);
      session[FACE_LOGIN_KEY] = { ...record, user: loggedIn } satisfies FaceLoginRecord;
      const save = (session as SessionData & { save?: (cb: (err?: unknown) => void) => void }).save;
      if (typeof save === 'function') save.call(session, (saveErr) => cb(saveErr));
      else cb();
    };
    return (original as (...args: unknown[]) => void).call(this, user, opts, after);
  };
  req.login = req.logIn = wrapped as Request['logIn'];
}
