/** What to do to a route's next requests. */
export interface Fault {
  /** Answer with this status (and a provider-style error body) instead of running the route. */
  status?: number;
  /** Answer 200 with a body that is not JSON. */
  malformed?: boolean;
  /** Answer 200 with this JSON body instead of the documented one (a wrong shape). */
  body?: unknown;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** Never answer (until the client gives up or the sandbox closes). */
  hang?: boolean;
  /** Wait this many real milliseconds first; alone, the route then runs as usual. */
  latency?: number;
  /**
   * Hold the request until this promise settles, then go on as the other fields say (alone: run the route as usual).
   * A test opens the gate once it has done what must happen while the request is at the provider.
   */
  gate?: PromiseLike<unknown>;
  /** How many requests this applies to. Default: all of them, until cleared. */
  times?: number;
}

interface Armed extends Fault {
  route: string;
  remaining: number;
}

/**
 * Fault injection per route, by route name (`'authenteq.token'`, `'alice.authentication'`, `'idv.sessions'`...;
 * `sandbox.routes` lists them). A fault applies to the next `times` requests of that route, then disarms.
 *
 * @example
 * ```ts
 * sandbox.faults.inject('authenteq.token', { status: 503, times: 1 });
 * sandbox.faults.inject('alice.login_token', { hang: true });
 * sandbox.faults.clear();
 * ```
 */
export class Faults {
  readonly #armed: Armed[] = [];
  readonly #routes: ReadonlySet<string>;

  constructor(routes: ReadonlySet<string>) {
    this.#routes = routes;
  }

  /** Arms `fault` for `route`. Throws for a route name the sandbox does not have. */
  inject(route: string, fault: Fault): void {
    if (!this.#routes.has(route)) throw new RangeError(`unknown sandbox route: ${route}`);
    const times = fault.times ?? Number.POSITIVE_INFINITY;
    if (!(times > 0)) throw new RangeError('times must be positive');
    this.#armed.push({ ...fault, route, remaining: times });
  }

  /** Disarms every fault, or those of one route. */
  clear(route?: string): void {
    for (let i = this.#armed.length - 1; i >= 0; i--) {
      if (route === undefined || this.#armed[i]?.route === route) this.#armed.splice(i, 1);
    }
  }

  /** @internal The fault for this request of `route`, consuming one use. */
  next(route: string): Fault | undefined {
    const index = this.#armed.findIndex((fault) => fault.route === route);
    if (index === -1) return undefined;
    const fault = this.#armed[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#armed.splice(index, 1);
    return fault;
  }
}
