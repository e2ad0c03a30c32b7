/**
 * One way to observe an AKS operation, whatever is known about it: its status by ID (the preview
 * operations API), else the status URL its write answered with (Azure-AsyncOperation / location),
 * else the provisioning state of the resource it runs on. Every observation carries what the
 * service said: status, percentComplete, start time and Retry-After (a lower bound for the next
 * poll, honoured by waitForOperation).
 */
import type { AksApi, OperationStatus } from '../aks/api.ts';
import { isBusy } from '../aks/status.ts';
import { stateOf } from '../pending.ts';
import type { Observation } from './wait.ts';

/** What is known about an operation to watch. */
export interface Watched {
  /** The pool it runs on; undefined for the managed cluster. */
  pool?: string;
  operationId?: string;
  statusUrl?: string;
}

/** An observation, with the operation's status record when the service returned one. */
export type Obs = Observation & { op?: OperationStatus };

/** What a poll learnt about an operation, Retry-After included. */
export function observationOf(op: OperationStatus): Obs {
  return {
    status: op.status,
    ...(op.percentComplete !== undefined ? { percentComplete: op.percentComplete } : {}),
    ...(op.startTime ? { startTime: op.startTime } : {}),
    ...(op.retryAfterSeconds !== undefined ? { retryAfterSeconds: op.retryAfterSeconds } : {}),
    op,
  };
}

/** A poll function for `w`: each call is one read. */
export function watch(api: AksApi, w: Watched): () => Promise<Obs> {
  return async () => {
    if (w.operationId) {
      const op = await api.operation(w.operationId, w.pool);
      if (op && op !== 'unavailable') return observationOf(op);
    }
    if (w.statusUrl) return observationOf(await api.asyncStatus(w.statusUrl));
    const c = await api.getCluster();
    const state = stateOf(c, w.pool) ?? 'Unknown';
    return { status: isBusy(state) ? 'InProgress' : state };
  };
}
