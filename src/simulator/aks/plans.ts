/**
 * What each kind of operation changes, as ordered stages. An upgrade moves the control plane
 * first, then each pool in turn, so an operation that fails or is aborted part-way leaves the
 * cluster exactly as far along as it got (AKS does not roll back).
 */
import type { OperationRequest } from './engine.ts';
import { latestNodeImage } from './node-images.ts';
import type { ClusterState, PoolState, Stage } from './model.ts';

function spread(targets: Omit<Stage, 'untilPercent'>[]): Stage[] {
  return targets.map((t, i) => ({
    ...t,
    untilPercent: Math.round(((i + 1) / targets.length) * 100),
  }));
}

/** Upgrade through the managed cluster API: control plane, then the listed pools. */
export function clusterUpgradePlan(
  cluster: ClusterState,
  controlPlaneVersion: string | undefined,
  pools: { pool: PoolState; version: string }[],
  nodeImageRelease: string,
  startedBy: string,
): OperationRequest {
  const targets: Omit<Stage, 'untilPercent'>[] = [];
  if (controlPlaneVersion) targets.push({ target: 'cluster', controlPlaneVersion });
  for (const { pool, version } of pools) {
    targets.push({
      target: pool.name,
      orchestratorVersion: version,
      nodeImageVersion: latestNodeImage(pool.nodeImageVersion, nodeImageRelease),
    });
  }
  return {
    kind: 'upgrade',
    operationType: 'PutManagedCluster',
    touchesCluster: true,
    pools: pools.map((p) => p.pool.name),
    stages: spread(targets.length ? targets : [{ target: 'cluster' }]),
    startedBy,
  };
}

/** A change through the managed cluster API that is not an upgrade: scale or reconcile. */
export function clusterUpdatePlan(
  cluster: ClusterState,
  counts: { pool: PoolState; count: number }[],
  startedBy: string,
): OperationRequest {
  if (counts.length > 0) {
    return {
      kind: 'scale',
      operationType: 'PutManagedCluster',
      touchesCluster: true,
      pools: counts.map((c) => c.pool.name),
      stages: spread(counts.map((c) => ({ target: c.pool.name, count: c.count }))),
      startedBy,
    };
  }
  return {
    kind: 'reconcile',
    operationType: 'PutManagedCluster',
    touchesCluster: true,
    pools: cluster.pools.map((p) => p.name),
    stages: spread([{ target: 'cluster' }, ...cluster.pools.map((p) => ({ target: p.name }))]),
    startedBy,
  };
}

export function clusterCreatePlan(cluster: ClusterState, startedBy: string): OperationRequest {
  return {
    kind: 'create',
    operationType: 'PutManagedCluster',
    touchesCluster: true,
    pools: cluster.pools.map((p) => p.name),
    stages: spread([{ target: 'cluster' }, ...cluster.pools.map((p) => ({ target: p.name }))]),
    startedBy,
  };
}

export function powerPlan(
  cluster: ClusterState,
  to: 'Running' | 'Stopped',
  startedBy: string,
): OperationRequest {
  return {
    kind: to === 'Running' ? 'start' : 'stop',
    operationType: to === 'Running' ? 'StartManagedCluster' : 'StopManagedCluster',
    touchesCluster: true,
    pools: cluster.pools.map((p) => p.name),
    stages: spread([
      { target: 'cluster', powerState: to },
      ...cluster.pools.map((p) => ({ target: p.name, powerState: to })),
    ]),
    startedBy,
  };
}

/** A change through the agent pools API: one pool, the cluster itself stays Succeeded. */
export function poolPlan(
  pool: PoolState,
  change: { kind: 'create' | 'upgrade' | 'scale' | 'reconcile'; version?: string; count?: number },
  nodeImageRelease: string,
  startedBy: string,
): OperationRequest {
  const stage: Omit<Stage, 'untilPercent'> = { target: pool.name };
  if (change.kind === 'upgrade' && change.version) {
    stage.orchestratorVersion = change.version;
    stage.nodeImageVersion = latestNodeImage(pool.nodeImageVersion, nodeImageRelease);
  }
  // A PUT that changes the version and the count does both (the upgrade also scales).
  if (change.count !== undefined) stage.count = change.count;
  return {
    kind: change.kind,
    operationType: 'PutAgentPool',
    pool: pool.name,
    touchesCluster: false,
    pools: [pool.name],
    stages: spread([stage]),
    startedBy,
  };
}

export function nodeImagePlan(
  pool: PoolState,
  nodeImageRelease: string,
  startedBy: string,
): OperationRequest {
  return {
    kind: 'upgrade-node-image',
    operationType: 'UpgradeNodeImageVersion',
    pool: pool.name,
    touchesCluster: false,
    pools: [pool.name],
    stages: spread([
      {
        target: pool.name,
        nodeImageVersion: latestNodeImage(pool.nodeImageVersion, nodeImageRelease),
      },
    ]),
    startedBy,
  };
}

/** DELETE of the managed cluster: it and every pool show Deleting until it is gone. */
export function clusterDeletePlan(cluster: ClusterState, startedBy: string): OperationRequest {
  return {
    kind: 'delete',
    operationType: 'DeleteManagedCluster',
    touchesCluster: true,
    pools: cluster.pools.map((p) => p.name),
    stages: spread([{ target: 'cluster', remove: true }]),
    startedBy,
  };
}

/** DELETE of one agent pool: it shows Deleting until it is gone; the cluster stays Succeeded. */
export function poolDeletePlan(pool: PoolState, startedBy: string): OperationRequest {
  return {
    kind: 'delete',
    operationType: 'DeleteAgentPool',
    pool: pool.name,
    touchesCluster: false,
    pools: [pool.name],
    stages: spread([{ target: pool.name, remove: true }]),
    startedBy,
  };
}
