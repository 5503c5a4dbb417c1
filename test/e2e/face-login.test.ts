import type { RunningDemo } from '@passport-idv/example-demo';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from './support/browser.js';
import { expectReadableControls } from './support/contrast.js';
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
    // A reader in Berlin: times are shown in their zone, named.
    const { context, page } = await openPage(browser, 'face-login', { timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    const email = 'ada@example.com';
    const secrets = [demo.sandbox.alice.apiKey];

    await page.goto(demo.url);
    await page.getByRole('link', { name: 'Log in with your face, then step up' }).click();
    await page.getByRole('heading', { name: 'Open an account' }).waitFor();
    await expectReadableControls(page);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Register' }).click();

    // Enrollment: a spoof is refused with a plain message, a genuine selfie turns face login on.
    await page.getByRole('heading', { name: 'Enroll your face' }).waitFor();
    // The enrollment dialog offers no "Different person": a stranger's selfie would simply become the enrolled face.
    await page.getByRole('button', { name: 'Take my enrollment selfie' }).click();
    // The dialog is built after the click: wait for its last button before reading them all.
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).waitFor();
    expect(await page.getByRole('dialog').getByRole('button').allTextContents()).toEqual([
      'Genuine selfie — You, live in front of the camera.',
      'Spoof (photo of a photo) — Someone holds up a picture of you: low liveness.',
      'Use my real camera — Records about one second of video.',
      'Cancel',
    ]);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
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
    // The login form posts no authentication id: the server found the authentication this attempt made.
    expect(await page.locator('#face-done input[name="authenticationId"]').count()).toBe(0);
    await faceLogin(page, email, 'Different person');
    expect(await refusal(page)).toBe('The face did not match the one you enrolled. Please try again.');
    // One message in one place: trying again replaces the refusal instead of adding a second one.
    await page.getByRole('button', { name: 'Log in with my face' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('You cancelled the selfie. You can try again.').waitFor();
    expect(await page.locator('main .notice').allTextContents()).toEqual([
      'You cancelled the selfie. You can try again.',
    ]);
    await expectReadableControls(page);
    await page.goto(`${demo.urls.face}/account`);
    expect(new URL(page.url()).pathname).toBe('/login'); // still nobody logged in

    await faceLogin(page, email, 'Genuine selfie');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await page.locator('header').textContent()).toContain(email);
    // The time in the reader's zone (the page's own script), e.g. "1 Dec 2026, 22:10 CET"; UTC without script.
    const time = page.locator('dl time');
    expect(await time.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await time.textContent()).toMatch(/^\d{1,2} \w{3} \d{4}, \d\d:\d\d (CET|CEST|GMT\+[12])$/);
    await expectReadableControls(page);

    // The step-up page is reachable now, and a transfer goes through.
    await page.getByRole('link', { name: 'Transfer money' }).click();
    await page.getByRole('heading', { name: 'Transfer money' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/transfer');
    // An amount with too many decimals is explained next to the field, and what was typed stays.
    await page.getByLabel('To (IBAN or name)').fill('DE89 3704 0044 0532 0130 00');
    await page.getByLabel('Amount (EUR)').fill('25.505');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Enter an amount from 0.01 to 10,000 EUR, with at most two decimals, e.g. 12.50.').waitFor();
    expect(await page.getByLabel('To (IBAN or name)').inputValue()).toBe('DE89 3704 0044 0532 0130 00');
    expect(await page.getByLabel('Amount (EUR)').inputValue()).toBe('25.505');
    await expectReadableControls(page);
    // Cents are taken; the result is shown once, and a reload sends nothing again.
    await page.getByLabel('Amount (EUR)').fill('25.50');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Sent 25.50 EUR to DE89 3704 0044 0532 0130 00').waitFor();
    expect(new URL(page.url()).pathname).toBe('/transfer');
    await expectNoSecrets(page, secrets);
    await saveDocScreenshot(page, 'face-login');
    const reloaded = await page.reload();
    expect(reloaded?.request().method()).toBe('GET');
    await page.getByRole('heading', { name: 'Transfer money' }).waitFor();
    expect(await page.getByText('Sent 25.50 EUR').count()).toBe(0);

    // Five minutes later the face login is too old for a transfer: the page asks for a new one.
    demo.sandbox.clock.advance(5 * 60_000 + 1_000);
    await page.getByRole('link', { name: 'Back to your account' }).click();
    await page.getByRole('link', { name: 'Transfer money' }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('"Use my real camera" says what is wrong when there is no camera, or the browser refuses it', async () => {
    const denying = await launchBrowser(['--use-fake-device-for-media-stream']); // a camera, but no permission
    try {
      for (const [name, where, message] of [
        [
          'face-login-no-camera',
          browser,
          'No camera was found. Connect a camera, or use a phone or computer that has one, and try again.',
        ],
        [
          'face-login-camera-denied',
          denying,
          'The browser did not allow this site to use the camera. Allow camera access for this site (in the address bar or the browser settings), then try again.',
        ],
      ] as const) {
        const { context, page } = await openPage(where, name);
        await page.goto(`${demo.urls.face}/register`);
        await page.getByLabel('Email').fill(`${name}@example.com`);
        await page.getByRole('button', { name: 'Register' }).click();
        await page.getByRole('button', { name: 'Take my enrollment selfie' }).click();
        await page
          .getByRole('dialog')
          .getByRole('button', { name: /^Use my real camera/ })
          .click();
        await page.getByText(message).waitFor();
        expect(await page.locator('main .notice').allTextContents()).toEqual([message]);
        await context.close();
      }
    } finally {
      await denying.close();
    }
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
