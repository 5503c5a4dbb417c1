import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests run on the TypeScript sources of the packages; child processes (multi-instance, e2e) run the built `dist`.
const alias = [
  { find: /^@passport-idv\/core\/internal$/, replacement: src('core/src/internal.ts') },
  ...['core', 'authenteq', 'face-login', 'ephemeral-session', 'redis', 'sandbox'].map((name) => ({
    find: new RegExp(`^@passport-idv/${name}$`),
    replacement: src(`${name}/src/index.ts`),
  })),
];

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
          globalSetup: ['test/redis/cluster-setup.ts'],
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
