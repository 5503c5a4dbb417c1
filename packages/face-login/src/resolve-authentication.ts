import { setTimeout as delay } from 'node:timers/promises';
import { type Clock, ProviderStatusError } from '@passport-idv/core';
import { invalidOption, isRecord, secondsOption } from '@passport-idv/core/internal';
import type { AliceClient } from './alice-client.js';
import type { AliceAuthentication } from './results.js';

/** How a login posted without an authentication id is resolved: how long to wait for it, and how to wait. */
export interface Resolution {
  waitMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** The first pause between two reads of the list; each later one is twice as long, up to what is left of the wait. */
const FIRST_PAUSE_MS = 250;

/** Reads the `resolveAuthentication` option: `undefined` when it is off. */
export function resolutionOption(value: unknown): Resolution | undefined {
  if (value === false) return undefined;
  if (value !== undefined && !isRecord(value)) invalidOption('resolveAuthentication must be an object or false');
  const { wait = 5, sleep = (ms: number) => delay(ms) } = (value ?? {}) as { wait?: unknown; sleep?: unknown };
  if (typeof sleep !== 'function') invalidOption('resolveAuthentication.sleep must be a function');
  // At most 10 s: the upstream reads that follow must fit in the evaluation's lease of the rate limit.
  const waitMs = secondsOption(wait, 'resolveAuthentication.wait', { min: 0, max: 10 });
  return { waitMs, sleep: sleep as Resolution['sleep'] };
}

/**
 * The newest authentication of `userId` (read with that user's BACKEND_TOKEN_WITH_USER_ID, so never another user's)
 * if it was created at or after `since - skewMs`; otherwise waits, reading `GET /user/authentications/ids` again with
 * a doubling pause, until one is or `waitMs` has passed (on `clock`, or in pauses asked for, whichever comes first),
 * and answers `undefined`. Alice's web SDK reports a capture finished before its upload is stored, so the
 * authentication may appear only after the login is posted (docs/providers/alice.md).
 *
 * Each read of the list costs one call; the newest id costs one more read when it changes (an id known to be older
 * than the window is not read again). An authentication read back with no readable `created_at`, or from the future,
 * is answered as it is: the caller's window check refuses it.
 */
export async function newestAuthentication(
  client: AliceClient,
  userId: string,
  since: number,
  skewMs: number,
  clock: Clock,
  resolution: Resolution,
): Promise<AliceAuthentication | undefined> {
  const started = clock.now();
  let paused = 0;
  let older: string | undefined;
  for (let pause = FIRST_PAUSE_MS; ; pause *= 2) {
    const [newest] = await client.listAuthenticationIds(userId);
    if (newest !== undefined && newest !== older) {
      const found = await client.getAuthentication(userId, newest).catch((error: unknown) => {
        // Listed but not readable yet [I]: read it again at the next turn.
        if (error instanceof ProviderStatusError && error.upstreamStatus === 404) return undefined;
        throw error;
      });
      if (found && (found.createdAt === undefined || found.createdAt >= since - skewMs)) return found;
      if (found) older = newest;
    }
    const left = resolution.waitMs - Math.max(paused, clock.now() - started);
    if (left <= 0) return undefined;
    const ms = Math.min(pause, left);
    paused += ms;
    await resolution.sleep(ms);
  }
}
