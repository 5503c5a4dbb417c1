/**
 * Section 4: memory after many abandoned sign-up starts and abandoned face-login attempts, each app in a fresh
 * process with `--expose-gc` (figures read after a full GC). The driver's virtual users keep their cookies, so the
 * figures show what our packages keep, not how many sessions express-session holds. Also: what one write costs a
 * core `MemoryStore` once it is full (the bound is enforced on the write path).
 */
import { MemoryStore } from '@passport-idv/core';
import { startSandbox } from '@passport-idv/sandbox';
import type { Child } from './child.js';
import { CookieJar, type LoadResult, request, runLoad } from './driver.js';
import { startFaceApp } from './face-bench.js';
import { fixed, heading, mib, table } from './report.js';
import { startProvider, startSignupApp } from './signup-bench.js';

/** The settings of section 4. */
export interface MemorySettings {
  concurrency: number;
  /** Abandoned starts and abandoned attempts with a MemoryStore, each. */
  total: number;
  /** Abandoned starts with the session as the state store (bounded per session, so fewer show it). */
  sessionTotal: number;
  /** `maxEntries` of the `MemoryStore`s (core's default is 100,000). */
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
  /** The bound on what this case keeps. */
  bound: string;
  done: number;
  failed: number;
  seconds: number;
  /** CPU of the app process per request, µs. */
  cpuMicros: number;
  before?: Snapshot;
  after?: Snapshot;
  skipped?: string;
  firstFailure?: string;
}

/** The cost of a `MemoryStore.add` below and at its bound, and on average over a whole turnover past it. */
export interface StoreWriteCost {
  entries: number;
  belowBoundMicros: number;
  atBoundMicros: number;
  pastBoundMicros: number;
}

export type MemoryFigures = { settings: MemorySettings; cases: MemoryCase[]; storeWrites: StoreWriteCost };

const WARMUP = 1_000;

async function measure(
  entry: MemoryCase,
  child: Child,
  settings: MemorySettings,
  total: number,
  iteration: (vu: number) => Promise<true | string>,
): Promise<void> {
  const warm = await runLoad({ concurrency: settings.concurrency, total: WARMUP, iteration });
  if (warm.ok === 0) throw new Error(warm.firstFailure ?? 'nothing succeeded');
  entry.before = await child.ask<Snapshot & Record<string, unknown>>('mem');
  const cpuBefore = await child.cpuMs();
  const result: LoadResult = await runLoad({ concurrency: settings.concurrency, total, iteration });
  entry.cpuMicros = (((await child.cpuMs()) - cpuBefore) * 1000) / Math.max(1, result.ok);
  entry.after = await child.ask<Snapshot & Record<string, unknown>>('mem');
  entry.done = result.ok;
  entry.failed = result.failed;
  entry.seconds = result.elapsedMs / 1000;
  entry.firstFailure = result.firstFailure;
}

function newCase(name: string, store: string, bound: string): MemoryCase {
  return { name, store, bound, done: 0, failed: 0, seconds: 0, cpuMicros: Number.NaN };
}

/**
 * Times `MemoryStore.add` on a store filled to half its bound, then the last writes that fit, then over as many
 * writes again as the bound (each refused with a StoreError: the store is full): a store kept full by a flood.
 */
export async function storeWriteCost(entries: number, writes = 300): Promise<StoreWriteCost> {
  const store = new MemoryStore({ maxEntries: entries });
  const value = { expiresAt: Date.now() + 600_000, binding: 'x'.repeat(43) };
  const time = async (prefix: string) => {
    const started = performance.now();
    for (let i = 0; i < writes; i++) await store.add(`${prefix}:${i}`, value, 600_000);
    return ((performance.now() - started) * 1000) / writes;
  };
  for (let i = 0; i < entries / 2; i++) await store.add(`fill:${i}`, value, 600_000);
  const belowBoundMicros = await time('below');
  // Up to `writes` short of the bound (the `below` writes are in it): `at` times the last writes that fit.
  for (let i = entries / 2; i < entries - 2 * writes; i++) await store.add(`fill:${i}`, value, 600_000);
  const atBoundMicros = await time('at');
  const started = performance.now();
  for (let i = 0; i < entries; i++) await store.add(`past:${i}`, value, 600_000).catch(() => false);
  const pastBoundMicros = ((performance.now() - started) * 1000) / entries;
  return { entries, belowBoundMicros, atBoundMicros, pastBoundMicros };
}

