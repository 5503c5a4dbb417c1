/**
 * Sections 2 and 3: face logins per second with a warm token cache and the upstream requests each costs, then a
 * `requireFaceLogin` route vs a `req.isAuthenticated()` route vs a bare route. The app runs in its own process
 * against the sandbox (in this process, so `sandbox.requests` counts what the app sent upstream; the driver makes
 * authentications through the sandbox's programmatic shortcut, which the request log does not count).
 */
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { Child } from './child.js';
import { CookieJar, type LoadResult, request, runLoad } from './driver.js';
import type { FaceAppSpec } from './face-app.js';
import { InstructionCounter } from './perf-counter.js';
import { fixed, heading, percentile, ratio, table } from './report.js';

/** The settings of the face sections. */
export interface FaceSettings {
  concurrency: number;
  warmupMs: number;
  windowMs: number;
  rounds: number;
}

/** Figures of one measured load. */
export interface Measured {
  ok: number;
  failed: number;
  elapsedMs: number;
  cpuMs: number;
  latencies: number[];
  /** Per round: CPU ms per iteration and iterations per second (the tables print their medians). */
  rounds: { cpuPer: number; rate: number }[];
  /** Main-thread instructions (Linux perf) over the windows that were counted, and their iterations. */
  instructions?: number;
  counted: number;
  firstFailure?: string;
}

/** What sections 2 and 3 measured. */
export interface FaceFigures {
  skipped?: string;
  logins?: Measured & {
    upstream: number;
    byRoute: Record<string, number>;
    /** Calls to the strategy's store and to the token store during the measured rounds. */
    storeCalls: number;
    tokenStoreCalls: number;
  };
  guard?: Record<GuardRoute, Measured>;
}

const GUARD_ROUTES = ['/protected', '/authed', '/bare'] as const;
type GuardRoute = (typeof GUARD_ROUTES)[number];
const APP_SCRIPT = new URL('./app-child.js', import.meta.url);

/** Starts the face-login app process against `sandbox`. */
export function startFaceApp(sandbox: Sandbox, storeBound?: number): Promise<{ child: Child; url: string }> {
  const spec: FaceAppSpec = {
    kind: 'face',
    alice: { apiKey: sandbox.alice.apiKey, baseURL: sandbox.alice.baseURL },
    storeBound,
  };
  return Child.start(APP_SCRIPT, ['--expose-gc'], { ...spec });
}

/** One face login by a new visitor for `aliceUserId`: begin, the SDK's authentication, the post. */
export async function faceLogin(
  sandbox: Sandbox,
  appURL: string,
  jar: CookieJar,
  aliceUserId: string,
): Promise<true | string> {
  jar.clear();
  const begin = await request(`${appURL}/login/face/begin`, { method: 'POST', jar, json: { aliceUserId } });
  if (begin.status !== 200) return `begin answered ${begin.status}`;
  if (typeof (JSON.parse(begin.body) as { userToken?: unknown }).userToken !== 'string') return 'no userToken';
  // What the browser SDK does with the USER_TOKEN: here through the sandbox shortcut, outside the request log.
  const authenticationId = sandbox.alice.authenticate(aliceUserId);
  const login = await request(`${appURL}/login/face`, { method: 'POST', jar, json: { authenticationId } });
  return login.status === 200 ? true : `login answered ${login.status}`;
}

function add(into: Measured, result: LoadResult, cpuMs: number): void {
  into.ok += result.ok;
  into.failed += result.failed;
  into.elapsedMs += result.elapsedMs;
  into.cpuMs += cpuMs;
  into.latencies.push(...result.latencies);
  if (result.ok > 0) into.rounds.push({ cpuPer: cpuMs / result.ok, rate: (result.ok / result.elapsedMs) * 1000 });
  into.firstFailure ??= result.firstFailure;
}

/** Runs one window of load, adding its figures (CPU and, where perf works, main-thread instructions) to `into`. */
async function measured(child: Child, run: () => Promise<LoadResult>, into: Measured): Promise<LoadResult> {
  const counter = await InstructionCounter.attach(child.pid);
  const cpuBefore = await child.cpuMs();
  const result = await run();
  add(into, result, (await child.cpuMs()) - cpuBefore);
  const counted = await counter?.stop();
  if (counted && result.ok > 0) {
    into.instructions = (into.instructions ?? 0) + counted.user + counted.kernel;
    into.counted += result.ok;
  }
  return result;
}

