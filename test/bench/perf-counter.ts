/**
 * Instructions retired by a process, counted by Linux `perf stat --per-thread` attached to it: the main thread (the
 * steady figure: helper threads' work swings with the machine's load) and all threads together. Unlike CPU time, the count
 * hardly moves when other work shares the machine, so it compares variants well on a busy box. Optional: where
 * `perf` or the hardware counters are missing, {@link perfAvailable} says so and the column stays empty.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** Instructions counted in user space and in the kernel, on the main thread and on all threads together. */
export interface Instructions {
  user: number;
  kernel: number;
  /** All threads (V8's GC and compiler helpers included). */
  allUser: number;
  allKernel: number;
}

/**
 * Reads `perf stat -x, [--per-thread]` output: lines `count,,event,...` or, per thread, `comm-tid,count,,event,...`.
 * `mainTid` picks the main thread's line; without per-thread lines, the one line counts for both.
 */
function parse(output: string, mainTid?: number): Instructions | undefined {
  const totals = { main: { u: 0, k: 0 }, all: { u: 0, k: 0 } };
  let seen = false;
  for (const line of output.split('\n')) {
    const fields = line.split(',');
    const perThread = fields.length > 4 && /-\d+$/.test(fields[0] ?? '');
    const [count, event] = perThread ? [fields[1], fields[3]] : [fields[0], fields[2]];
    const kind = event === 'instructions:u' ? 'u' : event === 'instructions:k' ? 'k' : undefined;
    const value = Number(count);
    if (kind === undefined || !Number.isFinite(value)) continue;
    seen = true;
    totals.all[kind] += value;
    const tid = perThread ? Number((fields[0] ?? '').slice((fields[0] ?? '').lastIndexOf('-') + 1)) : mainTid;
    if (tid === mainTid) totals.main[kind] += value;
  }
  if (!seen) return undefined;
  return { user: totals.main.u, kernel: totals.main.k, allUser: totals.all.u, allKernel: totals.all.k };
}

function perfStat(args: string[]): { process: ChildProcess; output: Promise<string> } {
  const child = spawn('perf', ['stat', '-x', ',', '-e', 'instructions:u,instructions:k', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const output = new Promise<string>((resolve) => {
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.on('error', () => resolve(''));
    child.on('close', () => resolve(text));
  });
  return { process: child, output };
}

let available: Promise<boolean> | undefined;

/** Whether `perf stat` can count instructions here (probed once). */
export function perfAvailable(): Promise<boolean> {
  available ??= perfStat(['--', 'true']).output.then((text) => parse(text, 0) !== undefined);
  return available;
}

/** A running count of one process's instructions. */
export class InstructionCounter {
  readonly #process: ChildProcess;
  readonly #output: Promise<string>;
  readonly #pid: number;

  private constructor(run: { process: ChildProcess; output: Promise<string> }, pid: number) {
    this.#process = run.process;
    this.#output = run.output;
    this.#pid = pid;
  }

  /** Attaches to `pid` (every thread, counted apart); resolves once `perf` has had time to attach, or to `undefined` without `perf`. */
  static async attach(pid: number | undefined): Promise<InstructionCounter | undefined> {
    if (pid === undefined || !(await perfAvailable())) return undefined;
    const counter = new InstructionCounter(perfStat(['--per-thread', '-p', String(pid)]), pid);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return counter;
  }

  /** Stops counting and returns the counts (`undefined` if `perf` failed). */
  async stop(): Promise<Instructions | undefined> {
    this.#process.kill('SIGINT');
    return parse(await this.#output, this.#pid);
  }
}
