import type { RunningDemo } from '@passport-idv/example-demo';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from './support/browser.js';
import { expectReadableControls } from './support/contrast.js';
import { expectNoSecrets, saveDocScreenshot, startTestDemo } from './support/demo.js';

// Sign up with a verified ID: the demo's sign-up app on Authenteq Web IDV (AuthenteqWebIdvStrategy, its webhook) and
// the sandbox's verification page. The Web KYC switch is covered by examples/signup-verified-id/test/server.test.ts.
describe('sign up with a verified ID (browser)', () => {
  let demo: RunningDemo;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startTestDemo(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  /** Landing page → the sign-up page → the Authenteq button → the sandbox's identity page. */
  async function toIdentityPage(page: Page): Promise<void> {
    await page.goto(demo.url);
    await expectReadableControls(page);
    await page.getByRole('link', { name: 'Sign up with a verified ID' }).click();
    await page.getByRole('heading', { name: 'Create your account with a verified ID' }).waitFor();
    expect(page.url()).toBe(`${demo.urls.signup}/signup`);
    await expectReadableControls(page); // the Authenteq button's caption included
    await page.getByRole('link', { name: /Sign up with Authenteq/i }).click();
    await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    expect(page.url().startsWith(`${demo.sandbox.authenteqWebIdv.baseURL}/verify?token=`)).toBe(true);
    await expectNoSecrets(page, [demo.sandbox.authenteqWebIdv.clientSecret]);
  }

  it('the adult identity opens the account with the verified name', async () => {
    const { context, page } = await openPage(browser, 'signup-adult', {
      timezoneId: 'America/New_York',
      locale: 'en-US',
    });
    await toIdentityPage(page);
    await page.getByRole('button', { name: /Anna Maria Schmidt/ }).click();

    await page.getByRole('heading', { name: 'Welcome, ANNA MARIA SCHMIDT' }).waitFor();
    expect(page.url()).toBe(`${demo.urls.signup}/account`);
    const facts = await page.locator('dl').textContent();
    expect(facts).toMatch(/Verified name\s*ANNA MARIA SCHMIDT/);
    expect(facts).toMatch(/Birth date\s*1987-01-12/);
    expect(facts).toMatch(/Document\s*Passport/);
    // In the reader's zone (the page's own script), e.g. "Dec 1, 2026, 04:10 PM EST".
    expect(facts).toMatch(/Verified at\s*\w{3} \d{1,2}, \d{4}, \d\d:\d\d [AP]M (EST|EDT)/);
    // Authenteq's signed webhook reaches the app beside the browser: once it is in, the page says so.
    await demo.sandbox.authenteqWebIdv.webhooks.idle();
    await page.reload();
    expect(await page.locator('dl').textContent()).toMatch(/Provider confirmation\s*Confirmed by Authenteq at /);
    await expectReadableControls(page);
    await expectNoSecrets(page, [demo.sandbox.authenteqWebIdv.clientSecret]);
    await saveDocScreenshot(page, 'signup');

    // Signing out ends on the sign-up page, and the account is no longer reachable.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Create your account with a verified ID' }).waitFor();
    await page.goto(`${demo.urls.signup}/account`);
    expect(page.url()).toBe(`${demo.urls.signup}/signup`);
    await context.close();
  });

  it('the expired document ends on the sign-up page with the reason', async () => {
    const { context, page } = await openPage(browser, 'signup-expired');
    await toIdentityPage(page);
    await page.getByRole('button', { name: /passport expired/ }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(page.url()).toBe(`${demo.urls.signup}/signup`);
    expect(await alert.textContent()).toMatch(/You were not signed up\.\s+The identity document has expired/);
    await page.getByRole('link', { name: /Sign up with Authenteq/i }).waitFor();
    // Nobody is signed in: the account page sends the visitor back to sign-up.
    await page.goto(`${demo.urls.signup}/account`);
    expect(page.url()).toBe(`${demo.urls.signup}/signup`);
    await expect(page.getByRole('alert').count()).resolves.toBe(0); // the reason is shown once
    await context.close();
  });

  it('cancelling ends on the sign-up page', async () => {
    const { context, page } = await openPage(browser, 'signup-cancel');
    await toIdentityPage(page);
    await page.getByRole('button', { name: 'Cancel the verification' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(page.url()).toBe(`${demo.urls.signup}/signup`);
    expect(await alert.textContent()).toMatch(/You were not signed up\.\s+The identity check was cancelled/);
    await context.close();
  });

  it('a name full of markup is shown as text and runs nothing', async () => {
    const { context, page } = await openPage(browser, 'signup-markup');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await toIdentityPage(page);
    await page.getByRole('button', { name: /name contains HTML/ }).click();

    const heading = page.getByRole('heading', { level: 1 });
    await heading.waitFor();
    expect(page.url()).toBe(`${demo.urls.signup}/account`);
    expect(await heading.textContent()).toContain('<script>alert("given")</script>');
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('"Back to …" on the verification page returns to the sign-up page', async () => {
    const { context, page } = await openPage(browser, 'signup-back');
    await toIdentityPage(page);
    await page.getByRole('link', { name: /^Back to / }).click();
    await page.getByRole('heading', { name: 'Create your account with a verified ID' }).waitFor();
    expect(page.url()).toBe(`${demo.urls.signup}/signup`);
    await context.close();
  });
});
