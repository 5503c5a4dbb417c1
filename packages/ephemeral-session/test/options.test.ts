import { describe, expect, it } from 'vitest';
import { buildHandoffUrl, ephemeralSession, IdvClient, idvBaseURL, TTL_RANGE } from '../src/index.js';

const base = { host: 'https://idv.example.com', apiKey: 'key', workflowId: 'kyc' };

function invalid(fn: () => unknown): void {
  expect(fn).toThrow(TypeError);
  try {
    fn();
  } catch (error) {
    expect((error as { code?: string }).code).toBe('ERR_INVALID_OPTION');
  }
}

describe('ephemeralSession() options', () => {
  it.each([59, 0, -1, 86_401, 1.5, Number.NaN, '3600', null])('refuses ttl %s with a TypeError', (ttl) => {
    invalid(() => ephemeralSession({ ...base, ttl: ttl as number }));
  });

  it('accepts the bounds of the range and defaults ttl to 3600', () => {
    expect(TTL_RANGE).toEqual({ min: 60, max: 86_400 });
    expect(() => ephemeralSession({ ...base, ttl: 60 })).not.toThrow();
    expect(() => ephemeralSession({ ...base, ttl: 86_400 })).not.toThrow();
  });

  it.each([
    ['no host', { host: undefined }],
    ['a host with a query', { host: 'https://idv.example.com/?x=1' }],
    ['a non-http host', { host: 'ftp://idv.example.com' }],
    ['no apiKey', { apiKey: '' }],
    ['no workflowId', { workflowId: undefined }],
    ['a metadata that is not a function', { metadata: { externalUserId: 'x' } }],
    ['a reuse that is not a boolean', { reuse: 'yes' }],
    ['a store without add', { store: { get() {}, set() {}, take() {}, delete() {} } }],
    ['a clock without now()', { clock: {} }],
    ['a zero timeout', { timeout: 0 }],
  ])('refuses %s', (_, patch) => {
    invalid(() => ephemeralSession({ ...base, ...patch } as never));
  });

  it('keeps the API key out of the client when inspected or serialised', async () => {
    const { inspect } = await import('node:util');
    const client = new IdvClient({ ...base, apiKey: 'super-secret-key' });
    expect(inspect(client, { showHidden: true, depth: 5 })).not.toContain('super-secret-key');
    expect(JSON.stringify(client)).not.toContain('super-secret-key');
    expect(inspect(ephemeralSession({ ...base, apiKey: 'super-secret-key' }), { depth: 5 })).not.toContain(
      'super-secret-key',
    );
  });
});

describe('buildHandoffUrl()', () => {
  it('builds the documented form byte for byte, the inner values encoded', () => {
    expect(buildHandoffUrl('https://idv.example.com', 'Token abc', 's-1')).toBe(
      'https://idv.example.com/capture?url=https%3A%2F%2Fidv.example.com%2Fmobile%3Fauthorization%3DToken%2520abc%26sessionId%3Ds-1',
    );
    // Characters that would split or end the inner query are encoded, so the phone receives the values intact.
    const url = buildHandoffUrl('https://idv.example.com', 'Tok&en=+/ x', 'id#1?&');
    const inner = new URL(new URL(url).searchParams.get('url') ?? '');
    expect(inner.searchParams.get('authorization')).toBe('Tok&en=+/ x');
    expect(inner.searchParams.get('sessionId')).toBe('id#1?&');
    expect([...new URL(url).searchParams.keys()]).toEqual(['url']);
  });

  it('keeps a path prefix in both links and treats a bare host name as https', () => {
    expect(buildHandoffUrl('http://127.0.0.1:4000/idv/', 'T', 'S')).toBe(
      `http://127.0.0.1:4000/idv/capture?url=${encodeURIComponent('http://127.0.0.1:4000/idv/mobile?authorization=T&sessionId=S')}`,
    );
    expect(idvBaseURL('IDV.Example.com')).toBe('https://idv.example.com');
    expect(idvBaseURL('https://idv.example.com:443/')).toBe('https://idv.example.com');
  });

  it('throws a TypeError for a bad host, an empty token or session id', () => {
    expect(() => buildHandoffUrl('https://idv.example.com#x', 'T', 'S')).toThrow(TypeError);
    expect(() => buildHandoffUrl('javascript:alert(1)', 'T', 'S')).toThrow(TypeError);
    expect(() => buildHandoffUrl('https://idv.example.com', '', 'S')).toThrow(TypeError);
    expect(() => buildHandoffUrl('https://idv.example.com', 'T', '')).toThrow(TypeError);
  });
});
