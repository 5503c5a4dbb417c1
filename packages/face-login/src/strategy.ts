import {
  type Clock,
  InvalidArgumentError,
  MemoryStore,
  ProviderStatusError,
  ProviderTimeoutError,
  type Store,
  systemClock,
} from '@passport-idv/core';
import {
  assertClock,
  createLogger,
  invalidOption,
  isRecord,
  randomToken,
  runVerify,
  secondsOption,
  sessionOf,
  storeCall,
  storeKey,
} from '@passport-idv/core/internal';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { AliceClient } from './alice-client.js';
import type { DeviceBinding } from './device-binding.js';
import { FAILURES } from './failures.js';
import type {
  FaceLoginBegin,
  FaceLoginFailure,
  FaceLoginFailureCode,
  FaceLoginResult,
  FaceLoginStrategyOptions,
  FaceLoginStrategyOptionsWithRequest,
  FaceLoginVerify,
  FaceLoginVerifyWithRequest,
} from './options.js';
import { EVALUATION_MS, FailureLimiter, type LimitedKey, type Reservation } from './rate-limit.js';
import { newestAuthentication, type Resolution, resolutionOption } from './resolve-authentication.js';
import type { AliceAuthentication } from './results.js';
import { enrolledFace } from './review-enrollment.js';
import { ATTEMPT_KEY, type FaceLoginAttempt, recordOnLogin, type SessionData } from './session.js';

const log = createLogger('face-login');

/** The longest `maxAge` of an attempt, in seconds. */
const MAX_ATTEMPT_SECONDS = 1_200;

/** The reservation of an attempt when rate limiting is off: no slots. */
const NOT_LIMITED: Reservation = { slots: [], until: Number.POSITIVE_INFINITY };

/** What `_evaluate` decided: a refusal (counted as a failure of the user's, or not), or a result for `verify`. */
type Outcome = { refused: FaceLoginFailureCode; counts: boolean } | { result: FaceLoginResult };

interface Thresholds {
  liveness: number;
  matching: number;
}

function thresholds(value: unknown, name: string, defaults: Thresholds): Thresholds {
  if (value === undefined) return defaults;
  if (!isRecord(value)) invalidOption(`${name} must be an object`);
  const result = { ...defaults };
  for (const key of ['liveness', 'matching'] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v <= 100)) invalidOption(`${name}.${key} must be a number from 0 to 100`);
    result[key] = v;
  }
  return result;
}

/**
 * Passport strategy `'face-login'`: log a user in (or step them up) with a selfie checked by Alice Onboarding.
 *
 * Your app decides who is logging in — a device bound at an earlier full sign-in ({@link DeviceBinding}) or the
 * logged-in user, never an identifier from a form — and calls {@link FaceLoginStrategy.begin}, which opens an attempt
 * in the session and returns the USER_TOKEN for the browser SDK; the browser authenticates and posts
 * `{ authenticationId }`, or nothing (Alice's own web SDK hands the page no id: the strategy then takes the attempt's
 * user's newest authentication inside the attempt's window, see `resolveAuthentication`), to a route guarded by
 * `passport.authenticate('face-login')`. The strategy then refuses, before any upstream call, a session with no open
 * attempt, an attempt older than `maxAge`, a malformed id, a user or IP over its failure limit and an id already used;
 * consumes the attempt and the id (single use, through the store); reads that authentication for the attempt's user
 * (and, beside it, whether the enrolled face is still the one `reviewEnrollment` approved); and requires finite scores in range at or above the thresholds and a `created_at`
 * inside the attempt's window. After login the session remembers `{ at, authenticationId, aliceUserId, user }`
 * (surviving Passport's session regeneration) for `requireFaceLogin`. `authenticate()` never throws.
 *
 * @example
 * ```ts
 * const faceLogin = new FaceLoginStrategy({ client: alice }, async (aliceUserId) => users.byAliceId(aliceUserId) ?? false);
 * const devices = new DeviceBinding({ secret: process.env.DEVICE_SECRET! });
 * passport.use(faceLogin);
 * app.post('/login/face/begin', async (req, res) => {
 *   const user = req.user ?? (await users.byId(await devices.userOf(req)));
 *   if (!user?.faceLoginEnabled) return res.status(400).json({ message: 'Sign in on this device first.' });
 *   res.set('cache-control', 'no-store').json(await faceLogin.begin(req, user.aliceUserId));
 * });
 * app.post('/login/face', passport.authenticate('face-login', { failureRedirect: '/login', successRedirect: '/' }));
 * ```
 */
