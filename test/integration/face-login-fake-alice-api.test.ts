/**
 * Face login without an authentication id against a fake of Alice's current API (test/support/fake-alice-api.ts),
 * not the sandbox: uploads answered 204 with a diagnostics header, an ids list that is newest first and lags behind
 * the upload, time stamps with microseconds and no zone.
 */
import { type Clock, MemoryStore } from '@passport-idv/core';
import { AliceClient, FaceLoginStrategy } from '@passport-idv/face-login';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAliceApi, startFakeAliceApi } from '../support/fake-alice-api.js';

let offset = 0;
const clock: Clock = { now: () => Date.now() + offset };
let fake: FakeAliceApi;
let app: express.Express;

beforeAll(async () => {
  fake = await startFakeAliceApi(clock.now);
  const client = new AliceClient({ apiKey: fake.apiKey, baseURL: fake.baseURL, clock });
  const strategy = new FaceLoginStrategy(
    {
      client,
      clock,
      store: new MemoryStore({ clock }),
      // The pauses move this test's clock instead of waiting.
      resolveAuthentication: {
        sleep: async (ms) => {
          offset += ms;
        },
      },
    },
    (aliceUserId, _result, done) => done(null, { id: aliceUserId }),
  );
  const passport = new Passport();
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));
  app = express();
  app.use(express.json());
  app.use(session({ secret: 'fake-api-test', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/begin', async (req, res) => res.json(await strategy.begin(req, String(req.body.aliceUserId))));
  app.post('/login/face', passport.authenticate('face-login', { failWithError: true }), (req, res) =>
    res.json({ user: req.user }),
  );
  app.get('/me', (req, res) => res.json({ user: req.user ?? null }));
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) =>
    res.status(401).json({ user: null }),
  );
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

/** The browser's upload, as Alice's web SDK sends it: multipart `video`, the USER_TOKEN in the header. */
async function upload(userToken: string): Promise<Response> {
  const form = new FormData();
  form.append('video', new Blob([new Uint8Array(2048)], { type: 'video/webm' }), 'selfie.webm');
  return fetch(`${fake.baseURL}/user/authenticate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${userToken}` },
    body: form,
  });
}

const reads = (path: RegExp) => fake.requests.filter((r) => r.method === 'GET' && path.test(r.path)).length;

describe('a face login posted without an id, against a fake of the current API', () => {
  it('a retaken selfie after a 204, an ids list that lags: logged in with the new authentication', async () => {
    const userId = fake.user();
    fake.authenticate(userId); // an earlier login, a minute before this one
    offset += 60_000;
    const agent = supertest.agent(app);
    const { userToken } = (await agent.post('/begin').send({ aliceUserId: userId }).expect(200)).body;

    fake.rejectUploads(1, 'FaceTooFar');
    const refused = await upload(userToken);
    expect([refused.status, refused.headers.get('x-alice-selfie-diagnostics')]).toEqual([204, 'FaceTooFar']);
    expect((await upload(userToken)).status).toBe(200);
    fake.lagIds(2);
    fake.requests.length = 0;

    expect((await agent.post('/login/face').send({}).expect(200)).body.user).toEqual({ id: userId });
    // Three reads of the list (two before the new id showed), the earlier authentication read once, the new one once.
    expect(reads(/^\/user\/authentications\/ids$/)).toBe(3);
    expect(reads(/^\/user\/authentication\//)).toBe(2);
  });

  it('only an authentication from before begin(): refused', async () => {
    const userId = fake.user();
    fake.authenticate(userId);
    offset += 60_000;
    const agent = supertest.agent(app);
    await agent.post('/begin').send({ aliceUserId: userId }).expect(200);
    await agent.post('/login/face').send({}).expect(401);
    expect((await agent.get('/me')).body.user).toBeNull();
  });
});
