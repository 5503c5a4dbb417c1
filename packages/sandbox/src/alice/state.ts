import { randomUUID } from 'node:crypto';
import type { SandboxClock } from '../clock.js';
import { LIVE_SCORE, MATCH_SCORE, type MediaFacts, MISMATCH_SCORE, readMedia, SPOOF_SCORE } from './media.js';

/** One selfie a user uploaded. */
export interface Selfie {
  /** The report's selfie id: a UUID (the SDK's report model allows 16–36 characters). */
  id: string;
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
  /** What `POST /user` said of the device (`device_platform`, `device_platform_version`, `device_model`). */
  device: { platform: string | undefined; platformVersion: string | undefined; model: string | undefined };
  createdAt: number;
  updatedAt: number;
  /** Face login enabled (`POST /user/authentication/enable`). */
  authorized: boolean;
  selfies: Selfie[];
  /** Selfies uploaded in all, deleted ones included: what the selfie limit counts. */
  selfieUploads: number;
  authentications: Authentication[];
}

/** The fields `POST /user` reads. */
export interface AliceUserFields {
  email?: string;
  firstName?: string;
  lastName?: string;
  devicePlatform?: string;
  devicePlatformVersion?: string;
  deviceModel?: string;
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

/** How a capture is refused before it is scored: `204` with a diagnostics code, or `406` with an error code. */
export type CaptureRejection = { diagnostics: string } | { error: string };

/** A capture the API refuses: nothing is stored (no selfie, no authentication) **[I]**. */
export class CaptureRejected extends AliceRefusal {
  constructor(readonly rejection: CaptureRejection) {
    const code = 'diagnostics' in rejection ? rejection.diagnostics : rejection.error;
    super('diagnostics' in rejection ? 204 : 406, `The capture was rejected (${code})`);
  }
}

/**
 * Selfies a user may upload in all, voided and deleted ones included. The API has such a limit (the SDKs map its 422
 * to "The maximum selfies per user was reached") but does not document the number: 5 is this emulator's choice [I].
 */
export const SELFIE_LIMIT = 5;

/**
 * The emulator's data and rules. Routes and the programmatic shortcuts both go through these methods, so a shortcut
 * never does what the API would refuse.
 */
export class AliceState {
  readonly users = new Map<string, AliceUser>();
  readonly #clock: SandboxClock;
  readonly #rejections: CaptureRejection[] = [];
  /**
   * Test-only: a second selfie while one is active replaces the face users are matched with (a lenient or compromised
   * provider), instead of the API's 409.
   */
  replaceActiveSelfie = false;

  constructor(clock: SandboxClock) {
    this.#clock = clock;
  }

