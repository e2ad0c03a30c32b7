/**
 * Which running operations stand in the way of a write, by AKS's rules: a cluster operation
 * blocks everything; a pool operation blocks cluster writes and writes to that pool only.
 */
import { formatDuration } from './duration.ts';
import type { ClusterView, OperationStatus } from './aks/api.ts';
import { isBusy, isFailed, sameName } from './aks/status.ts';

export interface Busy {
  /** Undefined for the managed cluster itself. */
  pool?: string;
  state: string;
  operation?: OperationStatus;
}

/** Where a write lands: the managed cluster (blocked by anything), one pool, or nowhere. */
export type Target = { pool?: string } | 'none';

export function blockers(cluster: ClusterView, target: Target): Busy[] {
  if (target === 'none') return [];
  if (isBusy(cluster.provisioningState)) return [{ state: cluster.provisioningState }];
  return cluster.pools
    .filter((p) => isBusy(p.provisioningState))
    .filter((p) => target.pool === undefined || sameName(p.name, target.pool))
    .map((p) => ({ pool: p.name, state: p.provisioningState }));
}

/** Resources in the Failed state that a write to `target` would act on. */
export function failedFor(cluster: ClusterView, target: Target): Busy[] {
  if (target === 'none') return [];
  const out: Busy[] = [];
  if (isFailed(cluster.provisioningState)) out.push({ state: cluster.provisioningState });
  for (const p of cluster.pools) {
    if (!isFailed(p.provisioningState)) continue;
    if (target.pool === undefined || sameName(p.name, target.pool))
      out.push({ pool: p.name, state: p.provisioningState });
  }
  return out;
}

/** The provisioningState of the cluster, or of one pool (undefined when there is no such pool). */
export function stateOf(cluster: ClusterView, pool: string | undefined): string | undefined {
  return pool
    ? cluster.pools.find((p) => sameName(p.name, pool))?.provisioningState
    : cluster.provisioningState;
}

export function where(b: { pool?: string | undefined }): string {
  return b.pool ? `node pool ${b.pool}` : 'the managed cluster';
}

/** "Upgrading on the managed cluster (operation 1234…, 40%, running for 4m)". */
export function describeBusy(b: Busy, nowMs: number): string {
  const op = b.operation;
  const parts: string[] = [];
  if (op) {
    parts.push(`operation ${op.id}`);
    if (op.percentComplete !== undefined) parts.push(`${op.percentComplete}%`);
    if (op.startTime)
      parts.push(`running for ${formatDuration((nowMs - op.startTime.getTime()) / 1000)}`);
  }
  const what = op?.subOperationType ?? b.state;
  return `${what} on ${where(b)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** "Upgrading, Succeeded, 100%, started 2h ago, took 12m (operation 1234…)". */
export function describeOperation(op: OperationStatus, nowMs: number): string {
  const parts = [op.subOperationType ?? op.operationType ?? 'operation', op.status];
  if (op.percentComplete !== undefined) parts.push(`${op.percentComplete}%`);
  if (op.startTime) {
    parts.push(`started ${formatDuration((nowMs - op.startTime.getTime()) / 1000)} ago`);
    if (op.endTime)
      parts.push(`took ${formatDuration((op.endTime.getTime() - op.startTime.getTime()) / 1000)}`);
  }
  if (op.error) parts.push(`error ${op.error.code}`);
  return `${parts.join(', ')} (operation ${op.id})`;
}
