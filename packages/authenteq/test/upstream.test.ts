import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTHENTEQ_CALLBACK_URL, authenteqApp, startSignup } from '../../../test/support/authenteq-app.js';
import { type Browser, browserOn, localPath } from '../../../test/support/browser.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.faults.clear();
  sandbox.clock.reset();
});

const count = (route: string) => sandbox.requests.count({ route });

/** Starts a flow (provider calls time out after 5 s unless `strategy.timeout` says otherwise), completes the identity check as `adult`, returns the agent and the callback path. */
async function prepared(strategy = {}) {
  const agent = browserOn(authenteqApp(sandbox, { timeout: 5_000, ...strategy }).app);
  const callback = localPath(await sandbox.authenteq.complete(await startSignup(agent), 'adult'));
  return { agent, callback };
}

async function expectNobody(agent: Browser) {
  expect((await agent.get('/me')).body.user).toBeNull();
}

describe('token endpoint failures', () => {
  it('4xx (code already used) → failure, exactly one token call, no retry', async () => {
    const { agent, callback } = await prepared();
    // Someone (an attacker who intercepted the code) exchanged it first.
    const form = new FormData();
    const code = new URLSearchParams(callback.split('?')[1]).get('code')!;
    form.set('grantType', 'authorization_code');
    form.set('code', code);
    form.set('redirectUri', AUTHENTEQ_CALLBACK_URL);
    form.set('clientId', sandbox.authenteq.clientID);
    form.set('clientSecret', sandbox.authenteq.clientSecret);
    expect((await fetch(sandbox.authenteq.tokenURL, { method: 'POST', body: form })).status).toBe(200);
    sandbox.requests.clear();
    const res = await agent.get(callback);
    expect(res.status).toBe(403);
    expect(res.body.failure.code).toBe('code_rejected');
    expect(count('authenteq.token')).toBe(1);
    expect(count('authenteq.details')).toBe(0);
    await expectNobody(agent);
  });

  it.each([
    ['5xx', { status: 503 }, 502],
    ['a malformed body', { malformed: true }, 502],
    ['a body without token', { body: { access_token: 'x' } }, 502],
    ['a dropped connection', { drop: true }, 502],
  ])('%s → no login, an error status (502), one token call (never retried)', async (_, fault, status) => {
    const { agent, callback } = await prepared();
    sandbox.faults.inject('authenteq.token', fault);
    const res = await agent.get(callback);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(/^ERR_PROVIDER/);
    expect(count('authenteq.token')).toBe(1);
    expect(count('authenteq.details')).toBe(0);
    await expectNobody(agent);
  });

  it('the state stays spent after an upstream error: the replay makes no token call', async () => {
    const { agent, callback } = await prepared();
    sandbox.faults.inject('authenteq.token', { status: 503, times: 1 });
    expect((await agent.get(callback)).status).toBe(502);
    sandbox.requests.clear();
    const replay = await agent.get(callback);
    expect(replay.status).toBe(403);
    expect(replay.body.failure.code).toBe('state_invalid');
    expect(count('authenteq.token')).toBe(0);
  });

  it('a hung token endpoint → 504 within the configured timeout', async () => {
    const { agent, callback } = await prepared({ timeout: 300 });
    sandbox.faults.inject('authenteq.token', { hang: true });
    const started = performance.now();
    const res = await agent.get(callback);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(504);
    expect(res.body.error).toBe('ERR_PROVIDER_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_300); // the deadline, with room for a loaded CI machine
    await expectNobody(agent);
  });
});

describe('details endpoint failures', () => {
  it('401 once the 15-minute window has passed → failure, no login', async () => {
    const { agent, callback } = await prepared({ timeout: 2_000 });
    // Hold the details request in the sandbox while its clock moves 15 minutes past the token's issue.
    let open!: () => void;
    sandbox.faults.inject('authenteq.details', {
      gate: new Promise<void>((resolve) => {
        open = resolve;
      }),
      times: 1,
    });
    const pending = agent.get(callback).then((res) => res);
    await vi.waitFor(() => expect(count('authenteq.details')).toBe(1), { interval: 5 });
    sandbox.clock.advance(15 * 60_000);
    open();
    const res = await pending;
    expect(res.status).toBe(403);
    expect(res.body.failure.code).toBe('details_unavailable');
    expect(count('authenteq.details')).toBe(1);
    await expectNobody(agent);
  });

  it.each([
    ['a malformed body', { malformed: true }],
    ['no details', { body: { croppedDocs: {} } }],
    [
      'a missing documentNumber',
      { body: { details: { issuingCountry: 'DEU', documentType: 'PASSPORT', givenNames: 'A', surname: 'B' } } },
    ],
    [
      'a birth date that is not a date',
      {
        body: {
          details: {
            documentNumber: '1',
            issuingCountry: 'DEU',
            documentType: 'PASSPORT',
            givenNames: 'A',
            surname: 'B',
            dateOfBirth: '12/01/1987',
            dateOfExpiry: '2099-01-01',
          },
        },
      },
    ],
    [
      'a missing expiry date',
      {
        body: {
          details: {
            documentNumber: '1',
            issuingCountry: 'DEU',
            documentType: 'PASSPORT',
            givenNames: 'A',
            surname: 'B',
            dateOfBirth: '1987-01-12',
          },
        },
      },
    ],
  ])('%s → 502, no login', async (_, fault) => {
    const { agent, callback } = await prepared();
    sandbox.faults.inject('authenteq.details', fault);
    const res = await agent.get(callback);
    expect(res.status).toBe(502);
    expect(res.body.error).toBe('ERR_PROVIDER_RESPONSE');
    await expectNobody(agent);
  });

  it('a hung details endpoint → 504 within the timeout', async () => {
    const { agent, callback } = await prepared({ timeout: 300 });
    sandbox.faults.inject('authenteq.details', { hang: true });
    const started = performance.now();
    const res = await agent.get(callback);
    expect(res.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(2_300);
    await expectNobody(agent);
  });

  it('a 5xx once is retried (a GET) and the sign-up completes; the token call is still one', async () => {
    const { agent, callback } = await prepared({ timeout: 2_000 });
    sandbox.faults.inject('authenteq.details', { status: 502, times: 1 });
    const res = await agent.get(callback);
    expect(res.status).toBe(200);
    expect(count('authenteq.token')).toBe(1);
    expect(count('authenteq.details')).toBe(2);
  });
});
