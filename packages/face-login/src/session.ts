import { createHash } from 'node:crypto';
import { isRecord, saveSession } from '@passport-idv/core/internal';
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

/** `req.session` as a plain object, or `undefined` without express-session (reading a record needs none). */
function sessionIfAny(req: Request): SessionData | undefined {
  const session: unknown = (req as Request & { session?: unknown }).session;
  return isRecord(session) ? session : undefined;
}

/**
 * A digest of who is logged in on this session, or `undefined` for nobody: what Passport keeps under
 * `session.passport` (`{ user }`, emptied on logout) and @fastify/passport keeps there (the serialized user itself).
 */
function sessionUser(session: SessionData): string | undefined {
  const stored = session.passport;
  if (stored === undefined || stored === null || (isRecord(stored) && Object.keys(stored).length === 0))
    return undefined;
  return createHash('sha256').update(JSON.stringify(stored)).digest('base64url');
}

/**
 * The face login recorded in this session, if it is well-formed and was made for the user logged in now; a record
 * left from another user (a later login that kept the session's data) is no face login at all.
 */
export function faceLoginOf(req: Request): FaceLoginRecord | undefined {
  const session = sessionIfAny(req);
  const record = session?.[FACE_LOGIN_KEY] as Partial<FaceLoginRecord> | undefined;
  if (typeof record?.at !== 'number' || typeof record.authenticationId !== 'string') return undefined;
  const user = session && sessionUser(session);
  if (user === undefined || record.user !== user) return undefined;
  return record as FaceLoginRecord;
}

/**
 * Passport regenerates the session on login, dropping everything in it: remember the face login on the new
 * session, right after `req.logIn` has regenerated it and stored the user, naming that user, and save it before the
 * response goes out. Passport's `logIn` calls back when done; @fastify/passport's returns a promise instead: the
 * wrapper follows whichever it does (once, should a `logIn` do both).
 */
export function recordOnLogin(req: Request, record: Omit<FaceLoginRecord, 'user'>): void {
  const original = req.logIn as unknown;
  if (typeof original !== 'function') return;
  let remembered: Promise<void> | undefined;
  const rememberOnce = () => {
    remembered ??= remember(req, record);
    return remembered;
  };
  const wrapped = function (this: Request, user: unknown, options?: unknown, callback?: unknown) {
    req.login = req.logIn = original as Request['logIn'];
    const cb = (typeof options === 'function' ? options : callback) as ((err?: unknown) => void) | undefined;
    const opts = typeof options === 'function' ? {} : options;
    const after = cb && ((err?: unknown) => (err ? cb(err) : rememberOnce().then(() => cb(), cb)));
    const returned: unknown = original.call(this, user, opts, after);
    return isThenable(returned) ? returned.then(rememberOnce) : returned;
  };
  req.login = req.logIn = wrapped as Request['logIn'];
}

/** Writes the face-login record for the user now logged in on `req.session` (if any) and saves the session. */
async function remember(req: Request, record: Omit<FaceLoginRecord, 'user'>): Promise<void> {
  const session = sessionIfAny(req);
  const loggedIn = session && sessionUser(session);
  if (!session || loggedIn === undefined) return;
  session[FACE_LOGIN_KEY] = { ...record, user: loggedIn } satisfies FaceLoginRecord;
  await saveSession(req);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
