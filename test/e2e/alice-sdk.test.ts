import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AliceClient, reviewEnrollment } from '@passport-idv/face-login';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp as createFaceLoginExample } from '../../examples/face-login/src/app.js';
import { faceLoginApp } from '../support/index.js';
import { ALICE_SDK_VERSION, type AliceSdkPage, SDK_BROWSER_ARGS, serveAliceSdkPage } from './support/alice-sdk-page.js';
import { launchBrowser, openPage } from './support/browser.js';

/** What a harness call answers for an OnboardingClient promise (support/alice-sdk-harness.js). */
interface Settled {
  ok: boolean;
  value?: unknown;
  code?: number;
  message?: string;
}

/** The harness's calls, as the test uses them. */
interface Harness {
  useAPI(url: string, userToken: string): void;
  record(name: string, ms: number): { size: number; type: string };
  frames(name: string, count: number): number[];
  synthetic(name: string, line: string): void;
  status(userToken: string): Settled;
  config(userToken: string): Settled;
  addSelfie(userToken: string, name: string, extra?: Record<string, number>): Settled;
  addSelfieFromFrames(userToken: string, name: string): Settled;
  authenticate(userToken: string, name: string): Settled;
  authenticateFromFrames(userToken: string, name: string): Settled;
  makeCommands(userToken: string, url: string): Settled;
  commandsAuthenticate(userToken: string, url: string): void;
}

