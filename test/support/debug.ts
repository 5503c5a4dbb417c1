import util from 'node:util';
import createDebug from 'debug';

/** The lines {@link captureDebug} collected, and how to stop collecting them. */
export type DebugLines = string[] & { stop(): void };

/**
 * Turns on every `passport-idv:*` debug namespace and collects what they print, so a test can assert that no secret
 * reaches a log line. The lines keep coming until `stop()`, which puts the previous namespaces and output back.
 *
 * @example
 * ```ts
 * const lines = captureDebug();
 * // ... drive a flow ...
 * expect(lines.join('\n')).not.toContain(sandbox.alice.apiKey);
 * ```
 */
export function captureDebug(): DebugLines {
  const previous = createDebug.log;
  const namespaces = createDebug.disable();
  createDebug.enable('passport-idv:*');
  const lines: string[] = [];
  createDebug.log = (...args: unknown[]) => {
    lines.push(util.format(...args));
  };
  return Object.assign(lines, {
    stop() {
      createDebug.log = previous;
      createDebug.disable();
      if (namespaces) createDebug.enable(namespaces);
    },
  });
}
