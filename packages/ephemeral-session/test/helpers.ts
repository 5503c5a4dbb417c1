import http from 'node:http';
import type { AddressInfo } from 'node:net';
import util from 'node:util';
import type { Store } from '@passport-idv/core';
import type { Sandbox } from '@passport-idv/sandbox';
import createDebug from 'debug';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import request from 'supertest';
import { type EphemeralSessionOptions, ephemeralSession } from '../src/index.js';

export interface TestUser {
  id: string;
}

/**
 * A real app: express-session + Passport, a test login (`POST /login/:id`), and the middleware on
 * `POST /verify/handoff` behind `express.json()` (so a body can try to smuggle an `externalUserId`).
 */
export function createTestApp(sandbox: Sandbox, options: Partial<EphemeralSessionOptions> = {}) {
  const app = express();
  app.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false }));
  const authenticator = new passport.Passport();
  authenticator.serializeUser<TestUser>((user, done) => done(null, user as TestUser));
  authenticator.deserializeUser<TestUser>((user, done) => done(null, user));
  app.use(authenticator.session());
  app.use(express.json());
  app.post('/login/:id', (req, res, next) => {
    req.login({ id: req.params.id }, (error) => (error ? next(error) : res.status(204).end()));
  });
  const handoff = ephemeralSession({
    host: sandbox.idv.host,
    apiKey: sandbox.idv.apiKey,
    workflowId: sandbox.idv.workflowId,
    clock: sandbox.clock,
    metadata: (req) => {
      const user = req.user as TestUser | undefined;
      return user ? { externalUserId: user.id } : undefined;
    },
    ...options,
  });
  app.post('/verify/handoff', handoff);
  return { app, handoff };
}

/** A supertest agent logged in as `id` through the test app's `POST /login/:id`. */
export async function loggedIn(app: Parameters<typeof request.agent>[0], id = 'user-1') {
  const agent = request.agent(app);
  await agent.post(`/login/${id}`).expect(204);
  return agent;
}

/** Captures every `passport-idv:*` debug line. */
export function captureLogs(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const previous = createDebug.log;
  const namespaces = createDebug.disable();
  createDebug.enable('passport-idv:*');
  createDebug.log = (...args: unknown[]) => {
    lines.push(util.format(...args));
  };
  return {
    lines,
    stop() {
      createDebug.log = previous;
      createDebug.disable();
      if (namespaces) createDebug.enable(namespaces);
    },
  };
}

/** A Store whose every operation fails, as an unreachable Redis would. */
export const brokenStore: Store = {
  get: () => Promise.reject(new Error('connection refused')),
  set: () => Promise.reject(new Error('connection refused')),
  add: () => Promise.reject(new Error('connection refused')),
  take: () => Promise.reject(new Error('connection refused')),
  delete: () => Promise.reject(new Error('connection refused')),
};

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A pass-through proxy in front of the sandbox that records each request exactly as the client sent it. */
export async function recordingProxy(target: string) {
  const recorded: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString() });
      const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    recorded,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
