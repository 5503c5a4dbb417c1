import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, OwnedRedis } from '../multi-instance/owned-redis.js';
import { waitFor } from '../multi-instance/wait.js';

// With REDIS_URL set, each example's server and the demo keep their sessions (connect-redis) and passport-idv stores
// (RedisStore) in Redis, as several instances need. Runs the built servers (`npm run test:redis` builds first).
const redisURL = process.env.REDIS_URL;
if (!redisURL) throw new Error('REDIS_URL is not set: run with REDIS_URL=redis://127.0.0.1:6379 (npm run test:redis)');

let redis: ReturnType<typeof createClient>;
const written: string[] = [];

beforeAll(async () => {
  redis = createClient({ url: redisURL, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  await redis.connect();
});

afterAll(async () => {
  if (written.length > 0) await redis.del(written);
  await redis.close();
});

/**
 * GET without keep-alive (so servers stop promptly), with a cookie if given: the status, the page, and the cookie
 * set with its session id.
 */
function sessionIdFrom(
  url: string,
  sendCookie?: string,
): Promise<{ status: number; sid: string | undefined; cookie: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: sendCookie ? { cookie: sendCookie } : {} }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        const cookie = (res.headers['set-cookie'] ?? []).map((line) => line.split(';')[0] ?? '').find(Boolean);
        // express-session: name=s:<sid>.<signature>, URI-encoded.
        const value = cookie === undefined ? '' : decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
        const sid = value.startsWith('s:') ? value.slice(2, value.lastIndexOf('.')) : undefined;
        res.on('end', () => resolve({ status: res.statusCode ?? 0, sid, cookie, body }));
      })
      .on('error', reject);
  });
}

/** Expects the session `sid` to be kept in Redis under `prefix`. */
async function expectSessionInRedis(prefix: string, sid: string | undefined): Promise<void> {
  expect(sid).toBeTruthy();
  const key = `${prefix}${sid}`;
  written.push(key);
  expect(await redis.exists(key)).toBe(1);
}

async function runServer(
  script: string,
  redis = redisURL,
): Promise<{ url: string; output: () => string; stop(): Promise<void> }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redis, PORT: String(port), SANDBOX_PORT: '0' };
  // The sandbox, not a real provider, whatever the machine has set.
  for (const name of Object.keys(env)) {
    if (/^(ALICE|IDV|AUTHENTEQ)_/.test(name)) delete env[name];
  }
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(new URL(`../../${script}`, import.meta.url))], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`${script} exited: ${output}`);
      return output.includes(url) && output.includes('Redis (REDIS_URL)');
    },
    { what: `${script} to listen`, timeout: 15_000 },
  );
  return {
    url,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

describe('the examples on Redis when REDIS_URL is set', () => {
  it('examples/face-login: sessions in Redis', async () => {
    const server = await runServer('examples/face-login/dist/server.js');
    try {
      const { status, sid } = await sessionIdFrom(`${server.url}/login`);
      expect(status).toBe(200);
      await expectSessionInRedis('face-login:sess:', sid);
    } finally {
      await server.stop();
    }
  });

  it('examples/mobile-handoff: sessions in Redis', async () => {
    const server = await runServer('examples/mobile-handoff/dist/server.js');
    try {
      const { status, sid } = await sessionIdFrom(`${server.url}/`);
      expect(status).toBe(200);
      await expectSessionInRedis('mobile-handoff:sess:', sid);
    } finally {
      await server.stop();
    }
  });

  it('examples/signup-verified-id: sessions and the OAuth state in Redis', async () => {
    const server = await runServer('examples/signup-verified-id/dist/server.js');
    try {
      const { status, sid } = await sessionIdFrom(`${server.url}/auth/authenteq`);
      expect(status).toBe(302); // the state's session is saved before the redirect
      await expectSessionInRedis('signup:sess:', sid);
      // The state itself is in the store (RedisStore); the session only binds this browser to it.
      const session = JSON.parse((await redis.get(`signup:sess:${sid}`)) ?? '{}');
      expect(session['passport-idv:authenteq']).toEqual({ binding: expect.any(String) });
    } finally {
      await server.stop();
    }
  });

  it('the demo (startDemo({ redisURL })): every app keeps its sessions in Redis', async () => {
    const { startDemo } = await import('@passport-idv/example-demo');
    const demo = await startDemo({
      redisURL,
      ports: { landing: 0, sandbox: 0, signup: 0, face: 0, handoff: 0 },
    });
    try {
      for (const [prefix, url, expected] of [
        ['signup:sess:', `${demo.urls.signup}/auth/authenteq`, 302], // the state's session, before the redirect
        ['face-login:sess:', `${demo.urls.face}/login`, 200],
        ['mobile-handoff:sess:', `${demo.urls.handoff}/`, 200],
      ] as const) {
        const { status, sid } = await sessionIdFrom(url);
        expect(status, url).toBe(expected);
        await expectSessionInRedis(prefix, sid);
      }
    } finally {
      await demo.close();
    }
  });

  it('the example servers fail closed while their Redis is down, and recover when it returns', async () => {
    const owned = await OwnedRedis.start();
    const servers = await Promise.all([
      runServer('examples/face-login/dist/server.js', owned.url),
      runServer('examples/mobile-handoff/dist/server.js', owned.url),
      runServer('examples/signup-verified-id/dist/server.js', owned.url),
    ]);
    const pages = (['/login', '/', '/auth/authenteq'] as const).map((path, i) => `${servers[i]?.url}${path}`);
    try {
      // Sessions made while Redis is up...
      const cookies = await Promise.all(pages.map(async (page) => (await sessionIdFrom(page)).cookie ?? ''));
      await owned.kill();
      for (const [i, page] of pages.entries()) {
        // ...cannot be read while it is down: a 503 page in plain words (polled: a server notices the lost
        // connection first), with nothing internal on it.
        let answer = await sessionIdFrom(page, cookies[i]);
        await waitFor(
          async () => {
            answer = await sessionIdFrom(page, cookies[i]);
            return answer.status >= 500;
          },
          { what: `${page} to fail` },
        );
        expect(answer.status, page).toBe(503);
        expect(answer.sid, page).toBeUndefined();
        expect(answer.body, page).not.toMatch(/Error|ECONN|Redis|\bat \S+ \(|node_modules|stack/i);
      }
      await owned.start();
      for (const page of pages) {
        await waitFor(async () => [200, 302].includes((await sessionIdFrom(page)).status), {
          what: `${page} to work again`,
          timeout: 15_000,
        });
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
      await owned.kill();
    }
  });
});
