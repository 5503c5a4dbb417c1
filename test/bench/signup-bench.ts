/**
 * Section 1: the sign-up flow (start → provider redirect → callback with code → logged in, session id changed) for
 * every variant in its own process against one local provider process; runs alternated, CPU read from each app
 * process over IPC.
 */
import { Child } from './child.js';
import { CookieJar, type LoadResult, request, runLoad } from './driver.js';
import { InstructionCounter, type Instructions } from './perf-counter.js';
import { fixed, heading, percentile, ratio, table } from './report.js';
import { SIGNUP_VARIANTS, type SignupAppSpec, type SignupVariant } from './signup-apps.js';

/** The settings of one sign-up run. */
export interface SignupSettings {
  concurrency: number;
  /**
   * Flows each app serves before it is measured. Counted, not timed: V8 keeps optimizing these apps' functions for
   * about 12,000 flows (`--trace-opt`), and that compiling is a one-time cost that must not land in the per-flow
   * figures of whichever variant the machine happened to run slower.
   */
  warmupFlows: number;
  windowMs: number;
  rounds: number;
}

/** The figures of one variant, summed over its windows. */
export interface SignupFigures {
  variant: SignupVariant;
  /** Why the variant did not run, if it did not. */
  skipped?: string;
  ok: number;
  failed: number;
  elapsedMs: number;
  cpuMs: number;
  /** The kernel's part of `cpuMs` (mostly loopback TCP). */
  systemMs: number;
  /** Garbage collections in the measured windows: scavenges, the others, total pause ms. */
  gc: { minor: number; major: number; ms: number };
  latencies: number[];
  /**
   * CPU ms per flow and flows per second of each round: the table prints their medians (robust to a busy machine).
   * `round` is the round's number, which pairs a variant's window with the other variants' windows of that round.
   */
  rounds: { round: number; cpuPerFlow: number; mainPerFlow?: number; rate: number }[];
  /** Provider connections the app opened and token/details calls it made, over the whole run (warm-up included). */
  provider?: { connections: number; calls: number };
  /** Instructions retired by the app process over all measured rounds (Linux `perf`), if available. */
  instructions?: Instructions;
  firstFailure?: string;
}

const APP_SCRIPT = new URL('./app-child.js', import.meta.url);
const PROVIDER_SCRIPT = new URL('./provider-server.js', import.meta.url);
/** The profile id each variant must log in with: Web IDV's document type is `PP`, Web KYC's the documented code. */
const expectedUserId = (variant: SignupVariant) =>
  variant === 'authenteq-web-idv' ? 'DEU:PP:8136431812' : 'DEU:FG617451:8136431812';

/** Starts the local provider process. */
export function startProvider(): Promise<{ child: Child; url: string }> {
  return Child.start(PROVIDER_SCRIPT, []);
}

/** Starts one sign-up app process; `execArgv` adds Node options; `wrapper` runs it under e.g. valgrind. */
export function startSignupApp(
  spec: SignupAppSpec,
  execArgv: string[] = [],
  wrapper?: { command: string; args: string[] },
): Promise<{ child: Child; url: string }> {
  return Child.start(APP_SCRIPT, ['--expose-gc', ...execArgv], { ...spec }, wrapper);
}

/**
 * One whole sign-up by a new visitor; `true`, or what went wrong. The same three requests for both Authenteq
 * generations: Web KYC's authorize redirect, or Web IDV's verification URL, answers 302 to the callback with a code.
 */
export async function signupFlow(appURL: string, jar: CookieJar): Promise<true | string> {
  jar.clear();
  const start = await request(`${appURL}/auth/start`, { jar });
  if (start.status !== 302 || start.location === undefined) return `start answered ${start.status}`;
  const before = jar.get('sid');
  const authorize = await request(start.location);
  if (authorize.status !== 302 || authorize.location === undefined) return `authorize answered ${authorize.status}`;
  const callback = await request(authorize.location, { jar });
  if (callback.status !== 302 || callback.location !== '/me') {
    return `callback answered ${callback.status} → ${callback.location}`;
  }
  const after = jar.get('sid');
  if (after === undefined || after === before) return 'the session id did not change';
  return true;
}

