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
}

export type SessionData = Record<string, unknown>;

/** `req.session` as a plain object, or `undefined` without express-session. */
export function sessionOf(req: Request): SessionData | undefined {
  const session = (req as Request & { session?: unknown }).session;
  return typeof session === 'object' && session !== null ? (session as unknown as SessionData) : undefined;
}

/** The face login recorded in this session, if it is well-formed. */
export function faceLoginOf(req: Request): FaceLoginRecord | undefined {
  const record = sessionOf(req)?.[FACE_LOGIN_KEY] as Partial<FaceLoginRecord> | undefined;
  if (typeof record?.at !== 'number' || typeof record.authenticationId !== 'string') return undefined;
  return record as FaceLoginRecord;
}
