import { ProviderResponseError } from '@passport-idv/core';
import type { AliceClient } from './alice-client.js';
import { activeSelfie, isStillApproved } from './enrollment-pin.js';

/** What {@link reviewEnrollment} decided. */
export type EnrollmentOutcome = 'authorized' | 'retry' | 'pending';

/**
 * Reviews a user's enrollment selfie as Alice's login use case describes (docs/providers/alice.md): reads the report, and if the selfie's
 * liveness is at or above `threshold`, records that selfie as the approved one (through the client's `tokenStore`)
 * and authorizes the user for face login (`'authorized'`); if below, voids the selfie so the user enrolls again
 * (`'retry'`); with no valid selfie yet, does nothing (`'pending'`).
 *
 * The record is what makes a face enrolled after the review useless: `FaceLoginStrategy` on the same client refuses a
 * login once the provider matches against any other face (a newer selfie, or the approved one voided).
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
  const report = await client.getReport(userId);
  if (report.faceLiveness === null) return 'pending';
  if (report.faceLiveness >= threshold) {
    // The selfie whose liveness was just judged: recorded before the user is authorized, so no face login ever runs
    // without the record.
    const approved = activeSelfie(report);
    if (approved?.id === undefined) {
      throw new ProviderResponseError('the report names no active selfie', { provider: 'alice', operation: 'report' });
    }
    await client.approveSelfie(userId, approved.id);
    await client.authorizeUser(userId);
    return 'authorized';
  }
  await client.voidSelfie(userId);
  return 'retry';
}

/**
 * Whether the face the provider matches `userId`'s logins against is still the one {@link reviewEnrollment}
 * approved: `'approved'`, `'changed'` (a newer selfie not voided, or the approved one voided), or `'unreviewed'` (no
 * approval recorded: the user was authorized some other way, or the record is gone).
 */
export async function enrolledFace(
  client: AliceClient,
  userId: string,
): Promise<'approved' | 'changed' | 'unreviewed'> {
  const approvedId = await client.approvedSelfie(userId);
  if (approvedId === undefined) return 'unreviewed';
  return isStillApproved(await client.getReport(userId), approvedId) ? 'approved' : 'changed';
}
