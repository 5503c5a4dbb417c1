import type { SandboxClock } from '../clock.js';
import type { AuthenteqWebIdvClient } from './web-idv-clients.js';
import type { AuthenteqWebIdvResult } from './web-idv-identities.js';
import {
  type AuthenteqWebhookSignature,
  signWebhook,
  WEBHOOK_SIGNATURES,
  webhookBody,
} from './web-idv-webhook-body.js';

export { type AuthenteqWebhookSignature, signWebhook, WEBHOOK_SIGNATURES } from './web-idv-webhook-body.js';

/**
 * One POST the sandbox made (or tried) to a webhook URL.
 *
 * @example
 * ```ts
 * const failed = sandbox.authenteqWebIdv.webhooks.deliveries.filter((d) => d.status !== 200);
 * ```
 */
export interface AuthenteqWebhookDelivery {
  verificationId: string;
  clientID: string;
  url: string;
  /** 1 for the first attempt, 2 for the first retry... `0` for a `resend()` outside the schedule. */
  attempt: number;
  /** Sandbox-clock time the attempt was due at (when the clock jumps, several attempts run at once). */
  at: number;
  /** The status the webhook answered; `0` when it could not be reached or did not answer in time. */
  status: number;
  /** Why there is no status. */
  error?: string;
  /** What was sent: `content-type`, `x-client-id`, `x-signature`. */
  headers: Record<string, string>;
  /** The raw multipart body, exactly as sent (and as signed). */
  body: Buffer;
}

/**
 * A delivery still to be made: its next attempt is due at `nextAt` (sandbox clock).
 *
 * @example
 * ```ts
 * const [next] = sandbox.authenteqWebIdv.webhooks.pending;
 * sandbox.clock.advance(next.nextAt - sandbox.clock.now());
 * ```
 */
export interface AuthenteqWebhookPending {
  verificationId: string;
  clientID: string;
  attempts: number;
  nextAt: number;
}

/**
 * The webhooks of `sandbox.authenteqWebIdv`: what was sent, what is still due, and the signature rule.
 *
 * @example
 * ```ts
 * await sandbox.authenteqWebIdv.complete(verificationUrl, 'adult');
 * await sandbox.authenteqWebIdv.webhooks.idle();
 * expect(sandbox.authenteqWebIdv.webhooks.deliveries).toHaveLength(1);
 * ```
 */
export interface AuthenteqWebhooks {
  /** The signature rule in force. */
  readonly signature: AuthenteqWebhookSignature;
  /** Changes it (for the deliveries made from now on). */
  setSignature(variant: AuthenteqWebhookSignature): void;
  /** Every attempt so far, oldest first (copies). */
  readonly deliveries: AuthenteqWebhookDelivery[];
  /** Deliveries not yet answered with a 200 and not yet given up. */
  readonly pending: AuthenteqWebhookPending[];
  /** Resolves once no delivery is in flight, including those the clock made due. */
  idle(): Promise<void>;
  /** Sends the webhook of a passed verification once more, now, outside the retry schedule (a duplicate delivery). */
  resend(verificationId: string): Promise<AuthenteqWebhookDelivery>;
  /** Forgets the log and drops every pending delivery. */
  clear(): void;
}

/** "Retries an attempt in an hour and repeats attempts for a week" (documented; the exact count is inferred). */
const RETRY_INTERVAL_MS = 60 * 60_000;
const RETRY_WINDOW_MS = 7 * 24 * 60 * 60_000;

interface Job {
  verificationId: string;
  client: AuthenteqWebIdvClient;
  headers: Record<string, string>;
  body: Buffer;
  firstAt: number;
  nextAt: number;
  attempts: number;
  running: boolean;
}

/**
 * Sends webhooks and retries them on the sandbox clock: a retry falls due an hour after a failed attempt, and runs
 * when the clock is advanced past it (or, in a long-running sandbox, when real time gets there).
 */
