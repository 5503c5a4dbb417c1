import { describe, expect, it } from 'vitest';
import { SessionRequiredError, StoreError } from '../src/index.js';
import { saveSession, sessionOf } from '../src/internal.js';

describe('sessionOf', () => {
  it('returns req.session, or throws SessionRequiredError naming the owner', () => {
    const session = { a: 1 };
    expect(sessionOf({ session }, 'MyStrategy')).toBe(session);
    expect(() => sessionOf({}, 'MyStrategy')).toThrow(SessionRequiredError);
    expect(() => sessionOf({ session: null }, 'MyStrategy')).toThrow(
      expect.objectContaining({
        code: 'ERR_SESSION_REQUIRED',
        status: 500,
        message: expect.stringMatching(/MyStrategy/),
      }),
    );
  });
});

describe('saveSession', () => {
  it('saves through the session, and turns a failed save into a StoreError (503)', async () => {
    let saved = 0;
    await saveSession({ session: { save: (done: (error?: unknown) => void) => done(void saved++) } });
    expect(saved).toBe(1);
    await saveSession({ session: {} }); // nothing to save with: nothing to do
    const failing = { session: { save: (done: (error?: unknown) => void) => done(new Error('redis down')) } };
    await expect(saveSession(failing)).rejects.toBeInstanceOf(StoreError);
  });
});
