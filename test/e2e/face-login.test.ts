import type { RunningDemo } from '@passport-idv/example-demo';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from './support/browser.js';
import { expectNoSecrets, saveDocScreenshot, startTestDemo } from './support/demo.js';

type Choice = 'Genuine selfie' | 'Spoof (photo of a photo)' | 'Different person';

// Face login and step-up: the demo's face-login app, FaceLoginStrategy, requireFaceLogin and the sandbox's SDK dialog.
describe('log in with your face, then step up (browser)', () => {
  let demo: RunningDemo;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startTestDemo(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  /**
   * Presses the page's selfie button, picks what the (simulated) camera sees in the SDK dialog, and waits for the
   * page the app answers with (the page script submits a form once the selfie is uploaded).
   */
  async function takeSelfie(page: Page, button: string, choice: Choice): Promise<void> {
    await page.getByRole('button', { name: button }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const answered = page.waitForEvent('load');
    await dialog.getByRole('button', { name: new RegExp(`^${choice.replace(/[()]/g, '\\$&')}`) }).click();
    await answered;
  }

  /** A face login on this browser, which remembers its user since the registration. */
  async function faceLogin(page: Page, email: string, choice: Choice): Promise<void> {
    await page.getByRole('heading', { name: 'Log in with your face' }).waitFor();
    expect(await page.locator('main').textContent()).toContain(`This browser remembers you as ${email}`);
    await takeSelfie(page, 'Log in with my face', choice);
  }

  /** The refusal the login page shows after a failed face login (the page reloads with it). */
  async function refusal(page: Page): Promise<string> {
    expect(new URL(page.url()).pathname).toBe('/login');
    const notice = page.locator('main .notice');
    await notice.waitFor();
    return (await notice.textContent()) ?? '';
  }

  it('register, enroll, log out, log in with the face, reach /transfer; a spoof and a stranger are refused', async () => {
    const { context, page } = await openPage(browser, 'face-login');
    const email = 'ada@example.com';
    const secrets = [demo.sandbox.alice.apiKey];

    await page.goto(demo.url);
    await page.getByRole('link', { name: 'Log in with your face, then step up' }).click();
    await page.getByRole('heading', { name: 'Open an account' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Register' }).click();

    // Enrollment: a spoof is refused with a plain message, a genuine selfie turns face login on.
    await page.getByRole('heading', { name: 'Enroll your face' }).waitFor();
    await takeSelfie(page, 'Take my enrollment selfie', 'Spoof (photo of a photo)');
    await page.waitForURL(/\/enroll\?reason=retry$/);
    expect(await page.locator('main .notice').textContent()).toContain(
      'We could not confirm a live person in your selfie',
    );
    await takeSelfie(page, 'Take my enrollment selfie', 'Genuine selfie');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await page.getByRole('status').textContent()).toBe('Your selfie was accepted: face login is on.');
    await expectNoSecrets(page, secrets);

    // Registering is not a face login: the transfer page asks for one first, then opens.
    await page.getByRole('link', { name: 'Transfer money' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await takeSelfie(page, 'Confirm with my face', 'Genuine selfie');
    await page.getByRole('heading', { name: 'Transfer money' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/transfer');

    await page.getByRole('button', { name: 'Log out' }).click();

    // Face login: a spoof and a different person are refused, the genuine face gets in.
    await faceLogin(page, email, 'Spoof (photo of a photo)');
    expect(await refusal(page)).toBe(
      'We could not confirm a live person in front of the camera. Please try again, facing the camera.',
    );
    await faceLogin(page, email, 'Different person');
    expect(await refusal(page)).toBe('The face did not match the one you enrolled. Please try again.');
    await page.goto(`${demo.urls.face}/account`);
    expect(new URL(page.url()).pathname).toBe('/login'); // still nobody logged in

    await faceLogin(page, email, 'Genuine selfie');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await page.locator('header').textContent()).toContain(email);
    expect(await page.locator('dl').textContent()).toMatch(/Last face login\s*\d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    // The step-up page is reachable now, and a transfer goes through.
    await page.getByRole('link', { name: 'Transfer money' }).click();
    await page.getByRole('heading', { name: 'Transfer money' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/transfer');
    await page.getByLabel('To (IBAN or name)').fill('DE89 3704 0044 0532 0130 00');
    await page.getByLabel('Amount (EUR)').fill('25');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Sent 25 EUR to DE89 3704 0044 0532 0130 00').waitFor();
    await expectNoSecrets(page, secrets);
    await saveDocScreenshot(page, 'face-login');

    // Five minutes later the face login is too old for a transfer: the page asks for a new one.
    demo.sandbox.clock.advance(5 * 60_000 + 1_000);
    await page.getByRole('link', { name: 'Back to your account' }).click();
    await page.getByRole('link', { name: 'Transfer money' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('a browser nobody signed in on cannot start a face login, whatever email it knows', async () => {
    const { context, page } = await openPage(browser, 'face-login-stranger');
    await page.goto(`${demo.urls.face}/login`);
    await page.getByText('Face login is not set up on this browser.').waitFor();
    expect(await page.getByRole('button', { name: 'Log in with my face' }).count()).toBe(0);
    expect(await page.getByLabel('Email').count()).toBe(0);
    // Posting the begin step by hand, with an email and the page's own CSRF token, gets no USER_TOKEN either.
    await page.goto(`${demo.urls.face}/register`);
    const csrf = (await page.locator('input[name="csrf"]').first().getAttribute('value')) ?? '';
    // page.request shares this browser's cookies.
    const res = await page.request.post(`${demo.urls.face}/login/face/begin`, {
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      data: { email: 'ada@example.com' },
    });
    const answer = { status: res.status(), body: await res.text() };
    expect(answer.status).toBe(400);
    expect(answer.body).not.toMatch(/userToken|eyJ/);
    await context.close();
  });
});