export class FaceLoginStrategy extends Strategy {
  // Plain private members, not #fields: Passport runs authenticate() on Object.create(strategy).
  /** `'face-login'`. */
  name = 'face-login';
  private readonly _client: AliceClient;
  private readonly _verify: FaceLoginVerify | FaceLoginVerifyWithRequest;
  private readonly _passReqToCallback: boolean;
  private readonly _thresholds: Thresholds;
  private readonly _thresholdsV0: Thresholds;
  private readonly _maxAgeMs: number;
  private readonly _skewMs: number;
  private readonly _store: Store;
  private readonly _clock: Clock;
  private readonly _field: string;
  private readonly _limits: { perUser: number; perIp: number } | undefined;
  private readonly _limiter: FailureLimiter | undefined;
  private readonly _resolution: Resolution | undefined;

  constructor(options: FaceLoginStrategyOptionsWithRequest, verify: FaceLoginVerifyWithRequest);
  constructor(options: FaceLoginStrategyOptions, verify: FaceLoginVerify);
  constructor(
    options: FaceLoginStrategyOptions | FaceLoginStrategyOptionsWithRequest,
    verify: FaceLoginVerify | FaceLoginVerifyWithRequest,
  ) {
    super();
    if (!isRecord(options)) invalidOption('FaceLoginStrategy needs an options object');
    if (!(options.client instanceof AliceClient)) invalidOption('client must be an AliceClient');
    if (typeof verify !== 'function') invalidOption('FaceLoginStrategy needs a verify function');
    const { maxAge = 300, clockSkew = 5, authenticationIdField = 'authenticationId' } = options;
    // At most 20 minutes: begin() hands out a USER_TOKEN that lives at least as long as the attempt, and a token the
    // API hands back from its cache (`useCache`) may have only 30 minutes left.
    const maxAgeMs = secondsOption(maxAge, 'maxAge', { min: 1, max: MAX_ATTEMPT_SECONDS });
    const skewMs = secondsOption(clockSkew, 'clockSkew', { min: 0, max: 300 });
    if (typeof authenticationIdField !== 'string' || authenticationIdField.length === 0)
      invalidOption('authenticationIdField must be a non-empty string');
    const clock = options.clock ?? systemClock;
    assertClock(clock);
    this._client = options.client;
    this._verify = verify;
    this._passReqToCallback = options.passReqToCallback === true;
    this._thresholds = thresholds(options.thresholds, 'thresholds', { liveness: 50, matching: 50 });
    this._thresholdsV0 = thresholds(options.thresholdsV0, 'thresholdsV0', { liveness: 50, matching: 70 });
    this._maxAgeMs = maxAgeMs;
    this._skewMs = skewMs;
    this._clock = clock;
    this._store = options.store ?? new MemoryStore({ clock });
    this._field = authenticationIdField;
    this._resolution = resolutionOption(options.resolveAuthentication);
    if (options.rateLimit !== false) {
      const { perUser = 5, perIp = 20, window = 900 } = options.rateLimit ?? {};
      for (const [key, value] of Object.entries({ perUser, perIp })) {
        if (!Number.isSafeInteger(value) || value < 1 || value > 1_000)
          invalidOption(`rateLimit.${key} must be a whole number from 1 to 1000`);
      }
      const windowMs = secondsOption(window, 'rateLimit.window', { min: 1, max: 86_400, integer: true });
      this._limits = { perUser, perIp };
      this._limiter = new FailureLimiter(this._store, clock, windowMs);
    }
  }

  /**
   * Opens a face-login attempt for `aliceUserId` in this session (replacing any earlier one) and returns the
   * USER_TOKEN the browser SDK needs, valid for at least `maxAge`. Send it in a response body with
   * `Cache-Control: no-store`, never in a URL.
   *
   * **Call it only for a user your app has already identified by something the visitor holds**, never for an
   * identifier typed into a form: the USER_TOKEN lets its holder act as that user at the provider (read the user's
   * status, upload selfies). Proving who this is is the app's job, because only the app knows its first factor:
   * - a device the user bound at an earlier full sign-in ({@link DeviceBinding}: a signed, `HttpOnly` cookie), or
   * - the logged-in user of this session (`req.user`), for a step-up.
   *
   * An email, a user name or a phone number is not proof: anyone can type the victim's.
   *
   * @example
   * ```ts
   * const user = req.user ?? (await users.byId(await devices.userOf(req)));
   * if (!user?.faceLoginEnabled) return res.status(400).json({ message: 'Sign in on this device first.' });
   * const { userToken } = await faceLogin.begin(req, user.aliceUserId);
   * res.set('cache-control', 'no-store').json({ userToken });
   * ```
   */
  async begin(req: Request, aliceUserId: string): Promise<FaceLoginBegin> {
    const session = sessionOf(req, 'FaceLoginStrategy');
    if (typeof aliceUserId !== 'string' || aliceUserId.length === 0)
      throw new InvalidArgumentError('aliceUserId must be a non-empty string');
    // Never a token that expires while the attempt is open: the browser SDK needs it until the selfie is sent.
    const userToken = await this._client.getUserToken(aliceUserId, { validFor: this._maxAgeMs / 1000 });
    const at = this._clock.now();
    const attempt: FaceLoginAttempt = { id: randomToken(16), aliceUserId, at };
    await storeCall(() => this._store.set(this._attemptKey(attempt.id), { aliceUserId, at }, this._maxAgeMs));
    session[ATTEMPT_KEY] = attempt;
    return { userToken, expiresAt: at + this._maxAgeMs };
  }