export class WebIdvWebhooks {
  readonly #clock: SandboxClock;
  readonly #timeoutMs: number;
  readonly #jobs = new Map<string, Job>();
  readonly #results = new Map<string, { client: AuthenteqWebIdvClient; result: AuthenteqWebIdvResult }>();
  readonly #log: AuthenteqWebhookDelivery[] = [];
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stopListening: () => void;
  #signature: AuthenteqWebhookSignature;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(clock: SandboxClock, signature: AuthenteqWebhookSignature, timeoutMs: number) {
    this.#clock = clock;
    this.#signature = signature;
    this.#timeoutMs = timeoutMs;
    this.#stopListening = clock.onAdvance(() => this.#runDue());
  }

  /** A verification passed: POST it to the client's webhook URL, if it has one. */
  passed(client: AuthenteqWebIdvClient, result: AuthenteqWebIdvResult): void {
    this.#results.set(result.id, { client, result });
    if (client.webhookURL === undefined) return;
    const now = this.#clock.now();
    this.#jobs.set(result.id, {
      verificationId: result.id,
      client,
      ...this.#signed(client, result),
      firstAt: now,
      nextAt: now,
      attempts: 0,
      running: false,
    });
    this.#runDue();
  }

  /** The public face, `sandbox.authenteqWebIdv.webhooks`. */
  view(): AuthenteqWebhooks {
    const self = this;
    return {
      get signature() {
        return self.#signature;
      },
      setSignature(variant) {
        if (!WEBHOOK_SIGNATURES.includes(variant)) {
          throw new TypeError(`webhook signature must be one of ${WEBHOOK_SIGNATURES.join(', ')}`);
        }
        self.#signature = variant;
      },
      get deliveries() {
        return self.#log.map((delivery) => ({ ...delivery, headers: { ...delivery.headers } }));
      },
      get pending() {
        return [...self.#jobs.values()].map(({ verificationId, client, attempts, nextAt }) => ({
          verificationId,
          clientID: client.clientID,
          attempts,
          nextAt,
        }));
      },
      idle: () => this.#idle(),
      resend: async (verificationId) => {
        const known = this.#results.get(verificationId);
        if (!known) throw new RangeError(`no passed verification ${verificationId}`);
        const url = known.client.webhookURL;
        if (url === undefined) throw new RangeError(`client ${known.client.clientID} has no webhook URL`);
        const { headers, body } = this.#signed(known.client, known.result);
        return this.#track(this.#post(url, verificationId, known.client, headers, body, 0, this.#clock.now()));
      },
      clear: () => {
        this.#log.length = 0;
        this.#jobs.clear();
        this.#arm();
      },
    };
  }

  /** Stops every retry (the sandbox is closing). */
  close(): void {
    this.#closed = true;
    this.#stopListening();
    clearTimeout(this.#timer);
  }

  #signed(client: AuthenteqWebIdvClient, result: AuthenteqWebIdvResult) {
    const { contentType, body } = webhookBody(result);
    const headers = {
      'content-type': contentType,
      'x-client-id': client.clientID,
      'x-signature': signWebhook(body, client.clientSecret, this.#signature),
    };
    return { headers, body };
  }

  /** Starts every due job that is not already running. */
  #runDue(): void {
    if (this.#closed) return;
    for (const job of this.#jobs.values()) {
      if (!job.running && job.nextAt <= this.#clock.now()) void this.#track(this.#run(job));
    }
    this.#arm();
  }

  /** Makes the job's due attempts one after another, until one gets a 200, none is due, or the week is over. */
  async #run(job: Job): Promise<void> {
    job.running = true;
    try {
      while (!this.#closed && this.#jobs.get(job.verificationId) === job && job.nextAt <= this.#clock.now()) {
        // Inferred: the URL in force at each attempt is used; without one, the delivery is dropped.
        const url = job.client.webhookURL;
        if (url === undefined) {
          this.#jobs.delete(job.verificationId);
          return;
        }
        job.attempts += 1;
        const delivery = await this.#post(
          url,
          job.verificationId,
          job.client,
          job.headers,
          job.body,
          job.attempts,
          job.nextAt,
        );
        if (delivery.status === 200 || job.nextAt + RETRY_INTERVAL_MS > job.firstAt + RETRY_WINDOW_MS) {
          this.#jobs.delete(job.verificationId);
          return;
        }
        job.nextAt += RETRY_INTERVAL_MS;
      }
    } finally {
      job.running = false;
      this.#arm();
    }
  }

  async #post(
    url: string,
    verificationId: string,
    client: AuthenteqWebIdvClient,
    headers: Record<string, string>,
    body: Buffer,
    attempt: number,
    at: number,
  ): Promise<AuthenteqWebhookDelivery> {
    const delivery: AuthenteqWebhookDelivery = {
      verificationId,
      clientID: client.clientID,
      url,
      attempt,
      at,
      status: 0,
      headers,
      body,
    };
    this.#log.push(delivery);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await response.arrayBuffer();
      delivery.status = response.status;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      delivery.error = cause ?? (error as Error).name;
    }
    return delivery;
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  async #idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** A real-time timer for the next retry, so a sandbox left running retries on its own; it never keeps Node alive. */
  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed) return;
    let next = Number.POSITIVE_INFINITY;
    for (const job of this.#jobs.values()) if (!job.running) next = Math.min(next, job.nextAt);
    if (next === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(() => this.#runDue(), Math.max(0, next - this.#clock.now()));
    this.#timer.unref();
  }
}
