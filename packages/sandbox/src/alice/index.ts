import type { SandboxEnv } from '../env.js';
import { CAPTURE_CODE, type SandboxMediaOptions, sandboxMedia } from './media.js';
import { registerRoutes } from './routes.js';
import { AliceState, type CaptureRejection } from './state.js';
import { type AliceTokenKind, TokenIssuer } from './tokens.js';

export { ALICE_SELFIE_DIAGNOSTICS, type SandboxMediaOptions, sandboxMedia } from './media.js';
export type { CaptureRejection } from './state.js';
export type { AliceTokenKind } from './tokens.js';

/** Options of the Alice Onboarding emulator. */
export interface AliceSandboxOptions {
  /** The API key `/login_token` accepts. Default `alice-sandbox-api-key`. */
  apiKey?: string;
  /**
   * Answer the old enablement paths `POST /user/authorize` and `/user/deauthorize` like `/user/authentication/enable`
   * and `/disable`. Whether the real API still accepts them is unknown; off (the default), they answer 404.
   */
  legacyAuthorizePaths?: boolean;
}

/** Options of {@link AliceSandbox.enroll}. */
export interface AliceEnrollOptions {
  email?: string;
  /** What the enrollment selfie shows. Default: the user's own live face. */
  media?: SandboxMediaOptions | Uint8Array;
  /** Enable face login after the selfie (as `POST /user/authentication/enable` does). Default `true`. */
  authorize?: boolean;
}

/** A user as the emulator holds it, for assertions. */
export interface AliceUserSnapshot {
  userId: string;
  email: string | undefined;
  authorized: boolean;
  /** Liveness (0–100) of the current selfie; `undefined` when there is none or it was voided. */
  selfieLiveness: number | undefined;
  selfieCount: number;
  authenticationCount: number;
}

/**
 * The Alice Onboarding emulator, as `sandbox.alice`: credentials for `AliceClient`, and shortcuts for tests that go
 * through the same rules as the API (a shortcut never does what the API would refuse) without adding to the
 * request log.
 */
export interface AliceSandbox {
  /** The API key to pass as `apiKey`. */
  apiKey: string;
  /** The API base URL to pass as `baseURL`, e.g. `http://127.0.0.1:4000/alice/onboarding`. */
  baseURL: string;
  /** The web SDK stand-in script for the browser (`window.AliceSandboxSDK`). */
  sdkURL: string;
  /**
   * Creates a user, adds an enrollment selfie and (by default) authorizes the user.
   *
   * @example
   * ```ts
   * const { userId } = sandbox.alice.enroll({ email: 'ana@example.com' });
   * ```
   */
  enroll(options?: AliceEnrollOptions): { userId: string };
  /** Creates a user, as `POST /user` does. */
  createUser(fields?: { email?: string; firstName?: string; lastName?: string }): string;
  /** Adds a selfie, as `POST /user/selfie` does (throws where it answers 409 or 422). */
  addSelfie(userId: string, media?: SandboxMediaOptions | Uint8Array): void;
  /**
   * Makes an authentication of `userId` with `media` (default: the user's own live face), as the browser SDK's
   * `POST /user/authenticate` does, and returns its id. Throws if the API would refuse it (user not authorized...).
   *
   * @example
   * ```ts
   * const id = sandbox.alice.authenticate(userId, { live: false }); // a spoof
   * ```
   */
  authenticate(userId: string, media?: SandboxMediaOptions | Uint8Array): string;
  /**
   * Refuses the next capture (a selfie upload or an authentication, of any user, that passes the user checks), as the
   * API refuses a bad capture: `{ diagnostics }` answers 204 with `x-alice-selfie-diagnostics`, `{ error }` answers
   * 406. Nothing is stored. For captures that are real video bytes; synthetic media can say the same themselves.
   *
   * @example
   * ```ts
   * sandbox.alice.rejectNextCapture({ diagnostics: 'FaceTooFar' });
   * ```
   */
  rejectNextCapture(rejection: CaptureRejection): void;
  /** Signs a token of `kind` for `userId`, as the token endpoints would (e.g. a USER_TOKEN a browser would hold). */
  issueToken(kind: AliceTokenKind, userId?: string): Promise<string>;
  /** Makes every token issued so far invalid (a key rotation on the provider's side): the next use answers 401. */
  revokeTokens(): void;
  /**
   * A test-only switch. On, `POST /user/selfie` for a user with an active selfie answers 201 and the new selfie
   * becomes the face logins are matched with, as a lenient or compromised provider would. Off (the default), it
   * answers 409 as the real API does: void or delete the active selfie first.
   *
   * @example
   * ```ts
   * sandbox.alice.allowSelfieReplacement(true); // an attacker with a USER_TOKEN replaces the victim's face
   * ```
   */
  allowSelfieReplacement(enabled: boolean): void;
  /** The user as the emulator holds it, or `undefined`. */
  user(userId: string): AliceUserSnapshot | undefined;
}

const toMedia = (media: SandboxMediaOptions | Uint8Array | undefined) =>
  media instanceof Uint8Array ? media : sandboxMedia(media);

/** Mounts the Alice Onboarding emulator under `/alice/onboarding`. */
export function mountAlice(env: SandboxEnv, options: AliceSandboxOptions = {}): AliceSandbox {
  const base = '/alice/onboarding';
  const baseURL = `${env.url}${base}`;
  const apiKey = options.apiKey ?? 'alice-sandbox-api-key';
  const state = new AliceState(env.clock);
  const tokens = new TokenIssuer(env.clock);
  const legacyAuthorizePaths = options.legacyAuthorizePaths === true;
  registerRoutes({ env, state, tokens, apiKey, base, baseURL, legacyAuthorizePaths });
  return {
    apiKey,
    baseURL,
    sdkURL: `${baseURL}/sdk.js`,
    enroll(enrollOptions = {}) {
      const user = state.createUser({ email: enrollOptions.email });
      state.addSelfie(user.id, toMedia(enrollOptions.media));
      if (enrollOptions.authorize !== false) state.authorize(user.id);
      return { userId: user.id };
    },
    createUser: (fields) => state.createUser(fields).id,
    addSelfie: (userId, media) => void state.addSelfie(userId, toMedia(media)),
    authenticate: (userId, media) => state.authenticate(userId, toMedia(media)).id,
    rejectNextCapture(rejection) {
      const code = 'diagnostics' in rejection ? rejection.diagnostics : rejection.error;
      if (typeof code !== 'string' || !CAPTURE_CODE.test(code)) {
        throw new RangeError('the code must be 1-64 letters, digits or _.-');
      }
      state.rejectNextCapture(rejection);
    },
    issueToken: (kind, userId) => tokens.issue(kind, userId),
    revokeTokens: () => tokens.revokeAll(),
    allowSelfieReplacement(enabled) {
      state.replaceActiveSelfie = enabled;
    },
    user(userId) {
      const user = state.users.get(userId);
      if (!user) return undefined;
      return {
        userId: user.id,
        email: user.email,
        authorized: user.authorized,
        selfieLiveness: state.currentSelfie(user)?.liveness,
        selfieCount: user.selfies.length,
        authenticationCount: user.authentications.length,
      };
    },
  };
}
