import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from '@passport-idv/redis';
import { createClient } from 'redis';

const newClient = (url: string) => createClient({ url, disableOfflineQueue: true });

/**
 * App instances run in this process, as the webhook tests use them: each gets its own Redis connection and
 * `RedisStore` on one Redis (under a prefix of its own per test file), and its own HTTP server. `close()` stops the
 * servers, deletes the keys under the prefix and closes the connections.
 *
 * @example
 * ```ts
 * const instances = inProcessInstances(process.env.REDIS_URL!);
 * const store = await instances.store();
 * const url = await instances.listen(app); // http://127.0.0.1:<port>
 * afterAll(() => instances.close());
 * ```
 */
export function inProcessInstances(redisURL: string) {
  const prefix = `passport-idv-test:${randomUUID()}:`;
  const clients: ReturnType<typeof newClient>[] = [];
  const servers: http.Server[] = [];
  return {
    /** A `RedisStore` on a connection of its own, as another process would have. */
    async store(): Promise<RedisStore> {
      const client = newClient(redisURL);
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return new RedisStore({ client, prefix });
    },
    /** Serves `app` on a free port; its origin. */
    async listen(app: http.RequestListener): Promise<string> {
      const server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close(): Promise<void> {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      const [client] = clients;
      if (client?.isOpen) {
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
          if (keys.length > 0) await client.del(keys);
        }
      }
      await Promise.allSettled(clients.map((c) => c.close()));
    },
  };
}
