#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startSandbox } from './sandbox.js';

const usage = `Usage: passport-idv-sandbox [--port 4000] [--host 127.0.0.1] [--redirect-uri URL ...]

Starts local emulators of Authenteq Web KYC, Alice Onboarding and an IDV platform, and prints every
credential and URL an app needs. Ctrl-C stops it.`;

async function main(): Promise<void> {
  let values: { port?: string; host?: string; 'redirect-uri'?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, not ${values.port}`);
    process.exit(2);
  }
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      port,
      host: values.host ?? '127.0.0.1',
      authenteq: values['redirect-uri'] ? { redirectURIs: values['redirect-uri'] } : {},
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') console.error(`Port ${port} is already in use: pass another one with --port.`);
    else console.error(`The sandbox could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const lines = [`passport-idv sandbox listening on ${sandbox.url}`, ''];
  for (const [title, section] of [
    ['Authenteq Web KYC', sandbox.authenteq],
    ['Alice Onboarding', sandbox.alice],
    ['IDV platform', sandbox.idv],
  ] as const) {
    lines.push(`${title}:`);
    for (const [key, value] of Object.entries(section)) {
      if (typeof value === 'string') lines.push(`  ${key.padEnd(18)} ${value}`);
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        lines.push(`  ${key.padEnd(18)} ${value.join(', ') || '(none yet)'}`);
    }
    lines.push('');
  }
  lines.push('These credentials exist only in this local sandbox. Ctrl-C stops it.');
  console.log(lines.join('\n'));
  const stop = () => {
    sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