/** One flow, then `/me`: the user must be logged in with the expected profile id. */
export async function verifySignup(appURL: string, variant: SignupVariant): Promise<true | string> {
  const jar = new CookieJar();
  const outcome = await signupFlow(appURL, jar);
  if (outcome !== true) return outcome;
  const me = await request(`${appURL}/me`, { jar });
  if (me.status !== 200) return `/me answered ${me.status}`;
  const user = JSON.parse(me.body) as { id?: unknown };
  return user.id === expectedUserId(variant) ? true : `/me returned ${me.body}`;
}

function load(
  appURL: string,
  settings: SignupSettings,
  limit: { durationMs: number } | { total: number },
): Promise<LoadResult> {
  const jars = Array.from({ length: settings.concurrency }, () => new CookieJar());
  return runLoad({
    concurrency: settings.concurrency,
    ...limit,
    iteration: (vu) => signupFlow(appURL, jars[vu] ?? new CookieJar()),
  });
}

/** Runs section 1 and returns its figures. */
export async function runSignup(
  settings: SignupSettings,
  variants: readonly SignupVariant[],
  log: (line: string) => void,
): Promise<SignupFigures[]> {
  const provider = await startProvider();
  const apps = new Map<SignupVariant, { child: Child; url: string }>();
  const figures = new Map<SignupVariant, SignupFigures>();
  try {
    for (const variant of variants) {
      const entry: SignupFigures = {
        variant,
        ok: 0,
        failed: 0,
        elapsedMs: 0,
        cpuMs: 0,
        systemMs: 0,
        gc: { minor: 0, major: 0, ms: 0 },
        latencies: [],
        rounds: [],
      };
      figures.set(variant, entry);
      try {
        const app = await startSignupApp({ kind: 'signup', variant, providerURL: `${provider.url}/v/${variant}` });
        apps.set(variant, app);
        const verified = await verifySignup(app.url, variant);
        if (verified !== true) {
          entry.skipped = `verification failed: ${verified}`;
          apps.delete(variant);
          await app.child.close();
        }
      } catch (error) {
        entry.skipped = (error as Error).message;
      }
      if (entry.skipped) log(`  ${variant}: skipped (${entry.skipped})`);
    }
    const running = variants.filter((variant) => apps.has(variant));
    for (const variant of running) {
      const app = apps.get(variant);
      if (app) await load(app.url, settings, { total: settings.warmupFlows });
    }
    log(`  warmed up ${running.join(', ')}; ${settings.rounds} rounds of ${settings.windowMs} ms per variant`);
    // Each app is idle outside its own windows, so one count over all rounds is the count of its flows.
    const counters = new Map<SignupVariant, InstructionCounter>();
    for (const variant of running) {
      const counter = await InstructionCounter.attach(apps.get(variant)?.child.pid);
      if (counter) counters.set(variant, counter);
    }
    for (let round = 0; round < settings.rounds; round++) {
      // Alternate: each round starts with the next variant, so none always runs first or last.
      const order = running.map((_, i) => running[(i + round) % running.length] as SignupVariant);
      for (const variant of order) {
        const app = apps.get(variant);
        const entry = figures.get(variant);
        if (!app || !entry) continue;
        const cpuBefore = await app.child.cpu();
        const mainBefore = app.child.mainThreadMs();
        const result = await load(app.url, settings, { durationMs: settings.windowMs });
        const mainAfter = app.child.mainThreadMs();
        const cpuAfter = await app.child.cpu();
        entry.cpuMs += cpuAfter.total - cpuBefore.total;
        entry.systemMs += cpuAfter.system - cpuBefore.system;
        entry.gc.minor += cpuAfter.gcMinor - cpuBefore.gcMinor;
        entry.gc.major += cpuAfter.gcMajor - cpuBefore.gcMajor;
        entry.gc.ms += cpuAfter.gcMs - cpuBefore.gcMs;
        if (result.ok > 0) {
          entry.rounds.push({
            round,
            cpuPerFlow: (cpuAfter.total - cpuBefore.total) / result.ok,
            ...(mainBefore !== undefined && mainAfter !== undefined
              ? { mainPerFlow: (mainAfter - mainBefore) / result.ok }
              : {}),
            rate: (result.ok / result.elapsedMs) * 1000,
          });
        }
        entry.ok += result.ok;
        entry.failed += result.failed;
        entry.elapsedMs += result.elapsedMs;
        entry.latencies.push(...result.latencies);
        entry.firstFailure ??= result.firstFailure;
      }
    }
    const { clients } = await provider.child.ask<{ clients: Record<string, { connections: number; calls: number }> }>(
      'stats',
    );
    for (const [variant, client] of Object.entries(clients)) {
      const entry = figures.get(variant as SignupVariant);
      if (entry) entry.provider = client;
    }
    for (const [variant, counter] of counters) {
      const entry = figures.get(variant);
      const counted = await counter.stop();
      if (entry && counted) entry.instructions = counted;
    }
  } finally {
    await Promise.all([...apps.values()].map((app) => app.child.close()));
    await provider.child.close();
  }
  return SIGNUP_VARIANTS.flatMap((variant) => figures.get(variant) ?? []);
}

