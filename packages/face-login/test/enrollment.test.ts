import { MemoryStore } from '@passport-idv/core';
import { type Sandbox, sandboxMedia, startSandbox } from '@passport-idv/sandbox';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faceLoginApp } from '../../../test/support/face-login-app.js';
import { AliceClient, reviewEnrollment } from '../src/index.js';

// A face enrolled after the review never logs in: reviewEnrollment records the selfie it approved (in the client's
// token store), and the strategy refuses once the provider matches against any other face.
let sandbox: Sandbox;
let t: ReturnType<typeof faceLoginApp>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.requests.clear();
  sandbox.alice.allowSelfieReplacement(false);
  t = faceLoginApp(sandbox, { strategy: { rateLimit: false } });
});

type Agent = ReturnType<typeof request.agent>;

/** A user with a genuine selfie, reviewed by `reviewEnrollment` on `client`. */
async function reviewed(client = t.client): Promise<string> {
  const { userId } = sandbox.alice.enroll({ authorize: false });
  expect(await reviewEnrollment(client, userId)).toBe('authorized');
  return userId;
}

async function faceLogin(agent: Agent, userId: string, media?: Parameters<Sandbox['alice']['authenticate']>[1]) {
  await agent.post('/login/face/begin').send({ aliceUserId: userId }).expect(200);
  return agent.post('/login/face').send({ authenticationId: sandbox.alice.authenticate(userId, media) });
}

/** What an attacker holding the user's USER_TOKEN does: upload their own face as the enrollment selfie. */
async function uploadSelfie(userId: string, face: string): Promise<number> {
  const form = new FormData();
  form.append('video', new Blob([sandboxMedia({ face })]), 'selfie.webm');
  const res = await fetch(`${sandbox.alice.baseURL}/user/selfie`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await sandbox.alice.issueToken('USER_TOKEN', userId)}` },
    body: form,
  });
  return res.status;
}

describe('reviewEnrollment pins the approved selfie', () => {
  it('records the selfie it reviewed; a genuine login then costs one report read, beside the authentication', async () => {
    const userId = await reviewed();
    const report = await t.client.getReport(userId);
    expect(await t.client.approvedSelfie(userId)).toBe(report.selfies[0]?.id);
    sandbox.requests.clear();
    const res = await faceLogin(request.agent(t.app), userId);
    expect(res.status).toBe(200);
    expect(sandbox.requests.count({ route: 'alice.authentication' })).toBe(1);
    expect(sandbox.requests.count({ route: 'alice.report' })).toBe(1);
  });

  it('a user never reviewed (authorized another way) has no record: no report read, as before', async () => {
    const { userId } = sandbox.alice.enroll();
    expect(await t.client.approvedSelfie(userId)).toBeUndefined();
    sandbox.requests.clear();
    expect((await faceLogin(request.agent(t.app), userId)).status).toBe(200);
    expect(sandbox.requests.count({ route: 'alice.report' })).toBe(0);
  });
});

describe('a face enrolled after the review never logs in', () => {
  it('the real API refuses a second selfie while one is active (409)', async () => {
    const userId = await reviewed();
    expect(await uploadSelfie(userId, 'mallory')).toBe(409);
    expect((await faceLogin(request.agent(t.app), userId, { face: 'mallory' })).body.failure.code).toBe(
      'face_mismatch',
    );
  });

  it('a lenient provider lets the attacker replace the face: their face is refused, and so is the old one', async () => {
    const userId = await reviewed();
    sandbox.alice.allowSelfieReplacement(true);
    sandbox.clock.advance(2_000);
    expect(await uploadSelfie(userId, 'mallory')).toBe(201);
    const mallory = request.agent(t.app);
    const res = await faceLogin(mallory, userId, { face: 'mallory' });
    expect([res.status, res.body.failure?.code]).toEqual([401, 'enrollment_changed']);
    expect((await mallory.get('/me')).body.user).toBeNull();
    // The provider now matches the victim's own face badly; the strategy refuses either way until a new review.
    const victim = await faceLogin(request.agent(t.app), userId);
    expect(victim.body.failure.code).toBe('enrollment_changed');
  });

  it('the approved selfie voided (and another uploaded): refused until reviewed again, then the new face works', async () => {
    const userId = await reviewed();
    await t.client.voidSelfie(userId); // the provider matches nothing now: it refuses to authenticate
    sandbox.clock.advance(2_000);
    expect(await uploadSelfie(userId, 'mallory')).toBe(201);
    expect((await faceLogin(request.agent(t.app), userId, { face: 'mallory' })).body.failure.code).toBe(
      'enrollment_changed',
    );
    // The app reviews the new selfie (a user's genuine re-enrollment): it becomes the approved face.
    expect(await reviewEnrollment(t.client, userId)).toBe('authorized');
    expect((await faceLogin(request.agent(t.app), userId, { face: 'mallory' })).status).toBe(200);
  });

  it('holds across instances: a review on one client pins the face for another sharing its token store', async () => {
    const tokenStore = new MemoryStore({ clock: sandbox.clock });
    const reviewer = new AliceClient({ ...sandbox.alice, clock: sandbox.clock, tokenStore });
    t = faceLoginApp(sandbox, { client: { tokenStore }, strategy: { rateLimit: false } });
    const userId = await reviewed(reviewer);
    sandbox.alice.allowSelfieReplacement(true);
    sandbox.clock.advance(2_000);
    expect(await uploadSelfie(userId, 'mallory')).toBe(201);
    expect((await faceLogin(request.agent(t.app), userId, { face: 'mallory' })).body.failure.code).toBe(
      'enrollment_changed',
    );
  });

  it('the report is read in parallel with the authentication, and its failure fails closed', async () => {
    t = faceLoginApp(sandbox, { client: { timeout: 400 }, strategy: { rateLimit: false } });
    const userId = await reviewed();
    for (const [hung, other] of [
      ['alice.authentication', 'alice.report'],
      ['alice.report', 'alice.authentication'],
    ] as const) {
      sandbox.requests.clear();
      sandbox.faults.inject(hung, { hang: true, times: 1 });
      const agent = request.agent(t.app);
      const res = await faceLogin(agent, userId);
      expect(res.status).toBe(504);
      // While one call hung, the other was made: they run side by side.
      expect(sandbox.requests.count({ route: other }), `${other} while ${hung} hung`).toBe(1);
      expect((await agent.get('/me')).body.user).toBeNull();
    }
    sandbox.faults.inject('alice.report', { status: 500 });
    expect((await faceLogin(request.agent(t.app), userId)).status).toBe(502);
  });
});
