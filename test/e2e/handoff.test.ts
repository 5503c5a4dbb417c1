import type { RunningDemo } from '@passport-idv/example-demo';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from './support/browser.js';
import { expectReadableControls } from './support/contrast.js';
import { expectNoSecrets, saveDocScreenshot, startTestDemo } from './support/demo.js';

// Continue on your phone: the demo's mobile-handoff app, ephemeralSession() and the sandbox's capture and phone pages.
describe('continue on your phone (browser)', () => {
  let demo: RunningDemo;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startTestDemo(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('"Verify on your phone" shows a QR code; the desktop follows the phone and shows the outcome; a new press starts anew', async () => {
    const { context, page } = await openPage(browser, 'handoff', { timezoneId: 'America/New_York', locale: 'en-US' });
    const secrets = [demo.sandbox.idv.apiKey];
    // The demo registered the app's webhook with the sandbox, which delivers it on each state change.

    await page.goto(demo.url);
    await page.getByRole('link', { name: 'Continue on your phone' }).click();
    await page.getByRole('heading', { name: 'Continue a verification on your phone' }).waitFor();
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Continue as demo user' }).click();
    await page.getByRole('heading', { name: 'Hello, Ada Lovelace' }).waitFor();
    await page.getByRole('button', { name: 'Verify on your phone' }).click();

    // The QR code and the link, for the session the server started for this user.
    await page.getByRole('heading', { name: 'Scan this code with your phone' }).waitFor();
    await page.locator('.qr svg').waitFor();
    expect(new URL(page.url()).pathname).toBe('/verify/phone');
    const sessions = demo.sandbox.idv.listSessions();
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session.metadata).toEqual({ externalUserId: 'demo-ada-lovelace' });
    const link = (await page.locator('main code').textContent()) ?? '';
    expect(link.startsWith(`${demo.sandbox.url}/idv/mobile?authorization=Token%20`)).toBe(true);
    expect(new URL(link).searchParams.get('sessionId')).toBe(session.id);
    const button = page.getByRole('link', { name: 'Open on this device instead' });
    expect(await button.getAttribute('href')).toBe(link);
    await page.getByText('Waiting for your phone').waitFor();
    expect(await page.locator('main time').textContent()).toMatch(/^\d\d:\d\d [AP]M (EST|EDT)$/);
    await expectReadableControls(page);
    await expectNoSecrets(page, secrets);
    await saveDocScreenshot(page, 'handoff');

    // Reloading the page shows the same session; so does pressing the button again while it is under way.
    await page.reload();
    await page.getByRole('heading', { name: 'Scan this code with your phone' }).waitFor();
    expect(await page.locator('main code').textContent()).toBe(link);
    await page.getByRole('link', { name: 'Back to your account' }).click();
    await page.getByRole('button', { name: 'Verify on your phone' }).click();
    await page.getByRole('heading', { name: 'Scan this code with your phone' }).waitFor();
    expect(await page.locator('main code').textContent()).toBe(link);
    expect(demo.sandbox.idv.listSessions()).toHaveLength(1);

    // The link, as a phone opens it (its own browser context, none of the computer's cookies): straight to the
    // phone capture of that session, no second QR page.
    const { context: phone, page: phonePage } = await openPage(browser, 'handoff-phone', {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await phonePage.goto(link);
    await phonePage.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    expect(new URL(phonePage.url()).pathname).toBe('/idv/mobile');
    expect(await phonePage.locator('main').textContent()).toContain(session.id);

    await phonePage.getByRole('button', { name: 'Take the photo' }).click();
    await phonePage.getByText('— done').first().waitFor();
    // The computer's page follows the phone without a click.
    await page.getByText('Your phone sent the photo of your document').waitFor();
    await phonePage.getByRole('button', { name: 'Take the selfie' }).click();
    await phonePage.getByText('Your photos were sent').waitFor();
    expect(demo.sandbox.idv.getSession(session.id)?.state).toBe('finished');
    await expectNoSecrets(phonePage, secrets);
    await phone.close();

    // The outcome, on the computer.
    await page.getByRole('heading', { name: 'Your identity is verified' }).waitFor();
    expect(await page.locator('.qr svg').count()).toBe(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Your identity is verified' }).waitFor();
    await expectNoSecrets(page, secrets);

    // A second press after the end starts a new session, with a new link.
    await page.getByRole('link', { name: 'Continue to your account' }).click();
    await page.getByRole('button', { name: 'Verify on your phone' }).click();
    await page.getByRole('heading', { name: 'Scan this code with your phone' }).waitFor();
    const next = (await page.locator('main code').textContent()) ?? '';
    expect(next).not.toBe(link);
    expect(demo.sandbox.idv.listSessions()).toHaveLength(2);
    const deliveries = demo.sandbox.idv.webhookDeliveries();
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
    // The next test learns the outcome without it.
    demo.sandbox.idv.setWebhook(undefined);
    await context.close();
  });

  it('without the webhook, the desktop reads the session back and says "not verified, try again"', async () => {
    const { context, page } = await openPage(browser, 'handoff-failed');
    await page.goto(demo.urls.handoff);
    await page.getByLabel('Your name').fill('Grace Hopper');
    await page.getByRole('button', { name: 'Continue as demo user' }).click();
    await page.getByRole('button', { name: 'Verify on your phone' }).click();
    await page.getByRole('heading', { name: 'Scan this code with your phone' }).waitFor();
    const link = (await page.locator('main code').textContent()) ?? '';

    const { context: phone, page: phonePage } = await openPage(browser, 'handoff-failed-phone', { isMobile: true });
    await phonePage.goto(link);
    await phonePage.getByRole('button', { name: 'Simulate a failed verification' }).click();
    await phonePage.getByText('did not succeed').waitFor();
    await phone.close();
    // What the app knows is older than its read-back interval once the clock moves: the next poll asks the platform.
    demo.sandbox.clock.advance(5_000);
    await page.getByRole('heading', { name: 'Not verified' }).waitFor();
    await page.getByRole('button', { name: 'Try again on your phone' }).click();
    await page.getByRole('heading', { name: 'Scan this code with your phone' }).waitFor();
    expect(await page.locator('main code').textContent()).not.toBe(link);
    await context.close();
  });

  it('without signing in there is no session to hand off', async () => {
    const { context, page } = await openPage(browser, 'handoff-signed-out');
    const before = demo.sandbox.idv.listSessions().length;
    await page.goto(demo.urls.handoff);
    await page.getByRole('heading', { name: 'Continue a verification on your phone' }).waitFor();
    expect(await page.getByRole('button', { name: 'Verify on your phone' }).count()).toBe(0);
    expect(demo.sandbox.idv.listSessions()).toHaveLength(before);
    await context.close();
  });
});