/** Runs section 4. */
export async function runMemory(settings: MemorySettings, log: (line: string) => void): Promise<MemoryFigures> {
  const cases: MemoryCase[] = [];
  const jars = Array.from({ length: settings.concurrency }, () => new CookieJar());
  const bound = settings.storeBound.toLocaleString('en');
  const provider = await startProvider();
  try {
    for (const stateStore of ['memory', 'session'] as const) {
      const entry =
        stateStore === 'memory'
          ? newCase('abandoned sign-up starts', `AuthenteqStrategy store: MemoryStore`, `${bound} entries`)
          : newCase('abandoned sign-up starts', 'AuthenteqStrategy default (session)', '10 states per session');
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
        const total = stateStore === 'memory' ? settings.total : settings.sessionTotal;
        await measure(entry, app.child, settings, total, async (vu) => {
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

  const entry = newCase('abandoned face-login attempts', 'FaceLoginStrategy store: MemoryStore', `${bound} entries`);
  cases.push(entry);
  const sandbox = await startSandbox();
  let app: { child: Child; url: string } | undefined;
  try {
    app = await startFaceApp(sandbox, settings.storeBound);
    const { url } = app;
    const users = jars.map((_, i) => sandbox.alice.enroll({ email: `memory${i}@example.com` }).userId);
    await measure(entry, app.child, settings, settings.total, async (vu) => {
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
  const storeWrites = await storeWriteCost(settings.storeBound);
  return { settings, cases, storeWrites };
}

/** The section 4 table. */
export function memoryTable(figures: MemoryFigures): string {
  const { settings, cases, storeWrites } = figures;
  const rows = [
    [
      'case',
      'state kept in',
      'bound',
      'done',
      'per s',
      'CPU µs/req',
      'RSS before → after',
      'heap before → after',
      'store entries',
      'sessions',
      'session bytes',
    ],
  ];
  const out = [
    heading('4. Memory after abandoned sign-up starts and face-login attempts'),
    `${settings.concurrency} virtual users that keep their cookies (a bot or an impatient user); figures after a full GC,`,
    `"before" after ${WARMUP} warm-up requests. MemoryStore bound = maxEntries (core's default: 100,000).`,
    '',
  ];
  for (const c of cases) {
    if (c.skipped || !c.before || !c.after) {
      rows.push([c.name, c.store, c.bound, `skipped: ${c.skipped ?? 'no figures'}`]);
      continue;
    }
    rows.push([
      c.name,
      c.store,
      c.bound,
      `${c.done}${c.failed ? ` (${c.failed} failed)` : ''}`,
      fixed(c.done / c.seconds, 0),
      fixed(c.cpuMicros, 0),
      `${mib(c.before.rss)} → ${mib(c.after.rss)}`,
      `${mib(c.before.heapUsed)} → ${mib(c.after.heapUsed)}`,
      c.after.storeEntries === undefined ? '–' : String(c.after.storeEntries),
      String(c.after.sessions ?? '–'),
      String(c.after.sessionBytes ?? '–'),
    ]);
  }
  out.push(table(rows));
  for (const c of cases) if (c.firstFailure) out.push(`  first failure of ${c.name}: ${c.firstFailure}`);
  out.push(
    '',
    `MemoryStore.add (maxEntries ${storeWrites.entries.toLocaleString('en')}, no entry expired): ` +
      `${fixed(storeWrites.belowBoundMicros, 2)} µs at half the bound, ${fixed(storeWrites.atBoundMicros, 2)} µs at the bound, ` +
      `${fixed(storeWrites.pastBoundMicros, 2)} µs on average over ${storeWrites.entries.toLocaleString('en')} more writes (each refused: full).`,
  );
  return out.join('\n');
}
