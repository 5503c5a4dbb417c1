/** Where the sample apps keep their sessions and passport-idv's stores: one Redis, or a Redis Cluster. */
export type RedisTarget = { url: string } | { clusterNodes: string };

/**
 * The error of a Redis that is set but cannot be used: its message is the one line a server prints before it exits
 * (what was tried, what to set), with no password in it.
 */
export class RedisSetupError extends Error {
  override name = 'RedisSetupError';
}

/**
 * The target `REDIS_URL` (one Redis: `redis://host:port`) or `REDIS_CLUSTER_NODES` (a Redis Cluster:
 * `host:port,host:port,…`, some or all of its nodes) names, or `undefined` when neither is set: the apps then keep
 * everything in memory.
 *
 * @example
 * ```ts
 * redisTarget({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' }); // { clusterNodes: '127.0.0.1:7000,…' }
 * ```
 */
export function redisTarget(env: NodeJS.ProcessEnv = process.env): RedisTarget | undefined {
  const url = env.REDIS_URL?.trim() || undefined;
  const clusterNodes = env.REDIS_CLUSTER_NODES?.trim() || undefined;
  if (url && clusterNodes) {
    throw new RedisSetupError('Set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both.');
  }
  if (url) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {}
    if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || !parsed.hostname) {
      throw new RedisSetupError(
        'REDIS_URL is not a Redis URL: set it like redis://127.0.0.1:6379, or unset it to keep everything in memory.',
      );
    }
    return { url };
  }
  if (clusterNodes) {
    clusterNodesOf(clusterNodes);
    return { clusterNodes };
  }
  return undefined;
}

/** The `{ host, port }` of each node in a `REDIS_CLUSTER_NODES` list. */
export function clusterNodesOf(list: string): { host: string; port: number }[] {
  return list.split(',').map((entry) => {
    const at = entry.trim().lastIndexOf(':');
    const host = entry
      .trim()
      .slice(0, at)
      .replace(/^\[(.*)\]$/, '$1');
    const port = Number(entry.trim().slice(at + 1));
    if (!/^[\w.:-]+$/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RedisSetupError(
        'REDIS_CLUSTER_NODES takes host:port pairs separated by commas (127.0.0.1:7000,127.0.0.1:7001), ' +
          'or unset it to keep everything in memory.',
      );
    }
    return { host, port };
  });
}

/** Where `target` points, for a log line: host and port only (a URL's password stays out). */
export function describeTarget(target: RedisTarget): string {
  if ('url' in target) {
    const { hostname, port } = new URL(target.url);
    return `${hostname}:${port || '6379'} (REDIS_URL)`;
  }
  return `${clusterNodesOf(target.clusterNodes)
    .map(({ host, port }) => `${host}:${port}`)
    .join(', ')} (REDIS_CLUSTER_NODES)`;
}
