import { ProviderStatusError, safeReturnTo, systemClock } from '@passport-idv/core';
import {
  assertClock,
  assertStore,
  createLogger,
  invalidOption,
  isRecord,
  runVerify,
  secondsOption,
} from '@passport-idv/core/internal';
import type { Request } from 'express';
import type { Strategy } from 'passport-strategy';
import type { AuthenteqStrategyBaseOptions } from './options.js';
import type { AuthenteqPolicy } from './policy.js';

// The pieces both Authenteq strategies (Web KYC and Web IDV) share: option checks, the query, the verify callback.

const log = createLogger('authenteq');

/** The fails both strategies share: a status and a sentence for the person (the policy's say their own). */
export const SHARED_FAILURES = {
  state_missing: { message: 'This sign-up link is not valid. Please start again.', status: 403 },
  state_invalid: { message: 'This sign-up link has expired or was already used. Please start again.', status: 403 },
  code_rejected: { message: 'The identity check could not be confirmed. Please start again.', status: 403 },
  document_expired: { message: '', status: 403 },
  document_without_expiry: { message: '', status: 403 },
  under_age: { message: '', status: 403 },
  country_not_accepted: { message: '', status: 403 },
} as const satisfies Record<string, { message: string; status: number }>;

/** Fails `strategy` with `{ code, message }` and the code's status from `failures`. */
export function failWith<Code extends string>(
  strategy: Strategy,
  failures: Record<Code, { message: string; status: number }>,
  code: Code,
  message?: string,
): void {
  const entry = failures[code];
  strategy.fail({ code, message: message ?? entry.message }, entry.status);
}

/** Checks the options both strategies take (coded `TypeError`s) and fills in their defaults. */
export function sharedOptions(options: AuthenteqStrategyBaseOptions) {
  const {
    stateTTL = 600,
    policy = {},
    includeImages = false,
    passReqToCallback = false,
    clock = systemClock,
  } = options;
  const stateTTLMs = secondsOption(stateTTL, 'stateTTL', { min: 1, max: 86_400 });
  // States need only add and take.
  if (options.store !== undefined) assertStore(options.store, 'store', ['add', 'take']);
  assertPolicy(policy);
  if (typeof includeImages !== 'boolean') invalidOption('includeImages must be a boolean');
  if (typeof passReqToCallback !== 'boolean') invalidOption('passReqToCallback must be a boolean');
  assertClock(clock);
  return { store: options.store, stateTTLMs, policy: { ...policy }, includeImages, passReqToCallback, clock };
}

/** `returnTo` if it is a same-origin path of the callback's origin, else `undefined` (and a debug line). */
export function filterReturnTo(returnTo: unknown, origin: string): string | undefined {
  if (returnTo === undefined) return undefined;
  const safe = safeReturnTo(returnTo, origin, '') || undefined;
  if (safe === undefined) log('returnTo dropped: not a same-origin path');
  return safe;
}

/** The request's query parameters. */
export function queryOf(req: Request): Record<string, unknown> {
  const query: unknown = req.query; // Express 5 parses the query string again on every read of req.query
  if (isRecord(query)) return query;
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  return Object.fromEntries(params);
}

/** A non-empty string query parameter, else `undefined` (an array from `?a=1&a=2` is not one). */
export function queryString(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A 4xx from the provider: the request was refused (reused code, details window passed), not a provider outage.
 * With `keysRefused: false`, 401 and 403 are left out: they say the app's keys or account are refused, an error.
 */
export function isClientError(error: unknown, keysRefused = true): boolean {
  if (!(error instanceof ProviderStatusError) || error.upstreamStatus === undefined) return false;
  const status = error.upstreamStatus;
  if (!keysRefused && (status === 401 || status === 403)) return false;
  return status >= 400 && status < 500 && status !== 429;
}

/** Ends `authenticate()` with `strategy.error()` for a rejection, logging its code only. */
export function errorTo(strategy: Strategy): (error: unknown) => void {
  return (error) => {
    log('authenticate failed: %s', isRecord(error) ? String(error.code ?? error.name) : 'error');
    strategy.error(error instanceof Error ? error : new Error('authentication failed'));
  };
}

/**
 * Runs the app's verify callback with the profile (core's `runVerify`: callback or promise, `req` first with
 * `passReqToCallback`) and ends in `success` (with `authInfo` over the callback's info) or `fail` (401); a verify
 * error rejects, for `strategy.error()`.
 */
export async function verifyAndFinish(
  strategy: Strategy,
  // biome-ignore lint/suspicious/noExplicitAny: either strategy's verify signature
  verify: (...args: any[]) => unknown,
  passReqToCallback: boolean,
  req: Request,
  profile: object,
  authInfo: Record<string, unknown>,
): Promise<void> {
  const { user, info } = await runVerify(verify, { passReqToCallback }, req, [profile]);
  if (!user) {
    log('verify refused the identity');
    return strategy.fail(info ?? { message: 'Sign-up was refused.' }, 401);
  }
  log('signed up');
  strategy.success(user as Express.User, { ...(isRecord(info) ? info : {}), ...authInfo });
}

function assertPolicy(policy: AuthenteqPolicy): void {
  if (!isRecord(policy)) invalidOption('policy must be an object');
  const { minimumAge, acceptedIssuingCountries, acceptExpiredDocuments, acceptDocumentsWithoutExpiry } =
    policy as AuthenteqPolicy;
  if (minimumAge !== undefined && !(Number.isInteger(minimumAge) && minimumAge >= 0 && minimumAge < 150)) {
    invalidOption('policy.minimumAge must be a whole number of years');
  }
  if (
    acceptedIssuingCountries !== undefined &&
    !(
      Array.isArray(acceptedIssuingCountries) &&
      acceptedIssuingCountries.every((c) => typeof c === 'string' && c !== '')
    )
  ) {
    invalidOption('policy.acceptedIssuingCountries must be an array of country codes');
  }
  if (acceptExpiredDocuments !== undefined && typeof acceptExpiredDocuments !== 'boolean') {
    invalidOption('policy.acceptExpiredDocuments must be a boolean');
  }
  if (acceptDocumentsWithoutExpiry !== undefined && typeof acceptDocumentsWithoutExpiry !== 'boolean') {
    invalidOption('policy.acceptDocumentsWithoutExpiry must be a boolean');
  }
}
