import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Clock, InvalidArgumentError, MemoryStore, type Store, systemClock } from '@passport-idv/core';
import {
  assertClock,
  assertStore,
  invalidOption,
  isRecord,
  secondsOption,
  storeCall,
  storeKey,
} from '@passport-idv/core/internal';
import type { Request, Response } from 'express';

/** Options of {@link DeviceBinding}. */
export interface DeviceBindingOptions {
  /** Signs the cookie (HMAC-SHA256): at least 32 bytes, random, your app's own (not the session secret). */
  secret: string | Uint8Array;
  /** Seconds a binding lasts, from 60 to 34,560,000 (400 days, the most browsers keep a cookie). Default 90 days. */
  maxAge?: number;
  /** The cookie's name. Default `'passport-idv.device'`. */
  cookieName?: string;
  /** `Secure` cookie: `'auto'` (default) follows `req.secure`, which needs the right `trust proxy` behind a proxy. */
  secure?: boolean | 'auto';
  /** Where revocations are kept (a RedisStore for several instances). Default: a MemoryStore on `clock`. */
  store?: Store;
  /** The clock behind expiry and revocation. Default: the system clock. */
  clock?: Clock;
}

interface Binding {
  /** Your app's user id. */
  sub: string;
  /** When the binding was made and when it ends, ms since the epoch. */
  iat: number;
  exp: number;
}

const MAC_CONTEXT = 'passport-idv device binding v1\n';

/**
 * Remembers, in a signed, `HttpOnly`, long-lived cookie, that this browser belongs to a user who signed in on it in
 * full (password and second factor, an email link: your app's strongest sign-in). Face login by itself can then
 * start only on such a device: the app reads the user back with {@link DeviceBinding.userOf} and calls
 * `FaceLoginStrategy.begin()` for that user, never for an identifier typed into a form.
 *
 * The cookie holds the user id, when it was bound and when it expires, signed with HMAC-SHA256 under `secret` and
 * checked in constant time. It cannot be forged or moved to another user without the secret; it expires after
 * `maxAge`; {@link DeviceBinding.revoke} ends every binding of a user made so far (e.g. on a password change).
 *
 * @example
 * ```ts
 * const devices = new DeviceBinding({ secret: process.env.DEVICE_SECRET! });
 * app.post('/login/password', passwordAndOtp, (req, res) => { devices.bind(req, res, req.user.id); res.redirect('/'); });
 * app.post('/login/face/begin', async (req, res) => {
 *   const user = req.user ?? (await users.byId(await devices.userOf(req)));
 *   if (!user?.faceLoginEnabled) return res.status(400).json({ message: 'Sign in with your password first.' });
 *   res.set('cache-control', 'no-store').json(await faceLogin.begin(req, user.aliceUserId));
 * });
 * ```
 */
export class DeviceBinding {
  readonly #key: Buffer;
  readonly #maxAgeMs: number;
  readonly #cookieName: string;
  readonly #secure: boolean | 'auto';
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(options: DeviceBindingOptions) {
    if (!isRecord(options)) invalidOption('DeviceBinding needs { secret }');
    const { secret, maxAge = 90 * 86_400, cookieName = 'passport-idv.device', secure = 'auto' } = options;
    const key = typeof secret === 'string' ? Buffer.from(secret) : secret instanceof Uint8Array ? secret : undefined;
    if (key === undefined || key.byteLength < 32)
      invalidOption('secret must be a string or bytes of at least 32 bytes');
    if (typeof cookieName !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(cookieName))
      invalidOption('cookieName must be 1-64 letters, digits or ._-');
    if (secure !== true && secure !== false && secure !== 'auto') invalidOption("secure must be true, false or 'auto'");
    const clock = options.clock ?? systemClock;
    assertClock(clock);
    if (options.store !== undefined) assertStore(options.store, 'store', ['get', 'set']);
    this.#key = Buffer.from(key);
    this.#maxAgeMs = secondsOption(maxAge, 'maxAge', { min: 60, max: 400 * 86_400 });
    this.#cookieName = cookieName;
    this.#secure = secure;
    this.#clock = clock;
    this.#store = options.store ?? new MemoryStore({ clock });
  }

  /**
   * Binds this browser to `userId`: sets the signed cookie on `res`. Call it only right after your app's full sign-in.
   *
   * @example
   * ```ts
   * devices.bind(req, res, user.id);
   * ```
   */
  bind(req: Request, res: Response, userId: string): void {
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > 200)
      throw new InvalidArgumentError('userId must be a non-empty string of at most 200 characters');
    const iat = this.#clock.now();
    const payload = Buffer.from(JSON.stringify({ sub: userId, iat, exp: iat + this.#maxAgeMs } satisfies Binding));
    const body = payload.toString('base64url');
    res.cookie(this.#cookieName, `${body}.${this.#mac(body).toString('base64url')}`, {
      ...this.#cookieOptions(req),
      maxAge: this.#maxAgeMs,
    });
  }

  /**
   * The user this browser was bound to, if its cookie is genuine, unexpired and not revoked; otherwise `undefined`.
   *
   * @example
   * ```ts
   * const userId = await devices.userOf(req); // 'u_123' or undefined
   * ```
   */
  async userOf(req: Request): Promise<string | undefined> {
    const binding = this.#read(req);
    if (binding === undefined) return undefined;
    const revokedAt = await storeCall(() => this.#store.get<number>(this.#revokedKey(binding.sub)));
    if (typeof revokedAt === 'number' && binding.iat <= revokedAt) return undefined;
    return binding.sub;
  }

  /**
   * Removes the binding from this browser ("not you? forget this device").
   *
   * @example
   * ```ts
   * devices.forget(req, res);
   * ```
   */
  forget(req: Request, res: Response): void {
    res.clearCookie(this.#cookieName, this.#cookieOptions(req));
  }

  /**
   * Ends every binding of `userId` made until now, on every device (a password change, a lost phone).
   *
   * @example
   * ```ts
   * await devices.revoke(user.id);
   * ```
   */
  async revoke(userId: string): Promise<void> {
    const now = this.#clock.now();
    // Kept as long as a binding made just before can live: after that, every one of them has expired anyway.
    await storeCall(() => this.#store.set(this.#revokedKey(userId), now, this.#maxAgeMs));
  }

  #cookieOptions(req: Request) {
    return {
      httpOnly: true,
      sameSite: 'strict' as const,
      secure: this.#secure === 'auto' ? req.secure === true : this.#secure,
      path: '/',
    };
  }

  #mac(body: string): Buffer {
    return createHmac('sha256', this.#key).update(MAC_CONTEXT).update(body).digest();
  }

  #revokedKey(userId: string): string {
    return storeKey('face-login', 'revoked-device', userId);
  }

  /** The binding in this request's cookie, if its signature is genuine and it has not expired. */
  #read(req: Request): Binding | undefined {
    const value = cookieValue(req.headers.cookie, this.#cookieName);
    const dot = value?.indexOf('.') ?? -1;
    if (value === undefined || dot < 1) return undefined;
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.#mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let binding: unknown;
    try {
      binding = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (
      !isRecord(binding) ||
      typeof binding.sub !== 'string' ||
      binding.sub.length === 0 ||
      typeof binding.iat !== 'number' ||
      typeof binding.exp !== 'number' ||
      binding.exp <= this.#clock.now()
    ) {
      return undefined;
    }
    return binding as unknown as Binding;
  }
}

/** The value of cookie `name` in a `Cookie` header, or `undefined`. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
