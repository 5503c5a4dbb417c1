import { createHmac } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { failClosedSession, PassportIdvError, StoreError } from '../src/index.js';

class DownStore extends session.Store {
  override get(_sid: string, callback: (err: unknown) => void): void {
    callback(new Error('connect ECONNREFUSED 127.0.0.1:6390'));
  }
  override set(_sid: string, _session: session.SessionData, callback?: (err?: unknown) => void): void {
    callback?.(new Error('connect ECONNREFUSED 127.0.0.1:6390'));
  }
  override destroy(_sid: string, callback?: (err?: unknown) => void): void {
    callback?.(new Error('connect ECONNREFUSED 127.0.0.1:6390'));
  }
}

/** A session cookie express-session accepts (signed as cookie-signature does), so it asks the store. */
const cookie = () => {
  const sid = 'abc';
  const signature = createHmac('sha256', 'test secret').update(sid).digest('base64').replace(/=+$/, '');
  return `connect.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`;
};

function app(wrap: boolean) {
  const sessions = session({ secret: 'test secret', resave: false, saveUninitialized: false, store: new DownStore() });
  const app = express();
  app.use(wrap ? failClosedSession(sessions) : sessions);
  app.get('/', (_req, res) => {
    res.send('ok');
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res
      .status(error instanceof PassportIdvError ? error.status : 500)
      .json({ code: error instanceof PassportIdvError ? error.code : 'unknown' });
  });
  return app;
}

describe('failClosedSession', () => {
  it('turns a session store failure into a 503 StoreError, keeping the cause', async () => {
    const res = await supertest(app(true)).get('/').set('cookie', cookie());
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ code: new StoreError('x').code });
  });

  it('without it, the same failure is a bare 500', async () => {
    const res = await supertest(app(false)).get('/').set('cookie', cookie());
    expect(res.status).toBe(500);
  });

  it('passes requests through when the store works', async () => {
    const ok = express();
    ok.use(failClosedSession(session({ secret: 's', resave: false, saveUninitialized: false })));
    ok.get('/', (_req, res) => {
      res.send('ok');
    });
    expect((await supertest(ok).get('/')).text).toBe('ok');
  });
});
