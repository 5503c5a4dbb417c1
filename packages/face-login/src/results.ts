import { isRecord, ShapeError } from '@passport-idv/core/internal';

/** A result version: V0 scores are on 0–1, V1 scores on 0–100 (docs/providers/alice.md). */
export type AliceResultVersion = 0 | 1;

/** One enrollment selfie as the report lists it. */
export interface AliceSelfie {
  /** The selfie's id; `undefined` if the report did not give a readable one. */
  id: string | undefined;
  /** `created_at` in ms since the epoch (read as UTC); `undefined` if unreadable. */
  createdAt: number | undefined;
  /** Voided selfies are no longer matched against ("active" = not voided). */
  voided: boolean;
}

/**
 * The enrollment report, reduced to what a login use case needs. Scores are on the 0–100 scale whatever the
 * version (V0 scores are multiplied by 100).
 */
export interface AliceReport {
  version: AliceResultVersion;
  /** Liveness of the current enrollment selfie, 0–100; `null` when there is no valid (non-voided) selfie. */
  faceLiveness: number | null;
  /** The selfies the report lists: all of them in V1 (`selfies`), the latest only in V0 (`user_summary.selfie`). */
  selfies: AliceSelfie[];
  /** The provider's report object, for anything else. */
  raw: Record<string, unknown>;
}

/**
 * One authentication (a login selfie compared with the enrollment selfie). Scores are on the 0–100 scale whatever
 * the version, and `undefined` when the provider did not send a finite number in range: such a result must be
 * refused.
 */
export interface AliceAuthentication {
  version: AliceResultVersion;
  authenticationId: string;
  /** Face liveness, 0–100. */
  liveness: number | undefined;
  /** Face matching against the enrollment selfie, 0–100 (V0: `match_result.normalized`, the stricter score). */
  matching: number | undefined;
  /** `created_at` in ms since the epoch, read as UTC (the API sends no zone); `undefined` if unreadable. */
  createdAt: number | undefined;
  /** The provider's authentication object. */
  raw: Record<string, unknown>;
}

/** The list endpoint's answer. */
export interface AliceAuthenticationList {
  authentications: AliceAuthentication[];
  total: number;
}

/** A score if it is a finite number in `[0, max]`, scaled to 0–100; `undefined` otherwise (strings, null, NaN...). */
export function score(value: unknown, max: 1 | 100): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) return undefined;
  return max === 1 ? value * 100 : value;
}

/**
 * Reads an Alice time stamp. The API writes ISO 8601 with no zone, which is UTC (docs/providers/alice.md); a stamp
 * that carries a zone is read as it says. Fractions beyond milliseconds are cut.
 */
export function parseAliceTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(value);
  if (!match) return undefined;
  const fraction = match[2] ? match[2].slice(0, 4) : '';
  const ms = Date.parse(`${match[1]}${fraction}${match[3] ?? 'Z'}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The object under `key`, or the body itself (the docs show some bodies unwrapped, the SDKs read them wrapped). */
function unwrap(body: unknown, key: string): Record<string, unknown> {
  if (isRecord(body) && isRecord(body[key])) return body[key];
  if (isRecord(body)) return body;
  throw new ShapeError(`${key} is not an object`);
}

/** A selfie entry of a report; V1 names it `id`, V0 `media_id`. */
function toSelfie(item: unknown, idKey: 'id' | 'media_id'): AliceSelfie {
  const entry = isRecord(item) ? item : {};
  const id = entry[idKey];
  return {
    id: typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined,
    createdAt: parseAliceTime(entry.created_at),
    voided: entry.voided === true,
  };
}

export function parseReport(body: unknown, requested: AliceResultVersion): AliceReport {
  const report = unwrap(body, 'report');
  const version: AliceResultVersion = report.version === 0 || report.version === 1 ? report.version : requested;
  let raw: unknown;
  let selfies: AliceSelfie[];
  if (version === 1) {
    if (!isRecord(report.summary)) throw new ShapeError('summary is not an object');
    raw = report.summary.face_liveness;
    selfies = Array.isArray(report.selfies) ? report.selfies.map((item) => toSelfie(item, 'id')) : [];
  } else {
    if (!isRecord(report.user_summary)) throw new ShapeError('user_summary is not an object');
    const selfie = report.user_summary.selfie;
    raw = isRecord(selfie) && selfie.voided !== true && isRecord(selfie.liveness) ? selfie.liveness.score : null;
    selfies = isRecord(selfie) ? [toSelfie(selfie, 'media_id')] : [];
  }
  if (raw === null || raw === undefined) return { version, faceLiveness: null, selfies, raw: report };
  const faceLiveness = score(raw, version === 1 ? 100 : 1);
  if (faceLiveness === undefined) throw new ShapeError('the liveness score is not a number in range');
  return { version, faceLiveness, selfies, raw: report };
}

export function parseAuthentication(
  body: unknown,
  requested: AliceResultVersion,
  authenticationId: string,
): AliceAuthentication {
  const auth = unwrap(body, 'authentication');
  // Neither version's score fields: not an authentication at all (a provider fault, 502), unlike a score that is
  // present but unusable (null, a string, out of range), which refuses the login.
  if (!['face_liveness', 'face_matching', 'liveness_result', 'match_result'].some((key) => key in auth)) {
    throw new ShapeError('the authentication has no scores');
  }
  return toAuthentication(auth, requested, authenticationId);
}

function toAuthentication(
  auth: Record<string, unknown>,
  requested: AliceResultVersion,
  fallbackId: string,
): AliceAuthentication {
  // V0 has liveness_result / match_result; V1 has face_liveness / face_matching.
  const version: AliceResultVersion =
    'face_liveness' in auth || 'face_matching' in auth ? 1 : 'liveness_result' in auth ? 0 : requested;
  const id = typeof auth.authentication_id === 'string' ? auth.authentication_id : fallbackId;
  if (version === 1) {
    return {
      version,
      authenticationId: id,
      liveness: score(auth.face_liveness, 100),
      matching: score(auth.face_matching, 100),
      createdAt: parseAliceTime(auth.created_at),
      raw: auth,
    };
  }
  const liveness = isRecord(auth.liveness_result) ? auth.liveness_result.score : undefined;
  const match = isRecord(auth.match_result) ? auth.match_result : {};
  return {
    version,
    authenticationId: id,
    liveness: score(liveness, 1),
    matching: score(match.normalized !== undefined ? match.normalized : match.score, 1),
    createdAt: parseAliceTime(auth.created_at),
    raw: auth,
  };
}

export function parseAuthenticationList(body: unknown): AliceAuthenticationList {
  if (!isRecord(body) || !Array.isArray(body.authentications)) throw new ShapeError('authentications is not a list');
  const authentications = body.authentications.map((item, i) => {
    if (!isRecord(item)) throw new ShapeError(`authentications[${i}] is not an object`);
    return toAuthentication(item, 1, '');
  });
  const total = typeof body.total === 'number' ? body.total : authentications.length;
  return { authentications, total };
}
