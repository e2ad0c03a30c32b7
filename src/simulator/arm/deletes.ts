/**
 * DELETE of a managed cluster and of an agent pool, as AKS answers it (ManagedClustersDelete.json,
 * AgentPoolsDelete.json): 202 with a `location` (operationresults) URL while the resource shows
 * Deleting, 204 when it is already gone; then GET answers 404. A delete is a write like any other:
 * it meets the same 409 while another operation runs, and the same per-cluster write limit.
 */
import type { SimResponse } from '../net/http-kit.ts';
import {
  clusterKey,
  findPool,
  type ClusterState,
  type Operation,
  type PoolState,
} from '../aks/model.ts';
import { clusterDeletePlan, poolDeletePlan } from '../aks/plans.ts';
import { actor, asyncUrl, getCluster, registerAsync, retryAfter, type ArmCall } from './call.ts';
import { aksError } from './errors.ts';
import { assertNotBusy, assertRunning } from './managed-clusters.ts';

/** The delete of the cluster (or of `pool`) that is still running, if any. */
function runningDelete(cluster: ClusterState, pool?: string): Operation | undefined {
  return cluster.operations.find(
    (o) =>
      o.kind === 'delete' &&
      o.status === 'InProgress' &&
      (pool === undefined ? o.pool === undefined : o.pool?.toLowerCase() === pool.toLowerCase()),
  );
}

function accepted(call: ArmCall, cluster: ClusterState, op: Operation): SimResponse {
  const ref = registerAsync(call, cluster, op);
  return {
    status: 202,
    headers: { location: asyncUrl(call, ref, 'operationresults'), ...retryAfter(call) },
  };
}

export function deleteManagedCluster(call: ArmCall): SimResponse {
  const { sub, rg, name } = call.params as { sub: string; rg: string; name: string };
  const cluster = call.state.clusters.get(clusterKey(sub, rg, name));
  if (!cluster) return { status: 204, headers: {} };
  call.state.engine.advance(cluster);
  // advance() may have finished a delete already under way: the cluster is gone now.
  if (call.state.clusters.get(clusterKey(sub, rg, name)) !== cluster) {
    return { status: 204, headers: {} };
  }
  // A second DELETE while the first runs reports on the same operation.
  const running = runningDelete(cluster);
  if (running) return accepted(call, cluster, running);
  assertNotBusy(call, cluster, {});
  call.state.throttler.chargeClusterWrite(clusterKey(sub, rg, name));
  const op = call.state.engine.start(cluster, clusterDeletePlan(cluster, actor(call)));
  return accepted(call, cluster, op);
}

/**
 * Whether deleting `pool` would leave the cluster without an agent pool, or without a System one:
 * AKS refuses both ("There has to be at least one agent pool.", Azure/AKS#2560; the System pool
 * wording is AKS's for a PUT that leaves none, Azure/AKS#1568).
 */
function assertNotLastPool(cluster: ClusterState, pool: PoolState): void {
  const others = cluster.pools.filter((p) => p !== pool && !runningDelete(cluster, p.name));
  if (others.length === 0) {
    throw aksError(400, 'OperationNotAllowed', 'There has to be at least one agent pool.');
  }
  if (pool.mode === 'System' && !others.some((p) => p.mode === 'System')) {
    throw aksError(400, 'MustDefineAtLeastOneSystemPool', 'Must define at least one system pool.');
  }
}

export function deleteAgentPool(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const pool = findPool(cluster, call.params.pool!);
  if (!pool) return { status: 204, headers: {} };
  const running = runningDelete(cluster, pool.name);
  if (running) return accepted(call, cluster, running);
  assertNotBusy(call, cluster, { pool: pool.name });
  assertRunning(cluster, 'Deleting agent pools');
  assertNotLastPool(cluster, pool);
  call.state.throttler.chargeClusterWrite(
    clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
  );
  const op = call.state.engine.start(cluster, poolDeletePlan(pool, actor(call)));
  return accepted(call, cluster, op);
}