/** The section 1 table. */
export function signupTable(figures: readonly SignupFigures[], settings: SignupSettings): string {
  /** The rounds' values of one figure (main-thread CPU is missing where /proc is). */
  const perRound = (f: SignupFigures | undefined, figure: 'cpuPerFlow' | 'mainPerFlow') =>
    f?.rounds.flatMap((r) => (r[figure] === undefined ? [] : [r[figure]])) ?? [];
  const cpuPerFlow = (f: SignupFigures | undefined) => percentile(perRound(f, 'cpuPerFlow'), 50);
  const mainPerFlow = (f: SignupFigures | undefined) => percentile(perRound(f, 'mainPerFlow'), 50);
  const rate = (f: SignupFigures | undefined) => percentile(f?.rounds.map((r) => r.rate) ?? [], 50);
  const spread = (f: SignupFigures, figure: 'cpuPerFlow' | 'mainPerFlow' = 'cpuPerFlow') => {
    const values = perRound(f, figure);
    return `${fixed(Math.min(...values), 2)}–${fixed(Math.max(...values), 2)}`;
  };
  const peer = figures.find((f) => f.variant === 'passport-oauth2');
  const reference = figures.find((f) => f.variant === 'reference');
  const webKyc = figures.find((f) => f.variant === 'authenteq');
  const rows = [
    [
      'variant',
      'flows/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/flow',
      'min–max',
      'of which sys',
      'CPU vs oauth2',
      'CPU vs Web KYC',
      'CPU vs ref',
      'flows/s vs oauth2',
      'flows',
      'failed',
      'provider conns/calls',
    ],
  ];
  for (const f of figures) {
    if (f.skipped) continue;
    rows.push([
      f.variant,
      fixed(rate(f), 0),
      fixed(percentile(f.latencies, 50), 2),
      fixed(percentile(f.latencies, 99), 2),
      fixed(cpuPerFlow(f), 3),
      spread(f),
      fixed(f.ok > 0 ? f.systemMs / f.ok : Number.NaN, 3),
      ratio(cpuPerFlow(f), cpuPerFlow(peer)),
      ratio(cpuPerFlow(f), cpuPerFlow(webKyc)),
      ratio(cpuPerFlow(f), cpuPerFlow(reference)),
      ratio(rate(f), rate(peer)),
      String(f.ok),
      String(f.failed),
      f.provider ? `${f.provider.connections}/${f.provider.calls}` : '–',
    ]);
  }
  const notes = [
    ...figures.filter((f) => f.skipped).map((f) => `  ${f.variant}: not measured (${f.skipped})`),
    ...figures.filter((f) => f.firstFailure).map((f) => `  first failure of ${f.variant}: ${f.firstFailure}`),
  ];
  const perFlow = (f: SignupFigures | undefined, part: 'user' | 'kernel' | 'total' | 'all') => {
    if (!f?.instructions || f.ok === 0) return Number.NaN;
    const { user, kernel, allUser, allKernel } = f.instructions;
    const count = { user, kernel, total: user + kernel, all: allUser + allKernel }[part];
    return count / f.ok / 1e6;
  };
  const withPassport = figures.find((f) => f.variant === 'reference-passport' && !f.skipped);
  const timed = figures.filter((f) => !f.skipped && perRound(f, 'mainPerFlow').length > 0);
  const mainRows = [
    [
      'variant',
      'main ms/flow',
      'min–max',
      'vs oauth2',
      'vs ref',
      ...(withPassport ? ['vs ref+Passport'] : []),
      'GCs/1k flows',
      'GC pause µs/flow',
    ],
    ...timed.map((f) => [
      f.variant,
      fixed(mainPerFlow(f), 3),
      spread(f, 'mainPerFlow'),
      ratio(mainPerFlow(f), mainPerFlow(peer)),
      ratio(mainPerFlow(f), mainPerFlow(reference)),
      ...(withPassport ? [ratio(mainPerFlow(f), mainPerFlow(withPassport))] : []),
      `${fixed(((f.gc.minor + f.gc.major) * 1000) / f.ok, 1)} (${fixed((f.gc.major * 1000) / f.ok, 2)} major)`,
      fixed((f.gc.ms * 1000) / f.ok, 1),
    ]),
  ];
  const main =
    timed.length === 0
      ? []
      : [
          '',
          "CPU time of the app's main thread (the JavaScript thread) per flow, from /proc/<pid>/task/<pid>/schedstat:",
          "the same work without V8's helper threads (parallel GC, JIT), whose share swings when the driver and the",
          'provider compete for the cores; steadier between runs than the process figure above. Medians of the rounds.',
          'GC: collections per 1,000 flows (of which mark-compact) and their pause per flow (perf_hooks), all rounds.',
          ...(withPassport
            ? [
                '"reference-passport" is the reference with passport.initialize(), passport.session() and req.logIn(): the',
                'floor for any Passport strategy in this app ("vs ref+Passport").',
              ]
            : []),
          '',
          table(mainRows),
        ];
  const paired = pairedTable(figures, peer, reference, webKyc);
  const counted = figures.filter((f) => !f.skipped && f.instructions);
  const instructionRows = [
    [
      'variant',
      'M instr/flow',
      'user',
      'kernel',
      'vs oauth2',
      'vs ref',
      'all threads',
      'all vs oauth2',
      'all vs ref',
      'GC/1k flows',
      'GC ms/flow',
    ],
    ...counted.map((f) => [
      f.variant,
      fixed(perFlow(f, 'total'), 2),
      fixed(perFlow(f, 'user'), 2),
      fixed(perFlow(f, 'kernel'), 2),
      ratio(perFlow(f, 'total'), perFlow(peer, 'total')),
      ratio(perFlow(f, 'total'), perFlow(reference, 'total')),
      fixed(perFlow(f, 'all'), 2),
      ratio(perFlow(f, 'all'), perFlow(peer, 'all')),
      ratio(perFlow(f, 'all'), perFlow(reference, 'all')),
      `${fixed(((f.gc.minor + f.gc.major) * 1000) / f.ok, 1)} (${fixed((f.gc.major * 1000) / f.ok, 1)} major)`,
      fixed(f.gc.ms / f.ok, 3),
    ]),
  ];
  const instructions =
    counted.length === 0
      ? ['', 'Instructions per flow: not counted (Linux `perf stat` with hardware counters is not available here).']
      : [
          '',
          "Instructions retired by the app's main thread per flow (Linux perf over all measured rounds; millions): steadier",
          'than CPU time when other work shares the machine (repeats within ~1% when quiet). "kernel": the syscalls the',
          'thread makes (mostly loopback TCP). "all threads" adds V8\'s helpers (parallel GC, JIT), noisier under load.',
          'GC: collections per 1,000 flows (of which mark-compact) and their pause per flow, from perf_hooks.',
          '',
          table(instructionRows),
        ];
  return [
    heading('1. Sign-up flow: start → provider → callback → logged in (session id changed)'),
    `${settings.concurrency} virtual users, ${settings.rounds} alternated rounds × ${settings.windowMs} ms per variant, after a warm-up of ${settings.warmupFlows.toLocaleString('en')} flows each (the JIT settled).`,
    'CPU = user + system time of the app process only, per completed flow: the median of the rounds (min–max beside it);',
    'flows/s: the median of the rounds. Lower CPU is better; ×1.00 = equal. "of which sys": kernel time (loopback TCP).',
    '"provider conns/calls": connections the app opened to the provider / token and details calls it made (keep-alive;',
    'Web IDV: its verification-url and verification-result calls). "CPU vs Web KYC": against "authenteq" (Web KYC) in',
    'this run; "authenteq-web-idv" is the Web IDV sign-up (AuthenteqWebIdvStrategy) against the same provider process.',
    '',
    table(rows),
    ...main,
    ...paired,
    ...instructions,
    ...notes,
  ].join('\n');
}

