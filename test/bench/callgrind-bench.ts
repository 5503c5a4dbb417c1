/**
 * `--callgrind`: instructions per sign-up flow, counted by valgrind's callgrind in each app process. Where the
 * hardware counters are not exposed (most VMs), this is the figure that does not move with the machine's load: the
 * same binary, inputs and JIT decisions execute the same instructions, whatever else runs.
 *
 * Each app runs under `valgrind --tool=callgrind` (about 100 times slower), serves `warmupFlows` flows until V8 has
 * finished optimizing it, has its counters zeroed (`callgrind_control -z`), serves `flows` more and has them dumped
 * (`callgrind_control -d`). With `--separate-threads=yes` the main thread (JavaScript) and V8's helper threads
 * (concurrent GC, the optimizing compiler) are counted apart. User-space instructions only: the kernel's share
 * (loopback TCP) is the "of which sys" column of the CPU table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Child } from './child.js';
import { CookieJar, runLoad } from './driver.js';
import { fixed, heading, ratio, table } from './report.js';
import type { SignupVariant } from './signup-apps.js';
import { signupFlow, startProvider, startSignupApp, verifySignup } from './signup-bench.js';

/** The settings of one `--callgrind` run. */
export interface CallgrindSettings {
  concurrency: number;
  /** Flows before counting: V8 optimizes these apps for about 12,000 flows. */
  warmupFlows: number;
  /** Flows counted. */
  flows: number;
  /** Apps counted at the same time (each valgrind takes one core). */
  parallel: number;
}

/** The instructions of one variant. */
export interface CallgrindFigures {
  variant: SignupVariant;
  skipped?: string;
  flows: number;
  failed: number;
  /** User-space instructions per flow: the main thread, and V8's helper threads. */
  main: number;
  helpers: number;
  minutes: number;
}

/** Whether valgrind and callgrind_control can run here. */
export function callgrindAvailable(): boolean {
  const ok = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  return ok('valgrind', ['--version']) && ok('callgrind_control', ['--version']);
}

