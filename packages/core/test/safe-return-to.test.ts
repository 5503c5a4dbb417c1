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
