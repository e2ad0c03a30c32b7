/**
 * The lifecycle of AKS operations: start, progress, succeed, fail, cancel. State advances lazily
 * from the simulated clock whenever a cluster is read, so no timers run and tests can jump in time.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import {
  MAX_OPERATION_HISTORY,
  findPool,
  newETag,
  type ArmErrorBody,
  type ClusterState,
  type Operation,
  type OperationKind,
  type Stage,
} from './model.ts';

export const VERB: Record<OperationKind, string> = {
  create: 'Creating',
  upgrade: 'Upgrading',
  scale: 'Scaling',
  'upgrade-node-image': 'UpgradingNodeImageVersion',
  start: 'Starting',
  stop: 'Stopping',
  reconcile: 'Updating',
  delete: 'Deleting',
};

/**
 * The error a Canceled operation carries: ARM requires one on every Canceled status, and AKS's own
 * code and wording for it are not in the public record (README, "Where the simulator had to choose").
 */
export const CANCELED_ERROR: ArmErrorBody = {
  code: 'OperationCanceled',
  message:
    'The operation was canceled by an abort request (operation-abort). Nothing was rolled back.',
};

export interface FailureRule {
  operation: OperationKind | 'any';
  cluster?: string;
  pool?: string;
  atPercent: number;
  error: ArmErrorBody;
  /** How many operations this rule fails; unlimited when absent (a persistent cause, e.g. a PDB). */
  times?: number;
  used?: number;
}

export interface StuckRule {
  operation: OperationKind | 'any';
  cluster?: string;
  pool?: string;
  atPercent: number;
}

export interface EngineConfig {
  durationsMs: Record<OperationKind, number>;
  cancelDurationMs: number;
  failures: FailureRule[];
  stuck: StuckRule[];
}

export interface OperationRequest {
  kind: OperationKind;
  operationType: string;
  pool?: string;
  touchesCluster: boolean;
  pools: string[];
  stages: Stage[];
  startedBy: string;
  durationMs?: number;
}

function ruleMatches(
  rule: { operation: string; cluster?: string; pool?: string },
  cluster: ClusterState,
  req: OperationRequest,
): boolean {
  if (rule.operation !== 'any' && rule.operation !== req.kind) return false;
  if (rule.cluster && rule.cluster.toLowerCase() !== cluster.name.toLowerCase()) return false;
  if (rule.pool && !req.pools.some((p) => p.toLowerCase() === rule.pool!.toLowerCase()))
    return false;
  return true;
}

function fillPlaceholders(error: ArmErrorBody, vars: Record<string, string>): ArmErrorBody {
  const fill = (s: string): string => s.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
  return {
    ...error,
    message: fill(error.message),
    ...(error.target !== undefined ? { target: fill(error.target) } : {}),
    ...(error.details ? { details: error.details.map((d) => fillPlaceholders(d, vars)) } : {}),
  };
}

export class AksEngine {
  private readonly clock: Clock;
  readonly config: EngineConfig;
  /** Called when a managed cluster's delete has finished: the cluster is gone (buildState sets it). */
  onClusterDeleted: (cluster: ClusterState) => void = () => {};

  constructor(clock: Clock, config: EngineConfig) {
    this.clock = clock;
    this.config = config;
  }

  /** Operations that still hold the resource (running or being canceled). */
  activeOperations(cluster: ClusterState): Operation[] {
    return cluster.operations.filter((o) => o.status === 'InProgress' || o.status === 'Canceling');
  }

  /**
   * The operation a write would collide with. A cluster-level operation blocks everything; a pool
   * operation blocks cluster writes and writes to the same pool, but not other pools.
   */
  blockingOperation(cluster: ClusterState, target: { pool?: string }): Operation | undefined {
    this.advance(cluster);
    const active = this.activeOperations(cluster);
    const clusterOp = active.find((o) => o.pool === undefined);
    if (clusterOp) return clusterOp;
    if (target.pool === undefined) return active[0];
    return active.find((o) => o.pool?.toLowerCase() === target.pool!.toLowerCase());
  }

  percentComplete(op: Operation, now = this.clock.now()): number {
    if (op.status === 'Succeeded') return 100;
    if (op.frozenPercent !== undefined) return op.frozenPercent;
    let p = Math.floor(((now - op.startMs) / op.durationMs) * 100);
    if (op.stuckAtPercent !== undefined) p = Math.min(p, op.stuckAtPercent);
    return Math.max(0, Math.min(99, p));
  }

