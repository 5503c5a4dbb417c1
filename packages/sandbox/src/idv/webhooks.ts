import type { SandboxClock } from '../clock.js';
import type { IdvSandboxSession } from './state.js';

/**
 * The header the sandbox sends a registered webhook secret in. The platform documents no webhook signing or secret
 * (docs/providers/idv.md): this header is the sandbox's own [I], the one `idvWebhook({ secret })` reads by default.
 */
export const IDV_WEBHOOK_SECRET_HEADER = 'x-webhook-secret';

/**
 * When a failed delivery is tried again, in sandbox-clock milliseconds after the failure: 10 s, 1 min, 10 min, 1 h,
 * 6 h, then it is given up (six attempts in all). The platform documents no retry policy; this one is the sandbox's [I].
 */
export const IDV_WEBHOOK_RETRY_DELAYS = [10_000, 60_000, 600_000, 3_600_000, 21_600_000] as const;

/** Real milliseconds the sandbox waits for a webhook endpoint to answer. */
const ATTEMPT_TIMEOUT = 5_000;

/** One webhook the sandbox sends (or sent), as `sandbox.idv.webhookDeliveries()` lists it. */
export interface IdvWebhookDelivery {
  /** What was posted: `{"sessionId", "workflowId", "status"}` as JSON. */
  body: { sessionId: string; workflowId: string; status: number };
  /** The URL it goes to. */
  url: string;
  /** Attempts made so far. */
  attempts: number;
  /** The HTTP status of each attempt, `0` for no answer (refused, dropped, timed out). */
  answers: number[];
  /** `pending` (an attempt is due or scheduled), `delivered` (a 2xx came back) or `failed` (given up). */
  outcome: 'pending' | 'delivered' | 'failed';
  /** When the next attempt is due (ISO 8601, sandbox clock), while `pending`. */
  nextAttemptAt?: string;
}

interface Delivery {
  body: IdvWebhookDelivery['body'];
  url: string;
  secret: string | undefined;
  answers: number[];
  outcome: IdvWebhookDelivery['outcome'];
  /** Sandbox-clock time the next attempt is due. */
  dueAt: number;
}

/**
 * Posts `{sessionId, workflowId, status}` to the registered URL on every session state change, one delivery at a
 * time in the order the changes happened, and tries again on the sandbox clock after any answer that is not 2xx.
 * Due attempts run on a short real-time tick, so retries happen when the clock is moved, and `flush()` runs them now.
 */
export class IdvWebhooks {
  readonly #clock: SandboxClock;
  readonly #deliveries: Delivery[] = [];
  readonly #abort = new AbortController();
  #target: { url: string; secret: string | undefined } | undefined;
  #running: Promise<void> | undefined;
  readonly #tick: NodeJS.Timeout;

  /** `onTick` runs before each tick's due attempts (the sandbox expires sessions there). */
  constructor(clock: SandboxClock, onTick: () => void) {
    this.#clock = clock;
    this.#tick = setInterval(() => {
      onTick();
      void this.run();
    }, 200);
    this.#tick.unref();
  }

  /** Registers the endpoint (and its secret), replacing any other; `undefined` stops sending. */
  register(url: string | undefined, secret?: string): void {
    if (url === undefined) {
      this.#target = undefined;
      return;
    }
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('a webhook URL is http(s)');
    if (secret !== undefined && (typeof secret !== 'string' || secret === '')) {
      throw new TypeError('a webhook secret is a non-empty string');
    }
    this.#target = { url: parsed.href, secret };
  }

  /** Queues a delivery for a state change (nothing when no endpoint is registered) and starts sending. */
  notify(session: IdvSandboxSession): void {
    if (this.#target === undefined) return;
    this.#deliveries.push({
      body: { sessionId: session.id, workflowId: session.workflowId, status: session.status },
      url: this.#target.url,
      secret: this.#target.secret,
      answers: [],
      outcome: 'pending',
      dueAt: this.#clock.now(),
    });
    void this.run();
  }

  /** Copies of every delivery, oldest first. */
  list(): IdvWebhookDelivery[] {
    return this.#deliveries.map((d) => ({
      body: { ...d.body },
      url: d.url,
      attempts: d.answers.length,
      answers: [...d.answers],
      outcome: d.outcome,
      ...(d.outcome === 'pending' ? { nextAttemptAt: new Date(d.dueAt).toISOString() } : {}),
    }));
  }

  /** Makes every attempt due now on the sandbox clock, and resolves once they have all been answered. */
  async run(): Promise<void> {
    while (this.#running) await this.#running;
    const due = () => this.#deliveries.find((d) => d.outcome === 'pending' && d.dueAt <= this.#clock.now());
    if (due() === undefined || this.#abort.signal.aborted) return;
    this.#running = (async () => {
      for (let delivery = due(); delivery !== undefined && !this.#abort.signal.aborted; delivery = due()) {
        await this.#attempt(delivery);
      }
    })().finally(() => {
      this.#running = undefined;
    });
    await this.#running;
  }

  /** Stops the tick and every attempt in flight. */
  stop(): void {
    clearInterval(this.#tick);
    this.#abort.abort();
  }

  async #attempt(delivery: Delivery): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (delivery.secret !== undefined) headers[IDV_WEBHOOK_SECRET_HEADER] = delivery.secret;
    let status = 0;
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(delivery.body),
        redirect: 'manual',
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT)]),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      status = 0;
    }
    delivery.answers.push(status);
    if (status >= 200 && status < 300) {
      delivery.outcome = 'delivered';
      return;
    }
    const delay = IDV_WEBHOOK_RETRY_DELAYS[delivery.answers.length - 1];
    if (delay === undefined) delivery.outcome = 'failed';
    else delivery.dueAt = this.#clock.now() + delay;
  }
}
