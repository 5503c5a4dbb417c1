import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import session from 'express-session';
import express4 from 'express4';
import passport from 'passport';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AliceClient, FaceLoginStrategy, requireFaceLogin } from '../src/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

it('works in an Express 4 app: begin, face login, step-up', async () => {
  const client = new AliceClient({ ...sandbox.alice, clock: sandbox.clock });
  const strategy = new FaceLoginStrategy({ client, clock: sandbox.clock }, (aliceUserId, _result, done) =>
    done(null, { id: aliceUserId }),
  );
  const authenticator = new passport.Passport();
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express4();
  // Casts: this repository's types are Express 5's; an Express 4 project resolves `express` to its own types.
  app.use(express4.json());
  app.use(session({ secret: 'test', resave: false, saveUninitialized: false }) as never);
  app.use(authenticator.initialize() as never);
  app.use(authenticator.session() as never);
  app.post('/begin', (req, res, next) => {
    strategy.begin(req as never, req.body.aliceUserId).then(({ userToken }) => res.json({ userToken }), next);
  });
  app.post('/login/face', authenticator.authenticate('face-login') as never, (_req, res) => res.status(204).end());
  app.get('/transfer', requireFaceLogin({ maxAge: 300, clock: sandbox.clock }) as never, (_req, res) => res.send('ok'));

  const { userId } = sandbox.alice.enroll();
  const agent = request.agent(app);
  await agent.get('/transfer').expect(401);
  await agent.post('/begin').send({ aliceUserId: userId }).expect(200);
  await agent
    .post('/login/face')
    .send({ authenticationId: sandbox.alice.authenticate(userId, { live: false }) })
    .expect(401);
  await agent.post('/begin').send({ aliceUserId: userId }).expect(200);
  await agent
    .post('/login/face')
    .send({ authenticationId: sandbox.alice.authenticate(userId) })
    .expect(204);
  await agent.get('/transfer').expect(200);
  expect(sandbox.requests.count({ route: 'alice.authentication' })).toBe(2);
});
