import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../src/index.js';

const origin = 'https://app.example';

describe('safeReturnTo', () => {
  it.each([
    ['/account', '/account'],
    ['/account?tab=documents#top', '/account?tab=documents#top'],
    ['/a/../b', '/b'],
  ])('keeps the same-origin path %s', (value, expected) => {
    expect(safeReturnTo(value, origin)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '//evil.example/path',
    'https://evil.example',
    'https://app.example/account',
    'http:evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    ' /account',
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'account',
    '',
    `/${'a'.repeat(3000)}`,
  ])('refuses %j', (value) => {
    expect(safeReturnTo(value, origin)).toBe('/');
  });

  it.each([undefined, null, 42, ['/account'], { toString: () => '/account' }])('refuses the non-string %j', (value) => {
    expect(safeReturnTo(value, origin)).toBe('/');
  });

  it('uses the given fallback', () => {
    expect(safeReturnTo('//evil.example', origin, '/home')).toBe('/home');
  });
});

/** The payloads that escaped before the result was checked: normalising them made a `//`. */
const NORMALISED_TO_TWO_SLASHES = [
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/a/..//evil.example',
  '/.%2e//evil.example',
  '/././/evil.example',
  '/%2e%2E//evil.example/phish',
  '/a/b/../..//evil.example',
];

/** What a browser does with a `Location: <value>` sent from a page deep in the site: the host it goes to. */
function hostReached(value: string): string {
  return new URL(value, `${origin}/deep/page?x=1`).host;
}

describe('safeReturnTo checks what it returns', () => {
  it.each(NORMALISED_TO_TWO_SLASHES)('%j (normalised to //host) becomes the fallback', (value) => {
    expect(new URL(value, origin).pathname.startsWith('//')).toBe(true); // the trap is real
    expect(safeReturnTo(value, origin)).toBe('/');
  });

  // 20,000 payloads: the 9 above first, then 19,991 generated from the alphabet below.
  it('whatever the input, the result is a path on this site: never //, never /\\, never another host', () => {
    const alphabet = [
      '/',
      '//',
      '\\',
      '.',
      '..',
      '%2e',
      '%2E',
      '%2f',
      '%2F',
      '%5c',
      '%5C',
      '%00',
      '%09',
      '%0a',
      '%20',
      '%25',
      '@',
      ':',
      '?',
      '#',
      ' ',
      '\t',
      '\n',
      '\r',
      '\u00a0',
      '\u3000',
      'a',
      'evil.example',
      'http:',
      'javascript:',
    ];
    const path = fc
      .tuple(fc.boolean(), fc.array(fc.constantFrom(...alphabet), { maxLength: 14 }))
      .map(([leadingSlash, parts]) => `${leadingSlash ? '/' : ''}${parts.join('')}`);
    let tried = 0;
    fc.assert(
      fc.property(path, (value) => {
        tried++;
        const result = safeReturnTo(value, origin, '/home');
        if (result === '/home') return true;
        return (
          result[0] === '/' &&
          result[1] !== '/' &&
          result[1] !== '\\' &&
          // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
          !/[\u0000-\u0020\u007f-\u009f]/.test(result) &&
          hostReached(result) === 'app.example' &&
          safeReturnTo(result, origin, '/home') === result
        );
      }),
      { numRuns: 20_000, examples: NORMALISED_TO_TWO_SLASHES.map((value) => [value]) },
    );
    expect(tried).toBe(20_000);
  });

  it('ordinary paths come back unchanged', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    const ordinary = fc
      .tuple(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.option(segment), fc.option(segment))
      .map(([parts, query, hash]) => `/${parts.join('/')}${query ? `?tab=${query}` : ''}${hash ? `#${hash}` : ''}`);
    fc.assert(fc.property(ordinary, (value) => safeReturnTo(value, origin) === value));
    expect(safeReturnTo('/account?tab=1#x', origin)).toBe('/account?tab=1#x');
  });
});
