import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

/** Debian's Chromium, driven headless; `npx playwright install` cannot run here, so no bundled browser is used. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FAILURES = fileURLToPath(new URL('../failures/', import.meta.url));

/** Starts Chromium with the flags a closed-network CI machine needs, plus `extraArgs`. */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/**
 * A fresh browser context (its own cookies; a 1100×800 viewport unless `options` say otherwise, e.g. a phone's) and
 * page for one test; if the test fails, a full-page screenshot is saved to `test/e2e/failures/<name>.png`.
 */
export async function openPage(
  browser: Browser,
  name: string,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  onTestFailed(async () => {
    await page.screenshot({ path: failurePath(name), fullPage: true }).catch(() => {});
  });
  return { context, page };
}

/** Where the screenshot of a failed step named `name` goes: `test/e2e/failures/<name>.png` (the folder is made). */
export function failurePath(name: string): string {
  mkdirSync(FAILURES, { recursive: true });
  return `${FAILURES}${name.replace(/[^\w-]+/g, '-')}.png`;
}
