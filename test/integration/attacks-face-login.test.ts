/**
 * Attacks on face login (FaceLoginStrategy): replayed and injected authentication ids, session fixation, tampered
 * scores and thresholds, enumeration and brute force, each through a real Express + express-session + Passport app
 * against the sandbox.
 */
import { MemoryStore } from '@passport-idv/core';
import { type Sandbox, type SandboxMediaOptions, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp as createFaceLoginExample } from '../../examples/face-login/src/app.js';
import { type FaceLoginAppOptions, faceLoginApp, sessionCookie } from '../support/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
});

type Agent = ReturnType<typeof supertest.agent>;
type App = ReturnType<typeof faceLoginApp>['app'];

const authenticationCalls = () => sandbox.requests.count({ route: 'alice.authentication' });

/** Opens an attempt for `userId` in `agent` (the app's begin step). */
async function begin(agent: Agent, userId: string, ip?: string): Promise<void> {
  const req = agent.post('/login/face/begin').send({ aliceUserId: userId });
  if (ip) req.set('x-forwarded-for', ip);
  expect((await req).status).toBe(200);
}

function submit(agent: Agent, authenticationId: unknown, ip?: string) {
  const req = agent.post('/login/face').send({ authenticationId });
  if (ip) req.set('x-forwarded-for', ip);
  return req;
}

/** A user enrolled at the provider, a browser with an open attempt, and an authentication made with `media`. */
async function attempt(app: App, media?: SandboxMediaOptions, ip?: string) {
  const { userId } = sandbox.alice.enroll();
  const agent = supertest.agent(app);
  await begin(agent, userId, ip);
  return { userId, agent, id: sandbox.alice.authenticate(userId, media) };
}

async function whoIs(agent: Agent): Promise<unknown> {
  return (await agent.get('/me')).body.user;
}

function newApp(options: FaceLoginAppOptions = {}): App {
  return faceLoginApp(sandbox, options).app;
}

/** `created_at` as Alice writes it: UTC without a zone, whole seconds. */
function aliceNow(): string {
  return new Date(sandbox.clock.now()).toISOString().slice(0, 19);
}

