import { randomBytes, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { SandboxClock } from '../clock.js';

/** The four Alice token kinds (docs/providers/alice.md, "Tokens"). */
export type AliceTokenKind = 'LOGIN_TOKEN' | 'BACKEND_TOKEN' | 'USER_TOKEN' | 'BACKEND_TOKEN_WITH_USER_ID';

/** What a verified token says. */
export interface AliceTokenClaims {
  kind: AliceTokenKind;
  userId: string | undefined;
  exp: number;
}

/** Every token lasts 60 minutes (docs/providers/alice.md, "Tokens"). */
export const TOKEN_LIFETIME_S = 3600;
/** With `Cache-Control: use-cache` the API keeps handing back the last token for 30 minutes. */
const CACHE_WINDOW_MS = 30 * 60_000;

/**
 * Issues and checks the sandbox's JWTs: HS256 with a key that lives as long as the sandbox, `exp` read from the
 * sandbox clock, the kind in a `typ`-like private claim and the user in `sub`.
 */
export class TokenIssuer {
  #key = new Uint8Array(randomBytes(32));
  readonly #clock: SandboxClock;
  readonly #cache = new Map<string, { token: string; issuedAt: number }>();

  constructor(clock: SandboxClock) {
    this.#clock = clock;
  }

  /** Signs a token of `kind` (bound to `userId` for the per-user kinds). */
  async issue(kind: AliceTokenKind, userId?: string, useCache = false): Promise<string> {
    const slot = `${kind}:${userId ?? ''}`;
    const now = this.#clock.now();
    if (useCache) {
      const cached = this.#cache.get(slot);
      if (cached && now - cached.issuedAt < CACHE_WINDOW_MS) return cached.token;
    }
    const iat = Math.floor(now / 1000);
    const jwt = new SignJWT({ kind })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('alice-onboarding-sandbox')
      .setIssuedAt(iat)
      .setExpirationTime(iat + TOKEN_LIFETIME_S)
      .setJti(randomUUID());
    if (userId !== undefined) jwt.setSubject(userId);
    const token = await jwt.sign(this.#key);
    if (useCache) this.#cache.set(slot, { token, issuedAt: now });
    return token;
  }

  /**
   * Checks a token's signature and `exp` on the sandbox clock; `undefined` for anything that is not a live token of
   * this sandbox, with `reason` saying why (for the error body).
   */
  async verify(token: string): Promise<AliceTokenClaims | { reason: string }> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: 'alice-onboarding-sandbox',
        currentDate: new Date(this.#clock.now()),
        algorithms: ['HS256'],
      });
      const kind = payload.kind;
      if (
        kind !== 'LOGIN_TOKEN' &&
        kind !== 'BACKEND_TOKEN' &&
        kind !== 'USER_TOKEN' &&
        kind !== 'BACKEND_TOKEN_WITH_USER_ID'
      ) {
        return { reason: 'Invalid token' };
      }
      return { kind, userId: payload.sub, exp: payload.exp ?? 0 };
    } catch (error) {
      return { reason: error instanceof errors.JWTExpired ? 'Token expired' : 'Invalid token' };
    }
  }

  /** Makes every token issued so far invalid (as a key rotation on the provider's side would). */
  revokeAll(): void {
    this.#key = new Uint8Array(randomBytes(32));
    this.#cache.clear();
  }
}