type RoundFigure = 'cpuPerFlow' | 'mainPerFlow';

/**
 * `f`'s figure divided by `base`'s in each round both ran: the two windows of a round are a few seconds apart, so a
 * slow drift of the machine's speed (other work on the host) moves both and leaves their ratio alone.
 */
export function pairedRatios(f: SignupFigures, base: SignupFigures, figure: RoundFigure): number[] {
  const baseByRound = new Map(base.rounds.map((r) => [r.round, r[figure]]));
  return f.rounds.flatMap((r) => {
    const a = r[figure];
    const b = baseByRound.get(r.round);
    return a !== undefined && b !== undefined && b > 0 ? [a / b] : [];
  });
}

/**
 * One-sided sign test: the probability of `k` or more of `n` rounds on one side of a line if each round were as likely
 * to fall on either side. Small (below 0.05) means the rounds lean that way by more than chance.
 */
export function signTest(k: number, n: number): number {
  let p = 0;
  let choose = 1; // n choose i, for i from 0 up
  for (let i = 0; i <= n; i++) {
    if (i >= k) p += choose / 2 ** n;
    choose = (choose * (n - i)) / (i + 1);
  }
  return p;
}

/** The paired-rounds table: each variant against passport-oauth2 and the reference, round by round. */
function pairedTable(
  figures: readonly SignupFigures[],
  peer: SignupFigures | undefined,
  reference: SignupFigures | undefined,
  webKyc: SignupFigures | undefined,
): string[] {
  if (!peer || peer.skipped || !reference || reference.skipped) return [];
  const cells = (f: SignupFigures, figure: RoundFigure) => {
    const toPeer = pairedRatios(f, peer, figure);
    const toReference = pairedRatios(f, reference, figure);
    if (toPeer.length === 0 || toReference.length === 0) return ['–', '–', '–', '–'];
    const lower = toPeer.filter((r) => r < 1).length;
    const within = toReference.filter((r) => r <= 1.05).length;
    return [
      `×${percentile(toPeer, 50).toFixed(2)}`,
      `${lower}/${toPeer.length} (p ${signTest(lower, toPeer.length).toFixed(3)})`,
      `×${percentile(toReference, 50).toFixed(2)}`,
      `${within}/${toReference.length} (p ${signTest(within, toReference.length).toFixed(3)})`,
    ];
  };
  /** Against Web KYC (`authenteq`), for the Web IDV variant: the paired median and the rounds below it. */
  const toWebKyc = (f: SignupFigures) => {
    const ratios = webKyc && !webKyc.skipped && f !== webKyc ? pairedRatios(f, webKyc, 'cpuPerFlow') : [];
    if (ratios.length === 0) return '–';
    const lower = ratios.filter((r) => r < 1).length;
    return `×${percentile(ratios, 50).toFixed(2)}, ${lower}/${ratios.length} below (p ${signTest(lower, ratios.length).toFixed(3)})`;
  };
  const rows = [
    [
      'variant',
      'CPU vs oauth2',
      'rounds below oauth2',
      'CPU vs ref',
      'rounds within ×1.05 of ref',
      'CPU vs Web KYC',
      'main vs oauth2',
      'rounds below oauth2',
      'main vs ref',
      'rounds within ×1.05 of ref',
    ],
    ...figures
      .filter((f) => !f.skipped && f !== peer && f !== reference)
      .map((f) => [f.variant, ...cells(f, 'cpuPerFlow'), toWebKyc(f), ...cells(f, 'mainPerFlow')]),
  ];
  return [
    '',
    "Paired rounds: in each round, a variant's CPU per flow divided by passport-oauth2's and by the reference's in that",
    'same round (windows seconds apart, so a drift of the machine moves both); the median of those ratios, and in how',
    'many rounds the variant was below passport-oauth2, or within ×1.05 of the reference. p: a one-sided sign test, the',
    'chance of that many rounds or more if each round could go either way (below 0.05: not chance). "CPU": the',
    'process; "main": its JavaScript thread. "CPU vs Web KYC": the same, against "authenteq" (and the rounds below it).',
    '',
    table(rows),
  ];
}