  override authenticate(req: Request): void {
    this._run(req).catch((error: unknown) => this.error(error as Error));
  }

  private async _run(req: Request): Promise<void> {
    const session = sessionOf(req, 'FaceLoginStrategy');
    const attempt = session[ATTEMPT_KEY] as Partial<FaceLoginAttempt> | undefined;
    if (typeof attempt?.id !== 'string' || typeof attempt.aliceUserId !== 'string' || typeof attempt.at !== 'number') {
      return this._fail('no_attempt');
    }
    if (this._clock.now() - attempt.at > this._maxAgeMs) {
      delete session[ATTEMPT_KEY];
      return this._fail('attempt_expired');
    }
    const body: unknown = req.body;
    const posted = isRecord(body) ? body[this._field] : undefined;
    // No id posted (Alice's web SDK gives the page none): resolved on the server, unless that is turned off.
    const resolve = (posted === undefined || posted === '') && this._resolution !== undefined;
    if (!resolve && (typeof posted !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(posted)))
      return this._fail('authentication_id_missing');
    const id = resolve ? undefined : (posted as string);
    const open = attempt as FaceLoginAttempt;
    // A failure slot of the user and of the IP, taken before anything is evaluated (waiting for one if all are held
    // by attempts being evaluated): concurrent attempts cannot overrun the limit. Kept when the attempt fails, given
    // back otherwise; one nobody marks or gives back (a store error) frees itself after a short lease.
    const limiter = this._limiter;
    const reservation = limiter ? await limiter.reserve(this._limitKeys(req, open.aliceUserId)) : NOT_LIMITED;
    if (reservation === undefined) return this._fail('rate_limited');
    let outcome: Outcome;
    try {
      outcome = await this._evaluate(session, open, id);
    } catch (error) {
      await limiter?.release(reservation);
      throw error;
    }
    // Once the leases may have ended, another attempt may hold these slots: this outcome would be one beyond the limit.
    if (limiter && !limiter.held(reservation)) {
      throw new ProviderTimeoutError(`the face login was not evaluated within ${EVALUATION_MS / 1000} s`, {
        provider: 'alice',
        operation: 'authentication',
      });
    }
    if (!('result' in outcome) && outcome.counts) {
      await limiter?.fail(reservation);
      return this._fail(outcome.refused);
    }
    await limiter?.release(reservation);
    if ('result' in outcome) return this._verifyAndLogIn(req, outcome.result);
    this._fail(outcome.refused);
  }

  /**
   * Consumes the id and the attempt, reads the authentication for the attempt's user (and, in parallel, whether its
   * enrolled face is still the approved one), and judges it.
   */
  private async _evaluate(session: SessionData, attempt: FaceLoginAttempt, id: string | undefined): Promise<Outcome> {
    if (id === undefined) return this._evaluateResolved(session, attempt);
    // Single use, before any upstream call: the id (by anyone, ever within its useful life), then this attempt. Only
    // the request that spent the id takes the attempt: of a double submit (on any instances) the loser must not take
    // the attempt from under the winner, or neither would log in.
    const used = await this._spend(id, attempt);
    if (used) return used;
    if (!(await this._takeAttempt(session, attempt))) return { refused: 'no_attempt', counts: false };
    const userId = attempt.aliceUserId;
    const [authentication, face] = await Promise.all([
      this._client.getAuthentication(userId, id).catch((error: unknown) => {
        // Another user's id, or an unknown one: the API answers 404 for this user's token.
        if (error instanceof ProviderStatusError && error.upstreamStatus === 404) return undefined;
        throw error;
      }),
      enrolledFace(this._client, userId),
    ]);
    if (authentication === undefined) return { refused: 'authentication_not_found', counts: true };
    return this._judge(attempt, authentication, face, id);
  }

