/**
 * What ARM adds to every answer of a resource write or read, after the resource provider has
 * answered: `systemData` (who created and last changed the resource, and when; ARM records it on
 * every successful PUT and PATCH, never on POST actions) and the `ETag` response header that
 * mirrors the body's `eTag` on GETs, PUTs and PATCHes of clusters and pools.
 */
import type { SimResponse } from '../net/http-kit.ts';
import type { Principal } from '../identity/directory.ts';
import { clusterKey, findPool, type ClusterState, type SystemData } from '../aks/model.ts';
import type { ArmCall } from './call.ts';
import { isObject } from './fields.ts';

type ByType = SystemData['createdByType'];

/** How ARM names a caller in systemData: a service principal by its app ID, as an Application. */
export function callerOf(p: Principal): { by: string; type: ByType } {
  return { by: p.appId, type: p.managedIdentity ? 'ManagedIdentity' : 'Application' };
}

export function createdSystemData(by: string, type: ByType, atIso: string): SystemData {
  return {
    createdBy: by,
    createdByType: type,
    createdAt: atIso,
    lastModifiedBy: by,
    lastModifiedByType: type,
    lastModifiedAt: atIso,
  };
}

/** systemData after a write by `call`'s principal: created now when new, else modified now. */
export function stamp(call: ArmCall, existing: SystemData | undefined): SystemData {
  const { by, type } = callerOf(call.principal);
  const now = call.state.clock.iso();
  if (!existing) return createdSystemData(by, type, now);
  return { ...existing, lastModifiedBy: by, lastModifiedByType: type, lastModifiedAt: now };
}

/** The writes ARM records in systemData (a reconcile PUT of the unchanged resource included). */
const RECORDED_WRITES = new Set([
  'ManagedClusters_CreateOrUpdate',
  'ManagedClusters_UpdateTags',
  'AgentPools_CreateOrUpdate',
]);

/** The answers that carry the resource's eTag as an `ETag` header too. */
const ETAG_ANSWERS = new Set([
  'ManagedClusters_Get',
  'ManagedClusters_CreateOrUpdate',
  'ManagedClusters_UpdateTags',
  'AgentPools_Get',
  'AgentPools_CreateOrUpdate',
]);

function recordWrite(call: ArmCall, operation: string, body: Record<string, unknown>): void {
  const { sub, rg, name, pool } = call.params;
  if (sub === undefined || rg === undefined || name === undefined) return;
  const cluster = call.state.clusters.get(clusterKey(sub, rg, name));
  if (!cluster) return;
  if (operation.startsWith('ManagedClusters_')) {
    const isNew = cluster.systemData === undefined;
    cluster.systemData = stamp(call, cluster.systemData);
    // Pools created with the cluster are created by the same request.
    if (isNew) for (const p of cluster.pools) p.systemData ??= cluster.systemData;
    body.systemData = cluster.systemData;
    return;
  }
  const p = pool !== undefined ? findPool(cluster, pool) : undefined;
  if (!p) return;
  p.systemData = stamp(call, p.systemData);
  body.systemData = p.systemData;
}

/** ARM's part of an answer the resource provider gave: systemData recorded, ETag header set. */
export function finishArmAnswer(
  call: ArmCall,
  operation: string,
  response: SimResponse,
): SimResponse {
  const ok = response.status === 200 || response.status === 201;
  if (!ok || !isObject(response.body)) return response;
  const body = response.body;
  if (RECORDED_WRITES.has(operation)) recordWrite(call, operation, body);
  if (!ETAG_ANSWERS.has(operation)) return response;
  const props = isObject(body.properties) ? body.properties : {};
  const eTag = typeof body.eTag === 'string' ? body.eTag : props.eTag;
  if (typeof eTag !== 'string') return response;
  // A strong entity tag in RFC 9110's form; If-Match accepts it quoted or bare.
  return { ...response, headers: { ...(response.headers ?? {}), ETag: `"${eTag}"` } };
}

const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

/**
 * systemData for a cluster and its pools that a scenario declares: created by the tenant's
 * administrator 30 days before the simulation starts (or an hour before its oldest operation),
 * last modified by the latest PUT-like operation that touched it (start and stop are POST actions,
 * which ARM does not record).
 */
export function seedSystemData(
  cluster: ClusterState,
  nowMs: number,
  iso: (ms: number) => string,
  admin: string,
): void {
  const starts = cluster.operations.map((o) => o.startMs);
  const createdMs = Math.min(nowMs - THIRTY_DAYS_MS, ...starts.map((s) => s - 3600 * 1000));
  const base = createdSystemData(admin, 'User', iso(createdMs));
  const lastWrite = (ops: typeof cluster.operations): SystemData => {
    const writes = ops.filter((o) => o.kind !== 'start' && o.kind !== 'stop');
    const latest = writes.at(-1);
    return latest ? { ...base, lastModifiedAt: iso(latest.startMs) } : base;
  };
  cluster.systemData ??= lastWrite(cluster.operations.filter((o) => o.pool === undefined));
  for (const p of cluster.pools) {
    p.systemData ??= lastWrite(
      cluster.operations.filter((o) =>
        o.pools.some((n) => n.toLowerCase() === p.name.toLowerCase()),
      ),
    );
  }
}
