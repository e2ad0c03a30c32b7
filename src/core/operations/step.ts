/**
 * What an operation is made of: steps, each one write that can be recognised on the resource
 * afterwards, and the checks that refuse a request before anything is written.
 */
import type { AgentPool } from '@azure/arm-containerservice';
import type { AksApi, ClusterView, PoolView, WriteAccepted } from '../aks/api.ts';
import { isUpdating, resourcePhase, sameName } from '../aks/status.ts';
import type { Settings } from '../settings.ts';

/** A request that cannot work on this cluster: refused before anything is written. */
export class ValidationError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ValidationError';
    this.code = code;
  }
}

/** Whether the resource shows a step's change: under way, finished, or not at all. */
export type Shows = 'in-progress' | 'done' | 'no';

/**
 * What a step asks of AKS, in a form that can be recognised on the resource afterwards. A write
 * whose answer is lost (connection reset, a cut-off body) or refused on an SDK retry (412, 409 met
 * by the run's own write) may have been applied: the guard reads the resource and asks `shows`
 * before it takes the refusal for another writer's, so it never aborts or repeats its own change.
 */
export interface Intent {
  shows(cluster: ClusterView): Shows;
  /**
   * The change leaves nothing to see but its operation (a reconcile): a new operation that started
   * after the write was sent is taken for the run's own.
   */
  byNewOperation?: boolean;
}

export interface Step {
  describe: string;
  target: { pool?: string };
  /** Sends the write with the ETag of what it just read. */
  send(): Promise<WriteAccepted>;
  intent: Intent;
}

export type Plan =
  | { kind: 'skip'; reason: string }
  | { kind: 'steps'; steps: Step[]; notes: string[] }
  | { kind: 'read-only' };

/** What every operation's planner gets. */
export interface PlanContext {
  s: Settings;
  cluster: ClusterView;
  api: AksApi;
}

export function steps(list: Step[], notes: string[] = []): Plan {
  return { kind: 'steps', steps: list, notes };
}

export function poolIn(cluster: ClusterView, name: string): PoolView | undefined {
  return cluster.pools.find((p) => sameName(p.name, name));
}

export function findPool(cluster: ClusterView, name: string): PoolView {
  const pool = poolIn(cluster, name);
  if (!pool) {
    throw new ValidationError(
      'NodePoolNotFound',
      `Node pool "${name}" does not exist in cluster ${cluster.name}; its pools are ${cluster.pools.map((p) => `"${p.name}"`).join(', ')}.`,
    );
  }
  return pool;
}

/**
 * The change is on the resource: running while it is busy, done once it Succeeded. Failed or
 * Canceled counts as in progress, so the wait reads how the operation ended and reports that,
 * rather than taking a change that failed for one that was made.
 */
export function progress(changed: boolean, state: string): Shows {
  if (!changed) return 'no';
  return resourcePhase(state) === 'succeeded' ? 'done' : 'in-progress';
}

/** A reconcile changes nothing to look at: it is recognised by its operation. */
export function reconcileIntent(pool?: string): Intent {
  return {
    byNewOperation: true,
    shows: (c) => {
      const state = pool ? poolIn(c, pool)?.provisioningState : c.provisioningState;
      return state !== undefined && isUpdating(state) ? 'in-progress' : 'no';
    },
  };
}

/** A pool model for a PUT that changes only what is asked: the version it runs stays as it runs. */
export function poolModel(
  current: AgentPool & { currentOrchestratorVersion?: string },
  change: Partial<AgentPool>,
): AgentPool {
  return {
    ...current,
    orchestratorVersion: current.currentOrchestratorVersion ?? current.orchestratorVersion,
    ...change,
  };
}