  start(cluster: ClusterState, req: OperationRequest): Operation {
    this.advance(cluster);
    const now = this.clock.now();
    const op: Operation = {
      id: randomUUID(),
      kind: req.kind,
      ...(req.pool !== undefined ? { pool: req.pool } : {}),
      operationType: req.operationType,
      subOperationType: VERB[req.kind],
      touchesCluster: req.touchesCluster,
      pools: req.pools,
      stages: req.stages,
      startMs: now,
      durationMs: Math.max(1, req.durationMs ?? this.config.durationsMs[req.kind]),
      status: 'InProgress',
      cancelDurationMs: this.config.cancelDurationMs,
      startedBy: req.startedBy,
    };
    const failure = this.config.failures.find(
      (r) => ruleMatches(r, cluster, req) && (r.times === undefined || (r.used ?? 0) < r.times),
    );
    if (failure) {
      failure.used = (failure.used ?? 0) + 1;
      op.failAtPercent = Math.max(0, Math.min(99, failure.atPercent));
      op.failError = fillPlaceholders(
        failure.error,
        this.placeholders(cluster, op, failure.atPercent),
      );
    }
    const stuck = this.config.stuck.find((r) => ruleMatches(r, cluster, req));
    if (stuck) op.stuckAtPercent = Math.max(0, Math.min(99, stuck.atPercent));

    if (op.touchesCluster) {
      cluster.provisioningState = op.subOperationType;
      cluster.eTag = newETag();
    }
    for (const name of op.pools) {
      const pool = findPool(cluster, name);
      if (!pool) continue;
      pool.provisioningState = op.subOperationType;
      pool.eTag = newETag();
    }
    // `count` is the desired node count, as AKS keeps it: a GET during (or after a failed) scale
    // already shows the requested count (Azure/AKS#671: "agentPoolProfiles.count is 6 but the
    // actual count is 5" after a failed scale-up). Versions have current* twins; count has none.
    for (const stage of op.stages) {
      const pool = stage.count !== undefined ? findPool(cluster, stage.target) : undefined;
      if (!pool || pool.count === stage.count) continue;
      pool.readyNodes ??= pool.count;
      pool.count = stage.count!;
    }
    cluster.operations.push(op);
    if (cluster.operations.length > MAX_OPERATION_HISTORY) cluster.operations.shift();
    return op;
  }

  private placeholders(
    cluster: ClusterState,
    op: Operation,
    atPercent: number,
  ): Record<string, string> {
    const stage = op.stages.find((s) => s.untilPercent > atPercent && s.target !== 'cluster');
    const pool = stage?.target ?? op.pool ?? op.pools[0] ?? cluster.pools[0]?.name ?? 'nodepool1';
    return {
      cluster: cluster.name,
      resourceGroup: cluster.resourceGroup,
      subscription: cluster.subscriptionId,
      location: cluster.location,
      nodeResourceGroup: cluster.nodeResourceGroup,
      pool,
      node: `aks-${pool}-12345678-vmss000000`,
      operationId: op.id,
      vmSize: findPool(cluster, pool)?.vmSize ?? 'Standard_D4ds_v5',
    };
  }

  /** Brings every running operation of the cluster up to the current simulated time. */
  advance(cluster: ClusterState): void {
    const now = this.clock.now();
    for (const op of cluster.operations) {
      if (op.status === 'Canceling') {
        const end = (op.cancelRequestedMs ?? now) + op.cancelDurationMs;
        if (now >= end) this.finish(cluster, op, 'Canceled', end);
        continue;
      }
      if (op.status !== 'InProgress') continue;
      const raw = Math.floor(((now - op.startMs) / op.durationMs) * 100);
      const reach = op.stuckAtPercent !== undefined ? Math.min(raw, op.stuckAtPercent) : raw;
      if (op.failAtPercent !== undefined && reach >= op.failAtPercent) {
        this.applyStages(cluster, op, op.failAtPercent);
        op.frozenPercent = op.failAtPercent;
        op.error = op.failError;
        this.finish(cluster, op, 'Failed', op.startMs + (op.durationMs * op.failAtPercent) / 100);
        continue;
      }
      this.applyStages(cluster, op, reach);
      if (raw >= 100 && op.stuckAtPercent === undefined) {
        this.finish(cluster, op, 'Succeeded', op.startMs + op.durationMs);
      }
    }
  }

