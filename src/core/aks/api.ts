/**
 * The calls the guard and the operations make on one AKS cluster, and the plain views they reason
 * about. AksClient implements it over @azure/arm-containerservice; the in-process tests implement
 * it with a scripted fake on a virtual clock.
 */
import type { AgentPool, ManagedCluster } from '@azure/arm-containerservice';
import type { ArmError } from '../arm-error.ts';

export interface PoolView {
  name: string;
  mode: string;
  provisioningState: string;
  powerState: string;
  count: number;
  enableAutoScaling: boolean;
  minCount?: number;
  maxCount?: number;
  orchestratorVersion: string;
  currentOrchestratorVersion: string;
  nodeImageVersion: string;
  osType: string;
  vmSize: string;
}

export interface ClusterView {
  id: string;
  name: string;
  location: string;
  provisioningState: string;
  powerState: string;
  kubernetesVersion: string;
  currentKubernetesVersion: string;
  eTag?: string;
  pools: PoolView[];
  /** The SDK model as read, for writes that send the resource back. */
  model: ManagedCluster;
}

export interface OperationStatus {
  id: string;
  status: string;
  percentComplete?: number;
  startTime?: Date;
  endTime?: Date;
  operationType?: string;
  subOperationType?: string;
  error?: ArmError;
  /** Seconds the service asked to wait before polling this status again. */
  retryAfterSeconds?: number;
}

/** What a write answered: its HTTP status and the operation it started, if any. */
export interface WriteAccepted {
  status: number;
  operationId?: string;
  /** The URL to poll for the operation's status (Azure-AsyncOperation or location). */
  statusUrl?: string;
  /**
   * Set when the answer was lost or refused on a retry, and the resource showed the write had
   * landed anyway: the run adopted its own operation (still running, or already done).
   */
  adopted?: 'in-progress' | 'done';
}

export interface UpgradeProfile {
  controlPlane: { version: string; upgrades: { version: string; isPreview: boolean }[] };
  pools: { name: string; version: string; upgrades: { version: string; isPreview: boolean }[] }[];
}

export interface CommandResult {
  provisioningState: string;
  exitCode?: number;
  logs?: string;
  reason?: string;
}

export interface AksApi {
  /** One GET: the cluster and the state of every pool. */
  getCluster(): Promise<ClusterView>;
  getPool(name: string): Promise<PoolView & { eTag?: string; model: AgentPool }>;
  upgradeProfile(): Promise<UpgradeProfile>;
  /** The newest node image AKS offers this pool, when it says. */
  latestNodeImage(pool: string): Promise<string | undefined>;
  /** operations/{id} or operations/latest (preview API): 'unavailable' where it is not served. */
  operation(id: string, pool?: string): Promise<OperationStatus | undefined | 'unavailable'>;
  /** A poll of an Azure-AsyncOperation or location URL. */
  asyncStatus(url: string): Promise<OperationStatus>;
  putCluster(model: ManagedCluster, eTag: string | undefined): Promise<WriteAccepted>;
  putPool(name: string, model: AgentPool, eTag: string | undefined): Promise<WriteAccepted>;
  start(): Promise<WriteAccepted>;
  stop(): Promise<WriteAccepted>;
  upgradeNodeImage(pool: string): Promise<WriteAccepted>;
  abort(pool?: string, options?: { abortSignal?: AbortSignal }): Promise<WriteAccepted>;
  runCommand(command: string, context?: string): Promise<WriteAccepted>;
  /** A run-command result: undefined while it runs. */
  commandResult(commandId: string): Promise<CommandResult | undefined>;
}