/** Calls `window.harness[method](...args)` in the page. */
function inPage<K extends keyof Harness>(page: Page, method: K, ...args: Parameters<Harness[K]>) {
  return page.evaluate(
    ([name, values]) => {
      const harness = (globalThis as unknown as { harness: Record<string, (...a: unknown[]) => unknown> }).harness;
      return harness[name]?.(...values);
    },
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<Harness[K]>>>;
}

/**
 * The CSP the OnboardingClient path needs, found in Chromium (docs/providers/alice.md, "The web SDK and CSP"): its own
 * script and the API in connect-src; `'wasm-unsafe-eval' 'unsafe-eval'` only because the bundle starts an OpenCV.js
 * build when it loads (WebAssembly, then embind's generated functions).
 */
const csp = (api: string, script: string) => `default-src 'none'; script-src ${script}; connect-src ${api}`;

// Alice's real web SDK (npm aliceonboarding, served from node_modules) against the sandbox, with Chromium's fake
// camera. Offline, only its OnboardingClient calls can run: its camera UI (OnboardingCommands) first downloads ONNX
// Runtime from cdn.jsdelivr.net and face-detection models from storage.googleapis.com, which no package ships and this
// machine cannot reach; the last test shows exactly where it stops.
describe(`Alice web SDK ${ALICE_SDK_VERSION} against the sandbox (browser)`, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let pages: AliceSdkPage;
  let alice: AliceClient;
  let api: string;

  beforeAll(async () => {
    [sandbox, browser] = await Promise.all([startSandbox(), launchBrowser(SDK_BROWSER_ARGS)]);
    api = new URL(sandbox.alice.baseURL).origin;
    pages = await serveAliceSdkPage({
      '/': null,
      '/csp': csp(api, "'self' 'wasm-unsafe-eval' 'unsafe-eval'"),
      '/csp-self-only': csp(api, "'self'"),
    });
    alice = new AliceClient({ ...sandbox.alice, clock: sandbox.clock });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.requests.clear();
    sandbox.faults.clear();
  });

  /** Opens `path` in a fresh context, recording page errors, console lines and requests that left the machine. */
  async function open(path: string, name: string) {
    const { context, page } = await openPage(browser, name);
    const errors: string[] = [];
    const consoleArgs: string[] = [];
    const external: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      for (const arg of message.args())
        arg.jsonValue().then(
          (v) => consoleArgs.push(JSON.stringify(v)),
          () => {},
        );
    });
    context.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(pages.origin) && !url.startsWith(api) && !/^(data|blob):/.test(url)) external.push(url);
    });
    await page.goto(pages.url(path));
    await page.waitForFunction(() => 'aliceonboarding' in globalThis);
    return { context, page, errors, consoleArgs, external };
  }

  /** A user the app created, and the USER_TOKEN its server hands the browser, with the SDK pointed at the sandbox. */
  async function newUser(page: Page): Promise<{ userId: string; userToken: string }> {
    const userId = await alice.createUser({ email: 'ana@example.com' });
    const userToken = await alice.getUserToken(userId);
    await inPage(page, 'useAPI', sandbox.alice.baseURL, userToken);
    return { userId, userToken };
  }

  const closeAll = (context: BrowserContext) => context.close();

  it('OnboardingClient: status, a selfie recorded from the camera, authenticate → an id the server reads back', async () => {
    const { context, page, errors, consoleArgs, external } = await open('/csp', 'alice-sdk-client');
    const { userId, userToken } = await newUser(page);

    const before = await inPage(page, 'status', userToken);
    expect(before).toMatchObject({
      ok: true,
      value: { user: { user_id: userId, authorized: false, uploaded_face: false, selfie_limit_reached: false } },
    });
    expect(await inPage(page, 'config', userToken)).toEqual({
      ok: true,
      value: { credentials_type: 'PRODUCTION', features: [] },
    });

    // Enrollment: about a second of the fake camera, uploaded by the SDK; the server reviews it and enables face login.
    expect((await inPage(page, 'record', 'enrollment', 1200)).size).toBeGreaterThan(1000);
    expect(await inPage(page, 'addSelfie', userToken, 'enrollment', { start: 0, duration: 1200 })).toMatchObject({
      ok: true,
    });
    expect(await reviewEnrollment(alice, userId)).toBe('authorized');
    expect(sandbox.requests.filter({ route: 'alice.authorize', userId })).toMatchObject([
      { path: '/alice/onboarding/user/authentication/enable', status: 200 },
    ]);
    expect(await inPage(page, 'status', userToken)).toMatchObject({
      value: { user: { authorized: true, uploaded_face: true } },
    });

    // Login: OnboardingClient.authenticate resolves the authentication id, which only the server can read.
    await inPage(page, 'record', 'login', 1200);
    const login = await inPage(page, 'authenticate', userToken, 'login');
    expect(login).toMatchObject({ ok: true, value: { authentication_id: expect.any(String) } });
    const authenticationId = (login.value as { authentication_id: string }).authentication_id;
    expect(await alice.getAuthentication(userId, authenticationId)).toMatchObject({ liveness: 92.5, matching: 96 });
    expect((await alice.listAuthentications(userId)).authentications[0]?.authenticationId).toBe(authenticationId);

    // Every call was a cross-origin call with the USER_TOKEN, after a preflight the sandbox answered.
    const calls = sandbox.requests.filter({ provider: 'alice' }).filter((r) => r.credential === 'USER_TOKEN');
    expect(calls.map((r) => r.route)).toEqual([
      'alice.user_status',
      'alice.client_config',
      'alice.selfie',
      'alice.user_status',
      'alice.authenticate',
    ]);
    expect(calls.every((r) => r.userId === userId)).toBe(true);
    expect(sandbox.requests.filter({ route: 'alice.cors' }).every((r) => r.status === 204)).toBe(true);
    expect(sandbox.requests.count({ route: 'alice.cors' })).toBeGreaterThan(0);

    // Under the CSP above nothing was refused, nothing failed, and nothing but the API was contacted.
    expect(
      await page.evaluate(() => (globalThis as unknown as { harness: { violations: unknown[] } }).harness.violations),
    ).toEqual([]);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    // The SDK logs every API request's headers to the console: the USER_TOKEN included.
    await expect.poll(() => consoleArgs.some((line) => line.includes(userToken))).toBe(true);
    await closeAll(context);
  });

  it('a full face login with no id posted: the SDK uploads, the server finds the authentication and logs in', async () => {
    const { context, page } = await open('/csp', 'alice-sdk-no-id-login');
    const { app } = faceLoginApp(sandbox);
    const browser = supertest.agent(app); // the app's side of this browser: its session cookie
    const userId = await alice.createUser({ email: 'ana@example.com' });
    await inPage(page, 'useAPI', sandbox.alice.baseURL, await alice.getUserToken(userId));

    await inPage(page, 'record', 'enrollment', 1200);
    expect(
      await inPage(page, 'addSelfie', await alice.getUserToken(userId), 'enrollment', { start: 0, duration: 1200 }),
    ).toMatchObject({ ok: true });
    expect((await browser.post('/enroll/review').send({ aliceUserId: userId })).body.outcome).toBe('authorized');

    // begin() opens the attempt and hands this browser its USER_TOKEN; the SDK records and uploads the login selfie.
    const { userToken } = (await browser.post('/login/face/begin').send({ aliceUserId: userId }).expect(200)).body;
    await inPage(page, 'useAPI', sandbox.alice.baseURL, userToken);
    await inPage(page, 'record', 'login', 1200);
    sandbox.requests.clear();
    expect(await inPage(page, 'authenticate', userToken, 'login')).toMatchObject({ ok: true });

    // The page posts nothing but its session: the strategy reads the user's newest authentication and logs in.
    const login = await browser.post('/login/face').send({}).expect(200);
    expect(login.body.user).toEqual({ id: userId });
    expect(sandbox.requests.filter({ provider: 'alice' }).map((r) => r.route)).toEqual([
      'alice.cors',
      'alice.authenticate',
      'alice.authentication_ids',
      'alice.authentication',
      'alice.report',
    ]);
    await closeAll(context);
  });

  it('OnboardingClient: refusals reach the page as the SDK reads them (204 diagnostics, 406, 404, 409, 422)', async () => {
    const { context, page } = await open('/', 'alice-sdk-refusals');
    const { userId, userToken } = await newUser(page);
    await inPage(page, 'record', 'camera', 800);

    // Not enabled yet: 404 (the SDK's "user authentication is not enabled").
    expect(await inPage(page, 'addSelfie', userToken, 'camera')).toMatchObject({ ok: true });
    expect(await inPage(page, 'authenticate', userToken, 'camera')).toMatchObject({ ok: false, code: 404 });
    expect(await reviewEnrollment(alice, userId)).toBe('authorized');

    // A capture the API refuses: 204 with the diagnostics code, readable only because the header is exposed.
    sandbox.alice.rejectNextCapture({ diagnostics: 'FaceTooFar' });
    expect(await inPage(page, 'authenticate', userToken, 'camera')).toEqual({
      ok: false,
      code: 204,
      message: 'FaceTooFar',
    });
    // 406 {"detail": "{'error': ...}"}: the SDK parses the dict-like string and hands on the code.
    await inPage(page, 'synthetic', 'blurry', 'ALICE-SANDBOX-MEDIA face=self live=true error=FaceBlurry');
    expect(await inPage(page, 'authenticate', userToken, 'blurry')).toEqual({
      ok: false,
      code: 406,
      message: 'FaceBlurry',
    });
    expect(sandbox.alice.user(userId)?.authenticationCount).toBe(0);

    // A second selfie while one is active: 409.
    expect(await inPage(page, 'addSelfie', userToken, 'camera')).toMatchObject({ ok: false, code: 409 });

    // Frames mode: several video parts; the SDK resolves whatever the API answers, a 204 included (no id in it).
    expect(await inPage(page, 'frames', 'frames', 3)).toHaveLength(3);
    const frames = await inPage(page, 'authenticateFromFrames', userToken, 'frames');
    expect(frames).toMatchObject({ ok: true, value: { authentication_id: expect.any(String) } });
    sandbox.alice.rejectNextCapture({ diagnostics: 'FaceBlurry' });
    const refused = await inPage(page, 'authenticateFromFrames', userToken, 'frames');
    expect(refused.ok).toBe(true);
    expect(refused.value).not.toHaveProperty('authentication_id');
    expect(sandbox.alice.user(userId)?.authenticationCount).toBe(1);

    // The selfie limit: after five selfies (voided ones count) the upload answers 422.
    const full = await newUser(page);
    for (let i = 0; i < 5; i++) {
      sandbox.alice.addSelfie(full.userId);
      await alice.voidSelfie(full.userId);
    }
    expect(await inPage(page, 'status', full.userToken)).toMatchObject({
      value: { user: { uploaded_face: false, selfie_limit_reached: true } },
    });
    expect(await inPage(page, 'addSelfieFromFrames', full.userToken, 'frames')).toMatchObject({ ok: false, code: 422 });
    await closeAll(context);
  });

  it('without eval in script-src the OnboardingClient calls still work; the bundle’s OpenCV.js start is refused', async () => {
    const { context, page, errors, external } = await open('/csp-self-only', 'alice-sdk-csp-self');
    const { userToken } = await newUser(page);
    expect(await inPage(page, 'status', userToken)).toMatchObject({ ok: true });
    const violations = await page.evaluate(
      () =>
        (globalThis as unknown as { harness: { violations: { directive: string; blocked: string }[] } }).harness
          .violations,
    );
    expect(violations).toEqual([{ directive: 'script-src', blocked: 'wasm-eval' }]);
    expect(errors.join('\n')).toMatch(/WebAssembly/);
    expect(external).toEqual([]);
    await closeAll(context);
  });

  it('OnboardingCommands stops offline where it downloads ONNX Runtime, after /client/config', async () => {
    const { context, page } = await open('/', 'alice-sdk-commands');
    const { userId, userToken } = await newUser(page);
    const ort = 'https://cdn.jsdelivr.net/npm/onnxruntime-web@1.18.0/dist/ort-wasm-simd.wasm';
    const failed: string[] = [];
    context.on('requestfailed', (request) => failed.push(request.url()));

    // makeOnboardingCommands: /client/config, then the face and document detectors, which need ONNX Runtime.
    const made = await inPage(page, 'makeCommands', userToken, sandbox.alice.baseURL);
    expect(made).toMatchObject({ ok: false, message: expect.stringMatching(/no available backend found/) });
    expect(failed).toContain(ort);
    expect(sandbox.requests.filter({ credential: 'USER_TOKEN' }).map((r) => r.route)).toEqual(['alice.client_config']);

    // A directly constructed OnboardingCommands gets further: authenticate reads /user/status (face login is on) and
    // /client/config, then its capturer loads the same detector and stops there, reporting the uncaught error as a
    // telemetry event; no callback is called and nothing is uploaded.
    sandbox.alice.addSelfie(userId);
    await alice.authorizeUser(userId);
    sandbox.requests.clear();
    const uncaught = page.waitForRequest(
      (request) =>
        request.url().endsWith('/user/event') && (request.postData() ?? '').includes('sdk.uncaught.exception'),
    );
    await inPage(page, 'commandsAuthenticate', userToken, sandbox.alice.baseURL);
    expect((await uncaught).postData()).toContain('no available backend found');
    expect(sandbox.requests.filter({ credential: 'USER_TOKEN' }).map((r) => r.route)).toEqual(
      expect.arrayContaining(['alice.user_status', 'alice.client_config', 'alice.user_event']),
    );
    expect(sandbox.requests.count({ route: 'alice.authenticate' })).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { harness: { callbacks: unknown[] } }).harness.callbacks),
    ).toEqual([]);
    await closeAll(context);
  });
});

