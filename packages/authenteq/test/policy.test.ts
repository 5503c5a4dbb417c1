import type { Clock } from '@passport-idv/core';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUTHENTEQ_CALLBACK_URL, authenteqApp, startSignup } from '../../../test/support/authenteq-app.js';
import { browserOn, localPath } from '../../../test/support/browser.js';
import { type AuthenteqDetails, type AuthenteqPolicy, checkPolicy } from '../src/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.clear();
  sandbox.clock.reset();
});

type Choice = 'adult' | 'minor' | 'expired' | 'foreign';

/** Runs a whole sign-up with `policy` as `choice`; returns the callback response and who is logged in. */
async function signUp(choice: Choice, policy: AuthenteqPolicy, clock: Clock = sandbox.clock) {
  const agent = browserOn(authenteqApp(sandbox, { policy, clock }).app);
  const res = await agent.get(localPath(await sandbox.authenteq.complete(await startSignup(agent), choice)));
  const me = (await agent.get('/me')).body.user as { name: string } | null;
  return { status: res.status, failure: res.body.failure as { code: string; message: string } | undefined, me };
}

describe('policy, through the whole flow', () => {
  it('refuses an expired document by default with document_expired (after one details call)', async () => {
    const result = await signUp('expired', {});
    expect(result).toMatchObject({ status: 403, failure: { code: 'document_expired' }, me: null });
    expect(result.failure?.message).toMatch(/expired/);
    expect(sandbox.requests.count({ route: 'authenteq.details' })).toBe(1);
  });

  it('accepts an expired document with acceptExpiredDocuments', async () => {
    const result = await signUp('expired', { acceptExpiredDocuments: true });
    expect(result.status).toBe(200);
    expect(result.me?.name).toBe('MARÍA GARCÍA LÓPEZ');
  });

  it('refuses a 16-year-old with minimumAge 18 (under_age), accepts with minimumAge 16', async () => {
    const refused = await signUp('minor', { minimumAge: 18 });
    expect(refused).toMatchObject({ status: 403, failure: { code: 'under_age' }, me: null });
    expect(refused.failure?.message).toContain('18');
    const accepted = await signUp('minor', { minimumAge: 16 });
    expect(accepted.me?.name).toBe('LUKAS BECKER');
  });

  it('accepts a minor when no minimumAge is set', async () => {
    expect((await signUp('minor', {})).status).toBe(200);
  });

  it('acceptedIssuingCountries: an Irish passport is refused for [DEU] and accepted for [deu, irl]', async () => {
    const refused = await signUp('foreign', { acceptedIssuingCountries: ['DEU'] });
    expect(refused).toMatchObject({ status: 403, failure: { code: 'country_not_accepted' }, me: null });
    const accepted = await signUp('foreign', { acceptedIssuingCountries: ['deu', 'irl'] });
    expect(accepted.status).toBe(200);
  });

  it('the injected clock decides "today": a year later, the 16-year-old is 17', async () => {
    const nextYear = { now: () => sandbox.clock.now() + 366 * 86_400_000 };
    expect((await signUp('minor', { minimumAge: 17 })).status).toBe(403);
    expect((await signUp('minor', { minimumAge: 17 }, nextYear)).status).toBe(200);
  });
});

describe('checkPolicy', () => {
  const details = (over: Partial<AuthenteqDetails>): AuthenteqDetails => ({
    documentNumber: '1',
    issuingCountry: 'DEU',
    documentType: 'PASSPORT',
    givenNames: 'A',
    surname: 'B',
    dateOfBirth: '2000-06-15',
    dateOfExpiry: '2030-01-01',
    ...over,
  });
  const at = (date: string) => Date.parse(`${date}T12:00:00Z`);

  it('counts the expiry day as valid, the day after as expired', () => {
    expect(checkPolicy(details({ dateOfExpiry: '2026-11-22' }), {}, at('2026-11-22'))).toBeUndefined();
    expect(checkPolicy(details({ dateOfExpiry: '2026-11-21' }), {}, at('2026-11-22'))?.code).toBe('document_expired');
  });

  it('reaches an age on the birthday, not the day before', () => {
    expect(checkPolicy(details({}), { minimumAge: 18 }, at('2018-06-14'))?.code).toBe('under_age');
    expect(checkPolicy(details({}), { minimumAge: 18 }, at('2018-06-15'))).toBeUndefined();
  });

  it('fails closed on a date it cannot read', () => {
    expect(checkPolicy(details({ dateOfExpiry: '2030-02-30' }), {}, at('2026-01-01'))?.code).toBe('document_expired');
    expect(checkPolicy(details({ dateOfBirth: 'unknown' }), { minimumAge: 1 }, at('2026-01-01'))?.code).toBe(
      'under_age',
    );
  });
});
