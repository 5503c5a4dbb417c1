import type { TestProject } from 'vitest/node';
import { OwnedCluster } from '../multi-instance/owned-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The nodes of the Redis Cluster the suite started, `host:port,…` (as `REDIS_CLUSTER_NODES` takes them). */
    redisCluster: string;
  }
}

// The Redis project's global setup: one Redis Cluster (3 masters, 3 replicas) for every test file that needs one.
// (The failover test starts a cluster of its own: it kills a master.)
let cluster: OwnedCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await OwnedCluster.start();
  project.provide('redisCluster', cluster.list);
}

export async function teardown(): Promise<void> {
  await cluster?.close();
}
