/**
 * Section 4: memory after many abandoned sign-up starts and abandoned face-login attempts, each app in a fresh
 * process with `--expose-gc` (figures read after a full GC). The driver's virtual users keep their cookies, so the
 * figures show what our packages keep, not how many sessions express-session holds.
 */
import { startSandbox } from '@passport-idv/sandbox';
import type { Child } from './child.js';
import { CookieJar, request, runLoad } from './driver.js';
import { startFaceApp } from './face-bench.js';
import { heading, mib, table } from './report.js';
import { startProvider, startSignupApp } from './signup-bench.js';

/** The settings of section 4. */
export interface MemorySettings {
  concurrency: number;
  /** Abandoned starts and abandoned attempts, each. */
  total: number;
  /** `maxEntries` of the `MemoryStore`s. */
  storeBound: number;
}

interface Snapshot {
  rss: number;
  heapUsed: number;
  sessions?: number;
  sessionBytes?: number;
  storeEntries?: number;
}

/** One case of section 4. */
export interface MemoryCase {
  name: string;
  store: string;
  done: number;
  failed: number;
  seconds: number;
  before?: Snapshot;
  after?: Snapshot;
  skipped?: string;
  firstFailure?: string;
}

export type MemoryFigures = { settings: MemorySettings; cases: MemoryCase[] };

const WARMUP = 1_000;

async function measure(
  entry: MemoryCase,
  child: Child,
  settings: MemorySettings,
  iteration: (vu: number) => Promise<true | string>,
): Promise<void> {
  const warm = await runLoad({ concurrency: settings.concurrency, total: WARMUP, iteration });
  if (warm.ok === 0) throw new Error(warm.firstFailure ?? 'nothing succeeded');
  entry.before = await child.ask<Snapshot & Record<string, unknown>>('mem');
  const result = await runLoad({ concurrency: settings.concurrency, total: settings.total, iteration });
  entry.after = await child.ask<Snapshot & Record<string, unknown>>('mem');
  entry.done = result.ok;
  entry.failed = result.failed;
  entry.seconds = result.elapsedMs / 1000;
  entry.firstFailure = result.firstFailure;
}

/** Runs section 4. */
export async function runMemory(settings: MemorySettings, log: (line: string) => void): Promise<MemoryFigures> {
  const cases: MemoryCase[] = [];
  const jars = Array.from({ length: settings.concurrency }, () => new CookieJar());
  const provider = await startProvider();
  try {
    for (const stateStore of ['memory', 'session'] as const) {
      const entry: MemoryCase = {
        name: 'abandoned sign-up starts (AuthenteqStrategy)',
        store:
          stateStore === 'memory'
            ? `store: MemoryStore({ maxEntries: ${settings.storeBound} })`
            : 'default (the session)',
        done: 0,
        failed: 0,
        seconds: 0,
      };
      cases.push(entry);
      let app: { child: Child; url: string } | undefined;
      try {
        app = await startSignupApp({
          kind: 'signup',
          variant: 'authenteq',
          providerURL: provider.url,
          stateStore,
          storeBound: settings.storeBound,
        });
        const { url } = app;
        await measure(entry, app.child, settings, async (vu) => {
          const reply = await request(`${url}/auth/start`, { jar: jars[vu] });
          return reply.status === 302 ? true : `start answered ${reply.status}`;
        });
      } catch (error) {
        entry.skipped = (error as Error).message;
      } finally {
        await app?.child.close();
      }
      log(`  ${entry.name}, ${entry.store}: ${entry.skipped ?? `${entry.done} in ${entry.seconds.toFixed(1)} s`}`);
    }
  } finally {
    await provider.child.close();
  }

  const entry: MemoryCase = {
    name: 'abandoned face-login attempts (FaceLoginStrategy.begin)',
    store: `store: MemoryStore({ maxEntries: ${settings.storeBound} })`,
    done: 0,
    failed: 0,
    seconds: 0,
  };
  cases.push(entry);
  const sandbox = await startSandbox();
  let app: { child: Child; url: string } | undefined;
  try {
    app = await startFaceApp(sandbox, settings.storeBound);
    const { url } = app;
    const users = jars.map((_, i) => sandbox.alice.enroll({ email: `memory${i}@example.com` }).userId);
    await measure(entry, app.child, settings, async (vu) => {
      const reply = await request(`${url}/login/face/begin`, {
        method: 'POST',
        jar: jars[vu],
        json: { aliceUserId: users[vu] },
      });
      return reply.status === 200 ? true : `begin answered ${reply.status}`;
    });
  } catch (error) {
    entry.skipped = (error as Error).message;
  } finally {
    await app?.child.close();
    await sandbox.close();
  }
  log(`  ${entry.name}: ${entry.skipped ?? `${entry.done} in ${entry.seconds.toFixed(1)} s`}`);
  return { settings, cases };
}

/** The section 4 table. */
export function memoryTable(figures: MemoryFigures): string {
  const { settings, cases } = figures;
  const rows = [
    [
      'case',
      'state kept in',
      'done',
      'RSS before → after',
      'heap before → after',
      'store entries (bound)',
      'sessions',
      'session bytes',
    ],
  ];
  const out = [
    heading(`4. Memory after ${settings.total.toLocaleString('en')} abandoned starts / attempts`),
    `${settings.concurrency} virtual users that keep their cookies; figures after a full GC, after ${WARMUP} warm-up requests. Bound = the MemoryStore's maxEntries.`,
    '',
  ];
  for (const c of cases) {
    if (c.skipped || !c.before || !c.after) {
      rows.push([c.name, c.store, `skipped: ${c.skipped ?? 'no figures'}`]);
      continue;
    }
    rows.push([
      c.name,
      c.store,
      `${c.done}${c.failed ? ` (${c.failed} failed)` : ''}`,
      `${mib(c.before.rss)} → ${mib(c.after.rss)}`,
      `${mib(c.before.heapUsed)} → ${mib(c.after.heapUsed)}`,
      c.after.storeEntries === undefined ? '–' : `${c.after.storeEntries} (${settings.storeBound})`,
      String(c.after.sessions ?? '–'),
      String(c.after.sessionBytes ?? '–'),
    ]);
  }
  out.push(table(rows));
  for (const c of cases) if (c.firstFailure) out.push(`  first failure of ${c.name}: ${c.firstFailure}`);
  return out.join('\n');
}
