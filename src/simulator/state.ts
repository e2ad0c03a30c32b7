/** Everything the simulated services share: the tenant, subscriptions, clusters and settings. */
import type { z } from 'zod';
import type { Clock } from './clock.ts';
import type { AksEngine } from './aks/engine.ts';
import type { ArmErrorBody, ClusterState, OperationKind } from './aks/model.ts';
import type { VersionCatalog } from './aks/versions.ts';
import type { AksErrorShape, ConflictWording } from './arm/errors.ts';
import type { Throttler } from './arm/throttle.ts';
import type { Directory } from './identity/directory.ts';
import type { KubernetesService } from './kube/service.ts';
import type { retryAfterHeaderSchema } from './scenario/schema.ts';

export interface Subscription {
  id: string;
  displayName: string;
  state: string;
}

export interface ResourceGroup {
  subscriptionId: string;
  name: string;
  location: string;
}

/** A scripted answer for run-command, chosen by the first rule whose pattern matches the command. */
export interface RunCommandRule {
  match: string;
  exitCode?: number;
  logs?: string;
  durationSeconds?: number;
  /** Failures from "Resolve az aks command invoke failures". */
  failure?: 'pod-not-started' | 'performance' | 'policy-denied' | 'not-found';
  /** A command that AKS reports as failed (provisioningState "failed") with this reason. */
  failedReason?: string;
  error?: ArmErrorBody;
}

/** An async operation URL handed out in Azure-AsyncOperation / location headers. */
export interface AsyncOperationRef {
  id: string;
  subscriptionId: string;
  location: string;
  clusterKey: string;
  /** The cluster operation it reports on. */
  operationId: string;
  /** An abort's own status: done once the aborted operation is Canceled. */
  isAbort: boolean;
  startMs: number;
  /** The cluster the operation belongs to, still there to report on after a delete removed it. */
  cluster?: ClusterState;
}

/** The headers that can carry a poll interval: seconds, milliseconds, or an HTTP-date. */
export type RetryAfterHeader = z.infer<typeof retryAfterHeaderSchema>;

export interface SimSettings {
  conflictWording: ConflictWording;
  /** How AKS's resource provider sends its own errors: flat (AKS's way) or wrapped like ARM's. */
  aksErrorShape: AksErrorShape;
  abortResponse: 202 | 204;
  /** Retry-After on the answers that start an operation (and, unless set below, on its polls). */
  retryAfterSeconds: number;
  /**
   * The poll interval sent on operation status while the operation runs: the Azure-AsyncOperation
   * URL, the location (operationresults, commandResults) URL and, only when this is set,
   * operations/latest and operations/{id}. Unset: retryAfterSeconds, and nothing on operations/*.
   * 0 sends no header.
   */
  statusRetryAfterSeconds?: number;
  /** Which headers carry it (default Retry-After in seconds). */
  statusRetryAfterHeaders: RetryAfterHeader[];
  tokenLifetimeSeconds: number;
  /** The release part of the newest node image, e.g. "202611.02.0". */
  nodeImageRelease: string;
  runCommandSeconds: number;
}

export interface SimState {
  clock: Clock;
  directory: Directory;
  subscriptions: Subscription[];
  resourceGroups: ResourceGroup[];
  clusters: Map<string, ClusterState>;
  catalog: VersionCatalog;
  engine: AksEngine;
  throttler: Throttler;
  runCommands: RunCommandRule[];
  asyncOperations: Map<string, AsyncOperationRef>;
  settings: SimSettings;
  /** Operations "another pipeline" starts just before this cluster's next writes (admin API). */
  races: RaceRule[];
  /** Operations that end by themselves just before the next abort reaches them (admin API). */
  abortRaces: AbortRaceRule[];
  /** The clusters' Kubernetes API servers (kube/service.ts); set by startSimulator. */
  kubernetes?: KubernetesService;
}

/**
 * An abort that loses the race to the operation's natural end: when the next abort of the cluster
 * (or of `pool`) arrives, the operation it would cancel has just Succeeded, so AKS answers 409.
 */
export interface AbortRaceRule {
  clusterKey: string;
  pool?: string;
  remaining: number;
}

/**
 * Another writer that gets in between a client's read and its write: when the next write to the
 * cluster arrives, this operation starts first, so the write meets 409 OperationNotAllowed.
 */
export interface RaceRule {
  clusterKey: string;
  spec: { type: OperationKind; pool?: string; kubernetesVersion?: string; count?: number };
  durationMs?: number;
  /** The operation stays InProgress at this percent until completed, failed or aborted. */
  stuckAtPercent?: number;
  startedBy: string;
  /** How many writes still meet a fresh operation. */
  remaining: number;
}
