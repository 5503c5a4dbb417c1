import { describe, expect, it } from 'vitest';
import { runVerify, type VerifyCallback } from '../src/internal.js';

const req = { ip: '203.0.113.7' };
const plain = { passReqToCallback: false };

describe('runVerify', () => {
  it('passes the arguments and done, and resolves to what done was called with', async () => {
    const seen: unknown[] = [];
    const verify = (profile: unknown, done: VerifyCallback) => {
      seen.push(profile);
      done(null, { id: 'u1' }, { note: 'hi' });
    };
    await expect(runVerify(verify, plain, req, ['profile'])).resolves.toEqual({
      user: { id: 'u1' },
      info: { note: 'hi' },
    });
    expect(seen).toEqual(['profile']);
  });

  it('puts the request first with passReqToCallback', async () => {
    const verify = (r: typeof req, profile: string, done: VerifyCallback) => done(null, { ip: r.ip, profile });
    const { user } = await runVerify(verify, { passReqToCallback: true }, req, ['p']);
    expect(user).toEqual({ ip: '203.0.113.7', profile: 'p' });
  });

  it('takes the user from a returned promise, false for none', async () => {
    await expect(runVerify(async () => ({ id: 'u2' }), plain, req, [])).resolves.toMatchObject({ user: { id: 'u2' } });
    await expect(runVerify(async () => undefined, plain, req, [])).resolves.toMatchObject({ user: false });
    await expect(runVerify((done: VerifyCallback) => done(null, null), plain, req, [])).resolves.toMatchObject({
      user: false,
    });
  });

  it('rejects with the error passed, thrown or rejected with', async () => {
    const error = new Error('db down');
    await expect(runVerify((done: VerifyCallback) => done(error), plain, req, [])).rejects.toBe(error);
    await expect(
      runVerify(
        () => {
          throw error;
        },
        plain,
        req,
        [],
      ),
    ).rejects.toBe(error);
    await expect(runVerify(async () => Promise.reject(error), plain, req, [])).rejects.toBe(error);
  });

  it('settles once: a second done, or done and a promise, is ignored', async () => {
    const twice = (done: VerifyCallback) => {
      done(null, { id: 'first' });
      done(new Error('late'));
    };
    await expect(runVerify(twice, plain, req, [])).resolves.toMatchObject({ user: { id: 'first' } });
    const both = async (done: VerifyCallback) => {
      done(null, false, { message: 'refused' });
      return { id: 'from the promise' };
    };
    await expect(runVerify(both, plain, req, [])).resolves.toEqual({ user: false, info: { message: 'refused' } });
  });
});
