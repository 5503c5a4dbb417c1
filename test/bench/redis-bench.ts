/**
 * Section `redis`: the Redis round trips of one sign-up and of one warm face login, on one Redis and on a Redis
 * Cluster, counted with `MONITOR` on every master. The app is the multi-instance test's instance app (the three
 * packages, `RedisStore`, connect-redis sessions), wired by the examples' own `connectRedis`, in this process, against
 * the sandbox. Each flow runs a few times first, so the eviction check and the token fetches are behind it; the
 * figure is the median of the measured flows. Both Redis servers are this section's own (`redis-server` on the PATH).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectRedis, type RedisTarget } from '@passport-idv/example-redis-setup';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { createClient } from 'redis';
import { createInstanceApp, providerConfig } from '../multi-instance/app.js';
import { Browser } from '../multi-instance/browser.js';
import { OwnedCluster } from '../multi-instance/owned-cluster.js';
import { OwnedRedis } from '../multi-instance/owned-redis.js';
import { heading, percentile, table } from './report.js';

const CALLBACK_URL = 'http://app.test/auth/authenteq/callback';

/** Commands one flow sent, by where they went. */
export interface RoundTrips {
  /** To passport-idv's stores (`RedisStore`). */
  store: number;
  /** To the session store (connect-redis). */
  sessions: number;
  /** Each command, in order (`SET passport-idv:…`), with the run's own key prefix cut. */
  commands: string[];
}

/** What the section measured. */
export interface RedisFigures {
  skipped?: string;
  rows?: { topology: string; signup: RoundTrips; face: RoundTrips }[];
}

/**
 * The fewest round trips each flow needs with its state shared by instances, as the packages are built: one command
 * per write of a single-use thing, one atomic `take` per use, the session read once and written where it changes.
 *
 * - Sign-up, 6: the start writes the state (`SET NX`) and the session that binds it to the browser; the callback
 *   reads the session and takes the state (`GETDEL`), and the login replaces the session (a new id: delete the old
 *   one, write the new one once).
 * - Warm face login, 9: `begin()` writes the attempt and the session that holds it; the submit reads the session,
 *   the rate limit's two failure counters (per user and per IP: two keys, which a cluster spreads over its masters),
 *   marks the authentication id used (`SET NX`), takes the attempt, and the login replaces the session (delete the old
 *   one, write the new one once).
 */
export const MINIMUM = { signup: 6, face: 9 } as const;

/** Counts the commands that name `app`'s keys, on every node given. */
async function monitor(ports: number[], app: string) {
  const seen: string[] = [];
  const clients = await Promise.all(
    ports.map(async (port) => {
      const client = createClient({ socket: { host: '127.0.0.1', port } });
      client.on('error', () => undefined);
      await client.connect();
      await client.monitor((line: string) => {
        // `1700000000.123456 [0 127.0.0.1:5555] "SET" "passport-idv:app:…" …`
        const match = /\] "([A-Za-z]+)" "([^"]*)"/.exec(line);
        if (!match?.[2]?.includes(app)) return;
        // The run's prefix and the random parts (ids, states, hashes) cut, so the list reads as a shape.
        const key = match[2].replace(`${app}:`, '').replace(/[\w-]{16,}/g, '…');
        seen.push(`${match[1]?.toUpperCase()} ${key}`);
      });
      return client;
    }),
  );
  return {
    /** The commands seen since the last call. */
    take(): string[] {
      return seen.splice(0);
    },
    close: () => Promise.allSettled(clients.map((client) => client.destroy())),
  };
}