const empty = (): Measured => ({ ok: 0, failed: 0, elapsedMs: 0, cpuMs: 0, latencies: [], rounds: [], counted: 0 });

/** Runs sections 2 (`face`) and 3 (`guard`). */
export async function runFace(
  settings: FaceSettings,
  sections: { face: boolean; guard: boolean },
  log: (line: string) => void,
): Promise<FaceFigures> {
  const sandbox = await startSandbox();
  let app: { child: Child; url: string } | undefined;
  try {
    app = await startFaceApp(sandbox);
    const { child, url } = app;
    const users = Array.from(
      { length: settings.concurrency },
      (_, i) => sandbox.alice.enroll({ email: `bench${i}@example.com`, authorize: false }).userId,
    );
    // Each enrollment reviewed by the app, as in production: the approved selfie is pinned, so every login also
    // reads the report (beside the authentication) to check the face is still that one.
    for (const aliceUserId of users) {
      const review = await request(`${url}/enroll/review`, { method: 'POST', json: { aliceUserId } });
      if (review.status !== 200) return { skipped: `the enrollment review answered ${review.status}` };
    }
    const jars = users.map(() => new CookieJar());
    const login = (durationMs: number) =>
      runLoad({
        concurrency: settings.concurrency,
        durationMs,
        iteration: (vu) => faceLogin(sandbox, url, jars[vu] as CookieJar, users[vu] as string),
      });
    const warm = await login(settings.warmupMs);
    if (warm.ok === 0) return { skipped: `no face login succeeded: ${warm.firstFailure}` };
    const figures: FaceFigures = {};
    if (sections.face) {
      const logins = {
        ...empty(),
        upstream: 0,
        byRoute: {} as Record<string, number>,
        storeCalls: 0,
        tokenStoreCalls: 0,
      };
      type StoreStats = { storeCalls: number; tokenStoreCalls: number };
      for (let round = 0; round < settings.rounds; round++) {
        sandbox.requests.clear();
        const before = await child.ask<StoreStats>('stats');
        await measured(child, () => login(settings.windowMs), logins);
        const after = await child.ask<StoreStats>('stats');
        logins.storeCalls += after.storeCalls - before.storeCalls;
        logins.tokenStoreCalls += after.tokenStoreCalls - before.tokenStoreCalls;
        for (const entry of sandbox.requests.entries) {
          logins.upstream++;
          logins.byRoute[entry.route] = (logins.byRoute[entry.route] ?? 0) + 1;
        }
      }
      figures.logins = logins;
      log(`  face logins: ${logins.ok} ok, ${logins.failed} failed`);
    }
    if (sections.guard) {
      // Every virtual user logs in with its face once, then keeps its session for the three routes.
      for (const [vu, jar] of jars.entries()) {
        const outcome = await faceLogin(sandbox, url, jar, users[vu] as string);
        if (outcome !== true) return { ...figures, skipped: `the guard's face login failed: ${outcome}` };
      }
      const guard = Object.fromEntries(GUARD_ROUTES.map((route) => [route, empty()])) as Record<GuardRoute, Measured>;
      const hit = (route: GuardRoute, durationMs: number) =>
        runLoad({
          concurrency: settings.concurrency,
          durationMs,
          iteration: async (vu) => {
            const reply = await request(`${url}${route}`, { jar: jars[vu] });
            return reply.status === 200 ? true : `${route} answered ${reply.status}`;
          },
        });
      for (const route of GUARD_ROUTES) await hit(route, settings.warmupMs / 2);
      for (let round = 0; round < settings.rounds; round++) {
        for (let i = 0; i < GUARD_ROUTES.length; i++) {
          const route = GUARD_ROUTES[(i + round) % GUARD_ROUTES.length] as GuardRoute;
          await measured(child, () => hit(route, settings.windowMs), guard[route]);
        }
      }
      figures.guard = guard;
    }
    return figures;
  } catch (error) {
    return { skipped: (error as Error).message };
  } finally {
    await app?.child.close();
    await sandbox.close();
  }
}

