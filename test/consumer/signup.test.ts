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

test('an Express 4 app in CommonJS completes a sign-up against the sandbox, and honours returnTo', async () => {
  const outcome = await signUp('express4');
  expect(outcome.express).toMatch(/^4\./);
  expect(outcome.start).toEqual({ status: 302, toSandbox: true });
  expect(outcome.callback).toEqual({ status: 302, location: '/account?from=signup' });
  expect(outcome.account).toEqual({
    status: 200,
    body: { user: expect.objectContaining({ name: 'ANNA MARIA SCHMIDT' }) },
  });
  expect(outcome.upstream).toEqual({ token: 1, details: 1 });
});

test('a NestJS app with PassportStrategy(AuthenteqStrategy, "authenteq") completes a sign-up against the sandbox', async () => {
  const outcome = await signUp('nest');
  expect(outcome.start).toEqual({ status: 302, toSandbox: true });
  expect(outcome.callback).toEqual({ status: 302, location: '/account' });
  expect(outcome.account).toEqual({
    status: 200,
    body: { user: expect.objectContaining({ name: 'ANNA MARIA SCHMIDT' }) },
  });
  expect(outcome.upstream).toEqual({ token: 1, details: 1 });
});