  createUser(fields: AliceUserFields = {}): AliceUser {
    const now = this.#clock.now();
    const user: AliceUser = {
      id: randomUUID(),
      email: fields.email,
      firstName: fields.firstName,
      lastName: fields.lastName,
      device: {
        platform: fields.devicePlatform,
        platformVersion: fields.devicePlatformVersion,
        model: fields.deviceModel,
      },
      createdAt: now,
      updatedAt: now,
      authorized: false,
      selfies: [],
      selfieUploads: 0,
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
    return user.selfieUploads >= SELFIE_LIMIT;
  }

  /** The next capture (selfie or authentication, of any user) is refused this way: a test shortcut. */
  rejectNextCapture(rejection: CaptureRejection): void {
    this.#rejections.push(rejection);
  }

  /**
   * Adds an enrollment selfie. As the SDKs show the API: one active selfie per user (void or delete it first, else
   * 409) and a limit on selfies (422). With {@link replaceActiveSelfie} the new one simply becomes the current face.
   * `media` is one video or several frames.
   */
  addSelfie(userId: string | undefined, media: Uint8Array | readonly Uint8Array[]): Selfie {
    const user = this.user(userId);
    if (this.currentSelfie(user) && !this.replaceActiveSelfie) {
      throw new AliceRefusal(409, 'An active selfie already exists');
    }
    if (this.selfieLimitReached(user)) throw new AliceRefusal(422, 'The maximum selfies per user was reached');
    const facts = this.#capture(user, media);
    const selfie: Selfie = {
      id: randomUUID(),
      mediaId: mediaId(facts),
      face: facts.face,
      liveness: facts.liveness ?? (facts.live ? LIVE_SCORE : SPOOF_SCORE),
      createdAt: this.#clock.now(),
      voided: false,
    };
    user.selfies.push(selfie);
    user.selfieUploads += 1;
    this.#touch(user);
    return selfie;
  }

  /** `PATCH /user/selfie`: the current selfie stays listed, voided. */
  voidSelfie(userId: string | undefined): void {
    const user = this.user(userId);
    const selfie = this.currentSelfie(user);
    if (!selfie) throw new AliceRefusal(404, 'User has no selfie to void');
    selfie.voided = true;
    this.#touch(user);
  }

  /** `DELETE /user/selfie[/{id}]`: the selfie (default: the current one) is gone from the report. */
  deleteSelfie(userId: string | undefined, selfieId?: string): void {
    const user = this.user(userId);
    const target = selfieId === undefined ? this.currentSelfie(user) : user.selfies.find((s) => s.id === selfieId);
    if (!target) throw new AliceRefusal(404, 'Selfie not found');
    user.selfies.splice(user.selfies.indexOf(target), 1);
    this.#touch(user);
  }

  /** `POST /user/authentication/enable`: face login on, for a user with a valid selfie. */
  authorize(userId: string | undefined): void {
    const user = this.user(userId);
    if (!this.currentSelfie(user)) throw new AliceRefusal(409, 'User has no valid selfie to authorize');
    user.authorized = true;
    this.#touch(user);
  }

  /** `POST /user/authentication/disable`: face login off. */
  deauthorize(userId: string | undefined): void {
    const user = this.user(userId);
    user.authorized = false;
    this.#touch(user);
  }

  /**
   * Compares a login media with the enrollment selfie; only a user with authentication enabled (else 404, which the
   * web SDK reads as "user authentication is not enabled") and a valid selfie (else 409 [I]) may do it.
   */
  authenticate(userId: string | undefined, media: Uint8Array | readonly Uint8Array[]): Authentication {
    const user = this.user(userId);
    if (!user.authorized) throw new AliceRefusal(404, 'User authentication is not enabled');
    const enrolled = this.currentSelfie(user);
    if (!enrolled) throw new AliceRefusal(409, 'User has no valid selfie to authenticate against');
    const facts = this.#capture(user, media);
    const authentication: Authentication = {
      id: randomUUID(),
      userId: user.id,
      mediaId: mediaId(facts),
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

  /** The user's authentications sorted by creation date, newest first (ties: the later one first). */
  authenticationsNewestFirst(userId: string | undefined): Authentication[] {
    return [...this.user(userId).authentications].reverse().sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * Reads a capture: one video, or several frames read as one capture (the first frame decides the face and the
   * scores). A rejection armed with {@link rejectNextCapture}, or a frame naming diagnostics (204) or an error (406),
   * refuses it.
   */
  #capture(user: AliceUser, media: Uint8Array | readonly Uint8Array[]): MediaFacts {
    const frames = media instanceof Uint8Array ? [media] : media;
    const facts = frames.map((frame) => readMedia(frame, user.id));
    const first = facts[0];
    if (!first) throw new AliceRefusal(400, 'A multipart field "video" is required');
    const diagnostics = facts.find((f) => f.diagnostics !== undefined)?.diagnostics;
    const error = facts.find((f) => f.error !== undefined)?.error;
    const rejection =
      this.#rejections.shift() ??
      (diagnostics !== undefined ? { diagnostics } : error !== undefined ? { error } : undefined);
    if (rejection) throw new CaptureRejected(rejection);
    return first;
  }

  #touch(user: AliceUser): void {
    user.updatedAt = this.#clock.now();
  }
}

function mediaId(facts: MediaFacts): string {
  return `${randomUUID()}.${facts.synthetic ? 'txt' : 'webm'}`;
}
