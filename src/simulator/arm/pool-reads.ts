/**
 * Agent pool reads the SDK and az have beyond get/list: the versions a new pool may run
 * (AgentPools_GetAvailableAgentPoolVersions, `availableAgentPoolVersions`) and a pool's list of
 * operations (OperationStatusResult_ListByAgentPool, preview, served from 2026-06-02-preview on,
 * with `activeOnly`), newest first like the cluster's list.
 */
import { json, type SimResponse } from '../net/http-kit.ts';
import { clusterId } from '../aks/model.ts';
import { getCluster, getPool, type ArmCall } from './call.ts';
import { supportedApiVersions } from './api-version.ts';
import { armError } from './errors.ts';
import { operationStatusResult } from './operations.ts';

/** AgentPools_GetAvailableAgentPoolVersions: every patch the region offers, the default marked. */
export function getAvailableAgentPoolVersions(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const { catalog } = call.state;
  const defaultVersion = catalog.defaultVersion();
  const agentPoolVersions = catalog.minors.flatMap((m) =>
    m.patches.map((v) => ({
      ...(v === defaultVersion ? { default: true } : {}),
      ...(m.isPreview ? { isPreview: true } : {}),
      kubernetesVersion: v,
    })),
  );
  return json(200, {
    id: `${clusterId(cluster)}/availableagentpoolversions`,
    name: 'default',
    type: 'Microsoft.ContainerService/managedClusters/availableAgentpoolVersions',
    properties: { agentPoolVersions },
  });
}

/** The first preview that has OperationStatusResult_ListByAgentPool. */
const FIRST_POOL_OPERATIONS_LIST = '2026-06-02';

/** GET …/agentPools/{pool}/operations: the operations that touched the pool, newest first. */
export function listPoolOperations(call: ArmCall): SimResponse {
  if (call.apiVersion.slice(0, 10) < FIRST_POOL_OPERATIONS_LIST) {
    const today = call.state.clock.iso().slice(0, 10);
    const supported = supportedApiVersions('aks-preview-only', today).filter(
      (v) => v >= FIRST_POOL_OPERATIONS_LIST,
    );
    throw armError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location 'global' and API version '${call.apiVersion}' for type 'managedClusters/agentPools/operations'. The supported api-versions are '${supported.join(', ')}'. The supported locations are 'eastus, westus2, westeurope, northeurope, uksouth, australiaeast, swedencentral'.`,
    );
  }
  const cluster = getCluster(call);
  const pool = getPool(call, cluster);
  const activeOnly = (call.req.url.searchParams.get('activeOnly') ?? '').toLowerCase() === 'true';
  const value = cluster.operations
    .filter((o) => o.pools.some((p) => p.toLowerCase() === pool.name.toLowerCase()))
    .filter((o) => !activeOnly || o.status === 'InProgress' || o.status === 'Canceling')
    .slice()
    .reverse()
    .map((o) => operationStatusResult(call, cluster, o, pool.name));
  return json(200, { value });
}
