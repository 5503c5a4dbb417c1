/** Which credential a request presented, as the sandbox recognised it. */
export type CredentialKind =
  | 'none'
  | 'client_secret'
  | 'authenteq_token'
  | 'apikey'
  | 'LOGIN_TOKEN'
  | 'BACKEND_TOKEN'
  | 'USER_TOKEN'
  | 'BACKEND_TOKEN_WITH_USER_ID'
  | 'idv_api_key'
  | 'ephemeral_token'
  | 'invalid';

/** One request the sandbox received. */
export interface LoggedRequest {
  /** `'authenteq'`, `'alice'`, `'idv'` or `'sandbox'` (pages and shortcuts). */
  provider: string;
  /** The route's name, e.g. `'authenteq.token'`, `'alice.login_token'`; the names fault injection uses. */
  route: string;
  method: string;
  /** The path without the query string. */
  path: string;
  /** The credential kind presented (set once the route has checked it). */
  credential: CredentialKind;
  /** The user a token was bound to, for Alice's per-user tokens. */
  userId?: string;
  /** The status the sandbox answered with; `0` for a dropped or unanswered request. */
  status: number;
  /** Sandbox clock time of arrival. */
  at: number;
}

/** Filter for {@link RequestLog.count}: every given field must match. */
export type RequestFilter = Partial<
  Pick<LoggedRequest, 'provider' | 'route' | 'method' | 'path' | 'credential' | 'userId'>
>;

/**
 * Every request the sandbox received, in order, so tests can count upstream calls.
 *
 * @example
 * ```ts
 * sandbox.requests.clear();
 * // ... drive a sign-up ...
 * expect(sandbox.requests.count({ route: 'authenteq.token' })).toBe(1);
 * ```
 */
export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  /** Requests matching `filter` (all of them without one). */
  filter(filter: RequestFilter = {}): LoggedRequest[] {
    const keys = Object.keys(filter) as (keyof RequestFilter)[];
    return this.entries.filter((entry) => keys.every((key) => entry[key] === filter[key]));
  }

  /** How many requests match `filter`. */
  count(filter: RequestFilter = {}): number {
    return this.filter(filter).length;
  }

  /** Forgets every request. */
  clear(): void {
    this.entries.length = 0;
  }
}