describe('replay of an authentication id', () => {
  it('the same id twice in sequence, even after a new begin: the second is refused with no upstream call', async () => {
    const app = newApp();
    const { userId, agent, id } = await attempt(app);
    expect((await submit(agent, id)).status).toBe(200);
    await begin(agent, userId);
    sandbox.requests.clear();
    const replay = await submit(agent, id);
    expect([replay.status, replay.body.failure?.code]).toEqual([401, 'authentication_id_used']);
    expect(authenticationCalls()).toBe(0);
  });

  it('an id captured from another browser, replayed in a fresh attempt for the same user: refused', async () => {
    const app = newApp();
    const { userId, agent, id } = await attempt(app);
    expect((await submit(agent, id)).status).toBe(200);
    const thief = supertest.agent(app);
    await begin(thief, userId);
    const res = await submit(thief, id);
    expect([res.status, res.body.failure?.code]).toEqual([401, 'authentication_id_used']);
    expect(await whoIs(thief)).toBeNull();
  });

  it('a concurrent double (tenfold) submit logs in exactly once with exactly one upstream read', async () => {
    const app = newApp();
    const { agent, id } = await attempt(app);
    sandbox.requests.clear();
    const results = await Promise.all(Array.from({ length: 10 }, () => submit(agent, id)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(authenticationCalls()).toBe(1);
  });

  it('one attempt, two genuine ids submitted concurrently: one login at most', async () => {
    const app = newApp();
    const { userId, agent, id } = await attempt(app);
    const second = sandbox.alice.authenticate(userId);
    const results = await Promise.all([submit(agent, id), submit(agent, second)]);
    expect(results.filter((res) => res.status === 200).length).toBeLessThanOrEqual(1);
  });
});

describe('injected authentication ids', () => {
  it("another user's authentication id: refused (read for the attempt's user, the provider does not know it)", async () => {
    const app = newApp();
    const mallory = await attempt(app);
    const victim = sandbox.alice.enroll();
    const victimsId = sandbox.alice.authenticate(victim.userId);
    const res = await submit(mallory.agent, victimsId);
    expect([res.status, res.body.failure?.code]).toEqual([401, 'authentication_not_found']);
    expect(sandbox.requests.filter({ route: 'alice.authentication' }).map((r) => r.userId)).toEqual([mallory.userId]);
    expect(await whoIs(mallory.agent)).toBeNull();
  });

  it('an id without an attempt in this session (no begin): refused before any upstream call', async () => {
    const app = newApp();
    const { userId } = sandbox.alice.enroll();
    const id = sandbox.alice.authenticate(userId);
    const agent = supertest.agent(app);
    const res = await submit(agent, id);
    expect([res.status, res.body.failure?.code]).toEqual([401, 'no_attempt']);
    expect(sandbox.requests.count({ provider: 'alice' })).toBe(0);
    expect(await whoIs(agent)).toBeNull();
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a path', '../user/report'],
    ['an object (operator injection)', { $ne: '' }],
    ['an array', ['x']],
    ['a number', 42],
    ['too long', 'a'.repeat(129)],
  ])('an id that is %s: 400 before any upstream call', async (_, bad) => {
    const app = newApp();
    const { agent } = await attempt(app);
    sandbox.requests.clear();
    const res = await submit(agent, bad);
    expect([res.status, res.body.failure?.code]).toEqual([400, 'authentication_id_missing']);
    expect(authenticationCalls()).toBe(0);
  });

  it('an authentication made before begin, or after the attempt expired: refused', async () => {
    const app = newApp();
    const { userId } = sandbox.alice.enroll();
    const old = sandbox.alice.authenticate(userId);
    sandbox.clock.advance(60_000);
    const agent = supertest.agent(app);
    await begin(agent, userId);
    const res = await submit(agent, old);
    expect([res.status, res.body.failure?.code]).toEqual([401, 'authentication_outside_window']);
    expect(await whoIs(agent)).toBeNull();
    const late = await attempt(app);
    sandbox.clock.advance(301_000);
    sandbox.requests.clear();
    expect((await submit(late.agent, late.id)).body.failure?.code).toBe('attempt_expired');
    expect(authenticationCalls()).toBe(0);
    expect(await whoIs(late.agent)).toBeNull();
  });
});

describe('session fixation', () => {
  it('the session id changes on face login; the pre-login session id logs nobody in; the face login survives', async () => {
    const app = newApp();
    const { userId } = sandbox.alice.enroll();
    const agent = supertest.agent(app);
    const opened = await agent.post('/login/face/begin').send({ aliceUserId: userId });
    const beforeCookie = sessionCookie(opened);
    expect(beforeCookie).toBeDefined();
    const before = (await agent.get('/me')).body.sid as string;
    const id = sandbox.alice.authenticate(userId);
    const res = await submit(agent, id);
    expect(res.status).toBe(200);
    expect(res.body.sid).not.toBe(before);
    expect(sessionCookie(res)).not.toBe(beforeCookie);
    const me = (await agent.get('/me')).body;
    expect(me).toMatchObject({ user: { id: userId }, faceLogin: { authenticationId: id } });
    const fixed = await supertest(app)
      .get('/me')
      .set('cookie', beforeCookie ?? '');
    expect(fixed.body.user).toBeNull();
  });
});

describe('score tampering: only finite numbers in range pass, thresholds inclusive, V0 scaled', () => {
  /** Answers the next authentication read with `fields` (valid id and time unless overridden). */
  function tamper(id: string, fields: Record<string, unknown>): void {
    const authentication = { authentication_id: id, created_at: aliceNow(), ...fields };
    sandbox.faults.inject('alice.authentication', { body: { authentication }, times: 1 });
  }

  it.each([
    ['a string', '95'],
    ['the string "NaN"', 'NaN'],
    ['null', null],
    ['a boolean', true],
    ['an array', [95]],
    ['negative', -1],
    ['over 100', 100.5],
    ['missing', undefined],
  ])('V1 %s on either score → invalid_scores, nobody logged in', async (_, bad) => {
    const app = newApp();
    for (const field of ['face_liveness', 'face_matching']) {
      const { agent, id } = await attempt(app);
      tamper(id, { face_liveness: 95, face_matching: 95, [field]: bad });
      const res = await submit(agent, id);
      expect([res.status, res.body.failure?.code]).toEqual([401, 'invalid_scores']);
      expect(await whoIs(agent)).toBeNull();
    }
  });

  it('a spoof (not a live person) and a different person are refused, and told why', async () => {
    const app = newApp();
    const spoof = await attempt(app, { live: false });
    expect((await submit(spoof.agent, spoof.id)).body.failure).toMatchObject({
      code: 'liveness_too_low',
      message: expect.stringContaining('live person'),
    });
    const stranger = await attempt(app, { face: 'mallory' });
    expect((await submit(stranger.agent, stranger.id)).body.failure?.code).toBe('face_mismatch');
    expect(await whoIs(spoof.agent)).toBeNull();
    expect(await whoIs(stranger.agent)).toBeNull();
  });

  it('default thresholds 50/50 are inclusive: 50 passes, 49.99 on either score fails', async () => {
    const app = newApp();
    const edge = await attempt(app, { liveness: 50, matching: 50 });
    expect((await submit(edge.agent, edge.id)).status).toBe(200);
    const lowLiveness = await attempt(app, { liveness: 49.99, matching: 100 });
    expect((await submit(lowLiveness.agent, lowLiveness.id)).body.failure?.code).toBe('liveness_too_low');
    const lowMatching = await attempt(app, { liveness: 100, matching: 49.99 });
    expect((await submit(lowMatching.agent, lowMatching.id)).body.failure?.code).toBe('face_mismatch');
    expect(await whoIs(lowLiveness.agent)).toBeNull();
    expect(await whoIs(lowMatching.agent)).toBeNull();
  });

  it('configured thresholds are inclusive too: 80/90 passes, 79.99 or 89.99 fails', async () => {
    const app = newApp({ strategy: { thresholds: { liveness: 80, matching: 90 } } });
    const edge = await attempt(app, { liveness: 80, matching: 90 });
    expect((await submit(edge.agent, edge.id)).status).toBe(200);
    const low = await attempt(app, { liveness: 79.99, matching: 95 });
    expect((await submit(low.agent, low.id)).body.failure?.code).toBe('liveness_too_low');
    const mismatch = await attempt(app, { liveness: 95, matching: 89.99 });
    expect((await submit(mismatch.agent, mismatch.id)).body.failure?.code).toBe('face_mismatch');
  });

  it('V0 results are scaled ×100 against 50/70 and judged on match_result.normalized, the stricter score', async () => {
    const app = newApp();
    const v0 = (liveness: unknown, normalized: unknown, score: unknown) => ({
      liveness_result: { score: liveness },
      match_result: { normalized, score },
    });
    const cases: [ReturnType<typeof v0>, number, string | undefined][] = [
      [v0(0.5, 0.7, 0.8), 200, undefined], // exactly the V0 thresholds
      [v0(0.95, 0.69, 0.79), 401, 'face_mismatch'], // `score` passes, `normalized` does not
      [v0(0.49, 0.9, 1), 401, 'liveness_too_low'],
      [v0(95, 0.9, 1), 401, 'invalid_scores'], // a V1-scale number in a V0 body is out of range, not 95
      [v0(0.95, '0.9', 1), 401, 'invalid_scores'],
    ];
    for (const [fields, status, code] of cases) {
      const { agent, id } = await attempt(app);
      tamper(id, fields);
      const res = await submit(agent, id);
      expect([res.status, res.body.failure?.code], JSON.stringify(fields)).toEqual([status, code]);
    }
  });

  it('a result dated in the future is refused', async () => {
    const app = newApp();
    const { agent, id } = await attempt(app);
    tamper(id, {
      face_liveness: 99,
      face_matching: 99,
      created_at: new Date(sandbox.clock.now() + 60_000).toISOString().slice(0, 19),
    });
    expect((await submit(agent, id)).body.failure?.code).toBe('authentication_outside_window');
  });
});

describe('enumeration', () => {
  it("the strategy gives the same answer for another user's id, an unknown id and an unusable result", async () => {
    const app = newApp();
    const answers: unknown[] = [];
    const other = sandbox.alice.enroll();
    for (const make of [
      () => sandbox.alice.authenticate(other.userId),
      () => 'f5c3b0d4-0000-4000-8000-000000000000',
      () => undefined,
    ]) {
      const { agent, id } = await attempt(app);
      const submitted = make();
      if (submitted === undefined) {
        sandbox.faults.inject('alice.authentication', {
          body: { authentication: { authentication_id: id, created_at: aliceNow(), face_liveness: null } },
          times: 1,
        });
      }
      const res = await submit(agent, submitted ?? id);
      answers.push({ status: res.status, message: res.body.failure?.message });
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]).toEqual({ status: 401, message: expect.any(String) });
  });

  it('the example app’s /login/face/begin answers every email alike: it never opens a login for a typed email', async () => {
    const example = createFaceLoginExample({
      alice: { ...sandbox.alice, timeout: 1_000 },
      sessionSecret: 'attack-suite-session-secret',
      clock: sandbox.clock,
    });
    const registrant = supertest.agent(example.app);
    const registerPage = await registrant.get('/register');
    const registered = await registrant
      .post('/register')
      .type('form')
      .send({ csrf: csrfIn(registerPage.text), email: 'registered@example.com' });
    expect(registered.status).toBe(302);
    const answers = [];
    for (const email of ['registered@example.com', 'nobody@example.com']) {
      const agent = supertest.agent(example.app);
      const csrf = csrfIn((await agent.get('/register')).text);
      const res = await agent.post('/login/face/begin').set('x-csrf-token', csrf).send({ email });
      answers.push({ status: res.status, body: res.body });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.status).toBe(400);
  });
});

describe('brute force: failed face logins are rate limited per user and per IP, on by default', () => {
  it('default per user: 5 failures in 15 minutes, then 429 before any upstream call, even for a genuine face', async () => {
    const app = newApp();
    const { userId } = sandbox.alice.enroll();
    const agent = supertest.agent(app);
    for (let i = 0; i < 5; i++) {
      await begin(agent, userId);
      expect((await submit(agent, sandbox.alice.authenticate(userId, { live: false }))).status).toBe(401);
    }
    await begin(agent, userId);
    sandbox.requests.clear();
    const limited = await submit(agent, sandbox.alice.authenticate(userId));
    expect([limited.status, limited.body.failure?.code]).toEqual([429, 'rate_limited']);
    expect(authenticationCalls()).toBe(0);
    expect(await whoIs(agent)).toBeNull();
    // Another user is not affected; the user is let in again once the window has passed.
    const other = await attempt(app);
    expect((await submit(other.agent, other.id)).status).toBe(200);
    sandbox.clock.advance(900_000);
    await begin(agent, userId);
    expect((await submit(agent, sandbox.alice.authenticate(userId))).status).toBe(200);
  });

  it('default per IP: 20 failures from one address (over many users), then 429 for that address only', async () => {
    const app = newApp({ trustProxy: true });
    const attacker = '203.0.113.7';
    for (let i = 0; i < 20; i++) {
      const { agent, id } = await attempt(app, { face: 'mallory' }, attacker);
      expect((await submit(agent, id, attacker)).status).toBe(401);
    }
    const next = await attempt(app, undefined, attacker);
    sandbox.requests.clear();
    const limited = await submit(next.agent, next.id, attacker);
    expect([limited.status, limited.body.failure?.code]).toEqual([429, 'rate_limited']);
    expect(authenticationCalls()).toBe(0);
    const elsewhere = await attempt(app, undefined, '198.51.100.9');
    expect((await submit(elsewhere.agent, elsewhere.id, '198.51.100.9')).status).toBe(200);
  });

  it('configurable: perUser 2, window 60 s', async () => {
    const app = newApp({ strategy: { rateLimit: { perUser: 2, perIp: 100, window: 60 } } });
    const { userId } = sandbox.alice.enroll();
    const agent = supertest.agent(app);
    for (let i = 0; i < 2; i++) {
      await begin(agent, userId);
      expect((await submit(agent, sandbox.alice.authenticate(userId, { live: false }))).status).toBe(401);
    }
    await begin(agent, userId);
    expect((await submit(agent, sandbox.alice.authenticate(userId))).status).toBe(429);
    sandbox.clock.advance(60_000);
    await begin(agent, userId);
    expect((await submit(agent, sandbox.alice.authenticate(userId))).status).toBe(200);
  });

  it('configurable: perIp 3', async () => {
    const app = newApp({ trustProxy: true, strategy: { rateLimit: { perUser: 100, perIp: 3 } } });
    for (let i = 0; i < 3; i++) {
      const { agent, id } = await attempt(app, { live: false }, '203.0.113.8');
      expect((await submit(agent, id, '203.0.113.8')).status).toBe(401);
    }
    const next = await attempt(app, undefined, '203.0.113.8');
    expect((await submit(next.agent, next.id, '203.0.113.8')).status).toBe(429);
  });

  it('rateLimit: false turns it off', async () => {
    const app = newApp({ strategy: { rateLimit: false } });
    const { userId } = sandbox.alice.enroll();
    const agent = supertest.agent(app);
    for (let i = 0; i < 8; i++) {
      await begin(agent, userId);
      expect((await submit(agent, sandbox.alice.authenticate(userId, { live: false }))).status).toBe(401);
    }
    await begin(agent, userId);
    expect((await submit(agent, sandbox.alice.authenticate(userId))).status).toBe(200);
  });

  it('bad options are refused at construction', () => {
    for (const rateLimit of [{ perUser: 0 }, { perIp: -1 }, { window: 1.5 }]) {
      expect(() => newApp({ strategy: { rateLimit } })).toThrow(TypeError);
    }
  });
});

describe('account takeover knowing only an email (the example app)', () => {
  const email = 'victim@example.com';
  const exampleApp = () =>
    createFaceLoginExample({
      alice: { ...sandbox.alice, timeout: 1_000 },
      sessionSecret: 'attack-suite-session-secret',
      clock: sandbox.clock,
    });

  /** A CSRF token of this browser's session (the register page always has a form). */
  const csrfFor = async (agent: Agent) => csrfIn((await agent.get('/register')).text);

  /** The victim registers, enrolls a genuine selfie that is reviewed, and logs out: their browser stays bound. */
  async function victimOf(example: ReturnType<typeof exampleApp>): Promise<Agent> {
    const victim = supertest.agent(example.app);
    const registerCsrf = await csrfFor(victim);
    expect((await victim.post('/register').type('form').send({ csrf: registerCsrf, email })).status).toBe(302);
    const csrf = csrfIn((await victim.get('/enroll')).text); // a new session since the login
    // What the browser SDK does with the USER_TOKEN the enrollment page gets: upload the selfie to the provider.
    expect((await victim.post('/enroll/token').set('x-csrf-token', csrf).send({})).status).toBe(200);
    sandbox.alice.addSelfie(example.users.get(email)?.aliceUserId ?? '');
    expect((await victim.post('/enroll/review').type('form').send({ csrf })).headers.location).toBe(
      '/account?enrolled=1',
    );
    await victim.post('/logout').type('form').send({ csrf });
    return victim;
  }

  /** The login the example's page makes: begin, the SDK's authentication, the form post. */
  async function faceLoginIn(agent: Agent, aliceUserId: string) {
    const csrf = csrfIn((await agent.get('/login')).text);
    const begin = await agent.post('/login/face/begin').set('x-csrf-token', csrf).send({});
    expect(begin.status).toBe(200);
    const authenticationId = sandbox.alice.authenticate(aliceUserId);
    return agent.post('/login/face').type('form').send({ csrf, authenticationId, returnTo: '/account' });
  }

  it('an anonymous browser gets no USER_TOKEN, with the email or with a forged device cookie', async () => {
    const example = exampleApp();
    await victimOf(example);
    const victimId = example.users.get(email)?.aliceUserId ?? '';
    const forged = `passport-idv.device=${Buffer.from(JSON.stringify({ sub: example.users.get(email)?.id, iat: 0, exp: 9e15 })).toString('base64url')}.AAAA`;
    const attacker = supertest.agent(example.app);
    const csrf = await csrfFor(attacker);
    sandbox.requests.clear();
    for (const cookie of [undefined, forged]) {
      const req = attacker.post('/login/face/begin').set('x-csrf-token', csrf);
      if (cookie) req.set('cookie', cookie);
      const res = await req.send({ email, aliceUserId: victimId });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toMatch(/eyJ|userToken/);
    }
    // No USER_TOKEN was even asked for: the victim's status and selfie endpoints stay out of reach.
    expect(sandbox.requests.count({ route: 'alice.user_token' })).toBe(0);
  });

  it("the victim's own binding stops working once revoked, or after 90 days", async () => {
    const example = exampleApp();
    const victim = await victimOf(example);
    const user = example.users.get(email);
    const tryBegin = async (agent: Agent) => {
      const csrf = await csrfFor(agent);
      return (await agent.post('/login/face/begin').set('x-csrf-token', csrf).send({})).status;
    };
    expect(await tryBegin(victim)).toBe(200);
    await example.devices.revoke(user?.id ?? '');
    expect(await tryBegin(victim)).toBe(400);
    const again = await victimOf(exampleApp());
    expect(await tryBegin(again)).toBe(200);
    sandbox.clock.advance(90 * 86_400_000);
    expect(await tryBegin(again)).toBe(400);
  });

  it('cannot log in: a stolen authentication id without an attempt is refused before any upstream call', async () => {
    const example = exampleApp();
    await victimOf(example);
    const victimId = example.users.get(email)?.aliceUserId ?? '';
    const attacker = supertest.agent(example.app);
    const csrf = await csrfFor(attacker);
    sandbox.requests.clear();
    const res = await attacker
      .post('/login/face')
      .type('form')
      .send({ csrf, authenticationId: sandbox.alice.authenticate(victimId), returnTo: '/account' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login/);
    expect((await attacker.get('/account')).status).toBe(302);
    expect(sandbox.requests.count({ route: 'alice.authentication' })).toBe(0);
  });

  it('cannot spend the victim’s failure budget: 20 tries by a stranger, then the victim logs in at once', async () => {
    const example = exampleApp();
    const victim = await victimOf(example);
    const victimId = example.users.get(email)?.aliceUserId ?? '';
    sandbox.requests.clear();
    for (let i = 0; i < 20; i++) {
      const stranger = supertest.agent(example.app);
      const csrf = await csrfFor(stranger);
      expect((await stranger.post('/login/face/begin').set('x-csrf-token', csrf).send({ email })).status).toBe(400);
      const mallory = sandbox.alice.authenticate(victimId, { face: 'mallory' });
      await stranger.post('/login/face').type('form').send({ csrf, authenticationId: mallory });
    }
    expect(sandbox.requests.count({ route: 'alice.authentication' })).toBe(0);
    const login = await faceLoginIn(victim, victimId);
    expect(login.headers.location).toBe('/account');
    expect((await victim.get('/account')).status).toBe(200);
  });
});

describe('a face enrolled after the review never logs in (a lenient or compromised provider)', () => {
  afterEach(() => sandbox.alice.allowSelfieReplacement(false));

  it('an attacker with a USER_TOKEN replaces the selfie: the strategy refuses the new face, and the old one', async () => {
    const app = newApp();
    const { userId } = sandbox.alice.enroll({ authorize: false });
    expect((await supertest(app).post('/enroll/review').send({ aliceUserId: userId })).body.outcome).toBe('authorized');
    sandbox.alice.allowSelfieReplacement(true);
    sandbox.clock.advance(2_000);
    // What a stolen USER_TOKEN allows: `POST /user/selfie` with the attacker's face.
    sandbox.alice.addSelfie(userId, { face: 'mallory' });
    for (const face of ['mallory', 'self']) {
      const agent = supertest.agent(app);
      await begin(agent, userId);
      const res = await submit(agent, sandbox.alice.authenticate(userId, { face }));
      expect([res.status, res.body.failure?.code]).toEqual([401, 'enrollment_changed']);
      expect(await whoIs(agent)).toBeNull();
    }
  });
});

describe('step-up is bound to the user who did the face login', () => {
  it('another login that keeps the session data (keepSessionInfo) does not inherit the face login', async () => {
    const app = newApp();
    const { userId, agent, id } = await attempt(app);
    expect((await submit(agent, id)).status).toBe(200);
    expect((await agent.get('/transfer')).status).toBe(200);
    expect((await agent.post('/login/other').send({ id: 'mallory' })).status).toBe(200);
    expect(await whoIs(agent)).toEqual({ id: 'mallory' });
    expect((await agent.get('/transfer')).status).toBe(401);
    expect((await agent.get('/me')).body.faceLogin).toBeNull();
    void userId;
  });
});

describe('the failure limit holds under concurrency, floods and double submits', () => {
  it('30 concurrent wrong-face submits for one user: exactly perUser (5) are evaluated, the rest get 429', async () => {
    const app = newApp();
    const { userId } = sandbox.alice.enroll();
    const agents = Array.from({ length: 30 }, () => supertest.agent(app));
    for (const agent of agents) await begin(agent, userId);
    const ids = agents.map(() => sandbox.alice.authenticate(userId, { face: 'mallory' }));
    sandbox.requests.clear();
    const results = await Promise.all(agents.map((agent, i) => submit(agent, ids[i])));
    expect(authenticationCalls()).toBe(5);
    expect(results.filter((res) => res.status === 401)).toHaveLength(5);
    expect(results.filter((res) => res.status === 429)).toHaveLength(25);
  });

  it('12 concurrent genuine logins of one user all get in: an attempt waits for slots held by ones being evaluated', async () => {
    const app = newApp();
    const { userId } = sandbox.alice.enroll();
    const agents = Array.from({ length: 12 }, () => supertest.agent(app));
    for (const agent of agents) await begin(agent, userId);
    const ids = agents.map(() => sandbox.alice.authenticate(userId));
    const results = await Promise.all(agents.map((agent, i) => submit(agent, ids[i])));
    expect(results.map((res) => res.status)).toEqual(Array(12).fill(200));
  });

  it('a double submit’s loser is no failure: 5 rounds of double submits, then the user still logs in', async () => {
    const app = newApp();
    const { userId } = sandbox.alice.enroll();
    const agent = supertest.agent(app);
    for (let round = 0; round < 5; round++) {
      await begin(agent, userId);
      const id = sandbox.alice.authenticate(userId);
      const pair = await Promise.all([submit(agent, id), submit(agent, id)]);
      expect(pair.map((res) => res.status).sort()).toEqual([200, 401]);
    }
    await begin(agent, userId);
    expect((await submit(agent, sandbox.alice.authenticate(userId))).status).toBe(200);
  });

  it('a flood of begin() calls cannot reset the limit: the full store refuses writes (503), the count stays', async () => {
    const store = new MemoryStore({ clock: sandbox.clock, maxEntries: 40 });
    const app = newApp({ strategy: { store } });
    // Start just inside a 15-minute window of the limit, so the test never crosses into the next one.
    sandbox.clock.advance(900_000 - (sandbox.clock.now() % 900_000) + 1_000);
    const { userId } = sandbox.alice.enroll();
    const agent = supertest.agent(app);
    for (let i = 0; i < 5; i++) {
      await begin(agent, userId);
      expect((await submit(agent, sandbox.alice.authenticate(userId, { live: false }))).status).toBe(401);
    }
    const flooder = supertest.agent(app);
    const floods: number[] = [];
    for (let i = 0; i < 40; i++)
      floods.push((await flooder.post('/login/face/begin').send({ aliceUserId: userId })).status);
    expect(floods).toContain(503);
    sandbox.clock.advance(301_000); // the flood's attempts expire; the failures (15 minutes) do not
    await begin(agent, userId);
    const res = await submit(agent, sandbox.alice.authenticate(userId));
    expect([res.status, res.body.failure?.code]).toEqual([429, 'rate_limited']);
    expect(await whoIs(agent)).toBeNull();
  });

  it('a flood cannot make a used authentication id usable again', async () => {
    const store = new MemoryStore({ clock: sandbox.clock, maxEntries: 30 });
    const app = newApp({ strategy: { store, rateLimit: false } });
    const { userId } = sandbox.alice.enroll();
    const victim = supertest.agent(app);
    await begin(victim, userId);
    const id = sandbox.alice.authenticate(userId);
    expect((await submit(victim, id)).status).toBe(200);
    // The thief opened an attempt in time, then floods the store to push the used id out.
    const thief = supertest.agent(app);
    await begin(thief, userId);
    const floods: number[] = [];
    for (let i = 0; i < 29; i++)
      floods.push((await thief.post('/login/face/begin').send({ aliceUserId: userId })).status);
    expect(floods).toContain(503);
    const replay = await submit(thief, id);
    expect(replay.status).not.toBe(200);
    expect(await whoIs(thief)).toBeNull();
  });
});

function csrfIn(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html) ?? /data-csrf="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no csrf token on the page');
  return match[1];
}
