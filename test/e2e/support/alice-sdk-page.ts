import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The installed `aliceonboarding` package (a devDependency of this workspace): the SDK is served from it, never a CDN.
 * Its `exports` name only `.` (an `index.ts` beside `dist/`) and the CSS.
 */
export const ALICE_SDK_DIR = dirname(require.resolve('aliceonboarding'));
/** The installed version: docs/providers/alice.md describes 9.1.5, which the workspace pins. */
export const ALICE_SDK_VERSION: string = JSON.parse(readFileSync(join(ALICE_SDK_DIR, 'package.json'), 'utf8')).version;

const FILES: Record<string, { path: string; type: string }> = {
  '/aliceonboarding.min.js': { path: join(ALICE_SDK_DIR, 'dist/aliceonboarding.min.js'), type: 'text/javascript' },
  '/harness.js': {
    path: fileURLToPath(new URL('./alice-sdk-harness.js', import.meta.url)),
    type: 'text/javascript',
  },
};

/**
 * Chromium flags for the SDK test: a fake camera that needs no permission prompt, and no name resolution for any host
 * but the local one, so every request the SDK makes to the internet fails at once (and is seen as failed) instead of
 * waiting on a network this machine does not have.
 */
export const SDK_BROWSER_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** A running page server. */
export interface AliceSdkPage {
  origin: string;
  /** The page's URL under `path` (one of the `pages` given). */
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * Serves a blank page that loads the harness, then Alice's real web SDK bundle from `node_modules`. `pages` maps a
 * path to the Content-Security-Policy that page is served with (`null`: none).
 */
export async function serveAliceSdkPage(pages: Record<string, string | null>): Promise<AliceSdkPage> {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Alice web SDK</title>' +
    '<script src="/harness.js"></script><script src="/aliceonboarding.min.js"></script></head>' +
    '<body><div id="alice"></div></body></html>';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page.invalid').pathname;
    const file = FILES[path];
    if (file) {
      readFile(file.path).then(
        (body) => res.writeHead(200, { 'content-type': `${file.type}; charset=utf-8` }).end(body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    const csp = pages[path];
    if (csp === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      ...(csp ? { 'content-security-policy': csp } : {}),
    });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
