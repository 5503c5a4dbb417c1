import { describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

const credentials = (sandbox: Sandbox) => ({
  authenteq: [sandbox.authenteq.clientID, sandbox.authenteq.clientSecret],
  webIdv: [sandbox.authenteqWebIdv.clientID, sandbox.authenteqWebIdv.clientSecret],
  idv: sandbox.idv.apiKey,
});

describe('startSandbox({ seed })', () => {
  it('gives the same credentials on every start with the same seed, and others with another', async () => {
    const sandboxes = await Promise.all([
      startSandbox({ seed: 'dev' }),
      startSandbox({ seed: 'dev' }),
      startSandbox({ seed: 'ci' }),
      startSandbox(),
    ]);
    try {
      const [first, second, other, random] = sandboxes.map(credentials);
      expect(second).toEqual(first);
      expect(first!.authenteq[0]).toMatch(/^sandbox-client-[0-9a-f]{8}$/);
      expect(first!.authenteq[1]!.length).toBeGreaterThanOrEqual(32);
      expect(first!.webIdv[1]).not.toBe(first!.authenteq[1]);
      for (const candidate of [other, random]) {
        expect(candidate!.authenteq[1]).not.toBe(first!.authenteq[1]);
        expect(candidate!.webIdv[1]).not.toBe(first!.webIdv[1]);
        expect(candidate!.idv).not.toBe(first!.idv);
      }
    } finally {
      await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
    }
  });

  it('lets credentials given explicitly win over the seed', async () => {
    const sandbox = await startSandbox({ seed: 'dev', authenteqWebIdv: { clientSecret: 'explicit' } });
    try {
      expect(sandbox.authenteqWebIdv.clientSecret).toBe('explicit');
      expect(sandbox.authenteqWebIdv.clientID).toMatch(/^sandbox-web-idv-/);
    } finally {
      await sandbox.close();
    }
  });
});
