import { ProviderError } from '@passport-idv/core';
import { isRecord } from '@passport-idv/core/internal';

/**
 * Why Alice refused a capture, as its `x-alice-selfie-diagnostics` header (on a `204`) or the `error` inside a `406`
 * `detail` names it, with a sentence for the person in front of the camera. The codes are those Alice's web SDK has a
 * message for (docs/providers/alice.md); any other reads as `'Unknown'`.
 */
export const CAPTURE_ADVICE = {
  FacePoseTooLarge: 'Look straight at the camera.',
  FaceTooCloseToBorder: 'Keep your whole face in the middle of the frame.',
  FaceTooClose: 'Move a little further from the camera.',
  FaceTooFar: 'Move closer to the camera.',
  FaceTooSmall: 'Move closer to the camera.',
  FaceUnnaturalColor: 'Use natural light, without coloured light on your face.',
  FaceUnderexposed: 'Your face is too dark: find more light.',
  FaceOverexposed: 'There is too much light on your face: avoid direct light.',
  FaceBlurry: 'Hold still: the picture was blurry.',
  Unknown: 'The selfie could not be used. Please try again.',
} as const;

/** A reason of {@link AliceCaptureRejectedError}. */
export type AliceCaptureReason = keyof typeof CAPTURE_ADVICE;

function reasonOf(value: unknown): AliceCaptureReason {
  return typeof value === 'string' && Object.hasOwn(CAPTURE_ADVICE, value) ? (value as AliceCaptureReason) : 'Unknown';
}

/**
 * The `error` of a `406` body: `detail` is a Python-dict-like string, `"{'error': 'FaceBlurry'}"`, which the web SDK
 * reads by swapping quotes and parsing it. Only a known code is kept; the body is never copied anywhere.
 */
export function reasonOf406(body: string | undefined): AliceCaptureReason {
  try {
    const outer: unknown = JSON.parse(body ?? '');
    const detail = isRecord(outer) ? outer.detail : undefined;
    if (typeof detail !== 'string') return 'Unknown';
    const inner: unknown = JSON.parse(detail.replaceAll("'", '"'));
    return reasonOf(isRecord(inner) ? inner.error : undefined);
  } catch {
    return 'Unknown';
  }
}

/** A `204` diagnostics header value as a reason. */
export function reasonOfHeader(value: string | string[] | undefined): AliceCaptureReason {
  return reasonOf(Array.isArray(value) ? value[0] : value);
}

/**
 * Alice refused a selfie capture (an upload to `/user/selfie` or `/user/authenticate`): `204` with an
 * `x-alice-selfie-diagnostics` header, or `406 {"detail": …}`. Nothing was stored; the person should take the selfie
 * again. `message` is safe to show them (e.g. "Move closer to the camera."); HTTP 422.
 *
 * @example
 * ```ts
 * try { await alice.authenticate(userId, media); }
 * catch (e) { if (e instanceof AliceCaptureRejectedError) return res.status(422).json({ message: e.message }); throw e; }
 * ```
 */
export class AliceCaptureRejectedError extends ProviderError {
  static override readonly code = 'ERR_ALICE_CAPTURE_REJECTED' as const;
  override readonly code = 'ERR_ALICE_CAPTURE_REJECTED' as const;
  override status = 422;
  /** The diagnostics code, or `'Unknown'`. */
  readonly reason: AliceCaptureReason;

  constructor(operation: string, upstreamStatus: 204 | 406, reason: AliceCaptureReason) {
    super(CAPTURE_ADVICE[reason], { provider: 'alice', operation, upstreamStatus });
    this.message = CAPTURE_ADVICE[reason];
    this.reason = reason;
  }
}

/**
 * The user already has an active selfie (`409` on `POST /user/selfie`): void it (`voidSelfie`) before enrolling again.
 * HTTP 409.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof AliceActiveSelfieError) await alice.voidSelfie(userId); }
 * ```
 */
export class AliceActiveSelfieError extends ProviderError {
  static override readonly code = 'ERR_ALICE_ACTIVE_SELFIE' as const;
  override readonly code = 'ERR_ALICE_ACTIVE_SELFIE' as const;
  override status = 409;

  constructor(operation: string) {
    super('', { provider: 'alice', operation, upstreamStatus: 409 });
    this.message = 'A selfie is already enrolled for this account.';
  }
}

/**
 * The user reached Alice's limit of selfies (`422` on `POST /user/selfie`; voided selfies count): no further
 * enrollment is possible for this Alice user. HTTP 422.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof AliceSelfieLimitError) return res.status(422).json({ message: e.message }); }
 * ```
 */
export class AliceSelfieLimitError extends ProviderError {
  static override readonly code = 'ERR_ALICE_SELFIE_LIMIT' as const;
  override readonly code = 'ERR_ALICE_SELFIE_LIMIT' as const;
  override status = 422;

  constructor(operation: string) {
    super('', { provider: 'alice', operation, upstreamStatus: 422 });
    this.message = 'No more selfies can be enrolled for this account. Please contact support.';
  }
}
