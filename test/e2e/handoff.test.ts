import type { RunningDemo } from '@passport-idv/example-demo';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from './support/browser.js';
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

  it('"Verify on your phone" shows a QR code and a link that opens the phone page of that session', async () => {
    const { context, page } = await openPage(browser, 'handoff');
    const secrets = [demo.sandbox.idv.apiKey];

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
    const sessions = demo.sandbox.idv.listSessions();
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session.metadata).toEqual({ externalUserId: 'demo-ada-lovelace' });
    const link = (await page.locator('main code').textContent()) ?? '';
    expect(link.startsWith(`${demo.sandbox.url}/idv/capture?url=`)).toBe(true);
    expect(new URL(new URL(link).searchParams.get('url') ?? '').searchParams.get('sessionId')).toBe(session.id);
    const button = page.getByRole('link', { name: 'Open on this device instead' });
    expect(await button.getAttribute('href')).toBe(link);
    await expectNoSecrets(page, secrets);
    await saveDocScreenshot(page, 'handoff');

    // Pressing the button again while the link is valid shows the same session.
    await page.getByRole('link', { name: 'Back to your account' }).click();
    await page.getByRole('button', { name: 'Verify on your phone' }).click();
    await page.getByRole('heading', { name: 'Scan this code with your phone' }).waitFor();
    expect(await page.locator('main code').textContent()).toBe(link);
    expect(demo.sandbox.idv.listSessions()).toHaveLength(1);

    // The link, as a phone opens it (its own browser, none of the computer's cookies): the provider's handoff page,
    // then the phone capture of that session.
    const { context: phone, page: phonePage } = await openPage(browser, 'handoff-phone', {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await phonePage.goto(link);
    await phonePage.getByRole('heading', { name: 'Continue on your phone' }).waitFor();
    await phonePage.getByRole('link', { name: 'Continue on this device' }).click();
    await phonePage.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    expect(new URL(phonePage.url()).pathname).toBe('/idv/mobile');
    expect(await phonePage.locator('main').textContent()).toContain(session.id);

    await phonePage.getByRole('button', { name: 'Take the photo' }).click();
    await phonePage.getByText('— done').first().waitFor();
    await phonePage.getByRole('button', { name: 'Take the selfie' }).click();
    await phonePage.getByText('Your photos were sent.').waitFor();
    expect(demo.sandbox.idv.getSession(session.id)?.status).toBe('completed');
    await expectNoSecrets(phonePage, secrets);
    await phone.close();
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
