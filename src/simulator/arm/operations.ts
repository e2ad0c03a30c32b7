/**
 * Operation status as clients poll it: the async-operation URLs of the LRO protocol
 * (Azure-AsyncOperation and location), and the preview OperationStatusResult API
 * (operations/latest, operations/{id}) that reports percentComplete.
 */
import { json, type SimResponse } from '../net/http-kit.ts';
import { clusterId, type ArmErrorBody, type ClusterState, type Operation } from '../aks/model.ts';
import type { AsyncOperationRef } from '../state.ts';
import { asyncUrl, getCluster, getPool, statusRetryAfter, type ArmCall } from './call.ts';
import { aksError } from './errors.ts';
import { CANCELED_ERROR } from '../aks/engine.ts';

function findAsync(call: ArmCall): {
  ref: AsyncOperationRef;
  cluster: ClusterState;
  op: Operation;
} {
  const id = call.params.opId!;
  const ref = call.state.asyncOperations.get(id);
  const sub = call.params.sub;
  const cluster = ref ? (ref.cluster ?? call.state.clusters.get(ref.clusterKey)) : undefined;
  const op = cluster?.operations.find((o) => o.id === ref!.operationId);
  if (
    !ref ||
    !cluster ||
    !op ||
    (sub !== undefined && sub.toLowerCase() !== ref.subscriptionId.toLowerCase()) ||
    call.params.loc!.toLowerCase() !== ref.location
  ) {
    throw aksError(404, 'NotFound', `The operation '${id}' could not be found.`);
  }
  call.state.engine.advance(cluster);
  return { ref, cluster, op };
}

/** The status an async-operation URL reports: an abort is done once its target is Canceled. */
function asyncStatus(
  ref: AsyncOperationRef,
  op: Operation,
): { status: string; error?: ArmErrorBody; endMs?: number } {
  if (ref.isAbort) {
    if (op.status === 'Canceling' || op.status === 'InProgress') return { status: 'InProgress' };
    return { status: 'Succeeded', ...(op.endMs !== undefined ? { endMs: op.endMs } : {}) };
  }
  switch (op.status) {
    case 'InProgress':
    case 'Canceling':
      return { status: 'InProgress' };
    case 'Canceled':
      return { status: 'Canceled', error: op.error ?? CANCELED_ERROR, endMs: op.endMs! };
    case 'Failed':
      return { status: 'Failed', error: op.error!, endMs: op.endMs! };
    default:
      return { status: 'Succeeded', endMs: op.endMs! };
  }
}

/** GET .../locations/{loc}/operations|operationStatus/{id}: the Azure-AsyncOperation body. */
export function getAsyncOperation(call: ArmCall): SimResponse {
  const { ref, op } = findAsync(call);
  const s = asyncStatus(ref, op);
  const body: Record<string, unknown> = {
    id: `/subscriptions/${ref.subscriptionId}/providers/Microsoft.ContainerService/locations/${ref.location}/operations/${ref.id}`,
    name: ref.id,
    status: s.status,
    startTime: call.state.clock.iso(ref.isAbort ? ref.startMs : op.startMs),
  };
  if (s.endMs !== undefined) body.endTime = call.state.clock.iso(s.endMs);
  if (s.error) body.error = s.error;
  return json(200, body, s.status === 'InProgress' ? statusRetryAfter(call) : {});
}

/** GET .../locations/{loc}/operationresults/{id}: the location URL of start/stop. */
export function getOperationResult(call: ArmCall): SimResponse {
  const { ref, op } = findAsync(call);
  const s = asyncStatus(ref, op);
  if (s.status === 'InProgress') {
    return {
      status: 202,
      headers: { location: asyncUrl(call, ref, 'operationresults'), ...statusRetryAfter(call) },
    };
  }
  if (s.status === 'Succeeded') return { status: 204, headers: {} };
  const error = s.error ?? CANCELED_ERROR;
  // A terminal failure, not a transient server error: 4xx so clients report it instead of retrying.
  return json(s.status === 'Canceled' ? 409 : 400, { error });
}

/** The preview OperationStatusResult shape. */
export function operationStatusResult(
  call: ArmCall,
  cluster: ClusterState,
  op: Operation,
  pool?: string,
): Record<string, unknown> {
  const base = pool ? `${clusterId(cluster)}/agentPools/${pool}` : clusterId(cluster);
  const result: Record<string, unknown> = {
    id: `${base}/operations/${op.id}`,
    name: op.id,
    status: op.status,
    startTime: call.state.clock.iso(op.startMs),
    operationType: op.operationType,
    subOperationType: op.subOperationType,
  };
  if (op.status === 'InProgress' || op.status === 'Canceling' || op.status === 'Succeeded') {
    result.percentComplete = call.state.engine.percentComplete(op);
  }
  if (op.endMs !== undefined) result.endTime = call.state.clock.iso(op.endMs);
  if (op.error) result.error = op.error;
  return result;
}

/** Cluster-scope operations: those started through the managed cluster API. */
function clusterOperations(cluster: ClusterState): Operation[] {
  return cluster.operations.filter((o) => o.pool === undefined);
}

function poolOperations(cluster: ClusterState, pool: string): Operation[] {
  return cluster.operations.filter((o) =>
    o.pools.some((p) => p.toLowerCase() === pool.toLowerCase()),
  );
}

function pick(call: ArmCall, ops: Operation[], where: string): Operation {
  const id = call.params.opId!;
  const op =
    id.toLowerCase() === 'latest'
      ? ops.at(-1)
      : ops.find((o) => o.id.toLowerCase() === id.toLowerCase());
  if (!op) {
    throw aksError(
      404,
      'NotFound',
      id.toLowerCase() === 'latest'
        ? `No operation was found on ${where}.`
        : `Operation ${id} was not found on ${where}.`,
    );
  }
  return op;
}

/**
 * operations/latest and operations/{id} send a poll interval only when told to
 * (statusRetryAfterSeconds): they send none by default.
 */
function runningRetryAfter(call: ArmCall, op: Operation): Record<string, string> {
  const running = op.status === 'InProgress' || op.status === 'Canceling';
  return running ? statusRetryAfter(call, { onlyIfSet: true }) : {};
}

export function getClusterOperation(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const op = pick(call, clusterOperations(cluster), `managed cluster ${cluster.name}`);
  return json(200, operationStatusResult(call, cluster, op), runningRetryAfter(call, op));
}

export function listClusterOperations(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const value = clusterOperations(cluster)
    .slice()
    .reverse()
    .map((op) => operationStatusResult(call, cluster, op));
  return json(200, { value });
}

export function getPoolOperation(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const pool = getPool(call, cluster);
  const op = pick(call, poolOperations(cluster, pool.name), `agent pool ${pool.name}`);
  return json(
    200,
    operationStatusResult(call, cluster, op, pool.name),
    runningRetryAfter(call, op),
  );
}

export function listKubernetesVersions(call: ArmCall): SimResponse {
  const { catalog } = call.state;
  return json(200, {
    values: catalog.minors.map((m) => ({
      ...(m.isDefault ? { isDefault: true } : {}),
      ...(m.isPreview ? { isPreview: true } : {}),
      capabilities: { supportPlan: ['KubernetesOfficial'] },
      patchVersions: Object.fromEntries(
        m.patches.map((p) => [p, { upgrades: catalog.upgradesFrom(p) }]),
      ),
      version: m.version,
    })),
  });
}
