import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InstanceConfig } from './instance.js';

const root = new URL('../../', import.meta.url);
/** The compiled instance entry (`npm run build` compiles `test/` with `tsconfig.build.json`). */
const script = new URL('test/dist/multi-instance/instance.js', root);

/** A running instance: its URL, and how to stop it. */
export interface ForkedInstance {
  url: string;
  /** Stops the process and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Throws unless the instance entry and the packages it runs are built: a child process runs the compiled `dist`, not
 * the TypeScript the test process runs. (Whether the build is current is `npm run test:redis`'s business: it builds
 * first, and turbo knows better than file times.)
 */
export function assertBuilt(): void {
  const outputs = [script];
  for (const pkg of ['core', 'authenteq', 'face-login', 'ephemeral-session', 'redis']) {
    outputs.push(new URL(`packages/${pkg}/dist/index.js`, root));
  }
  outputs.push(new URL('examples/redis-setup/dist/index.js', root));
  for (const output of outputs) {
    if (!existsSync(output)) {
      throw new Error(
        `${fileURLToPath(output)} is missing: run \`npm run build\` first (\`npm run test:redis\` does).`,
      );
    }
  }
}

/**
 * Forks one app instance (see `instance.ts`) and resolves once it listens.
 *
 * @example
 * ```ts
 * const a = await forkInstance({ name: 'A', sessionSecret, redis: { url }, app, ...providers });
 * await fetch(`${a.url}/me`);
 * await a.close();
 * ```
 */
export function forkInstance(config: InstanceConfig): Promise<ForkedInstance> {
  const child = fork(script, [], {
    env: { ...process.env, PASSPORT_IDV_INSTANCE: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.send({ type: 'exit' });
      else child.kill();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`instance ${config.name} did not start within 15 s`));
    }, 15_000);
    child.on('message', (message: { type?: string; url?: string; message?: string }) => {
      if (message.type === 'ready' && typeof message.url === 'string') {
        clearTimeout(timer);
        resolve({ url: message.url, close });
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`instance ${config.name} failed to start: ${message.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${config.name} exited (${code}) before it was ready`));
    });
  });
}
