import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { waitFor } from './wait.js';

/** `true` if a Redis on `port` answers PING within 500 ms. */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (data) => done(String(data).startsWith('+PONG')));
    socket.write('PING\r\n');
  });
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A `redis-server` this test owns, on its own port, without persistence: stopping it loses everything, as a crashed
 * Redis without persistence would, and starting it again on the same port lets clients reconnect.
 *
 * @example
 * ```ts
 * const redis = await OwnedRedis.start();
 * await redis.kill();   // clients now get connection refused
 * await redis.start();  // the same port, empty
 * await redis.kill();
 * ```
 */
export class OwnedRedis {
  readonly port: number;
  readonly #args: string[];
  #process: ChildProcess | undefined;

  private constructor(port: number, args: string[]) {
    this.port = port;
    this.#args = args;
  }

  /** Starts a Redis on a free port, with more `redis-server` arguments if given (`['--maxmemory-policy', …]`). */
  static async start(args: string[] = []): Promise<OwnedRedis> {
    const redis = new OwnedRedis(await freePort(), args);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on this port and resolves once it answers PING. */
  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.#args],
      { stdio: 'ignore' },
    );
    this.#process = child;
    let failure: Error | undefined;
    child.once('error', (error) => {
      failure = new Error(`redis-server could not start (is it on PATH?): ${error.message}`);
    });
    child.once('exit', (code) => {
      failure ??= new Error(`redis-server exited (${code}) on port ${this.port}`);
    });
    await waitFor(
      async () => {
        if (failure) throw failure;
        return ping(this.port);
      },
      { what: `redis-server on port ${this.port} to answer` },
    );
  }

  /** Kills it (SIGKILL, a crash) and resolves once the port refuses connections. */
  async kill(): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await waitFor(async () => !(await ping(this.port)), { what: `port ${this.port} to close` });
  }

  /** Freezes it (SIGSTOP): connections stay open, nothing answers. `resume()` undoes it. */
  pause(): void {
    this.#process?.kill('SIGSTOP');
  }

  resume(): void {
    this.#process?.kill('SIGCONT');
  }
}