  /**
   * A login posted without an id: this attempt is taken first (of a double submit, only one request resolves), then
   * the attempt's user's newest authentication inside its window is found (waiting a little for it to appear) and
   * spent like a posted id, and judged the same way.
   */
  private async _evaluateResolved(session: SessionData, attempt: FaceLoginAttempt): Promise<Outcome> {
    if (!(await this._takeAttempt(session, attempt))) return { refused: 'no_attempt', counts: false };
    const userId = attempt.aliceUserId;
    const resolution = this._resolution as Resolution; // set: `_run` resolves only then
    const found = await newestAuthentication(this._client, userId, attempt.at, this._skewMs, this._clock, resolution);
    if (found === undefined) return { refused: 'authentication_not_found', counts: true };
    const used = await this._spend(found.authenticationId, attempt);
    if (used) return { ...used, counts: true };
    return this._judge(attempt, found, await enrolledFace(this._client, userId), found.authenticationId);
  }

  /** Takes the attempt out of the session and the store; `false` if another request took it from the store first. */
  private async _takeAttempt(session: SessionData, attempt: FaceLoginAttempt): Promise<boolean> {
    delete session[ATTEMPT_KEY];
    return (await storeCall(() => this._store.take(this._attemptKey(attempt.id)))) !== undefined;
  }

  /** Marks `id` used by this attempt; a refusal if it already was (counted unless by this very attempt). */
  private async _spend(id: string, attempt: FaceLoginAttempt): Promise<Outcome | undefined> {
    const usedKey = storeKey('face-login', 'used', id);
    if (await storeCall(() => this._store.add(usedKey, attempt.id, 2 * this._maxAgeMs + 60_000))) return undefined;
    // Spent by this very attempt (a double submit of one login): not a failure of the user's.
    const spentBy = await storeCall(() => this._store.get(usedKey));
    return { refused: 'authentication_id_used', counts: spentBy !== attempt.id };
  }

  /** The scores against the thresholds, the enrolled face, and `created_at` inside the attempt's window. */
  private _judge(
    attempt: FaceLoginAttempt,
    authentication: AliceAuthentication,
    face: 'approved' | 'changed' | 'unreviewed',
    id: string,
  ): Outcome {
    const userId = attempt.aliceUserId;
    if (face === 'changed') return { refused: 'enrollment_changed', counts: true };
    const { liveness, matching, createdAt, version } = authentication;
    if (liveness === undefined || matching === undefined) return { refused: 'invalid_scores', counts: true };
    const min = version === 0 ? this._thresholdsV0 : this._thresholds;
    if (liveness < min.liveness) return { refused: 'liveness_too_low', counts: true };
    if (matching < min.matching) return { refused: 'face_mismatch', counts: true };
    // `created_at` has whole seconds: allow the skew on both sides of [begin, now].
    if (
      createdAt === undefined ||
      createdAt < attempt.at - this._skewMs ||
      createdAt > this._clock.now() + this._skewMs
    ) {
      return { refused: 'authentication_outside_window', counts: true };
    }
    log('authentication accepted (v%d)', version);
    return { result: { aliceUserId: userId, authenticationId: id, liveness, matching, version, createdAt } };
  }

  private async _verifyAndLogIn(req: Request, result: FaceLoginResult): Promise<void> {
    const args = [result.aliceUserId, result];
    const { user, info } = await runVerify(this._verify, { passReqToCallback: this._passReqToCallback }, req, args);
    if (!user) return this.fail(info ?? { code: 'rejected', message: FAILURES.rejected.message }, 401);
    recordOnLogin(req, {
      at: this._clock.now(),
      authenticationId: result.authenticationId,
      aliceUserId: result.aliceUserId,
    });
    this.success(user as Express.User, { ...(isRecord(info) ? info : {}), faceLogin: result });
  }

  private _limitKeys(req: Request, userId: string): LimitedKey[] {
    if (!this._limits) return [];
    return [
      [`user:${userId}`, this._limits.perUser],
      [`ip:${req.ip ?? 'unknown'}`, this._limits.perIp],
    ];
  }

  private _fail(code: FaceLoginFailureCode): void {
    log('face login refused: %s', code);
    const { message, status } = FAILURES[code];
    const challenge: FaceLoginFailure = { code, message };
    this.fail(challenge, status);
  }

  private _attemptKey(id: string): string {
    return storeKey('face-login', 'attempt', id);
  }
}
