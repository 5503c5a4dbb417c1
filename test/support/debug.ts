import util from 'node:util';
import createDebug from 'debug';

/**
 * Turns on every `passport-idv:*` debug namespace and collects what they print, so a test can assert that no secret
 * reaches a log line. The lines array keeps growing for the rest of the test file.
 *
 * @example
 * ```ts
 * const lines = captureDebug();
 * // ... drive a flow ...
 * expect(lines.join('\n')).not.toContain(sandbox.alice.apiKey);
 * ```
 */
export function captureDebug(): string[] {
  const lines: string[] = [];
  createDebug.enable('passport-idv:*');
  createDebug.log = (...args: unknown[]) => {
    lines.push(util.format(...args));
  };
  return lines;
}