function callgrindControl(option: '-z' | '-d', pid: number): void {
  const result = spawnSync('callgrind_control', [option, String(pid)], { stdio: 'ignore', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`callgrind_control ${option} failed for ${pid}`);
}

/** Reads the dumps of `prefix` (one file per thread: `prefix.<dump>-<thread>`); thread 01 is the main thread. */
function readDumps(dir: string, prefix: string): { main: number; helpers: number } {
  let main = 0;
  let helpers = 0;
  const dump = new RegExp(`^${prefix}\\.\\d+-(\\d+)$`);
  for (const name of readdirSync(dir)) {
    const match = dump.exec(name);
    if (!match) continue;
    const summary = /^summary: (\d+)/m.exec(readFileSync(path.join(dir, name), 'utf8'));
    const count = Number(summary?.[1] ?? 0);
    if (match[1] === '01') main += count;
    else helpers += count;
  }
  return { main, helpers };
}

async function countOne(
  variant: SignupVariant,
  providerURL: string,
  dir: string,
  settings: CallgrindSettings,
  log: (line: string) => void,
): Promise<CallgrindFigures> {
  const started = performance.now();
  const entry: CallgrindFigures = { variant, flows: 0, failed: 0, main: Number.NaN, helpers: Number.NaN, minutes: 0 };
  let app: { child: Child; url: string } | undefined;
  try {
    app = await startSignupApp({ kind: 'signup', variant, providerURL: `${providerURL}/v/${variant}` }, [], {
      command: 'valgrind',
      args: [
        '--tool=callgrind',
        '--separate-threads=yes',
        '--dump-instr=no',
        `--callgrind-out-file=${path.join(dir, variant)}`,
        '--log-file=/dev/null',
      ],
    });
    const pid = app.child.pid;
    if (pid === undefined) throw new Error('no process id');
    const verified = await verifySignup(app.url, variant);
    if (verified !== true) throw new Error(`verification failed: ${verified}`);
    const url = app.url;
    const jars = Array.from({ length: settings.concurrency }, () => new CookieJar());
    const load = (total: number) =>
      runLoad({ concurrency: settings.concurrency, total, iteration: (vu) => signupFlow(url, jars[vu] as CookieJar) });
    const warm = await load(settings.warmupFlows);
    if (warm.failed > 0) throw new Error(`warm-up failed: ${warm.firstFailure}`);
    log(`  ${variant}: warmed up under callgrind (${warm.ok} flows)`);
    callgrindControl('-z', pid);
    const counted = await load(settings.flows);
    callgrindControl('-d', pid);
    const { main, helpers } = readDumps(dir, variant);
    entry.flows = counted.ok;
    entry.failed = counted.failed;
    entry.main = counted.ok > 0 ? main / counted.ok : Number.NaN;
    entry.helpers = counted.ok > 0 ? helpers / counted.ok : Number.NaN;
  } catch (error) {
    entry.skipped = (error as Error).message;
  } finally {
    await app?.child.close();
  }
  entry.minutes = (performance.now() - started) / 60_000;
  log(`  ${variant}: ${entry.skipped ?? `${fixed(entry.main / 1e6, 3)} M instructions per flow on the main thread`}`);
  return entry;
}

/** Counts the instructions per flow of each variant, `settings.parallel` at a time. */
export async function runCallgrind(
  settings: CallgrindSettings,
  variants: readonly SignupVariant[],
  log: (line: string) => void,
): Promise<CallgrindFigures[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-callgrind-'));
  const provider = await startProvider();
  try {
    const queue = [...variants];
    const results: CallgrindFigures[] = [];
    const worker = async () => {
      for (let variant = queue.shift(); variant !== undefined; variant = queue.shift()) {
        results.push(await countOne(variant, provider.url, dir, settings, log));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, settings.parallel) }, worker));
    return variants.flatMap((variant) => results.find((r) => r.variant === variant) ?? []);
  } finally {
    await provider.child.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `--callgrind` table. */
export function callgrindTable(figures: readonly CallgrindFigures[], settings: CallgrindSettings): string {
  const total = (f: CallgrindFigures | undefined) => (f && !f.skipped ? f.main + f.helpers : Number.NaN);
  const main = (f: CallgrindFigures | undefined) => (f && !f.skipped ? f.main : Number.NaN);
  const peer = figures.find((f) => f.variant === 'passport-oauth2');
  const reference = figures.find((f) => f.variant === 'reference');
  const rows = [
    [
      'variant',
      'M instr/flow',
      'vs oauth2',
      'vs ref',
      'main thread',
      'vs oauth2',
      'vs ref',
      'helper threads',
      'flows counted',
      'failed',
      'minutes',
    ],
  ];
  for (const f of figures) {
    if (f.skipped) continue;
    rows.push([
      f.variant,
      fixed(total(f) / 1e6, 3),
      ratio(total(f), total(peer)),
      ratio(total(f), total(reference)),
      fixed(main(f) / 1e6, 3),
      ratio(main(f), main(peer)),
      ratio(main(f), main(reference)),
      fixed(f.helpers / 1e6, 3),
      String(f.flows),
      String(f.failed),
      fixed(f.minutes, 1),
    ]);
  }
  return [
    heading('1c. Sign-up flow: instructions per flow (valgrind callgrind)'),
    `Each app under callgrind, ${settings.concurrency} virtual users: ${settings.warmupFlows.toLocaleString('en')} flows of warm-up (until V8 has`,
    `optimized it), then the instructions of ${settings.flows.toLocaleString('en')} flows, user space, per flow; main thread = JavaScript,`,
    "helper threads = V8's concurrent GC and compiler. The machine's load does not move the count, but V8's background",
    'compiler still does a little: compare more than one run (README: 0.6% and 8% apart for two variants).',
    '',
    table(rows),
    ...figures.filter((f) => f.skipped).map((f) => `  ${f.variant}: not counted (${f.skipped})`),
  ].join('\n');
}
