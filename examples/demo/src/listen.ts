import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A port the demo wanted is taken; `start` prints `message` instead of a stack trace. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly what: string,
    readonly port: number,
    readonly envVar: string,
  ) {
    super(
      `Port ${port} (${what}) is already in use. Stop what is using it, or choose another port: ${envVar}=<port> npm start`,
    );
  }
}

/** A listening server whose request handler is attached later (the app needs its own URL before it is built). */
export interface Listening {
  server: Server;
  url: string;
  port: number;
  handle(listener: RequestListener): void;
  close(): Promise<void>;
}

/** Listens on `host:port` (0 = any free port), turning EADDRINUSE into a {@link PortInUseError}. */
export async function listen(what: string, host: string, port: number, envVar: string): Promise<Listening> {
  let handler: RequestListener = (_req, res) => {
    res.writeHead(503).end('Starting');
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(what, port, envVar) : error);
    });
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    handle(listener) {
      handler = listener;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
