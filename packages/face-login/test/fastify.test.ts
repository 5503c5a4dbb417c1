import fastifyCookie from '@fastify/cookie';
import { Authenticator } from '@fastify/passport';
import fastifySession from '@fastify/session';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import type { Request } from 'express';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AliceClient, FaceLoginStrategy, faceLoginOf } from '../src/index.js';

// Fastify with @fastify/passport and @fastify/session: there `request.logIn` returns a promise (no callback) and the
// session keeps the serialized user itself under `passport`. A face login must log in and record the step-up.
// (@fastify/cookie and Fastify's light-my-request are pinned to releases on `cookie` 1, which supports Node 20.)
/** The package's types name Express's Request; a Fastify request has what the strategy reads. */
const asExpress = (req: FastifyRequest) => req as unknown as Request;

let sandbox: Sandbox;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  const client = new AliceClient({ ...sandbox.alice, clock: sandbox.clock });
  const strategy = new FaceLoginStrategy({ client, clock: sandbox.clock, rateLimit: false }, (aliceUserId, _r, done) =>
    done(null, { id: aliceUserId }),
  );
  const passport = new Authenticator();
  passport.use('face-login', strategy);
  passport.registerUserSerializer(async (user: { id: string }) => user.id);
  passport.registerUserDeserializer(async (id: string) => ({ id }));

  app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifySession, { secret: 'a fastify session secret of 32+ chars', cookie: { secure: false } });
  await app.register(passport.initialize());
  await app.register(passport.secureSession());
  app.post<{ Body: { aliceUserId: string } }>('/begin', async (req, reply) => {
    const { userToken } = await strategy.begin(asExpress(req), req.body.aliceUserId);
    return reply.header('cache-control', 'no-store').send({ userToken });
  });
  app.post('/login/face', { preValidation: passport.authenticate('face-login') }, async (req) => ({ user: req.user }));
  // Another login in the same session that keeps its data.
  app.post<{ Body: { id: string } }>('/login/other', async (req) => {
    await req.logIn({ id: req.body.id }, { keepSessionInfo: true });
    return { user: req.user };
  });
  // The README's step-up check in Fastify: faceLoginOf reads the record the strategy wrote.
  const stepUp = async (req: FastifyRequest, reply: FastifyReply) => {
    const at = faceLoginOf(asExpress(req))?.at;
    if (at === undefined || sandbox.clock.now() - at > 300_000)
      return reply.code(401).send({ error: 'face_login_required' });
  };
  app.get('/transfer', { preHandler: stepUp }, async (req) => ({ ok: true, user: req.user }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
});

describe('Fastify with @fastify/passport', () => {
  it('a face login logs in and records the step-up for that user', async () => {
    const { userId } = sandbox.alice.enroll();
    const agent = request.agent(url);
    await agent.get('/transfer').expect(401);
    await agent.post('/begin').send({ aliceUserId: userId }).expect(200);
    const login = await agent.post('/login/face').send({ authenticationId: sandbox.alice.authenticate(userId) });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ user: { id: userId } });
    const transfer = await agent.get('/transfer');
    expect({ status: transfer.status, body: transfer.body }).toEqual({
      status: 200,
      body: { ok: true, user: { id: userId } },
    });
    // The record names its user: another login in this session that keeps the session's data does not inherit it.
    await agent.post('/login/other').send({ id: 'someone-else' }).expect(200);
    await agent.get('/transfer').expect(401);
  });

  it('a spoof logs nobody in and records nothing', async () => {
    const { userId } = sandbox.alice.enroll();
    const agent = request.agent(url);
    await agent.post('/begin').send({ aliceUserId: userId }).expect(200);
    await agent
      .post('/login/face')
      .send({ authenticationId: sandbox.alice.authenticate(userId, { live: false }) })
      .expect(401);
    await agent.get('/transfer').expect(401);
  });
});
