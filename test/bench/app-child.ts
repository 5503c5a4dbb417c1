/**
 * One app of the benchmark in its own process, so its CPU time can be read alone. Started by `run.ts` with `fork()`
 * (and `--expose-gc`); speaks over IPC:
 *
 * - parent `{type:'init', spec}` → `{type:'ready', url}` (or `{type:'failed', message}`);
 * - `{type:'cpu'}` → `{type:'cpu', user, system, gcMinor, gcMajor, gcMs}` (µs, `process.cpuUsage()`; GCs so far);
 * - `{type:'mem'}` → `{type:'mem', rss, heapUsed, ...stats}` after a full GC;
 * - `{type:'stats'}` → `{type:'stats', ...stats}` (the app's counters, no GC);
 * - `{type:'profile-start'}` → `{type:'profile-start'}` once V8's CPU profiler runs (`node:inspector`), and
 *   `{type:'profile-stop'}` → `{type:'profile-stop', profile}`: the CPU profile of the window between the two;
 * - `{type:'exit'}` → closes and exits.
 */
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { createFaceApp, type FaceAppSpec } from './face-app.js';
import { type BuiltApp, createSignupApp, type SignupAppSpec } from './signup-apps.js';

type Message =
  | { type: 'init'; spec: SignupAppSpec | FaceAppSpec }
  | { type: 'cpu' }
  | { type: 'mem' }
  | { type: 'stats' }
  | { type: 'profile-start' }
  | { type: 'profile-stop' }
  | { type: 'exit' };

/** Garbage collections so far: scavenges (young generation), the others, and their total pause in ms. */
const gc = { minor: 0, major: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // Node 20 types `entry` as a plain PerformanceEntry; GC entries carry `detail.kind`.
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
    else gc.major++;
    gc.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

/**
 * With `BENCH_EXPRESS_CLASSES=1` (`run.js --express-classes`), the server creates each request and response with
 * the app's own `app.request`/`app.response` as prototypes, so Express's per-request `Object.setPrototypeOf` finds
 * them already in place. That call otherwise makes V8 keep much of every request alive through a scavenge (see
 * README, "Findings"); this option shows the strategies' own costs without it.
 */
const expressClasses = process.env.BENCH_EXPRESS_CLASSES === '1';
function ExpressRequest(this: http.IncomingMessage, socket: import('node:net').Socket): void {
  http.IncomingMessage.call(this, socket);
}
function ExpressResponse(this: http.ServerResponse, req: http.IncomingMessage): void {
  http.ServerResponse.call(this, req);
}
ExpressRequest.prototype = Object.create(http.IncomingMessage.prototype);
ExpressResponse.prototype = Object.create(http.ServerResponse.prototype);
const server = expressClasses
  ? http.createServer({
      IncomingMessage: ExpressRequest as unknown as typeof http.IncomingMessage,
      ServerResponse: ExpressResponse as unknown as typeof http.ServerResponse,
    })
  : http.createServer();
server.keepAliveTimeout = 30_000;
let built: BuiltApp | undefined;

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

async function init(spec: SignupAppSpec | FaceAppSpec): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  built = spec.kind === 'signup' ? await createSignupApp(spec, url) : await createFaceApp(spec);
  if (expressClasses) {
    // Set before the first request arrives: `new ExpressRequest()` takes its prototype from here.
    ExpressRequest.prototype = built.app.request;
    ExpressResponse.prototype = built.app.response;
  }
  server.on('request', built.app);
  send({ type: 'ready', url });
}

async function memory(): Promise<void> {
  const stats = (await built?.stats()) ?? {};
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  send({ type: 'mem', rss, heapUsed, ...stats });
}

let profiler: Session | undefined;

async function startProfile(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
  send({ type: 'profile-start' });
}

async function stopProfile(): Promise<void> {
  if (!profiler) throw new Error('the profiler was not started');
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = undefined;
  send({ type: 'profile-stop', profile });
}

process.on('message', (message: Message) => {
  switch (message.type) {
    case 'init':
      init(message.spec).catch((error: unknown) => send({ type: 'failed', message: (error as Error).message }));
      break;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', user, system, gcMinor: gc.minor, gcMajor: gc.major, gcMs: gc.ms });
      break;
    }
    case 'mem':
      memory().catch((error: unknown) => send({ type: 'failed', message: (error as Error).message }));
      break;
    case 'stats':
      Promise.resolve(built?.stats() ?? {}).then(
        (stats) => send({ type: 'stats', ...stats }),
        (error: unknown) => send({ type: 'failed', message: (error as Error).message }),
      );
      break;
    case 'profile-start':
      startProfile().catch((error: unknown) => send({ type: 'failed', message: (error as Error).message }));
      break;
    case 'profile-stop':
      stopProfile().catch((error: unknown) => send({ type: 'failed', message: (error as Error).message }));
      break;
    case 'exit':
      server.closeAllConnections();
      server.close(() => process.exit(0));
      break;
  }
});
process.on('disconnect', () => process.exit(0));
