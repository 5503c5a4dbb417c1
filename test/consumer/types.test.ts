import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { consumer, run } from './consumer.js';

const { app } = consumer();

test('a strict TypeScript app written from the READMEs type-checks against the published types', async () => {
  // module nodenext, strict, skipLibCheck off: every .d.ts the packages ship is checked, with only @types/express,
  // @types/express-session, @types/passport and @types/node installed beside them. `readme/contracts.ts` expects
  // errors where the types must refuse something, so the check fails if a type loosens (a base class of `any`, say).
  const config = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8'));
  expect(config.compilerOptions).toMatchObject({ module: 'nodenext', strict: true, skipLibCheck: false });
  const result = await run(join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app);
  expect(result.stdout + result.stderr).toBe('');
  expect(result.code).toBe(0);
});
