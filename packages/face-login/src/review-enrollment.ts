import type { AliceClient } from './alice-client.js';

/** What {@link reviewEnrollment} decided. */
export type EnrollmentOutcome = 'authorized' | 'retry' | 'pending';

/**
 * Reviews a user's enrollment selfie as Alice's login use case describes (docs/providers/alice.md): reads the report, and if the selfie's
 * liveness is at or above `threshold` authorizes the user for face login (`'authorized'`); if below, voids the
 * selfie so the user enrolls again (`'retry'`); with no valid selfie yet, does nothing (`'pending'`).
 *
 * @param threshold - inclusive minimum liveness on the 0–100 scale (V0 reports are scaled ×100). Default 50.
 *
 * @example
 * ```ts
 * const outcome = await reviewEnrollment(alice, user.aliceUserId);
 * if (outcome === 'retry') res.render('enroll', { message: 'We could not see a live face. Please try again.' });
 * ```
 */
export async function reviewEnrollment(
  client: AliceClient,
  userId: string,
  options: { threshold?: number } = {},
): Promise<EnrollmentOutcome> {
  const threshold = options.threshold ?? 50;
  if (!(threshold >= 0 && threshold <= 100)) throw new RangeError('threshold must be from 0 to 100');
  const { faceLiveness } = await client.getReport(userId);
  if (faceLiveness === null) return 'pending';
  if (faceLiveness >= threshold) {
    await client.authorizeUser(userId);
    return 'authorized';
  }
  await client.voidSelfie(userId);
  return 'retry';
}
