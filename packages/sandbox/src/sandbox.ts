import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AliceSandbox, type AliceSandboxOptions, mountAlice } from './alice/index.js';
import { type AuthenteqSandbox, type AuthenteqSandboxOptions, mountAuthenteq } from './authenteq/index.js';
import { SandboxClock } from './clock.js';
import { Faults } from './faults.js';
import { escapeHtml, page } from './html.js';
import { type IdvSandbox, type IdvSandboxOptions, mountIdv } from './idv/index.js';
import { RequestLog } from './request-log.js';
import { Router } from './router.js';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** Port to listen on; `0` (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  authenteq?: AuthenteqSandboxOptions;
  alice?: AliceSandboxOptions;
  idv?: IdvSandboxOptions;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  authenteq: AuthenteqSandbox;
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
 * Starts the sandbox: emulators of Authenteq Web KYC, Alice Onboarding and an IDV platform on one local port.
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
  const authenteq = mountAuthenteq(env, options.authenteq);
  const alice = mountAlice(env, options.alice);
  const { idv, stop: stopIdv } = mountIdv(env, options.idv);
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
<li>Alice Onboarding: <code>${escapeHtml(alice.baseURL)}</code></li>
<li>IDV platform: <code>${escapeHtml(idv.host)}</code></li>
</ul>`,
      ),
    );
  });
  return {
    url,
    authenteq,
    alice,
    idv,
    clock,
    faults,
    requests,
    routes: [...router.names],
    close: () =>
      new Promise<void>((resolve) => {
        stopIdv();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