  private applyStages(cluster: ClusterState, op: Operation, percent: number): void {
    for (const stage of op.stages) {
      if (stage.done || stage.untilPercent > percent) continue;
      stage.done = true;
      if (stage.target === 'cluster') {
        // The cluster itself goes when its delete finishes (finish → onClusterDeleted).
        if (stage.controlPlaneVersion) cluster.currentKubernetesVersion = stage.controlPlaneVersion;
        if (stage.powerState) cluster.powerState = stage.powerState;
        continue;
      }
      const pool = findPool(cluster, stage.target);
      if (!pool) continue;
      if (stage.remove) {
        cluster.pools.splice(cluster.pools.indexOf(pool), 1);
        continue;
      }
      if (stage.orchestratorVersion) pool.currentOrchestratorVersion = stage.orchestratorVersion;
      if (stage.nodeImageVersion) pool.nodeImageVersion = stage.nodeImageVersion;
      if (stage.count !== undefined) {
        pool.count = stage.count;
        delete pool.readyNodes;
      }
      if (stage.powerState) pool.powerState = stage.powerState;
    }
  }

  private poolFinished(op: Operation, pool: string): boolean {
    const own = op.stages.filter((s) => s.target.toLowerCase() === pool.toLowerCase());
    return own.length > 0 && own.every((s) => s.done);
  }

  private finish(
    cluster: ClusterState,
    op: Operation,
    status: 'Succeeded' | 'Failed' | 'Canceled',
    endMs: number,
  ): void {
    if (status === 'Succeeded') this.applyStages(cluster, op, 100);
    op.status = status;
    op.endMs = Math.round(endMs);
    if (status === 'Canceled') op.error ??= CANCELED_ERROR;
    if (op.touchesCluster) {
      cluster.provisioningState = status;
      cluster.eTag = newETag();
    }
    for (const name of op.pools) {
      const pool = findPool(cluster, name);
      if (!pool) continue;
      // Nothing rolls back: a pool the operation had already finished stays Succeeded.
      pool.provisioningState =
        status === 'Succeeded' || this.poolFinished(op, name) ? 'Succeeded' : status;
      pool.eTag = newETag();
    }
    if (status === 'Succeeded' && op.kind === 'delete' && op.pool === undefined) {
      this.onClusterDeleted(cluster);
    }
  }

  /** Marks the operation Canceling; it becomes Canceled after the cancel delay. */
  cancel(cluster: ClusterState, op: Operation): void {
    this.advance(cluster);
    this.cancelAt(cluster, op, this.clock.now());
  }

  /** Cancels as of `now` (a scenario's history replays past cancellations with it). */
  cancelAt(cluster: ClusterState, op: Operation, now: number): void {
    if (op.status !== 'InProgress') return;
    op.frozenPercent = this.percentComplete(op, now);
    this.applyStages(cluster, op, op.frozenPercent);
    op.status = 'Canceling';
    op.cancelRequestedMs = now;
    if (op.touchesCluster) {
      cluster.provisioningState = 'Canceling';
      cluster.eTag = newETag();
    }
    for (const name of op.pools) {
      const pool = findPool(cluster, name);
      if (!pool || this.poolFinished(op, name)) continue;
      pool.provisioningState = 'Canceling';
      pool.eTag = newETag();
    }
  }

  /** Ends a running operation now with the given error (admin API: "fail it"). */
  failNow(cluster: ClusterState, op: Operation, error: ArmErrorBody): void {
    this.advance(cluster);
    if (op.status !== 'InProgress') return;
    const now = this.clock.now();
    op.frozenPercent = this.percentComplete(op, now);
    op.error = fillPlaceholders(error, this.placeholders(cluster, op, op.frozenPercent));
    this.finish(cluster, op, 'Failed', now);
  }

  /** Ends a running operation now, successfully (admin API: "let it finish"). */
  completeNow(cluster: ClusterState, op: Operation): void {
    this.advance(cluster);
    if (op.status !== 'InProgress') return;
    this.finish(cluster, op, 'Succeeded', this.clock.now());
  }
}
