/**
 * Section 1b: one provider call, client side only. The details GET through core's `providerRequest`, through the
 * reference's bare `node:http` client, and through global `fetch`, from this process against the local provider;
 * CPU of this process per call (the provider runs in its own process).
 */
import { providerRequest, requireRecord } from '@passport-idv/core/internal';
import { request, runLoad } from './driver.js';
import { CLIENT_ID, CLIENT_SECRET } from './provider-data.js';
import { exchangeCode, fetchDetails } from './reference-client.js';
import { fixed, heading, percentile, ratio, table } from './report.js';
import { startProvider } from './signup-bench.js';

/** The settings of section 1b. */
export interface CallSettings {
  concurrency: number;
  /** Calls per client per round. */
  calls: number;
  rounds: number;
}

const CLIENTS = ['providerRequest', 'node:http (reference)', 'fetch'] as const;
type CallClient = (typeof CLIENTS)[number];

/** CPU µs per call of each client: the median of its rounds. */
export type CallFigures = Record<CallClient, number[]>;

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Runs section 1b. */
export async function runProviderCalls(settings: CallSettings): Promise<CallFigures> {
  const provider = await startProvider();
  try {
    const callback = 'http://127.0.0.1:1/callback';
    const authorize = await request(
      `${provider.url}/authorize?response_type=code&client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent(callback)}`,
    );
    const code = new URL(authorize.location ?? 'http://invalid/').searchParams.get('code') ?? '';
    const token = await exchangeCode(new URL(`${provider.url}/token`), {
      grantType: 'authorization_code',
      code,
      redirectUri: callback,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    if (token === undefined) throw new Error('the provider gave no token');
    const url = `${provider.url}/details`;
    const parsedURL = new URL(url);
    const headers = { authorization: `Bearer ${token}` };
    const call: Record<CallClient, () => Promise<unknown>> = {
      providerRequest: () =>
        providerRequest({
          provider: 'authenteq',
          operation: 'details',
          method: 'GET',
          url,
          headers,
          parse: (body) => (requireRecord(body, 'details') ? body : undefined),
        }),
      'node:http (reference)': () => fetchDetails(parsedURL, token),
      fetch: async () => (await fetch(url, { headers: { accept: 'application/json', ...headers } })).json(),
    };
    const figures = Object.fromEntries(CLIENTS.map((client) => [client, [] as number[]])) as CallFigures;
    const run = (client: CallClient, total: number) =>
      runLoad({
        concurrency: settings.concurrency,
        total,
        iteration: async () => {
          await call[client]();
          return true;
        },
      });
    for (const client of CLIENTS) await run(client, Math.ceil(settings.calls / 2));
    for (let round = 0; round < settings.rounds; round++) {
      for (let i = 0; i < CLIENTS.length; i++) {
        const client = CLIENTS[(i + round) % CLIENTS.length] as CallClient;
        const before = cpuMicros();
        const result = await run(client, settings.calls);
        figures[client].push((cpuMicros() - before) / Math.max(1, result.ok));
      }
    }
    return figures;
  } finally {
    await provider.child.close();
  }
}

/** The section 1b table. */
export function providerCallTable(figures: CallFigures, settings: CallSettings): string {
  const median = (client: CallClient) => percentile(figures[client], 50);
  const rows = [['client', 'CPU µs/call', 'vs node:http']];
  for (const client of CLIENTS) {
    rows.push([client, fixed(median(client), 0), ratio(median(client), median('node:http (reference)'))]);
  }
  return [
    heading('1b. One provider call (GET details), client side only'),
    `${settings.calls} calls per client per round, ${settings.concurrency} at a time, ${settings.rounds} alternated rounds; CPU of the calling process per call, median of the rounds.`,
    '',
    table(rows),
  ].join('\n');
}
