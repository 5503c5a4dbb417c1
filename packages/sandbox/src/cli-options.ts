import { parseArgs } from 'node:util';
import type { Sandbox, SandboxOptions } from './sandbox.js';

export const USAGE = `Usage: passport-idv-sandbox [--port 4000] [--host 127.0.0.1] [--seed TEXT]
                            [--redirect-uri URL ...] [--webhook-url URL]

Starts local emulators of Authenteq (Web KYC and Web IDV), Alice Onboarding and an IDV platform, and prints every
credential and URL an app needs, also as lines a shell can export. Ctrl-C stops it.

  -p, --port PORT       port to listen on (default: SANDBOX_PORT, else 4000; 0 picks a free one)
      --host HOST       interface to listen on (default 127.0.0.1)
      --seed TEXT       derive the credentials from TEXT, so they are the same on every start (default: SANDBOX_SEED;
                        without either they are random)
      --redirect-uri URL
                        register URL as a redirect URL of the Web KYC and the Web IDV client (repeatable); more can be
                        registered while it runs, on <sandbox url>/authenteq/dashboard
      --webhook-url URL where the Web IDV client's webhooks go (also settable on the dashboard)
  -h, --help            this text`;

/** What the command line asked for: start options, or a usage error. */
export type CliRequest =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | { kind: 'start'; options: SandboxOptions & { port: number }; seeded: boolean };

function httpURL(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && !value.includes('#');
}

/**
 * Reads the command line and the environment. The port comes from `--port`, else `SANDBOX_PORT` (the variable the
 * README and `npm start` use for the sandbox; `PORT` is the landing page's and is ignored here), else 4000.
 */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliRequest {
  let values: {
    port?: string;
    host?: string;
    seed?: string;
    'redirect-uri'?: string[];
    'webhook-url'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'webhook-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const fromEnv = env.SANDBOX_PORT !== undefined && env.SANDBOX_PORT !== '';
  const rawPort = values.port ?? (fromEnv ? env.SANDBOX_PORT : undefined) ?? '4000';
  const port = Number(rawPort);
  if (rawPort.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    return {
      kind: 'error',
      message: `${values.port === undefined ? 'SANDBOX_PORT' : '--port'} must be a port number (0-65535), not "${rawPort}"`,
    };
  }
  const redirectURIs = values['redirect-uri'] ?? [];
  const bad = redirectURIs.find((uri) => !httpURL(uri));
  if (bad !== undefined)
    return { kind: 'error', message: `--redirect-uri must be an absolute http(s) URL, not "${bad}"` };
  const webhookURL = values['webhook-url'];
  if (webhookURL !== undefined && !httpURL(webhookURL)) {
    return { kind: 'error', message: `--webhook-url must be an absolute http(s) URL, not "${webhookURL}"` };
  }
  const seed = values.seed ?? (env.SANDBOX_SEED === '' ? undefined : env.SANDBOX_SEED);
  if (seed === '') return { kind: 'error', message: '--seed must not be empty' };
  return {
    kind: 'start',
    seeded: seed !== undefined,
    options: {
      port,
      host: values.host ?? '127.0.0.1',
      ...(seed === undefined ? {} : { seed }),
      authenteq: { redirectURIs },
      authenteqWebIdv: { redirectURLs: redirectURIs, ...(webhookURL === undefined ? {} : { webhookURL }) },
    },
  };
}

/** `value` quoted for a POSIX shell. */
function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The environment variables an app reads, with the running sandbox's values. */
export function exportLines(sandbox: Sandbox): string[] {
  const { authenteq, authenteqWebIdv, alice, idv } = sandbox;
  const vars: [string, string][] = [
    ['AUTHENTEQ_CLIENT_ID', authenteq.clientID],
    ['AUTHENTEQ_CLIENT_SECRET', authenteq.clientSecret],
    ['AUTHENTEQ_AUTHORIZATION_URL', authenteq.authorizationURL],
    ['AUTHENTEQ_TOKEN_URL', authenteq.tokenURL],
    ['AUTHENTEQ_DETAILS_URL', authenteq.detailsURL],
    ['AUTHENTEQ_WEB_IDV_CLIENT_ID', authenteqWebIdv.clientID],
    ['AUTHENTEQ_WEB_IDV_CLIENT_SECRET', authenteqWebIdv.clientSecret],
    ['AUTHENTEQ_WEB_IDV_BASE_URL', authenteqWebIdv.baseURL],
    ['ALICE_API_KEY', alice.apiKey],
    ['ALICE_BASE_URL', alice.baseURL],
    ['IDV_HOST', idv.host],
    ['IDV_API_KEY', idv.apiKey],
    ['IDV_WORKFLOW_ID', idv.workflowId],
  ];
  return vars.map(([name, value]) => `export ${name}=${quote(value)}`);
}

/** What the CLI prints once the sandbox listens. */
export function banner(sandbox: Sandbox, seeded: boolean): string {
  const { authenteq, authenteqWebIdv: webIdv, alice, idv } = sandbox;
  const none = (values: string[]) => (values.length === 0 ? '(none yet)' : values.join(', '));
  const sections: [string, [string, string][]][] = [
    [
      'Authenteq Web KYC',
      [
        ['clientID', authenteq.clientID],
        ['clientSecret', authenteq.clientSecret],
        ['authorizationURL', authenteq.authorizationURL],
        ['tokenURL', authenteq.tokenURL],
        ['detailsURL', authenteq.detailsURL],
        ['redirectURIs', none(authenteq.redirectURIs)],
      ],
    ],
    [
      'Authenteq Web IDV',
      [
        ['clientID', webIdv.clientID],
        ['clientSecret', webIdv.clientSecret],
        ['baseURL', webIdv.baseURL],
        ['redirectURLs', none(webIdv.redirectURLs)],
        ['webhookURL', webIdv.webhookURL ?? '(none yet)'],
      ],
    ],
    [
      'Alice Onboarding',
      [
        ['apiKey', alice.apiKey],
        ['baseURL', alice.baseURL],
        ['sdkURL', alice.sdkURL],
      ],
    ],
    [
      'IDV platform',
      [
        ['host', idv.host],
        ['apiKey', idv.apiKey],
        ['workflowId', idv.workflowId],
      ],
    ],
  ];
  const lines = [`passport-idv sandbox listening on ${sandbox.url}`, ''];
  for (const [title, entries] of sections) {
    lines.push(`${title}:`, ...entries.map(([key, value]) => `  ${key.padEnd(18)} ${value}`), '');
  }
  lines.push(
    `Register redirect URLs and webhook URLs while it runs: ${sandbox.url}/authenteq/dashboard`,
    '',
    'For an app, in a shell:',
    ...exportLines(sandbox),
    '',
    seeded
      ? 'These credentials exist only in this local sandbox, derived from the seed: the same seed gives the same ones.'
      : 'These credentials exist only in this local sandbox and change on every start (--seed or SANDBOX_SEED keeps them).',
    'Ctrl-C stops it.',
  );
  return lines.join('\n');
}
