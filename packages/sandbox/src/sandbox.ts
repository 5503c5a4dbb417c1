import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AliceSandbox, type AliceSandboxOptions, mountAlice } from './alice/index.js';
import { mountAuthenteqDashboard } from './authenteq/dashboard.js';
import { type AuthenteqSandbox, type AuthenteqSandboxOptions, mountAuthenteq } from './authenteq/index.js';
import {
  type AuthenteqWebIdvSandbox,
  type AuthenteqWebIdvSandboxOptions,
  assertWebIdvOptions,
  mountAuthenteqWebIdv,
} from './authenteq/web-idv.js';
import { SandboxClock } from './clock.js';
import { Faults } from './faults.js';
import { escapeHtml, page } from './html.js';
import { type IdvSandbox, type IdvSandboxOptions, mountIdv } from './idv/index.js';
import { RequestLog } from './request-log.js';
import { Router } from './router.js';
import { seededCredentials } from './seed.js';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** Port to listen on; `0` (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /**
   * Derive every random credential (client ids and secrets, API keys) from this string, so they stay the same from one
   * start to the next. Credentials given explicitly below still win.
   */
  seed?: string;
  authenteq?: AuthenteqSandboxOptions;
  authenteqWebIdv?: AuthenteqWebIdvSandboxOptions;
  alice?: AliceSandboxOptions;
  idv?: IdvSandboxOptions;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** Authenteq Web KYC. */
  authenteq: AuthenteqSandbox;
  /** Authenteq Web IDV, Web KYC's successor. */
  authenteqWebIdv: AuthenteqWebIdvSandbox;
  alice: AliceSandbox;
  idv: IdvSandbox;
  /** The clock behind every expiry; `advance(ms)` moves it. */
  clock: SandboxClock;
  /** Fault injection per route name. */
  faults: Faults;
  /** Every request received. */
  requests: RequestLog;
  /** The route names `faults.inject()` and the request log use. */
  routes: string[];
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

/**
 * Starts the sandbox: emulators of Authenteq (Web KYC and Web IDV), Alice Onboarding and an IDV platform on one local
 * port.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * const strategy = new AuthenteqStrategy({ ...sandbox.authenteq, callbackURL }, verify);
 * sandbox.authenteq.registerRedirectURI(callbackURL);
 * // ...
 * await sandbox.close();
 * ```
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  assertWebIdvOptions(options.authenteqWebIdv);
  const router = new Router();
  const clock = new SandboxClock();
  const requests = new RequestLog();
  const faults = new Faults(router.names);
  const server = createServer((req, res) => {
    router.handle(req, res, requests, faults, clock.now).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const env = { router, clock, requests, url };
  const seeded = options.seed === undefined ? undefined : seededCredentials(options.seed);
  const authenteq = mountAuthenteq(env, { ...seeded?.authenteq, ...options.authenteq });
  const webIdv = mountAuthenteqWebIdv(env, { ...seeded?.authenteqWebIdv, ...options.authenteqWebIdv });
  mountAuthenteqDashboard(env, authenteq, webIdv.sandbox);
  const alice = mountAlice(env, options.alice);
  const { idv, stop: stopIdv } = mountIdv(env, { ...seeded?.idv, ...options.idv });
  router.add('GET', '/favicon.ico', 'sandbox.favicon', (ctx) => {
    ctx.res.writeHead(204).end();
  });
  router.add('GET', '/', 'sandbox.home', (ctx) => {
    ctx.html(
      200,
      page(
        'passport-idv sandbox',
        'passport-idv',
        `<h1>passport-idv sandbox</h1>
<p>Emulators of three identity providers, for development and tests.</p>
<ul>
<li>Authenteq Web KYC: <code>${escapeHtml(authenteq.authorizationURL)}</code></li>
<li>Authenteq Web IDV: <code>${escapeHtml(webIdv.sandbox.baseURL)}</code></li>
<li>Alice Onboarding: <code>${escapeHtml(alice.baseURL)}</code></li>
<li>IDV platform: <code>${escapeHtml(idv.host)}</code></li>
</ul>
<p><a href="${escapeHtml(`${url}/authenteq/dashboard`)}">Authenteq dashboard</a>: register redirect URLs and
webhook URLs while the sandbox runs.</p>`,
      ),
    );
  });
  return {
    url,
    authenteq,
    authenteqWebIdv: webIdv.sandbox,
    alice,
    idv,
    clock,
    faults,
    requests,
    routes: [...router.names],
    close: () =>
      new Promise<void>((resolve) => {
        webIdv.close();
        stopIdv();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
