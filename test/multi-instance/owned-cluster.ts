import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { freePort } from './owned-redis.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** One node of an {@link OwnedCluster}. */
export interface ClusterNode {
  host: string;
  port: number;
}

/** Options of {@link OwnedCluster.start}. */
export interface OwnedClusterOptions {
  /** Default 3. */
  masters?: number;
  /** Replicas of each master. Default 1. */
  replicas?: number;
  /**
   * `cluster-node-timeout` in ms: how long a silent master takes to be marked failed, and so, with the election,
   * how long a failover takes (about twice this). Default 1,000.
   */
  nodeTimeout?: number;
}

/** Sends one command to one node and closes the connection; `undefined` if the node does not answer. */
async function ask(port: number, args: string[]): Promise<string | undefined> {
  const client = createClient({
    socket: { host: '127.0.0.1', port, connectTimeout: 1_000, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.sendCommand(args));
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/** Distinct free ports (a node needs two: clients and the cluster bus). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * A Redis Cluster this test run owns: `redis-server` processes on free loopback ports, without persistence, in a
 * temporary folder of their own, joined with `redis-cli --cluster create`. Resolves once every node reports
 * `cluster_state:ok` and every replica has synced with its master (only a synced replica can be elected).
 *
 * @example
 * ```ts
 * const cluster = await OwnedCluster.start();       // 3 masters, 3 replicas
 * const nodes = cluster.nodes;                       // [{ host, port }, …] to give a cluster client
 * await cluster.kill(await cluster.masterOf('key')); // a crash; its replica is elected within seconds
 * await cluster.close();
 * ```
 */
export class OwnedCluster {
  readonly nodes: ClusterNode[];
  readonly #processes = new Map<number, ChildProcess>();
  readonly #dir: string;

  private constructor(nodes: ClusterNode[], dir: string) {
    this.nodes = nodes;
    this.#dir = dir;
  }

  static async start({
    masters = 3,
    replicas = 1,
    nodeTimeout = 1_000,
  }: OwnedClusterOptions = {}): Promise<OwnedCluster> {
    const count = masters * (1 + replicas);
    const ports = await freePorts(count * 2);
    const dir = await mkdtemp(path.join(tmpdir(), 'passport-idv-cluster-'));
    const cluster = new OwnedCluster(
      ports.slice(0, count).map((port) => ({ host: '127.0.0.1', port })),
      dir,
    );
    try {
      await Promise.all(
        cluster.nodes.map((node, i) => cluster.#spawn(node.port, ports[count + i] as number, nodeTimeout)),
      );
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...cluster.nodes.map((node) => `${node.host}:${node.port}`),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        { timeout: 20_000 },
      );
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  /** `host:port,host:port,…`, as `REDIS_CLUSTER_NODES` takes it. */
  get list(): string {
    return this.nodes.map((node) => `${node.host}:${node.port}`).join(',');
  }

  /** The nodes still running. */
  get alive(): ClusterNode[] {
    return this.nodes.filter((node) => {
      const child = this.#processes.get(node.port);
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    });
  }

  /** The master that serves `key`'s slot now, as a live node sees it. */
  async masterOf(key: string): Promise<ClusterNode> {
    const [node] = this.alive;
    if (!node) throw new Error('no node of the cluster is running');
    const slot = Number(await ask(node.port, ['CLUSTER', 'KEYSLOT', key]));
    const nodes = (await ask(node.port, ['CLUSTER', 'NODES'])) ?? '';
    for (const line of nodes.split('\n')) {
      const [, address = '', flags = '', , , , , , ...ranges] = line.split(' ');
      if (!flags.includes('master') || flags.includes('fail')) continue;
      const port = Number(address.split('@')[0]?.split(':')[1]);
      for (const range of ranges) {
        const [from, to = from] = range.split('-').map(Number) as [number, number?];
        if (slot >= from && slot <= (to ?? from)) return { host: '127.0.0.1', port };
      }
    }
    throw new Error(`no live master serves slot ${slot}`);
  }

  /** The port of each master that serves slots now. */
  async masters(): Promise<number[]> {
    const [node] = this.alive;
    const nodes = node ? ((await ask(node.port, ['CLUSTER', 'NODES'])) ?? '') : '';
    return nodes
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, , flags = '', , , , , , slots]) => flags.includes('master') && !flags.includes('fail') && slots)
      .map(([, address = '']) => Number(address.split('@')[0]?.split(':')[1]));
  }

  /** Kills one node (SIGKILL, a crash) and resolves once it has exited. */
  async kill(node: ClusterNode): Promise<void> {
    const child = this.#processes.get(node.port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Freezes one node (SIGSTOP): its connections stay open and nothing answers. `resume()` undoes it. */
  pause(node: ClusterNode): void {
    this.#processes.get(node.port)?.kill('SIGSTOP');
  }

  resume(node: ClusterNode): void {
    this.#processes.get(node.port)?.kill('SIGCONT');
  }

  /**
   * Resolves once every live node says `cluster_state:ok` and every live replica's link to its master is up:
   * after a failover, the cluster serves every slot again.
   */
  async waitUntilHealthy(timeout = 20_000): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.alive) {
          if (!(await ask(node.port, ['CLUSTER', 'INFO']))?.includes('cluster_state:ok')) return false;
          const replication = (await ask(node.port, ['INFO', 'replication'])) ?? '';
          if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
        }
        return true;
      },
      { what: 'the Redis Cluster to be healthy', timeout, interval: 50 },
    );
  }

  /** Stops every node and removes the folder. */
  async close(): Promise<void> {
    for (const node of this.nodes) this.resume(node);
    await Promise.all(this.nodes.map((node) => this.kill(node)));
    await rm(this.#dir, { recursive: true, force: true });
  }

  async #spawn(port: number, busPort: number, nodeTimeout: number): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1'],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
        ...['--cluster-node-timeout', String(nodeTimeout), '--dir', this.#dir, '--logfile', `${port}.log`],
        // Nothing on disk, and a replica's first sync at once (the default waits 5 s for other replicas).
        ...['--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0'],
      ],
      { stdio: 'ignore' },
    );
    this.#processes.set(port, child);
    let failure: Error | undefined;
    child.once('error', (error) => {
      failure = new Error(`redis-server could not start (is it on PATH?): ${error.message}`);
    });
    child.once('exit', (code) => {
      failure ??= new Error(`redis-server exited (${code}) on port ${port}: see ${this.#dir}/${port}.log`);
    });
    await waitFor(
      async () => {
        if (failure) throw failure;
        return (await ask(port, ['PING'])) === 'PONG';
      },
      { what: `redis-server on port ${port} to answer` },
    );
  }
}
