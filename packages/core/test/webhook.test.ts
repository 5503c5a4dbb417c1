import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyConsumedError, BodyTooLargeError, MemoryStore, type Store, StoreError } from '../src/index.js';
import { deliverOnce, readRawBody, safeEqual } from '../src/internal.js';

/** An app whose webhook route answers the bytes it read (hex), or the coded error as JSON. */
function rawBodyApp(limit: number, before?: express.RequestHandler) {
  const app = express();
  if (before) app.use(before);
  app.post('/hook', (req, res) => {
    readRawBody(req, { limit }).then(
      (body) => res.json({ hex: body.toString('hex'), length: body.length }),
      (error: { status?: number; code?: string; message?: string }) =>
        res.status(error.status ?? 500).json({ error: error.code, message: error.message }),
    );
  });
  return app;
}

describe('readRawBody', () => {
  it('reads the bytes exactly as they arrived, mounted before any body parser', async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x0d, 0x0a, 0xff, 0x7d]); // not even valid UTF-8
    const res = await request(rawBodyApp(1024))
      .post('/hook')
      .set('content-type', 'application/octet-stream')
      .send(bytes)
      .expect(200);
    expect(res.body).toEqual({ hex: bytes.toString('hex'), length: bytes.length });
  });

  it('reads an empty body', async () => {
    const res = await request(rawBodyApp(10)).post('/hook').expect(200);
    expect(res.body).toEqual({ hex: '', length: 0 });
  });

  it('accepts a body of exactly the limit and refuses one byte more with 413', async () => {
    await request(rawBodyApp(16)).post('/hook').type('text').send('x'.repeat(16)).expect(200);
    const res = await request(rawBodyApp(16)).post('/hook').type('text').send('x'.repeat(17)).expect(413);
    expect(res.body.error).toBe('ERR_BODY_TOO_LARGE');
  });

  it('stops reading past the limit when no Content-Length announces the size (chunked)', async () => {
    let bytesSent = 0;
    const server = http.createServer(rawBodyApp(1024));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ port, method: 'POST', path: '/hook', headers: { 'transfer-encoding': 'chunked' } });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', () => undefined);
        const chunk = Buffer.alloc(512, 'a');
        const pump = () => {
          // Keep sending until the answer comes: the handler must answer without waiting for the end.
          while (bytesSent < 64 * 1024 * 1024 && req.write(chunk)) bytesSent += chunk.length;
          if (bytesSent < 64 * 1024 * 1024) req.once('drain', pump);
          else reject(new Error('the whole body was accepted'));
        };
        pump();
      });
      expect(status).toBe(413);
      expect(bytesSent).toBeLessThan(64 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a declared Content-Length above the limit before reading anything', async () => {
    const res = await request(rawBodyApp(8)).post('/hook').type('text').send('0123456789').expect(413);
    expect(res.body.error).toBe('ERR_BODY_TOO_LARGE');
  });

  it('rejects at once with a clear 500 when a body parser read the body first, instead of hanging', async () => {
    for (const parser of [express.json(), express.text({ type: '*/*' }), express.raw({ type: '*/*' })]) {
      const res = await request(rawBodyApp(1024, parser)).post('/hook').type('json').send('{"a":1}').expect(500);
      expect(res.body.error).toBe('ERR_BODY_CONSUMED');
      expect(res.body.message).toContain('before any body parser');
    }
  });

  it('still reads a body a parser skipped (another content type)', async () => {
    const res = await request(rawBodyApp(1024, express.json())).post('/hook').type('text').send('plain').expect(200);
    expect(Buffer.from(res.body.hex, 'hex').toString()).toBe('plain');
  });

  it('rejects with a coded 400 when the sender goes away mid-body', async () => {
    let settled!: (value: unknown) => void;
    const outcome = new Promise((resolve) => {
      settled = resolve;
    });
    const server = http.createServer((req) => {
      readRawBody(req, { limit: 1024 * 1024 }).then(settled, settled);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const req = http.request({ port, method: 'POST', path: '/', headers: { 'content-length': '1000' } });
      req.on('error', () => undefined);
      req.write('x'.repeat(100), () => req.destroy());
      expect(await outcome).toMatchObject({ code: 'ERR_BODY_READ', status: 400 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('throws coded errors with the HTTP statuses an app answers with', () => {
    expect(new BodyTooLargeError('x')).toMatchObject({ code: 'ERR_BODY_TOO_LARGE', status: 413 });
    expect(new BodyConsumedError('x')).toMatchObject({ code: 'ERR_BODY_CONSUMED', status: 500 });
  });
});

describe('safeEqual', () => {
  it('is true only for equal values, strings or bytes, whatever the lengths', () => {
    expect(safeEqual('secret', 'secret')).toBe(true);
    expect(safeEqual(Buffer.from('secret'), 'secret')).toBe(true);
    expect(safeEqual('secret', 'secreT')).toBe(false);
    expect(safeEqual('secret', 'secret-longer')).toBe(false);
    expect(safeEqual('', 'secret')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('é', Buffer.from('é', 'utf8'))).toBe(true);
  });
});

/** A store whose every call fails, as a Redis that is down. */
const brokenStore: Store = {
  get: () => Promise.reject(new Error('down')),
  set: () => Promise.reject(new Error('down')),
  add: () => Promise.reject(new Error('down')),
  take: () => Promise.reject(new Error('down')),
  delete: () => Promise.reject(new Error('down')),
};

describe('deliverOnce', () => {
  let store = new MemoryStore();
  afterEach(() => {
    store = new MemoryStore();
  });

  it('runs the handler on the first delivery and answers repeats without running it', async () => {
    const runs: string[] = [];
    const handler = () => {
      runs.push('run');
    };
    expect(await deliverOnce(store, 'k', 60_000, handler)).toBe('delivered');
    expect(await deliverOnce(store, 'k', 60_000, handler)).toBe('repeat');
    expect(await deliverOnce(store, 'other', 60_000, handler)).toBe('delivered');
    expect(runs).toHaveLength(2);
  });

  it('answers busy to a duplicate that arrives while the first still runs, and repeat once it is done', async () => {
    let finish!: () => void;
    const running = deliverOnce(
      store,
      'k',
      60_000,
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    let ran = false;
    const markRan = () => {
      ran = true;
    };
    expect(await deliverOnce(store, 'k', 60_000, markRan)).toBe('busy');
    finish();
    expect(await running).toBe('delivered');
    expect(await deliverOnce(store, 'k', 60_000, markRan)).toBe('repeat');
    expect(ran).toBe(false);
  });

  it('runs one of 20 concurrent deliveries of one key', async () => {
    let runs = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        deliverOnce(store, 'k', 60_000, async () => {
          runs += 1;
          await new Promise((resolve) => setImmediate(resolve));
        }),
      ),
    );
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => o === 'delivered')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'busy')).toHaveLength(19);
  });

  it('frees the key when the handler fails, so the retry runs it again', async () => {
    const failure = new Error('app down');
    await expect(deliverOnce(store, 'k', 60_000, () => Promise.reject(failure))).rejects.toBe(failure);
    let ran = false;
    const markRan = () => {
      ran = true;
    };
    expect(await deliverOnce(store, 'k', 60_000, markRan)).toBe('delivered');
    expect(ran).toBe(true);
  });

  it('frees a key whose delivery crashed once pendingMs has passed', async () => {
    let now = 1_000_000;
    const clocked = new MemoryStore({ clock: { now: () => now } });
    await clocked.add('k', 'pending', 1_000); // a delivery whose process died mid-way
    expect(await deliverOnce(clocked, 'k', 60_000, () => undefined, { pendingMs: 1_000 })).toBe('busy');
    now += 1_000;
    expect(await deliverOnce(clocked, 'k', 60_000, () => undefined, { pendingMs: 1_000 })).toBe('delivered');
  });

  it('forgets a delivery after ttlMs', async () => {
    let now = 1_000_000;
    const clocked = new MemoryStore({ clock: { now: () => now } });
    expect(await deliverOnce(clocked, 'k', 5_000, () => undefined)).toBe('delivered');
    now += 4_999;
    expect(await deliverOnce(clocked, 'k', 5_000, () => undefined)).toBe('repeat');
    now += 1;
    expect(await deliverOnce(clocked, 'k', 5_000, () => undefined)).toBe('delivered');
  });

  it('fails closed with a StoreError and runs nothing when the store fails', async () => {
    let ran = false;
    const markRan = () => {
      ran = true;
    };
    const error = await deliverOnce(brokenStore, 'k', 60_000, markRan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'ERR_STORE', status: 503 });
    expect(ran).toBe(false);
  });

  it('rejects with a StoreError when the done mark cannot be written (the retry may run it again)', async () => {
    const memory = new MemoryStore();
    const store2: Store = {
      get: (k) => memory.get(k),
      add: (k, v, t) => memory.add(k, v, t),
      take: (k) => memory.take(k),
      delete: (k) => memory.delete(k),
      set: () => Promise.reject(new Error('down')),
    };
    await expect(deliverOnce(store2, 'k', 60_000, () => undefined)).rejects.toBeInstanceOf(StoreError);
  });

  it('refuses a non-positive ttl', async () => {
    await expect(deliverOnce(store, 'k', 0, () => undefined)).rejects.toBeInstanceOf(RangeError);
  });
});
