import type { AliceReport, AliceSelfie } from './results.js';

/**
 * How long the approved selfie is remembered: about five years. Without a record the strategy cannot tell the
 * approved face from a later one, so the record outlives any session or token by far.
 */
export const PIN_TTL_MS = 5 * 366 * 86_400_000;

/**
 * The selfie logins are matched with: the newest one that is not voided (the API keeps one active selfie; a lenient
 * provider may keep several, and then matches with the newest). Ties go to the one listed last.
 */
export function activeSelfie(report: AliceReport): AliceSelfie | undefined {
  let active: AliceSelfie | undefined;
  for (const selfie of report.selfies) {
    if (selfie.voided || selfie.createdAt === undefined) continue;
    if (active?.createdAt === undefined || selfie.createdAt >= active.createdAt) active = selfie;
  }
  return active;
}

/**
 * `true` while the face the provider matches logins against is still the selfie `approvedId`: it is listed and not
 * voided, and every other selfie not voided is strictly older. A newer selfie that is not voided (uploaded after the
 * review), the approved one voided or missing, or a time stamp that cannot be read: `false`.
 */
export function isStillApproved(report: AliceReport, approvedId: string): boolean {
  const approved = report.selfies.find((selfie) => selfie.id === approvedId);
  if (!approved || approved.voided || approved.createdAt === undefined) return false;
  const since = approved.createdAt;
  return report.selfies.every(
    (selfie) => selfie === approved || selfie.voided || (selfie.createdAt !== undefined && selfie.createdAt < since),
  );
}
