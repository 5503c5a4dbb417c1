/**
 * Plain http to a provider is refused at start-up unless it points at this machine or the app passes
 * `allowInsecureHTTP: true`: every provider base URL option of every package.
 */
import { AuthenteqClient, AuthenteqStrategy, AuthenteqWebIdvClient } from '@passport-idv/authenteq';
import { ephemeralSession, IdvClient } from '@passport-idv/ephemeral-session';
import { AliceClient } from '@passport-idv/face-login';
import { describe, expect, it } from 'vitest';

const REMOTE = 'http://provider.example.com';
const keys = { clientID: 'id', clientSecret: 'secret' };
const callbackURL = 'https://app.example/auth/authenteq/callback';

/** Each option that names a provider URL, and how to build something with it. */
const CASES: [string, (url: string, allowInsecureHTTP?: boolean) => unknown][] = [
  [
    'AuthenteqStrategy authorizationURL',
    (url, allow) =>
      new AuthenteqStrategy({ ...keys, callbackURL, authorizationURL: url, allowInsecureHTTP: allow }, () => undefined),
  ],
  [
    'AuthenteqStrategy tokenURL',
    (url, allow) =>
      new AuthenteqStrategy({ ...keys, callbackURL, tokenURL: url, allowInsecureHTTP: allow }, () => undefined),
  ],
  [
    'AuthenteqStrategy detailsURL',
    (url, allow) =>
      new AuthenteqStrategy(
        { ...keys, callbackURL, detailsURL: `${url}/details`, allowInsecureHTTP: allow },
        () => undefined,
      ),
  ],
  [
    'AuthenteqClient tokenURL',
    (url, allow) => new AuthenteqClient({ ...keys, tokenURL: url, allowInsecureHTTP: allow }),
  ],
  [
    'AuthenteqClient detailsURL',
    (url, allow) => new AuthenteqClient({ ...keys, detailsURL: url, allowInsecureHTTP: allow }),
  ],
  [
    'AuthenteqWebIdvClient baseURL',
    (url, allow) => new AuthenteqWebIdvClient({ ...keys, baseURL: url, allowInsecureHTTP: allow }),
  ],
  ['AliceClient baseURL', (url, allow) => new AliceClient({ apiKey: 'key', baseURL: url, allowInsecureHTTP: allow })],
  ['IdvClient host', (url, allow) => new IdvClient({ host: url, apiKey: 'key', allowInsecureHTTP: allow })],
  [
    'ephemeralSession host',
    (url, allow) => ephemeralSession({ host: url, apiKey: 'key', workflowId: 'kyc', allowInsecureHTTP: allow }),
  ],
];

describe.each(CASES)('%s', (_, build) => {
  it('refuses plain http to another host with a coded TypeError that says what to do', () => {
    expect(() => build(REMOTE)).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        code: 'ERR_INVALID_OPTION',
        message: expect.stringMatching(/must be an https URL.*allowInsecureHTTP: true/),
      }),
    );
  });

  it('accepts it with allowInsecureHTTP: true, and loopback or https without', () => {
    expect(() => build(REMOTE, true)).not.toThrow();
    expect(() => build('http://127.0.0.1:4000')).not.toThrow();
    expect(() => build('http://localhost:4000')).not.toThrow();
    expect(() => build('https://provider.example.com')).not.toThrow();
  });
});
