/**
 * Instructions retired by a process's main thread, counted by Linux `perf stat -t` attached to it (helper threads,
 * whose work swings with the machine's load, are left out). Unlike CPU time, the count
 * hardly moves when other work shares the machine, so it compares variants well on a busy box. Optional: where
 * `perf` or the hardware counters are missing, {@link perfAvailable} says so and the column stays empty.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** Instructions counted in user space and in the kernel. */
export interface Instructions {
  user: number;
  kernel: number;
}

function parse(output: string): Instructions | undefined {
  const read = (event: string) => {
    const line = output.split('\n').find((l) => l.split(',')[2] === event);
    const value = Number(line?.split(',')[0]);
    return Number.isFinite(value) ? value : undefined;
  };
  const user = read('instructions:u');
  const kernel = read('instructions:k');
  return user === undefined || kernel === undefined ? undefined : { user, kernel };
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
  available ??= perfStat(['--', 'true']).output.then((text) => parse(text) !== undefined);
  return available;
}

/** A running count of one process's instructions. */
export class InstructionCounter {
  readonly #process: ChildProcess;
  readonly #output: Promise<string>;

  private constructor(run: { process: ChildProcess; output: Promise<string> }) {
    this.#process = run.process;
    this.#output = run.output;
  }

  /** Attaches to the main thread of `pid`; resolves once `perf` has had time to attach, or to `undefined` without `perf`. */
  static async attach(pid: number | undefined): Promise<InstructionCounter | undefined> {
    if (pid === undefined || !(await perfAvailable())) return undefined;
    const counter = new InstructionCounter(perfStat(['-t', String(pid)]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    return counter;
  }

  /** Stops counting and returns the counts (`undefined` if `perf` failed). */
  async stop(): Promise<Instructions | undefined> {
    this.#process.kill('SIGINT');
    return parse(await this.#output);
  }
}
