import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { consumer, run } from './consumer.js';

const { app } = consumer();

/** A few exports each package must have, as its README shows them. */
const EXPECTED: Record<string, string[]> = {
  '@passport-idv/core': ['MemoryStore', 'StoreError', 'SessionRequiredError', 'safeReturnTo', 'failClosedSession'],
  '@passport-idv/core/internal': ['providerRequest', 'storeCall', 'runVerify', 'sessionOf', 'storeKey'],
  '@passport-idv/authenteq': [
    'AuthenteqStrategy',
    'AuthenteqClient',
    'checkPolicy',
    'AuthenteqWebIdvClient',
    'AuthenteqWebIdvStrategy',
    'authenteqWebhook',
  ],
  '@passport-idv/face-login': ['AliceClient', 'FaceLoginStrategy', 'requireFaceLogin', 'reviewEnrollment'],
  '@passport-idv/ephemeral-session': ['ephemeralSession', 'IdvClient', 'buildHandoffUrl'],
  '@passport-idv/redis': ['RedisStore'],
  '@passport-idv/sandbox': ['startSandbox', 'sandboxMedia'],
};

const print = 'console.log(JSON.stringify(Object.keys(m).sort()))';

describe.each(Object.entries(EXPECTED))('%s in a fresh app', (name, exports) => {
  test('ESM import', async () => {
    const result = await run('node', ['--input-type=module', '-e', `const m = await import('${name}'); ${print}`], app);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(expect.arrayContaining(exports));
  });

  test('CommonJS require(), the same exports, no warning', async () => {
    const esm = await run('node', ['--input-type=module', '-e', `const m = await import('${name}'); ${print}`], app);
    const cjs = await run('node', ['--input-type=commonjs', '-e', `const m = require('${name}'); ${print}`], app);
    expect(cjs.stderr).toBe('');
    expect(JSON.parse(cjs.stdout)).toEqual(JSON.parse(esm.stdout));
  });
});

test('the passport-idv-sandbox bin runs from node_modules/.bin and serves the emulators', async () => {
  const bin = join(app, 'node_modules/.bin/passport-idv-sandbox');
  const help = await run(bin, ['--help'], app);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Usage: passport-idv-sandbox');

  const child = spawn(bin, ['--port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited (${code}) before listening: ${output}`)));
    });
    const res = await fetch(`${url}/alice/onboarding/login_token`);
    expect(res.status).toBe(401); // no API key
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
