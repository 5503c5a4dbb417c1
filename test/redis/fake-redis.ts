import net from 'node:net';

/** What a fake answers to one command: RESP text, or `undefined` to say nothing (a hung server). */
export type Answer = (args: string[], port: number) => string | undefined;

/** A TCP server speaking just enough RESP for a client to connect, answering each command with `answer`. */
export interface FakeRedis {
  port: number;
  /** How many commands it received, by name (upper case). */
  received: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts a fake Redis on a free loopback port: for the failures a real server cannot be made to show on demand (a
 * node that answers nothing, a cluster whose redirections never end). Handshake commands get `+OK` unless `answer`
 * says otherwise.
 *
 * @example
 * ```ts
 * let silent = false;
 * const fake = await fakeRedis((args) => (silent ? undefined : '+OK\r\n'));
 * ```
 */
export async function fakeRedis(answer: Answer): Promise<FakeRedis> {
  const received = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const parsed = parseCommand(buffer);
        if (!parsed) break;
        buffer = buffer.slice(parsed.length);
        const name = (parsed.args[0] ?? '').toUpperCase();
        received.set(name, (received.get(name) ?? 0) + 1);
        const reply = answer(parsed.args, port);
        if (reply !== undefined) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One RESP array of bulk strings at the start of `text`, and its length; `undefined` until it is complete. */
function parseCommand(text: string): { args: string[]; length: number } | undefined {
  if (!text.startsWith('*')) return undefined;
  let at = text.indexOf('\r\n');
  if (at < 0) return undefined;
  const count = Number(text.slice(1, at));
  at += 2;
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const end = text.indexOf('\r\n', at);
    if (end < 0 || text[at] !== '$') return undefined;
    const size = Number(text.slice(at + 1, end));
    if (text.length < end + 2 + size + 2) return undefined;
    args.push(text.slice(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  return { args, length: at };
}

/** A bulk string. */
export const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

/**
 * A cluster of one node that redirects every keyed command to itself (`MOVED`) for ever: a client follows the
 * redirection until its limit. `CLUSTER SLOTS` says the node serves every slot.
 */
export const redirectForever: Answer = (args, port) => {
  const name = (args[0] ?? '').toUpperCase();
  if (name === 'CLUSTER' && args[1]?.toUpperCase() === 'SLOTS') {
    return `*1\r\n*3\r\n:0\r\n:16383\r\n*3\r\n${bulk('127.0.0.1')}:${port}\r\n${bulk('f'.repeat(40))}`;
  }
  if (['GET', 'SET', 'GETDEL', 'DEL', 'EVAL'].includes(name)) return `-MOVED 866 127.0.0.1:${port}\r\n`;
  if (name === 'INFO') return bulk('loading:0\r\ncluster_enabled:1\r\n');
  return '+OK\r\n';
};
