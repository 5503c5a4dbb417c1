/** Options of {@link sandboxMedia}: what the synthetic selfie video "shows". */
export interface SandboxMediaOptions {
  /**
   * Whose face it is. `'self'` (default) is the face of the user the upload is for; any other name is a person of
   * that name, e.g. `'mallory'`. Two media match when they name the same face.
   */
  face?: string;
  /** A live person in front of the camera (`true`, default) or a photo of a photo (`false`: a spoof). */
  live?: boolean;
  /** Forces the liveness score (0–100) instead of deriving it from `live`. */
  liveness?: number;
  /** Forces the face-matching score (0–100) an authentication with this media gets. */
  matching?: number;
  /**
   * The capture is refused instead of scored: the upload answers `204` with this value in its
   * `x-alice-selfie-diagnostics` header, e.g. `'FaceTooFar'` (see {@link ALICE_SELFIE_DIAGNOSTICS}).
   */
  diagnostics?: string;
  /** The capture is not acceptable: the upload answers `406 {"detail": "{'error': '<error>'}"}`. */
  error?: string;
}

/**
 * The `x-alice-selfie-diagnostics` values Alice's web SDK has a message for (read in the SDK); any other value reads
 * as unknown there. The sandbox sends whichever value a media names.
 */
export const ALICE_SELFIE_DIAGNOSTICS = [
  'FacePoseTooLarge',
  'FaceTooCloseToBorder',
  'FaceTooClose',
  'FaceTooFar',
  'FaceTooSmall',
  'FaceUnnaturalColor',
  'FaceUnderexposed',
  'FaceOverexposed',
  'FaceBlurry',
] as const;

/** What the sandbox reads from an uploaded media. */
export interface MediaFacts {
  face: string;
  live: boolean;
  liveness: number | undefined;
  matching: number | undefined;
  /** Set when the capture is refused with a 204 and this diagnostics code. */
  diagnostics: string | undefined;
  /** Set when the capture is refused with a 406 and this error code. */
  error: string | undefined;
  synthetic: boolean;
}

/** What a diagnostics or error code may be: it travels in a header and inside the 406 `detail` string. */
export const CAPTURE_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

const MAGIC = 'ALICE-SANDBOX-MEDIA';
/** The face every real (non-synthetic) video is taken to show. */
export const CAMERA_FACE = 'camera';

/**
 * Builds a tiny synthetic "selfie video" the sandbox scores deterministically: a one-line text payload
 * `ALICE-SANDBOX-MEDIA face=<name> live=<true|false>[ liveness=<n>][ matching=<n>][ diagnostics=<code>][ error=<code>]`.
 * Upload it as the multipart `video` field of `POST /user/selfie` or `POST /user/authenticate`.
 *
 * @example
 * ```ts
 * sandboxMedia();                                   // the user's own live face: a genuine selfie
 * sandboxMedia({ live: false });                    // a photo of a photo: low liveness (a spoof)
 * sandboxMedia({ face: 'mallory' });                // someone else: low face matching
 * sandboxMedia({ liveness: 50, matching: 49.99 });  // exact scores, for threshold tests
 * sandboxMedia({ diagnostics: 'FaceTooFar' });      // refused: 204 with x-alice-selfie-diagnostics
 * sandboxMedia({ error: 'FaceBlurry' });            // refused: 406 {"detail": "{'error': 'FaceBlurry'}"}
 * ```
 */
export function sandboxMedia(options: SandboxMediaOptions = {}): Uint8Array {
  const face = options.face ?? 'self';
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(face)) throw new RangeError('face must be 1-64 letters, digits or _.@-');
  let line = `${MAGIC} face=${face} live=${options.live ?? true}`;
  for (const key of ['liveness', 'matching'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!(value >= 0 && value <= 100)) throw new RangeError(`${key} must be between 0 and 100`);
    line += ` ${key}=${value}`;
  }
  for (const key of ['diagnostics', 'error'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!CAPTURE_CODE.test(value)) throw new RangeError(`${key} must be 1-64 letters, digits or _.-`);
    line += ` ${key}=${value}`;
  }
  return new TextEncoder().encode(`${line}\n`);
}

/**
 * Reads an uploaded media. A synthetic payload says what it shows; any other bytes (a real video from a camera) are
 * taken as a genuine, live face of one person, `camera` — so a real enrollment followed by a real login matches.
 */
export function readMedia(data: Uint8Array, uploaderUserId: string): MediaFacts {
  const text = data.byteLength <= 512 ? new TextDecoder().decode(data).trim() : '';
  if (!text.startsWith(`${MAGIC} `)) {
    return {
      face: CAMERA_FACE,
      live: true,
      liveness: undefined,
      matching: undefined,
      diagnostics: undefined,
      error: undefined,
      synthetic: false,
    };
  }
  const fields = new Map<string, string>();
  for (const part of text.slice(MAGIC.length + 1).split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const face = fields.get('face') ?? 'self';
  const score = (key: string): number | undefined => {
    const raw = fields.get(key);
    const value = raw === undefined ? Number.NaN : Number(raw);
    return value >= 0 && value <= 100 ? value : undefined;
  };
  const code = (key: string): string | undefined => {
    const raw = fields.get(key);
    return raw !== undefined && CAPTURE_CODE.test(raw) ? raw : undefined;
  };
  return {
    face: face === 'self' ? `user:${uploaderUserId}` : face,
    live: fields.get('live') !== 'false',
    liveness: score('liveness'),
    matching: score('matching'),
    diagnostics: code('diagnostics'),
    error: code('error'),
    synthetic: true,
  };
}

/** Liveness of a live face and of a photo of a photo, on the V1 scale (0–100). */
export const LIVE_SCORE = 92.5;
export const SPOOF_SCORE = 12.5;
/** Face matching of the same face and of a different one, on the V1 scale. */
export const MATCH_SCORE = 96;
export const MISMATCH_SCORE = 8;
