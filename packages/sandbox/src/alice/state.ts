import { randomUUID } from 'node:crypto';
import type { SandboxClock } from '../clock.js';
import { LIVE_SCORE, MATCH_SCORE, MISMATCH_SCORE, readMedia, SPOOF_SCORE } from './media.js';

/** One selfie a user uploaded. */
export interface Selfie {
  mediaId: string;
  face: string;
  liveness: number;
  createdAt: number;
  voided: boolean;
}

/** One authentication (a login selfie compared with the enrollment selfie). */
export interface Authentication {
  id: string;
  userId: string;
  mediaId: string;
  createdAt: number;
  liveness: number;
  matching: number;
}

/** A user of the emulated Alice Onboarding. */
export interface AliceUser {
  id: string;
  email: string | undefined;
  firstName: string | undefined;
  lastName: string | undefined;
  createdAt: number;
  authorized: boolean;
  selfies: Selfie[];
  authentications: Authentication[];
}

/** A refusal with the HTTP status and `detail` the API answers with. */
export class AliceRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Selfies a user may upload in all, voided ones included. The API has such a limit (the SDKs map its 422 to "The
 * maximum selfies per user was reached") but does not document the number: 5 is this emulator's choice [I].
 */
export const SELFIE_LIMIT = 5;

/**
 * The emulator's data and rules. Routes and the programmatic shortcuts both go through these methods, so a shortcut
 * never does what the API would refuse.
 */
export class AliceState {
  readonly users = new Map<string, AliceUser>();
  readonly #clock: SandboxClock;
  /**
   * Test-only: a second selfie while one is active replaces the face users are matched with (a lenient or compromised
   * provider), instead of the API's 409.
   */
  replaceActiveSelfie = false;

  constructor(clock: SandboxClock) {
    this.#clock = clock;
  }

  createUser(fields: { email?: string; firstName?: string; lastName?: string } = {}): AliceUser {
    const user: AliceUser = {
      id: randomUUID(),
      email: fields.email,
      firstName: fields.firstName,
      lastName: fields.lastName,
      createdAt: this.#clock.now(),
      authorized: false,
      selfies: [],
      authentications: [],
    };
    this.users.set(user.id, user);
    return user;
  }

  user(userId: string | undefined): AliceUser {
    const user = userId === undefined ? undefined : this.users.get(userId);
    if (!user) throw new AliceRefusal(404, 'User not found');
    return user;
  }

  deleteUser(userId: string | undefined): void {
    this.users.delete(this.user(userId).id);
  }

  /** The user's current selfie: the latest one, unless it was voided. */
  currentSelfie(user: AliceUser): Selfie | undefined {
    const latest = user.selfies.at(-1);
    return latest && !latest.voided ? latest : undefined;
  }

  /** `true` once the user has uploaded {@link SELFIE_LIMIT} selfies. */
  selfieLimitReached(user: AliceUser): boolean {
    return user.selfies.length >= SELFIE_LIMIT;
  }

  /**
   * Adds an enrollment selfie. As the SDKs show the API: one active selfie per user (void or delete it first, else
   * 409) and a limit on selfies (422). With {@link replaceActiveSelfie} the new one simply becomes the current face.
   */
  addSelfie(userId: string | undefined, media: Uint8Array): Selfie {
    const user = this.user(userId);
    if (this.currentSelfie(user) && !this.replaceActiveSelfie) {
      throw new AliceRefusal(409, 'An active selfie already exists');
    }
    if (this.selfieLimitReached(user)) throw new AliceRefusal(422, 'The maximum selfies per user was reached');
    const facts = readMedia(media, user.id);
    const selfie: Selfie = {
      mediaId: `${randomUUID()}.${facts.synthetic ? 'txt' : 'webm'}`,
      face: facts.face,
      liveness: facts.liveness ?? (facts.live ? LIVE_SCORE : SPOOF_SCORE),
      createdAt: this.#clock.now(),
      voided: false,
    };
    user.selfies.push(selfie);
    return selfie;
  }

  voidSelfie(userId: string | undefined): void {
    const selfie = this.currentSelfie(this.user(userId));
    if (!selfie) throw new AliceRefusal(404, 'User has no selfie to void');
    selfie.voided = true;
  }

  authorize(userId: string | undefined): void {
    const user = this.user(userId);
    if (!this.currentSelfie(user)) throw new AliceRefusal(409, 'User has no valid selfie to authorize');
    user.authorized = true;
  }

  /** Compares a login media with the enrollment selfie; only an authorized user with a valid selfie may do it. */
  authenticate(userId: string | undefined, media: Uint8Array): Authentication {
    const user = this.user(userId);
    if (!user.authorized) throw new AliceRefusal(403, 'User is not authorized to authenticate');
    const enrolled = this.currentSelfie(user);
    if (!enrolled) throw new AliceRefusal(409, 'User has no valid selfie to authenticate against');
    const facts = readMedia(media, user.id);
    const authentication: Authentication = {
      id: randomUUID(),
      userId: user.id,
      mediaId: `${randomUUID()}.${facts.synthetic ? 'txt' : 'webm'}`,
      createdAt: this.#clock.now(),
      liveness: facts.liveness ?? (facts.live ? LIVE_SCORE : SPOOF_SCORE),
      matching: facts.matching ?? (facts.face === enrolled.face ? MATCH_SCORE : MISMATCH_SCORE),
    };
    user.authentications.push(authentication);
    return authentication;
  }

  authentication(userId: string | undefined, id: string): Authentication {
    const found = this.user(userId).authentications.find((a) => a.id === id);
    if (!found) throw new AliceRefusal(404, 'Authentication not found');
    return found;
  }
}
