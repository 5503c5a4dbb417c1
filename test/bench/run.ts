/**
 * `npm run bench`: the project's benchmark, every figure from this one run on this machine.
 *
 *   node test/dist/bench/run.js [--quick] [--only signup,calls,face,guard,memory,redis] [--variants a,b] [--profile]
 *     [--keep-profiles DIR] [--rounds N] [--warmup FLOWS] [--express-classes] [--callgrind] [--json FILE]
 *
 * `--quick` is a short smoke run (figures are noisy); `--variants` picks sign-up variants (authenteq,
 * passport-oauth2, openid-client, reference, reference-passport, authenteq-alt); `--profile` profiles the sign-up
 * app of each variant (default: ours and the reference) after its warm-up and prints where its CPU time goes
 * instead of the tables (`--keep-profiles DIR` also keeps each `.cpuprofile` there, for Chrome DevTools);
 * `--rounds N` sets the sign-up section's alternated rounds (default 10), for tighter A/B comparisons;
 * `--warmup FLOWS` sets the sign-up flows each app serves before it is measured (default 15,000, until the JIT settles);
 * `--express-classes` runs every app without Express's per-request prototype change (see app-child.ts);
 * `--callgrind` counts the sign-up variants' instructions per flow under valgrind instead (callgrind-bench.ts; about
 * 25 minutes for the default four variants, two at a time).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type CallgrindFigures, callgrindAvailable, callgrindTable, runCallgrind } from './callgrind-bench.js';
import { type FaceFigures, faceTables, runFace } from './face-bench.js';
import { type MemoryFigures, memoryTable, runMemory } from './memory-bench.js';
import { runProfile } from './profile.js';
import { type CallFigures, providerCallTable, runProviderCalls } from './provider-call-bench.js';
import { type RedisFigures, redisTable, runRedisRoundTrips } from './redis-bench.js';
import { DEFAULT_SIGNUP_VARIANTS, SIGNUP_VARIANTS, type SignupVariant } from './signup-apps.js';
import { runSignup, type SignupFigures, signupTable } from './signup-bench.js';

const SECTIONS = ['signup', 'calls', 'face', 'guard', 'memory', 'redis'] as const;
type Section = (typeof SECTIONS)[number];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'keep-profiles': { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      'express-classes': { type: 'boolean', default: false },
      callgrind: { type: 'boolean', default: false },
      json: { type: 'string' },
      variants: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const only = new Set((values.only?.split(',') ?? SECTIONS).map((s) => s.trim()));
  for (const name of only) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only takes ${SECTIONS.join(', ')}`);
  }
  const wants = (section: Section) => only.has(section);
  const defaultVariants = values.profile
    ? ['authenteq', 'reference']
    : values.callgrind
      ? ['authenteq', 'passport-oauth2', 'reference', 'reference-passport']
      : DEFAULT_SIGNUP_VARIANTS;
  const variants = (values.variants?.split(',') ?? defaultVariants).map((v) => v.trim()) as SignupVariant[];
  for (const variant of variants) {
    if (!(SIGNUP_VARIANTS as readonly string[]).includes(variant)) {
      throw new Error(`--variants takes ${SIGNUP_VARIANTS.join(', ')}`);
    }
  }
  // Read by every app process this run forks (app-child.ts).
  if (values['express-classes']) process.env.BENCH_EXPRESS_CLASSES = '1';
  const print = (text: string) => process.stdout.write(`${text}\n`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const cpu = os.cpus()[0];
  const started = performance.now();
  print('passport-idv benchmark');
  print(`machine: ${cpu?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${mb(os.totalmem())} RAM`);
  print(
    `runtime: Node ${process.version} on ${os.platform()} ${os.release()}${quick ? ' — QUICK RUN: smoke only' : ''}`,
  );
  if (values['express-classes']) {
    print("apps: the server creates requests and responses with Express's own prototypes (--express-classes)");
  }

  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) throw new Error('--rounds takes a count');
  const warmup = values.warmup === undefined ? undefined : Number(values.warmup);
  if (warmup !== undefined && !(Number.isInteger(warmup) && warmup >= 0)) throw new Error('--warmup takes a count');
  const signupSettings = quick
    ? { concurrency: 8, warmupFlows: warmup ?? 300, windowMs: 500, rounds: rounds ?? 1 }
    : { concurrency: 8, warmupFlows: warmup ?? 15_000, windowMs: 800, rounds: rounds ?? 10 };
  const results: {
    signup?: SignupFigures[];
    calls?: CallFigures;
    face?: FaceFigures;
    memory?: MemoryFigures;
    redis?: RedisFigures;
    callgrind?: CallgrindFigures[];
  } = {};
  /** The closing line, and the figures as JSON if asked for. */
  const finish = () => {
    print(`\ntotal time ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (!values.json) return;
    const machine = { cpu: cpu?.model, cores: os.availableParallelism(), node: process.version };
    // Latency samples are left out: the percentiles are in the tables.
    const replacer = (key: string, value: unknown) => (key === 'latencies' ? undefined : value);
    writeFileSync(values.json, JSON.stringify({ machine, quick, ...results }, replacer, 2));
  };
  if (values.callgrind) {
    if (!callgrindAvailable()) throw new Error('--callgrind needs valgrind (Debian: apt-get install valgrind)');
    const settings = quick
      ? { concurrency: 8, warmupFlows: warmup ?? 200, flows: 100, parallel: 2 }
      : { concurrency: 8, warmupFlows: warmup ?? 12_000, flows: 2_000, parallel: 2 };
    log(`sign-up flow under callgrind (${variants.join(', ')}), ${settings.parallel} at a time…`);
    results.callgrind = await runCallgrind(settings, variants, log);
    print(callgrindTable(results.callgrind, settings));
    finish();
    return;
  }
  if (values.profile) {
    // `--only face` profiles the face-login app; otherwise the sign-up variants (and face too if named).
    const signupVariants = values.only === undefined || wants('signup') ? variants : [];
    print(
      await runProfile(
        { ...signupSettings, windowMs: quick ? 1_000 : 8_000 },
        signupVariants,
        wants('face') && values.only !== undefined,
        log,
        values['keep-profiles'],
      ),
    );
    return;
  }
  if (wants('signup')) {
    log('sign-up flow…');
    results.signup = await runSignup(signupSettings, variants, log);
    print(signupTable(results.signup, signupSettings));
  }
  if (wants('calls')) {
    log('provider calls…');
    const callSettings = quick
      ? { concurrency: 8, calls: 300, rounds: 1 }
      : { concurrency: 8, calls: 1_500, rounds: 4 };
    results.calls = await runProviderCalls(callSettings);
    print(providerCallTable(results.calls, callSettings));
  }
  if (wants('face') || wants('guard')) {
    log('face login…');
    const faceSettings = quick
      ? { concurrency: 8, warmupMs: 300, windowMs: 500, rounds: 1 }
      : { concurrency: 8, warmupMs: 1_500, windowMs: 800, rounds: 6 };
    results.face = await runFace(faceSettings, { face: wants('face'), guard: wants('guard') }, log);
    print(faceTables(results.face, faceSettings));
  }
  if (wants('memory')) {
    log('memory…');
    const settings = quick
      ? { concurrency: 16, total: 5_000, sessionTotal: 2_000, storeBound: 4_000 }
      : { concurrency: 16, total: 100_000, sessionTotal: 10_000, storeBound: 100_000 };
    results.memory = await runMemory(settings, log);
    print(memoryTable(results.memory));
  }
  if (wants('redis')) {
    log('Redis round trips…');
    results.redis = await runRedisRoundTrips(quick ? 3 : 11, log);
    print(redisTable(results.redis));
  }
  finish();
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024 / 1024)} GiB`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
