import { MemoryStore } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHENTEQ_CALLBACK_URL, authenteqApp, startSignup } from '../../../test/support/authenteq-app.js';
import { browserOn, localPath } from '../../../test/support/browser.js';
import { captureDebug } from '../../../test/support/debug.js';

const debugLines = captureDebug();

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] } });
});
afterAll(() => sandbox.close());

describe('nothing secret leaks', () => {
  it('no client secret, token, code or state in any response or debug line, across success and failures', async () => {
    const seen: string[] = [];
    const record = (res: { status: number; headers: Record<string, unknown>; text?: string }) => {
      seen.push(JSON.stringify(res.headers), res.text ?? '');
      return res;
    };
    const secrets: string[] = [sandbox.authenteq.clientSecret];
    const TOKEN = 'tok_known_0123456789abcdefghijklmnop';
    for (const store of [undefined, new MemoryStore({ clock: sandbox.clock })]) {
      const { app } = authenteqApp(sandbox, { store });
      const impatient = authenteqApp(sandbox, { store, timeout: 300 }).app;

      // success, with a token value we know: the token endpoint answers it, the details endpoint a documented body
      const agent = browserOn(app);
      const authorize = await startSignup(agent);
      const callback = await sandbox.authenteq.complete(authorize, 'adult');
      const url = new URL(callback);
      secrets.push(url.searchParams.get('code')!, url.searchParams.get('state')!);
      const adult = sandbox.authenteq.identities.find((identity) => identity.id === 'adult')!.details;
      sandbox.faults.inject('authenteq.token', { body: { token: TOKEN }, times: 1 });
      sandbox.faults.inject('authenteq.details', { body: { croppedDocs: {}, details: adult }, times: 1 });
      expect(record(await agent.get(localPath(callback))).status).toBe(200);
      record(await agent.get('/me'));

      // replay, upstream failures, a timeout and a policy refusal
      record(await agent.get(localPath(callback)));
      for (const fault of [{ status: 500 }, { malformed: true }, { hang: true }]) {
        const other = browserOn('hang' in fault ? impatient : app);
        const failing = await sandbox.authenteq.complete(await startSignup(other), 'adult');
        const failingURL = new URL(failing);
        secrets.push(failingURL.searchParams.get('code')!, failingURL.searchParams.get('state')!);
        sandbox.faults.inject('authenteq.token', { ...fault, times: 1 });
        record(await other.get(localPath(failing)));
      }
      const expired = browserOn(app);
      const refused = await sandbox.authenteq.complete(await startSignup(expired), 'expired');
      secrets.push(new URL(refused).searchParams.get('code')!);
      record(await expired.get(localPath(refused)));
    }
    secrets.push(TOKEN);
    expect(debugLines.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      for (const text of [...seen, ...debugLines]) expect(text).not.toContain(secret);
    }
  });
});
