/**
 * The simulated AKS resources. Modelled fields are typed; everything else a client PUTs is kept
 * verbatim in `extra` and returned on GET, as ARM does, so round-trips of unmodelled properties hold.
 */
import { randomUUID } from 'node:crypto';

export interface ArmErrorBody {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorBody[];
  additionalInfo?: { type: string; info: unknown }[];
}

export type PowerState = 'Running' | 'Stopped';

/** Terminal provisioning states; anything else means an operation is running. */
export const TERMINAL_STATES = ['Succeeded', 'Failed', 'Canceled'] as const;

export function isTerminal(state: string): boolean {
  return TERMINAL_STATES.some((s) => s.toLowerCase() === state.toLowerCase());
}

export interface PoolState {
  name: string;
  mode: string;
  /** The desired node count: AKS shows the requested count as soon as a scale starts. */
  count: number;
  /**
   * The nodes the pool really has while that differs from `count` (a scale still running, or one
   * that failed or was cancelled part-way). A PUT of the desired count then scales again.
   */
  readyNodes?: number;
  vmSize: string;
  osType: string;
  osSKU: string;
  orchestratorVersion: string;
  currentOrchestratorVersion: string;
  nodeImageVersion: string;
  enableAutoScaling: boolean;
  minCount?: number;
  maxCount?: number;
  maxPods: number;
  provisioningState: string;
  powerState: PowerState;
  eTag: string;
  extra: Record<string, unknown>;
  /** ARM's record of who created and last changed the pool (arm/system-data.ts). */
  systemData?: SystemData;
}

/**
 * Whether asking a pool for `count` nodes scales it: a new count does, and so does the same desired
 * count after a failed or cancelled scale left the pool short of it.
 */
export function isScaling(pool: PoolState, count: number): boolean {
  return count !== pool.count || (pool.readyNodes !== undefined && pool.readyNodes !== count);
}

export type OperationKind =
  'create' | 'upgrade' | 'scale' | 'upgrade-node-image' | 'start' | 'stop' | 'reconcile' | 'delete';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceling' | 'Canceled';

/** One step of an operation's plan: what has changed once progress reaches `untilPercent`. */
export interface Stage {
  untilPercent: number;
  /** 'cluster' for the control plane, otherwise a pool name. */
  target: string;
  controlPlaneVersion?: string;
  orchestratorVersion?: string;
  nodeImageVersion?: string;
  count?: number;
  powerState?: PowerState;
  /** A delete: the pool (or, for 'cluster', the managed cluster) is gone once the stage is done. */
  remove?: boolean;
  done?: boolean;
}

export interface Operation {
  id: string;
  kind: OperationKind;
  /** Set when the operation was started through the agentPools API on this pool. */
  pool?: string;
  operationType: string;
  /** The verb the affected resources show as provisioningState (Upgrading, Scaling, …). */
  subOperationType: string;
  /** Whether the managed cluster's own provisioningState shows the verb. */
  touchesCluster: boolean;
  /** Pools whose provisioningState shows the verb. */
  pools: string[];
  stages: Stage[];
  startMs: number;
  durationMs: number;
  status: OperationStatus;
  endMs?: number;
  error?: ArmErrorBody;
  failAtPercent?: number;
  failError?: ArmErrorBody;
  stuckAtPercent?: number;
  cancelRequestedMs?: number;
  cancelDurationMs: number;
  /** percentComplete when the operation stopped progressing (cancel requested, failed). */
  frozenPercent?: number;
  /** Who started it: the simulator's request log shows whether the guard or "someone else" did. */
  startedBy: string;
}

export interface RunCommandState {
  id: string;
  command: string;
  startMs: number;
  durationMs: number;
  result:
    | { kind: 'succeeded'; exitCode: number; logs: string }
    | { kind: 'failed'; reason: string }
    | { kind: 'error'; status: number; error: ArmErrorBody }
    | { kind: 'not-found' };
}

export interface ClusterState {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  sku: Record<string, unknown>;
  identity?: Record<string, unknown>;
  kubernetesVersion: string;
  currentKubernetesVersion: string;
  provisioningState: string;
  powerState: PowerState;
  eTag: string;
  dnsPrefix: string;
  fqdnSuffix: string;
  nodeResourceGroup: string;
  extra: Record<string, unknown>;
  pools: PoolState[];
  /** Oldest first; AKS keeps the latest 50. */
  operations: Operation[];
  commands: Map<string, RunCommandState>;
  /** ARM's record of who created and last changed the cluster (arm/system-data.ts). */
  systemData?: SystemData;
  /** Planned maintenance: default, aksManagedAutoUpgradeSchedule, aksManagedNodeOSUpgradeSchedule. */
  maintenanceConfigurations?: MaintenanceConfigState[];
}

/** ARM's systemData: who created and last modified a resource, and when (ISO 8601). */
export interface SystemData {
  createdBy: string;
  createdByType: 'User' | 'Application' | 'ManagedIdentity' | 'Key';
  createdAt: string;
  lastModifiedBy: string;
  lastModifiedByType: 'User' | 'Application' | 'ManagedIdentity' | 'Key';
  lastModifiedAt: string;
}

/** A maintenance configuration of a cluster: its properties as AKS stores them (validated, defaults filled). */
export interface MaintenanceConfigState {
  name: string;
  properties: Record<string, unknown>;
}

export function newETag(): string {
  return randomUUID();
}

export function clusterId(
  c: Pick<ClusterState, 'subscriptionId' | 'resourceGroup' | 'name'>,
): string {
  return `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c.name}`;
}

export function clusterKey(subscriptionId: string, resourceGroup: string, name: string): string {
  return `${subscriptionId}/${resourceGroup}/${name}`.toLowerCase();
}

export function findPool(c: ClusterState, name: string): PoolState | undefined {
  const n = name.toLowerCase();
  return c.pools.find((p) => p.name.toLowerCase() === n);
}

/**
 * The latest operation of the cluster itself (started through the managed cluster API) or, with
 * `pool`, the latest operation that touched that pool.
 */
export function latestOperation(c: ClusterState, pool?: string): Operation | undefined {
  for (let i = c.operations.length - 1; i >= 0; i--) {
    const op = c.operations[i]!;
    if (
      pool === undefined
        ? op.pool === undefined
        : op.pools.some((p) => p.toLowerCase() === pool.toLowerCase())
    ) {
      return op;
    }
  }
  return undefined;
}

export const MAX_OPERATION_HISTORY = 50;
