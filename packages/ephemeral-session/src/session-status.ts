/**
 * What a session's integer `status` means, as far as passport-idv can tell. The platform answers `status` as an
 * integer and documents the meanings in a "Session Statuses" article none of our sources holds
 * (docs/providers/idv.md), so `'unknown'` is what any number outside the table you give `IdvClient` maps to.
 */
export type IdvSessionState =
  | 'started'
  | 'document_sent'
  | 'selfie_sent'
  | 'finished'
  | 'failed'
  | 'expired'
  | 'unknown';

/** A table from the platform's integer `status` to a state. */
export type IdvStatusTable = Readonly<Record<number, Exclude<IdvSessionState, 'unknown'>>>;

/**
 * The integers the sandbox answers (its own numbering, not the platform's: see `IDV_SESSION_STATUSES` in
 * `@passport-idv/sandbox`). `IdvClient` maps statuses with it unless given `statuses`: against a real platform, pass
 * the table from your deployment's "Session Statuses" documentation.
 *
 * @example
 * ```ts
 * SANDBOX_SESSION_STATUSES[3]; // 'finished'
 * new IdvClient({ host, apiKey, statuses: { 10: 'started', 20: 'finished', 30: 'failed' } });
 * ```
 */
export const SANDBOX_SESSION_STATUSES: IdvStatusTable = Object.freeze({
  0: 'started',
  1: 'document_sent',
  2: 'selfie_sent',
  3: 'finished',
  4: 'failed',
  5: 'expired',
});

const STATES: ReadonlySet<string> = new Set([
  'started',
  'document_sent',
  'selfie_sent',
  'finished',
  'failed',
  'expired',
]);

/** `true` if `table` maps integers to known states only. */
export function isStatusTable(table: unknown): table is IdvStatusTable {
  if (typeof table !== 'object' || table === null || Array.isArray(table)) return false;
  return Object.entries(table).every(
    ([key, state]) => Number.isSafeInteger(Number(key)) && typeof state === 'string' && STATES.has(state),
  );
}

/**
 * `true` for the states a session never leaves: `finished`, `failed`, `expired`. Such a session is never handed out
 * again for reuse.
 *
 * @example
 * ```ts
 * const session = await client.getSession(id);
 * if (isFinalState(session.state)) showOutcome(session.state === 'finished');
 * ```
 */
export function isFinalState(state: IdvSessionState): boolean {
  return state === 'finished' || state === 'failed' || state === 'expired';
}
