import type { FaceLoginFailureCode } from './options.js';

/** What the user reads, and the status, for each refusal of a face login. */
export const FAILURES: Record<FaceLoginFailureCode, { message: string; status: number }> = {
  no_attempt: { message: 'Start the face login again.', status: 401 },
  attempt_expired: { message: 'The face login took too long. Please try again.', status: 401 },
  authentication_id_missing: { message: 'The face login did not complete. Please try again.', status: 400 },
  authentication_id_used: { message: 'This face login was already used. Please try again.', status: 401 },
  rate_limited: { message: 'Too many failed face logins. Please wait a few minutes and try again.', status: 429 },
  authentication_not_found: { message: 'The face login could not be confirmed. Please try again.', status: 401 },
  invalid_scores: { message: 'The face login could not be confirmed. Please try again.', status: 401 },
  liveness_too_low: {
    message: 'We could not confirm a live person in front of the camera. Please try again, facing the camera.',
    status: 401,
  },
  face_mismatch: { message: 'The face did not match the one you enrolled. Please try again.', status: 401 },
  enrollment_changed: {
    message: 'Face login is paused for this account because its enrolled face changed. Please enroll your face again.',
    status: 401,
  },
  authentication_outside_window: { message: 'The face login could not be confirmed. Please try again.', status: 401 },
  rejected: { message: 'This face login was not accepted.', status: 401 },
};
