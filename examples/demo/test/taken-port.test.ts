import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every server a newcomer starts (`npm start`, or one example alone) answers a taken port with one line naming the
// port and the variable to set, prints no "ready" banner and exits 1. Runs the built servers (`npm test` builds).
const script = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const EXAMPLES = {
  'face login': script('face-login/dist/server.js'),
  'sign-up': script('signup-verified-id/dist/server.js'),
  'phone handoff': script('mobile-handoff/dist/server.js'),
};
const DEMO = script('demo/dist/start.js');

let taken: Server;
let port: number;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

/** Runs `file` with `env` (the sandbox, never a real provider or a Redis); its exit code and what it printed. */
function run(file: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of Object.keys(childEnv)) {
    if (/^(ALICE|IDV|AUTHENTEQ|REDIS)_/.test(name)) delete childEnv[name];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    // A server that started despite the taken port would run for ever: the test's timeout then fails it.
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe.each(Object.entries(EXAMPLES))('the %s example alone', (_name, file) => {
  it('names its taken PORT in one line, prints no banner and exits 1', async () => {
    const result = await run(file, { PORT: String(port), SANDBOX_PORT: '0' });
    expect(result).toEqual({ code: 1, out: '', err: `Port ${port} is in use: set PORT to another one.\n` });
  });

  it('names its taken SANDBOX_PORT the same way', async () => {
    const result = await run(file, { PORT: '0', SANDBOX_PORT: String(port) });
    expect(result).toEqual({ code: 1, out: '', err: `Port ${port} is in use: set SANDBOX_PORT to another one.\n` });
  });
});

describe('npm start (the demo)', () => {
  const free = { PORT: '0', SANDBOX_PORT: '0', SIGNUP_PORT: '0', FACE_PORT: '0', HANDOFF_PORT: '0' };

  it.each([
    ['PORT', 'landing page'],
    ['SANDBOX_PORT', 'provider sandbox'],
    ['FACE_PORT', 'face-login app'],
  ])('names a taken %s in one line, prints no banner and exits 1', async (envVar, what) => {
    const result = await run(DEMO, { ...free, [envVar]: String(port) });
    expect(result).toEqual({
      code: 1,
      out: '',
      err: `Port ${port} (${what}) is already in use. Stop what is using it, or choose another port: ${envVar}=<port> npm start\n`,
    });
  });
});