const rate = (m: Measured) =>
  percentile(
    m.rounds.map((r) => r.rate),
    50,
  );
const kiloInstructions = (m: Measured) =>
  m.instructions === undefined || m.counted === 0 ? Number.NaN : m.instructions / m.counted / 1000;
const cpuPer = (m: Measured) =>
  percentile(
    m.rounds.map((r) => r.cpuPer),
    50,
  );

/** The section 2 and 3 tables. */
export function faceTables(figures: FaceFigures, settings: FaceSettings): string {
  const out: string[] = [];
  const { logins, guard } = figures;
  out.push(heading('2. Face login (begin → SDK authentication → POST /login/face), warm token cache'));
  if (logins) {
    const perLogin = logins.ok > 0 ? logins.upstream / logins.ok : Number.NaN;
    out.push(
      `${settings.concurrency} virtual users (one enrolled Alice user each), ${settings.rounds} rounds × ${settings.windowMs} ms after ${settings.warmupMs} ms warm-up;`,
      'logins/s and CPU (of the app process) per login: medians of the rounds. A login = begin + SDK authentication + POST.',
      '',
      table([
        [
          'logins/s',
          'p50 ms',
          'p99 ms',
          'CPU ms/login',
          'M instr/login',
          'upstream requests/login (target 2.0: authentication + report)',
          'logins',
          'failed',
        ],
        [
          fixed(rate(logins), 0),
          fixed(percentile(logins.latencies, 50), 2),
          fixed(percentile(logins.latencies, 99), 2),
          fixed(cpuPer(logins), 3),
          fixed(kiloInstructions(logins) / 1000, 2),
          fixed(perLogin, 3),
          String(logins.ok),
          String(logins.failed),
        ],
      ]),
      `  store calls per login (each a round trip with RedisStore): strategy store ${fixed(
        logins.storeCalls / Math.max(1, logins.ok),
        2,
      )}, token store ${fixed(logins.tokenStoreCalls / Math.max(1, logins.ok), 2)}`,
      `  upstream by route: ${
        Object.entries(logins.byRoute)
          .map(([route, count]) => `${route} ${fixed(count / Math.max(1, logins.ok), 3)}/login`)
          .join(', ') || 'none'
      }`,
    );
    if (logins.firstFailure) out.push(`  first failure: ${logins.firstFailure}`);
  }
  out.push(heading('3. Guards: requireFaceLogin vs req.isAuthenticated() vs a bare route'));
  if (guard) {
    const rows = [
      [
        'route',
        'requests/s',
        'p50 ms',
        'p99 ms',
        'CPU µs/req',
        'CPU vs bare',
        'CPU vs isAuthenticated',
        'k instr/req',
        'instr vs bare',
        'instr vs isAuthenticated',
        'req/s vs bare',
      ],
    ];
    for (const route of GUARD_ROUTES) {
      const m = guard[route];
      rows.push([
        route === '/protected' ? 'requireFaceLogin' : route === '/authed' ? 'req.isAuthenticated()' : 'bare',
        fixed(rate(m), 0),
        fixed(percentile(m.latencies, 50), 2),
        fixed(percentile(m.latencies, 99), 2),
        fixed(cpuPer(m) * 1000, 0),
        ratio(cpuPer(m), cpuPer(guard['/bare'])),
        ratio(cpuPer(m), cpuPer(guard['/authed'])),
        fixed(kiloInstructions(m), 0),
        ratio(kiloInstructions(m), kiloInstructions(guard['/bare'])),
        ratio(kiloInstructions(m), kiloInstructions(guard['/authed'])),
        ratio(rate(m), rate(guard['/bare'])),
      ]);
    }
    out.push(
      'Each virtual user holds a session with a fresh face login; every route sits behind express-session + passport.session().',
      '',
      table(rows),
    );
    for (const route of GUARD_ROUTES) {
      if (guard[route].firstFailure) out.push(`  first failure of ${route}: ${guard[route].firstFailure}`);
    }
  }
  if (figures.skipped) out.push(`skipped: ${figures.skipped}`);
  return out.join('\n');
}
