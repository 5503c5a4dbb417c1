import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, OwnedRedis } from '../multi-instance/owned-redis.js';
import { waitFor } from '../multi-instance/wait.js';

// With REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster) set, each example's server and the demo keep
// their sessions (connect-redis) and passport-idv stores (RedisStore) there, as several instances need, and say so
// when they start; a Redis they cannot reach stops them within seconds with one line. Runs the built servers
// (`npm run test:redis` builds first).
const redisURL = process.env.REDIS_URL;
if (!redisURL) throw new Error('REDIS_URL is not set: run with REDIS_URL=redis://127.0.0.1:6379 (npm run test:redis)');
const clusterNodes = inject('redisCluster');

let redis: ReturnType<typeof createClient>;
let cluster: ReturnType<typeof createCluster>;
const written: string[] = [];

beforeAll(async () => {
  redis = createClient({ url: redisURL, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  await redis.connect();
  cluster = createCluster({
    rootNodes: clusterNodes.split(',').map((node) => ({ url: `redis://${node}` })),
  });
  cluster.on('error', () => undefined);
  await cluster.connect();
});

afterAll(async () => {
  for (const key of written) await redis.del(key);
  await redis.close();
  await cluster.close();
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

/** Expects the session `sid` to be kept in Redis (or in the cluster) under `prefix`. */
async function expectSessionInRedis(prefix: string, sid: string | undefined, inCluster = false): Promise<void> {
  expect(sid).toBeTruthy();
  const key = `${prefix}${sid}`;
  if (!inCluster) written.push(key);
  expect(await (inCluster ? cluster : redis).exists(key)).toBe(1);
}

type RedisEnv = { REDIS_URL: string } | { REDIS_CLUSTER_NODES: string };

/** Starts a built server with `redisEnv` and the sandbox; `exited` settles with its exit code and everything it printed. */
function spawnServer(script: string, redisEnv: RedisEnv, port: number) {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SANDBOX_PORT: '0' };
  // The sandbox, not a real provider, and only the Redis this test names, whatever the machine has set.
  for (const name of Object.keys(env)) {
    if (/^(ALICE|IDV|AUTHENTEQ|REDIS)_/.test(name)) delete env[name];
  }
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(new URL(`../../${script}`, import.meta.url))], {
    env: { ...env, ...redisEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { child, output: () => output, exited };
}

async function runServer(
  script: string,
  redisEnv: RedisEnv = { REDIS_URL: redisURL as string },
): Promise<{ url: string; output: () => string; stop(): Promise<void> }> {
  const port = await freePort();
  const { child, output, exited } = spawnServer(script, redisEnv, port);
  const url = `http://127.0.0.1:${port}`;
  const banner = 'REDIS_URL' in redisEnv ? 'Redis at' : 'Redis Cluster at';
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`${script} exited: ${output()}`);
      return output().includes(url) && output().includes(banner);
    },
    { what: `${script} to listen`, timeout: 15_000 },
  );
  return {
    url,
    output,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const SERVERS = [
  { script: 'examples/face-login/dist/server.js', page: '/login', status: 200, prefix: 'face-login:sess:' },
  { script: 'examples/mobile-handoff/dist/server.js', page: '/', status: 200, prefix: 'mobile-handoff:sess:' },
  // The sign-up saves the state's session before the redirect.
  {
    script: 'examples/signup-verified-id/dist/server.js',
    page: '/auth/authenteq',
    status: 302,
    prefix: 'signup:sess:',
  },
] as const;

for (const topology of ['REDIS_URL', 'REDIS_CLUSTER_NODES'] as const) {
  const inCluster = topology === 'REDIS_CLUSTER_NODES';
  const redisEnv = (): RedisEnv => (inCluster ? { REDIS_CLUSTER_NODES: clusterNodes } : { REDIS_URL: redisURL });

  describe(`the examples with ${topology}`, () => {
    for (const { script, page, status, prefix } of SERVERS) {
      it(`${script.split('/')[1]}: sessions in ${inCluster ? 'the cluster' : 'Redis'}, and the start says so`, async () => {
        const server = await runServer(script, redisEnv());
        try {
          expect(server.output()).toMatch(
            inCluster ? /: Redis Cluster at 127\.0\.0\.1:\d+, .*, 3 masters/ : /: Redis at /,
          );
          const answer = await sessionIdFrom(`${server.url}${page}`);
          expect(answer.status).toBe(status);
          await expectSessionInRedis(prefix, answer.sid, inCluster);
          if (prefix === 'signup:sess:') {
            // The state itself is in the store (RedisStore); the session only binds this browser to it. The example
            // runs Web IDV by default, whose states have their own session key.
            const session = JSON.parse((await (inCluster ? cluster : redis).get(`${prefix}${answer.sid}`)) ?? '{}');
            expect(session['passport-idv:authenteq-web-idv']).toEqual({ binding: expect.any(String) });
          }
        } catch (error) {
          throw new Error(`${(error as Error).message}; the server printed:\n${server.output()}`, { cause: error });
        } finally {
          await server.stop();
        }
      });
    }

    it('the demo (startDemo({ redis })): every app keeps its sessions there', async () => {
      const { startDemo } = await import('@passport-idv/example-demo');
      const demo = await startDemo({
        redis: inCluster ? { clusterNodes } : { url: redisURL },
        ports: { landing: 0, sandbox: 0, signup: 0, face: 0, handoff: 0 },
      });
      try {
        expect(demo.storage).toMatch(inCluster ? /^Redis Cluster at / : /^Redis at /);
        for (const [prefix, url, expected] of [
          ['signup:sess:', `${demo.urls.signup}/auth/authenteq`, 302],
          ['face-login:sess:', `${demo.urls.face}/login`, 200],
          ['mobile-handoff:sess:', `${demo.urls.handoff}/`, 200],
        ] as const) {
          const { status, sid } = await sessionIdFrom(url);
          expect(status, url).toBe(expected);
          await expectSessionInRedis(prefix, sid, inCluster);
        }
      } finally {
        await demo.close();
      }
    });
  });
}

describe('the examples when their Redis fails', () => {
  it('a Redis nobody answers at stops the start within seconds, with one line saying what to set', async () => {
    const nothing = await freePort();
    for (const [script, redisEnv, variable] of [
      ['examples/signup-verified-id/dist/server.js', { REDIS_URL: `redis://127.0.0.1:${nothing}` }, 'REDIS_URL'],
      ['examples/face-login/dist/server.js', { REDIS_CLUSTER_NODES: `127.0.0.1:${nothing}` }, 'REDIS_CLUSTER_NODES'],
      ['examples/mobile-handoff/dist/server.js', { REDIS_URL: `redis://127.0.0.1:${nothing}` }, 'REDIS_URL'],
      ['examples/demo/dist/start.js', { REDIS_CLUSTER_NODES: `127.0.0.1:${nothing}` }, 'REDIS_CLUSTER_NODES'],
      ['examples/demo/dist/start.js', { REDIS_CLUSTER_NODES: redisURL.replace(/^redis:\/\//, '') }, 'REDIS_URL'],
    ] as const) {
      const started = performance.now();
      const { code, output } = await spawnServer(script, redisEnv, await freePort()).exited;
      expect(code, script).toBe(1);
      expect(performance.now() - started, script).toBeLessThan(10_000);
      const lines = output.trim().split('\n');
      expect(lines, script).toHaveLength(1);
      expect(lines[0], script).toContain(variable);
      expect(lines[0], script).toMatch(/127\.0\.0\.1:\d+/); // what was tried
    }
  });

  it('the example servers fail closed while their Redis is down or hung, and recover when it answers again', async () => {
    const owned = await OwnedRedis.start();
    const servers = await Promise.all(SERVERS.map(({ script }) => runServer(script, { REDIS_URL: owned.url })));
    const pages = SERVERS.map(({ page }, i) => `${servers[i]?.url}${page}`);
    /** Every page, with the session it had, is a plain 503 page: nothing internal on it, no new session. */
    const expectFailedClosed = async (cookies: string[]) => {
      for (const [i, page] of pages.entries()) {
        const answer = await sessionIdFrom(page, cookies[i]);
        expect(answer.status, page).toBe(503);
        expect(answer.sid, page).toBeUndefined();
        expect(answer.body, page).not.toMatch(/Error|ECONN|Redis|\bat \S+ \(|node_modules|stack/i);
      }
    };
    const expectWorking = async () => {
      for (const page of pages) {
        await waitFor(async () => [200, 302].includes((await sessionIdFrom(page)).status), {
          what: `${page} to work again`,
          timeout: 15_000,
        });
      }
    };
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
      await expectWorking();

      // A hung Redis (SIGSTOP: connections stay open, nothing answers), sessions included: each request fails
      // within the commands' deadline instead of waiting for as long as Redis hangs.
      const again = await Promise.all(pages.map(async (page) => (await sessionIdFrom(page)).cookie ?? ''));
      owned.pause();
      try {
        const started = performance.now();
        await expectFailedClosed(again);
        expect(performance.now() - started).toBeLessThan(3 * 3_000); // three pages, each within its 2 s deadline
      } finally {
        owned.resume();
      }
      await expectWorking();
    } finally {
      owned.resume();
      await Promise.all(servers.map((server) => server.stop()));
      await owned.kill();
    }
  });
});
