/** What a run did and how it ended: the contract between the core and every front door. */
import type { ArmError } from './arm-error.ts';
import type { ClusterView, OperationStatus } from './aks/api.ts';

export type Result = 'succeeded' | 'failed' | 'aborted' | 'timed-out' | 'skipped' | 'dry-run';

export interface TimelineEntry {
  at: Date;
  /** A phase for grouping (pre-flight, pending, write, wait, abort, after). */
  phase: string;
  event: string;
}

export interface Outcome {
  result: Result;
  /** One sentence for people: what happened. */
  message: string;
  /** Whether the step should fail (result failed / timed-out / aborted on timeout or cancel). */
  failed: boolean;
  error?: ArmError;
  before?: ClusterView;
  after?: ClusterView;
  /** The cluster's latest operation as the pre-flight found it (preview API; absent when unavailable). */
  latestOperation?: OperationStatus;
  /** What was in progress at pre-flight, e.g. "Upgrading on the managed cluster (40%, 4m)". */
  pendingOperation?: string;
  waitedSeconds: number;
  abortedOperationId?: string;
  operationId?: string;
  command?: { exitCode?: number; logs?: string; reason?: string };
  /** operation report: what AKS offers the cluster and why anything is Failed. */
  report?: ClusterReport;
  /** Set when the run stopped because the cluster (or this pool) was already Failed. */
  failedState?: { pool?: string };
  /**
   * Work left for after this outcome has been published: when the job was cancelled with
   * on-cancel abort, the abort is sent only once the summary and outputs are safe, within the
   * runner's grace period (until `deadlineMs`); the outcome it returns replaces this one.
   */
  followUp?: (deadlineMs: number) => Promise<Outcome>;
  /** With dry-run: the steps that would have run. */
  plan: string[];
  /** The steps this run carried out, in the words a dry run plans them. */
  performed: string[];
  timeline: TimelineEntry[];
}

export interface ClusterReport {
  /** Control-plane upgrades AKS offers, newest first; undefined when the profile could not be read. */
  upgrades?: { version: string; isPreview: boolean }[];
  /** Resources in the Failed state, with the error of the operation that failed them. */
  failed: { pool?: string; operation?: OperationStatus }[];
  /** The latest operation of each pool that has one in progress. */
  poolOperations: { pool: string; operation: OperationStatus }[];
}
