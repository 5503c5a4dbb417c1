import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { consumer, run } from './consumer.js';

const { app } = consumer();

interface SignUp {
  express: string;
  start: { status: number; toSandbox: boolean };
  callback: { status: number; location: string | null };
  account: { status: number; body: { user: { name?: string } | null } };
  upstream: { token: number; details: number };
  error?: string;
}

/** `app/signup-flow.mjs`: the sandbox from its tarball, the app, and a browser's sign-up, reported as JSON. */
async function signUp(which: 'express4' | 'nest'): Promise<SignUp> {
  const result = await run('node', ['signup-flow.mjs', which], app, 60_000);
  expect(result.stderr).toBe('');
  const outcome = JSON.parse(result.stdout) as SignUp;
  expect(outcome.error).toBeUndefined();
  return outcome;
}

beforeAll(async () => {
  const result = await run(join(app, 'node_modules/.bin/tsc'), ['-p', 'nest/tsconfig.json'], app);
  expect(result.stdout + result.stderr).toBe('');
});

/** Redirected to the sandbox, back to `location`, logged in as the adult test identity, one exchange, one read. */
function expectSignedUp(outcome: SignUp, location: string): void {
  expect(outcome).toMatchObject({
    start: { status: 302, toSandbox: true },
    callback: { status: 302, location },
    account: { status: 200, body: { user: { name: 'ANNA MARIA SCHMIDT' } } },
    upstream: { token: 1, details: 1 },
  });
}

test('an Express 4 app in CommonJS completes a sign-up against the sandbox, and honours returnTo', async () => {
  const outcome = await signUp('express4');
  expect(outcome.express).toMatch(/^4\./);
  expectSignedUp(outcome, '/account?from=signup');
});

test('a NestJS app with PassportStrategy(AuthenteqStrategy, "authenteq") completes a sign-up against the sandbox', async () => {
  expectSignedUp(await signUp('nest'), '/account');
});
