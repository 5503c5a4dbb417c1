import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests run on the TypeScript sources of the packages; child processes (multi-instance, e2e) run the built `dist`.
const alias = Object.fromEntries(
  ['core', 'authenteq', 'face-login', 'ephemeral-session', 'redis', 'sandbox'].map((name) => [
    `@passport-idv/${name}`,
    pkg(name),
  ]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['packages/*/test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'examples/*/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'redis',
          include: ['test/redis/**/*.test.ts', 'test/multi-instance/**/*.test.ts'],
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'consumer',
          include: ['test/consumer/**/*.test.ts'],
          globalSetup: ['test/consumer/global-setup.ts'],
          hookTimeout: 300_000,
          testTimeout: 120_000,
        },
      },
    ],
  },
});
