import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits until `condition` holds, polling every `interval` ms, and fails after `timeout` ms: tests wait on
 * conditions, never for a fixed time.
 *
 * @example
 * ```ts
 * await waitFor(() => client.isReady, { what: 'the Redis client to reconnect' });
 * ```
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { what, timeout = 10_000, interval = 20 }: { what: string; timeout?: number; interval?: number },
): Promise<void> {
  const deadline = performance.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeout} ms`);
    await delay(interval);
  }
}
