import { PassportIdvError, ProviderError, ProviderResponseError, ProviderStatusError } from '@passport-idv/core';
import { type Sandbox, sandboxMedia, startSandbox } from '@passport-idv/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reasonOf406, reasonOfHeader } from '../src/alice-errors.js';
import {
  AliceActiveSelfieError,
  AliceCaptureRejectedError,
  AliceClient,
  AliceSelfieLimitError,
  CAPTURE_ADVICE,
} from '../src/index.js';

let sandbox: Sandbox;
let alice: AliceClient;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  alice = new AliceClient({ ...sandbox.alice, clock: sandbox.clock });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.requests.clear();
});

const media = (options?: Parameters<typeof sandboxMedia>[0]) => ({ data: sandboxMedia(options) });

/** What an error shows once serialised or printed, where a provider body must never appear. */
const shown = (error: unknown) => `${String(error)} ${JSON.stringify(error)} ${(error as Error).message}`;

describe('AliceClient: answers of the upload calls, as typed errors', () => {
  it('204 with x-alice-selfie-diagnostics on authenticate: AliceCaptureRejectedError with advice', async () => {
    const { userId } = sandbox.alice.enroll();
    const error = await alice.authenticate(userId, media({ diagnostics: 'FaceTooFar' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AliceCaptureRejectedError);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: 'ERR_ALICE_CAPTURE_REJECTED',
      status: 422,
      upstreamStatus: 204,
      reason: 'FaceTooFar',
      message: 'Move closer to the camera.',
    });
    expect(sandbox.requests.filter({ route: 'alice.authenticate' }).map((r) => r.status)).toEqual([204]);
    expect(sandbox.alice.user(userId)?.authenticationCount).toBe(0);
  });

  it('204 on a selfie upload, and a 204 with an unknown or missing header: the generic advice', async () => {
    const { userId } = await (async () => ({ userId: await alice.createUser() }))();
    await expect(alice.addSelfie(userId, media({ diagnostics: 'FaceBlurry' }))).rejects.toMatchObject({
      code: 'ERR_ALICE_CAPTURE_REJECTED',
      upstreamStatus: 204,
      message: 'Hold still: the picture was blurry.',
    });
    const odd = await alice.addSelfie(userId, media({ diagnostics: 'SomethingNew' })).catch((e: unknown) => e);
    expect(odd).toMatchObject({ reason: 'Unknown', message: CAPTURE_ADVICE.Unknown });
    expect(shown(odd)).not.toContain('SomethingNew');
    expect(reasonOfHeader(undefined)).toBe('Unknown');
    expect(reasonOfHeader(['FaceTooClose', 'x'])).toBe('FaceTooClose');
  });

  it('406 {"detail": "{\'error\': …}"}: the code read from the dict-like string, the body never echoed', async () => {
    const { userId } = sandbox.alice.enroll();
    const error = await alice.authenticate(userId, media({ error: 'FaceUnderexposed' })).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ERR_ALICE_CAPTURE_REJECTED',
      upstreamStatus: 406,
      reason: 'FaceUnderexposed',
      message: CAPTURE_ADVICE.FaceUnderexposed,
    });
    expect(shown(error)).not.toMatch(/detail|'error'/);
    expect((error as { responseBody?: unknown }).responseBody).toBeUndefined();
    sandbox.alice.rejectNextCapture({ error: 'NotAKnownCode' });
    const unknown = await alice.authenticate(userId, media()).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ upstreamStatus: 406, reason: 'Unknown' });
    expect(shown(unknown)).not.toContain('NotAKnownCode');
  });

  it('reads a 406 body only for a known code', () => {
    expect(reasonOf406(`{"detail": "{'error': 'FaceTooClose'}"}`)).toBe('FaceTooClose');
    expect(reasonOf406('{"detail": "{\\"error\\": \\"FacePoseTooLarge\\"}"}')).toBe('FacePoseTooLarge');
    for (const body of [
      undefined,
      '',
      'not json',
      '{"detail": 3}',
      '{"detail": "x"}',
      `{"detail": "{'error': 'toString'}"}`,
    ])
      expect(reasonOf406(body)).toBe('Unknown');
  });

  it('409 on a second selfie: AliceActiveSelfieError; 422 at the selfie limit: AliceSelfieLimitError', async () => {
    const userId = await alice.createUser();
    await alice.addSelfie(userId, media());
    const active = await alice.addSelfie(userId, media()).catch((e: unknown) => e);
    expect(active).toBeInstanceOf(AliceActiveSelfieError);
    expect(active).toMatchObject({ code: 'ERR_ALICE_ACTIVE_SELFIE', status: 409, upstreamStatus: 409 });
    for (let i = 0; i < 4; i++) {
      await alice.voidSelfie(userId);
      await alice.addSelfie(userId, media());
    }
    await alice.voidSelfie(userId);
    const full = await alice.addSelfie(userId, media()).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(AliceSelfieLimitError);
    expect(full).toMatchObject({ code: 'ERR_ALICE_SELFIE_LIMIT', status: 422, upstreamStatus: 422 });
    expect(full).toBeInstanceOf(PassportIdvError);
    // The code is also on each class, as on every passport-idv error.
    expect([AliceCaptureRejectedError.code, AliceActiveSelfieError.code, AliceSelfieLimitError.code]).toEqual([
      'ERR_ALICE_CAPTURE_REJECTED',
      'ERR_ALICE_ACTIVE_SELFIE',
      'ERR_ALICE_SELFIE_LIMIT',
    ]);
  });

  it('other answers stay as they were: 404 on authenticate (not enabled) and 500 are ProviderStatusError', async () => {
    const userId = await alice.createUser();
    await alice.addSelfie(userId, media());
    await expect(alice.authenticate(userId, media())).rejects.toMatchObject({
      code: 'ERR_PROVIDER_STATUS',
      upstreamStatus: 404,
    });
    sandbox.faults.inject('alice.selfie', { status: 500, times: 1 });
    const error = await alice.addSelfie(userId, media()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderStatusError);
  });

  it('a 200 from authenticate without an id is a ProviderResponseError', async () => {
    const { userId } = sandbox.alice.enroll();
    sandbox.faults.inject('alice.authenticate', { status: 200, body: '{}', times: 1 });
    await expect(alice.authenticate(userId, media())).rejects.toBeInstanceOf(ProviderResponseError);
  });
});
