/** A forked process of the benchmark (the provider or an app) and its request/answer IPC. */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';

type Answer = { type: string } & Record<string, unknown>;

/** A child process answering typed IPC messages, one answer per question, in order. */
export class Child {
  readonly #process: ChildProcess;
  readonly #waiting: { type: string; resolve: (answer: Answer) => void; reject: (error: Error) => void }[] = [];
  #exited = false;

  private constructor(process: ChildProcess) {
    this.#process = process;
    process.on('message', (message: Answer) => {
      // A `failed` answer belongs to the oldest question.
      const index = message.type === 'failed' ? 0 : this.#waiting.findIndex((waiter) => waiter.type === message.type);
      if (index < 0 || this.#waiting.length === 0) return;
      const [waiter] = this.#waiting.splice(index, 1);
      if (message.type === 'failed') waiter?.reject(new Error(String(message.message)));
      else waiter?.resolve(message);
    });
    process.on('exit', (code) => {
      this.#exited = true;
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error(`the child exited (${code})`));
    });
  }

  /**
   * Forks `script` with `execArgv` and waits for its `ready` message (sending `init` first if given). With `wrapper`,
   * Node runs under that command (`valgrind --tool=callgrind …`): `wrapper.command wrapper.args… node execArgv… script`.
   */
  static async start(
    script: URL,
    execArgv: string[],
    init?: Record<string, unknown>,
    wrapper?: { command: string; args: string[] },
  ): Promise<{ child: Child; url: string }> {
    const options = wrapper
      ? { execPath: wrapper.command, execArgv: [...wrapper.args, process.execPath, ...execArgv] }
      : { execArgv };
    const child = new Child(fork(script, [], { ...options, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const ready = child.#wait('ready');
    if (init) child.#process.send({ type: 'init', spec: init });
    const answer = await ready;
    return { child, url: String(answer.url) };
  }

  #wait(type: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      if (this.#exited) reject(new Error('the child has exited'));
      else this.#waiting.push({ type, resolve, reject });
    });
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** Sends `{type}` and resolves to the child's answer of the same type. */
  ask<T extends Record<string, unknown>>(type: string): Promise<T & Answer> {
    const answer = this.#wait(type);
    this.#process.send({ type });
    return answer as Promise<T & Answer>;
  }

  /** CPU time used so far by the child (user + system) and the system part, in ms; its GCs so far. */
  async cpu(): Promise<{ total: number; system: number; gcMinor: number; gcMajor: number; gcMs: number }> {
    const answer = await this.ask<{ user: number; system: number; gcMinor: number; gcMajor: number; gcMs: number }>(
      'cpu',
    );
    const { user, system, gcMinor, gcMajor, gcMs } = answer;
    return { total: (user + system) / 1000, system: system / 1000, gcMinor, gcMajor, gcMs };
  }

  /**
   * CPU time used so far by the child's main thread (the JavaScript thread), in ms with ns precision, from Linux
   * `/proc/<pid>/task/<pid>/schedstat`; `undefined` where that file does not exist. Unlike {@link cpu} it leaves out
   * V8's helper threads (parallel GC, JIT), whose share swings when other processes compete for the cores.
   */
  mainThreadMs(): number | undefined {
    const pid = this.#process.pid;
    if (pid === undefined) return undefined;
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
      return Number.isFinite(ns) ? ns / 1e6 : undefined;
    } catch {
      return undefined;
    }
  }

  /** CPU time (user + system) used so far by the child, in ms. */
  async cpuMs(): Promise<number> {
    return (await this.cpu()).total;
  }

  /** Asks the child to exit and waits for it. */
  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#process.once('exit', () => resolve()));
    this.#process.send({ type: 'exit' });
    const timer = setTimeout(() => this.#process.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
