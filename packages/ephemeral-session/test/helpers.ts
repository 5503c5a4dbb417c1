import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '@passport-idv/core';

/** A Store whose every operation fails, as an unreachable Redis would. */
export const brokenStore: Store = {
  get: () => Promise.reject(new Error('connection refused')),
  set: () => Promise.reject(new Error('connection refused')),
  add: () => Promise.reject(new Error('connection refused')),
  take: () => Promise.reject(new Error('connection refused')),
  delete: () => Promise.reject(new Error('connection refused')),
};

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A pass-through proxy in front of the sandbox that records each request exactly as the client sent it. */
export async function recordingProxy(target: string) {
  const recorded: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString() });
      const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    recorded,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
