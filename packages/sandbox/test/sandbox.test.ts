import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.requests.clear();
});

describe('startSandbox', () => {
  it('serves a home page naming the providers', async () => {
    const response = await fetch(`${sandbox.url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(sandbox.authenteq.authorizationURL);
    expect(html).toContain(sandbox.authenteqWebIdv.baseURL);
    expect(html).toContain(sandbox.alice.baseURL);
    expect(html).toContain(sandbox.idv.host);
  });

  it('answers 404 for an unknown path and logs it', async () => {
    const response = await fetch(`${sandbox.url}/nope`);
    expect(response.status).toBe(404);
    expect(sandbox.requests.filter({ route: 'not_found' })).toMatchObject([
      { method: 'GET', path: '/nope', status: 404 },
    ]);
  });

  it('lists its route names', () => {
    expect(sandbox.routes).toContain('sandbox.home');
  });
});

describe('clock', () => {
  it('moves forward and back to real time', () => {
    const before = sandbox.clock.now();
    sandbox.clock.advance(60 * 60_000);
    expect(sandbox.clock.now() - before).toBeGreaterThanOrEqual(60 * 60_000);
    sandbox.clock.reset();
    expect(Math.abs(sandbox.clock.now() - Date.now())).toBeLessThan(1_000);
    expect(() => sandbox.clock.advance(-1)).toThrow(RangeError);
  });
});

describe('faults', () => {
  it('refuses an unknown route name', () => {
    expect(() => sandbox.faults.inject('authenteq.nope', { status: 500 })).toThrow(/unknown sandbox route/);
  });

  it('answers with an injected status N times, then as usual', async () => {
    sandbox.faults.inject('sandbox.home', { status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${sandbox.url}/`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(sandbox.requests.count({ route: 'sandbox.home' })).toBe(3);
  });

  it('answers a malformed JSON body', async () => {
    sandbox.faults.inject('sandbox.home', { malformed: true, times: 1 });
    const response = await fetch(`${sandbox.url}/`);
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });

  it('answers a wrong shape', async () => {
    sandbox.faults.inject('sandbox.home', { body: { unexpected: true }, times: 1 });
    expect(await (await fetch(`${sandbox.url}/`)).json()).toEqual({ unexpected: true });
  });

  it('drops the connection', async () => {
    sandbox.faults.inject('sandbox.home', { drop: true, times: 1 });
    await expect(fetch(`${sandbox.url}/`)).rejects.toThrow();
    expect(sandbox.requests.filter({ route: 'sandbox.home' })[0]?.status).toBe(0);
  });

  it('hangs until the client gives up', async () => {
    sandbox.faults.inject('sandbox.home', { hang: true });
    await expect(fetch(`${sandbox.url}/`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
  });

  it('adds latency, then runs the route', async () => {
    sandbox.faults.inject('sandbox.home', { latency: 50, times: 1 });
    const started = performance.now();
    const response = await fetch(`${sandbox.url}/`);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('holds a request at its gate until the test opens it, then runs the route', async () => {
    let open!: () => void;
    sandbox.faults.inject('sandbox.home', {
      gate: new Promise<void>((resolve) => {
        open = resolve;
      }),
      times: 1,
    });
    let answered = false;
    const pending = fetch(`${sandbox.url}/`).then((response) => {
      answered = true;
      return response;
    });
    await vi.waitFor(() => expect(sandbox.requests.count({ route: 'sandbox.home' })).toBe(1), { interval: 5 });
    expect(answered).toBe(false);
    open();
    expect((await pending).status).toBe(200);
  });

  it('clear() disarms', async () => {
    sandbox.faults.inject('sandbox.home', { status: 500 });
    sandbox.faults.clear('sandbox.home');
    expect((await fetch(`${sandbox.url}/`)).status).toBe(200);
  });
});
