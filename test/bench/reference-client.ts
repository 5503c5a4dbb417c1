/**
 * The hand-written reference's provider calls: bare `node:http` with one keep-alive agent, the documented multipart
 * token exchange and the Bearer details call, nothing else. This is the floor our strategy is measured against.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });

interface Reply {
  status: number;
  body: string;
}

function call(url: URL, method: string, headers: http.OutgoingHttpHeaders, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent, signal: AbortSignal.timeout(10_000) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Exchanges a code as the documented multipart request; resolves to the token or `undefined`. */
export async function exchangeCode(tokenURL: URL, fields: Record<string, string>): Promise<string | undefined> {
  const boundary = `----bench-${randomBytes(12).toString('hex')}`;
  let text = '';
  for (const [name, value] of Object.entries(fields)) {
    text += `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  const body = Buffer.from(`${text}--${boundary}--\r\n`);
  const reply = await call(
    tokenURL,
    'POST',
    {
      accept: 'application/json',
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': body.length,
    },
    body,
  );
  if (reply.status !== 200) return undefined;
  const json: unknown = JSON.parse(reply.body);
  const token = typeof json === 'object' && json !== null ? (json as { token?: unknown }).token : undefined;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/** Fetches the details with the token; resolves to the parsed body or `undefined` on a non-200. */
export async function fetchDetails(detailsURL: URL, token: string): Promise<unknown> {
  const reply = await call(detailsURL, 'GET', { accept: 'application/json', authorization: `Bearer ${token}` });
  return reply.status === 200 ? JSON.parse(reply.body) : undefined;
}
