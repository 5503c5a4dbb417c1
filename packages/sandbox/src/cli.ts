#!/usr/bin/env node
import { banner, parseCli, USAGE } from './cli-options.js';
import { type Sandbox, startSandbox } from './sandbox.js';

async function main(): Promise<void> {
  const request = parseCli(process.argv.slice(2), process.env);
  if (request.kind === 'help') {
    console.log(USAGE);
    return;
  }
  if (request.kind === 'error') {
    console.error(`${request.message}\n\n${USAGE}`);
    process.exit(2);
  }
  // The signal handlers come first: whoever starts the sandbox may stop it as soon as it has printed its
  // credentials, or even before, and must get a clean exit either way.
  let sandbox: Sandbox | undefined;
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1); // a second Ctrl-C does not wait
    stopping = true;
    if (sandbox === undefined) process.exit(0);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { port } = request.options;
  try {
    sandbox = await startSandbox(request.options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      console.error(`Port ${port} is already in use: pass another one with --port or SANDBOX_PORT.`);
    } else console.error(`The sandbox could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(banner(sandbox, request.seeded));
}

void main();
