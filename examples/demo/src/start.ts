#!/usr/bin/env node
import { RedisSetupError, redisTarget } from '@passport-idv/example-redis-setup';
import { DEFAULT_PORTS, type DemoPorts, PORT_ENV, startDemo } from './demo.js';
import { PortInUseError } from './listen.js';

// `npm start`: the sandbox, the three sample apps and a landing page, on ports configurable by environment variables.
const ports: Partial<DemoPorts> = {};
for (const [key, envVar] of Object.entries(PORT_ENV) as [keyof DemoPorts, string][]) {
  const raw = process.env[envVar];
  if (raw === undefined || raw === '') continue;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${envVar} must be a port number (0-65535), not "${raw}".`);
    process.exit(2);
  }
  ports[key] = port;
}

try {
  // REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster): sessions and every store there.
  const redis = redisTarget();
  const demo = await startDemo({ ports, ...(redis ? { redis } : {}) });
  const lines = [
    '',
    `  passport-idv demo: open ${demo.url}`,
    '',
    ...demo.flows.flatMap((flow) => [`  ${flow.title.padEnd(36)} ${flow.url}`]),
    `  ${'Provider sandbox'.padEnd(36)} ${demo.sandbox.url}`,
    '',
    `  Sessions and stores: ${demo.storage}.`,
    `  Ports: ${Object.entries(PORT_ENV)
      .map(([key, env]) => `${env}=${ports[key as keyof DemoPorts] ?? DEFAULT_PORTS[key as keyof DemoPorts]}`)
      .join(' ')}`,
    '  Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping the demo...');
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  if (error instanceof PortInUseError || error instanceof RedisSetupError) {
    console.error(error.message);
  } else {
    console.error(`The demo could not start: ${(error as Error).message}`);
  }
  process.exit(1);
}
