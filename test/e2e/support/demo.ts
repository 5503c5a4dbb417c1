import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RunningDemo, startDemo } from '@passport-idv/example-demo';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/** The whole demo in this process (sandbox, three apps, landing page), every port picked free. */
export function startTestDemo(): Promise<RunningDemo> {
  return startDemo({ host: '127.0.0.1', ports: { landing: 0, sandbox: 0, signup: 0, face: 0, handoff: 0 } });
}

/**
 * Saves the visible part of the page (the 1100×800 viewport of `openPage`) as `docs/screenshots/<name>.png`, the
 * picture of the flow the root README shows.
 */
export async function saveDocScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, type: 'png', animations: 'disabled', caret: 'hide' });
}

/** Asserts that what the browser shows (the page's HTML and its URL) holds none of the given secrets. */
export async function expectNoSecrets(page: Page, secrets: readonly string[]): Promise<void> {
  const html = await page.content();
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(0);
    expect(html).not.toContain(secret);
    expect(page.url()).not.toContain(secret);
  }
}