/** MONITOR lines arrive after the replies: take them until none has come for `settleMs`. */
async function drain(counter: { take(): string[] }, settleMs = 100): Promise<string[]> {
  const lines: string[] = [];
  let last = performance.now();
  while (performance.now() - last < settleMs) {
    const more = counter.take();
    if (more.length > 0) {
      lines.push(...more);
      last = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return lines;
}

function split(commands: string[]): RoundTrips {
  const sessions = commands.filter((command) => / sess:/.test(command)).length;
  return { store: commands.length - sessions, sessions, commands };
}

async function measure(sandbox: Sandbox, target: RedisTarget, ports: number[], rounds: number) {
  const app = `bench-${randomUUID()}`;
  const redis = await connectRedis(target);
  const server = http.createServer(
    createInstanceApp({
      ...providerConfig(sandbox, CALLBACK_URL),
      name: 'bench',
      sessionSecret: randomBytes(32).toString('hex'),
      ...redis.stores(app),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const counter = await monitor(ports, app);
  const { userId } = sandbox.alice.enroll();
  const signup = async () => {
    const browser = new Browser();
    const start = await browser.get(url, '/auth/authenteq');
    const back = new URL(await sandbox.authenteq.complete(start.location ?? '', 'adult'));
    const done = await browser.get(url, back.pathname + back.search);
    if (done.status !== 200) throw new Error(`a sign-up answered ${done.status}`);
  };
  const face = async () => {
    const browser = new Browser();
    await browser.post(url, '/login/face/begin', { aliceUserId: userId });
    const done = await browser.post(url, '/login/face', { authenticationId: sandbox.alice.authenticate(userId) });
    if (done.status !== 200) throw new Error(`a face login answered ${done.status}`);
  };
  try {
    const runs = { signup: [] as RoundTrips[], face: [] as RoundTrips[] };
    for (const [name, run] of [
      ['signup', signup],
      ['face', face],
    ] as const) {
      for (let i = 0; i < 3; i++) await run(); // warm: the eviction check, the tokens
      await drain(counter);
      for (let i = 0; i < rounds; i++) {
        await run();
        runs[name].push(split(await drain(counter)));
      }
    }
    const median = (list: RoundTrips[]): RoundTrips => {
      const total = percentile(
        list.map((r) => r.store + r.sessions),
        50,
      );
      return list.find((r) => r.store + r.sessions === total) ?? (list[0] as RoundTrips);
    };
    return { signup: median(runs.signup), face: median(runs.face) };
  } finally {
    await counter.close();
    server.close();
    await redis.close();
  }
}

/** Runs the section; `skipped` says why when there is no `redis-server` to start. */
export async function runRedisRoundTrips(rounds: number, log: (line: string) => void): Promise<RedisFigures> {
  let single: OwnedRedis | undefined;
  let cluster: OwnedCluster | undefined;
  const sandbox = await startSandbox({ port: 0 });
  sandbox.authenteq.registerRedirectURI(CALLBACK_URL);
  try {
    try {
      single = await OwnedRedis.start();
      log('  a Redis Cluster for the round trips…');
      cluster = await OwnedCluster.start();
    } catch (error) {
      return { skipped: `no Redis to start (${(error as Error).message})` };
    }
    const rows = [
      { topology: 'one Redis', ...(await measure(sandbox, { url: single.url }, [single.port], rounds)) },
      {
        topology: 'Redis Cluster (3 masters)',
        ...(await measure(sandbox, { clusterNodes: cluster.list }, await cluster.masters(), rounds)),
      },
    ];
    return { rows };
  } finally {
    await cluster?.close();
    await single?.kill();
    await sandbox.close();
  }
}

/** The section's table, and each flow's commands. */
export function redisTable(figures: RedisFigures): string {
  const title = heading('Redis round trips per flow (MONITOR on every master)');
  if (!figures.rows) return `${title}\nskipped: ${figures.skipped}`;
  const cells = (r: RoundTrips) => [String(r.store), String(r.sessions), String(r.store + r.sessions)];
  const rows = [
    ['flow', 'topology', 'stores', 'sessions', 'total', 'minimum'],
    ...figures.rows.flatMap((row) => [
      ['sign-up', row.topology, ...cells(row.signup), String(MINIMUM.signup)],
      ['warm face login', row.topology, ...cells(row.face), String(MINIMUM.face)],
    ]),
  ];
  const [first] = figures.rows;
  const list = (name: string, r: RoundTrips | undefined) => `${name}: ${r?.commands.join(', ') ?? '–'}`;
  return [
    title,
    table(rows),
    '',
    list('sign-up commands (one Redis)', first?.signup),
    list('face login commands (one Redis)', first?.face),
  ].join('\n');
}