// The face-login example with ALICE_API_KEY set serves Alice's web SDK from node_modules; here it is pointed at the
// sandbox. Offline, its camera screen stops where it downloads ONNX Runtime: the test checks that the bundle loads and
// the command starts under the example's CSP with no violation, and that the page then says what is wrong.
describe('the face-login example with Alice’s web SDK (browser, offline)', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    [sandbox, browser] = await Promise.all([startSandbox(), launchBrowser(SDK_BROWSER_ARGS)]);
    const { app } = createFaceLoginExample({
      alice: { apiKey: sandbox.alice.apiKey, baseURL: sandbox.alice.baseURL },
      sessionSecret: 'alice-sdk-example',
      clock: sandbox.clock,
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await sandbox?.close();
  });

  it('enrollment: the bundle loads and OnboardingCommands starts with no CSP violation, then the page explains', async () => {
    const { context, page } = await openPage(browser, 'alice-sdk-example-enroll');
    // Every CSP violation of the page, from its first script on.
    await page.addInitScript({
      content: `globalThis.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          globalThis.cspViolations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));`,
    });
    const external = new Set<string>();
    context.on('request', (request) => {
      const { origin } = new URL(request.url());
      if (!origin.startsWith('http://127.0.0.1')) external.add(origin);
    });
    await page.goto(`${url}/register`);
    await page.getByLabel('Email').fill('ana@example.com');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Enroll your face' }).waitFor();
    await page.waitForFunction(() => 'aliceonboarding' in globalThis, undefined, { timeout: 30_000 });
    sandbox.requests.clear();
    await page.getByRole('button', { name: 'Take my enrollment selfie' }).click();
    await page.getByText('The face capture could not load its face detector.', { exact: false }).waitFor();
    // The SDK read its configuration from the API (with the USER_TOKEN) before it tried the internet.
    expect(sandbox.requests.filter({ credential: 'USER_TOKEN' }).map((r) => r.route)).toEqual(['alice.client_config']);
    expect(await page.evaluate(() => (globalThis as unknown as { cspViolations: unknown[] }).cspViolations)).toEqual(
      [],
    );
    // What it tried to reach is what the CSP allows (and this machine cannot reach).
    expect(
      [...external].every((o) =>
        /^https:\/\/(cdn\.jsdelivr\.net|fonts\.googleapis\.com|storage\.googleapis\.com)$/.test(o),
      ),
    ).toBe(true);
    expect(external.has('https://cdn.jsdelivr.net')).toBe(true);
    await context.close();
  });
});
