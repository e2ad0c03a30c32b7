/** managedClusters: read, create/update (upgrade, scale, reconcile), start, stop, abort, upgrade profile. */
import { randomBytes } from 'node:crypto';
import { json, type SimResponse } from '../net/http-kit.ts';
import {
  clusterId,
  clusterKey,
  findPool,
  isScaling,
  latestOperation,
  newETag,
  type ClusterState,
  type PoolState,
} from '../aks/model.ts';
import { managedClusterResource } from '../aks/serialize.ts';
import {
  clusterCreatePlan,
  clusterUpdatePlan,
  clusterUpgradePlan,
  powerPlan,
} from '../aks/plans.ts';
import { compareVersions } from '../aks/versions.ts';
import { mergeProperties, withClusterDefaults, withIdentityDefaults } from '../aks/defaults.ts';
import {
  actor,
  asyncUrl,
  checkPreconditions,
  getCluster,
  jsonBody,
  locationSegment,
  registerAsync,
  retryAfter,
  type ArmCall,
} from './call.ts';
import { aksError, armError, invalidParameter, operationInProgress } from './errors.ts';
import { versionChecks } from './version-rules.ts';
import { intField, isObject, stringField } from './fields.ts';
import { assertPoolName, newPool, poolExtra } from './pool-spec.ts';

const MODELLED_CLUSTER_PROPERTIES = new Set([
  'provisioningState',
  'powerState',
  'kubernetesVersion',
  'currentKubernetesVersion',
  'dnsPrefix',
  'fqdn',
  'azurePortalFQDN',
  'nodeResourceGroup',
  'agentPoolProfiles',
]);

/** ARM never echoes secrets back. */
function withoutSecrets(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (MODELLED_CLUSTER_PROPERTIES.has(k)) continue;
    if (k === 'servicePrincipalProfile' && isObject(v)) {
      const { secret: _secret, ...rest } = v;
      out[k] = rest;
    } else if (k === 'windowsProfile' && isObject(v)) {
      const { adminPassword: _password, ...rest } = v;
      out[k] = rest;
    } else out[k] = v;
  }
  return out;
}

function clusterResponse(
  status: number,
  cluster: ClusterState,
  headers: Record<string, string> = {},
): SimResponse {
  return json(status, managedClusterResource(cluster), headers);
}

export function getManagedCluster(call: ArmCall): SimResponse {
  return clusterResponse(200, getCluster(call));
}

export function listManagedClusters(call: ArmCall): SimResponse {
  const { sub, rg } = call.params as { sub: string; rg?: string };
  const value = [...call.state.clusters.values()]
    .filter(
      (c) =>
        c.subscriptionId.toLowerCase() === sub.toLowerCase() &&
        (rg === undefined || c.resourceGroup.toLowerCase() === rg.toLowerCase()) &&
        call.state.directory.isAllowed(
          call.principal,
          'Microsoft.ContainerService/managedClusters/read',
          clusterId(c),
        ),
    )
    .map((c) => {
      call.state.engine.advance(c);
      return managedClusterResource(c);
    });
  return json(200, { value });
}

/** The 409 for a write while another operation holds the cluster or the pool. */
export function assertNotBusy(
  call: ArmCall,
  cluster: ClusterState,
  target: { pool?: string },
): void {
  const blocking = call.state.engine.blockingOperation(cluster, target);
  if (blocking) {
    throw operationInProgress(call.state.settings.conflictWording, blocking, target, (ms) =>
      call.state.clock.iso(ms),
    );
  }
}

export function assertRunning(cluster: ClusterState, what: string): void {
  if (cluster.powerState === 'Stopped') {
    throw aksError(
      400,
      'OperationNotAllowed',
      `${what} is not allowed because the managed cluster ${cluster.name} is stopped. Start the cluster with 'az aks start' and retry.`,
    );
  }
}

function asyncHeaders(call: ArmCall, cluster: ClusterState, opId: string): Record<string, string> {
  const op = cluster.operations.find((o) => o.id === opId)!;
  const ref = registerAsync(call, cluster, op);
  return { 'Azure-AsyncOperation': asyncUrl(call, ref, 'operations'), ...retryAfter(call) };
}

export function putManagedCluster(call: ArmCall): SimResponse {
  const { sub, rg, name } = call.params as { sub: string; rg: string; name: string };
  const body = jsonBody(call);
  const existing = call.state.clusters.get(clusterKey(sub, rg, name));
  checkPreconditions(call, existing?.eTag);
  const props = isObject(body.properties) ? body.properties : {};
  if (body.properties !== undefined && !isObject(body.properties)) {
    throw invalidParameter('properties', 'properties must be an object');
  }
  if (existing) {
    call.state.engine.advance(existing);
    return updateCluster(call, existing, body, props);
  }
  return createCluster(call, body, props);
}

function updateCluster(
  call: ArmCall,
  cluster: ClusterState,
  body: Record<string, unknown>,
  props: Record<string, unknown>,
): SimResponse {
  if (
    typeof body.location === 'string' &&
    locationSegment(body.location) !== locationSegment(cluster.location)
  ) {
    throw aksError(
      400,
      'InvalidParameter',
      `Changing property 'location' is not allowed: the managed cluster is in ${cluster.location}, the request asks for ${body.location}.`,
      { target: 'location' },
    );
  }
  assertNotBusy(call, cluster, {});
  const { catalog } = call.state;
  const requested = stringField(props.kubernetesVersion, 'properties.kubernetesVersion');
  let targetCp = cluster.currentKubernetesVersion;
  if (requested) {
    const resolved = versionChecks(catalog).supported(requested, 'K8sVersionNotSupported');
    if (resolved !== cluster.currentKubernetesVersion) {
      versionChecks(catalog).upgradeAllowed(cluster.currentKubernetesVersion, resolved);
    }
    targetCp = resolved;
  }
  if (targetCp !== cluster.currentKubernetesVersion) assertRunning(cluster, 'Upgrading');

  const profilesRaw = props.agentPoolProfiles;
  const poolVersions: { pool: PoolState; version: string }[] = [];
  const counts: { pool: PoolState; count: number }[] = [];
  const autoscale: { pool: PoolState; enable: boolean; min?: number; max?: number }[] = [];
  const extras: { pool: PoolState; extra: Record<string, unknown>; desiredVersion?: string }[] = [];
  if (profilesRaw !== undefined) {
    if (!Array.isArray(profilesRaw))
      throw invalidParameter('properties.agentPoolProfiles', 'must be an array');
    const names = new Set<string>();
    for (const [i, raw] of profilesRaw.entries()) {
      if (!isObject(raw))
        throw invalidParameter(`properties.agentPoolProfiles[${i}]`, 'must be an object');
      const pname = stringField(raw.name, `properties.agentPoolProfiles[${i}].name`) ?? '';
      const pool = findPool(cluster, pname);
      if (!pool) {
        throw aksError(
          400,
          'BadRequest',
          'A new agent pool was introduced. Adding agent pools to an existing cluster is not allowed through managed cluster API. Please use agent pool API: https://aka.ms/agent-pool-rest-api',
        );
      }
      names.add(pool.name.toLowerCase());
      const v = stringField(raw.orchestratorVersion, `agentPoolProfiles[${i}].orchestratorVersion`);
      if (v) {
        const resolved = versionChecks(catalog).supported(v, 'AgentPoolK8sVersionNotSupported');
        if (resolved !== pool.currentOrchestratorVersion) {
          if (resolved !== targetCp && v !== pool.orchestratorVersion) {
            throw aksError(
              400,
              'NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged',
              "Using managed cluster api, all Agent pools' OrchestratorVersion must be all specified or all unspecified. If all specified, they must be stay unchanged or the same with control plane. For agent pool specific change, please use per agent pool operations: https://aka.ms/agent-pool-rest-api",
            );
          }
          if (resolved === targetCp) {
            versionChecks(catalog).upgradeAllowed(pool.currentOrchestratorVersion, resolved);
            poolVersions.push({ pool, version: resolved });
          }
        }
      }
      const count = intField(
        raw.count,
        `agentPoolProfiles[${i}].count`,
        pool.mode === 'System' ? 1 : 0,
        1000,
      );
      const enable =
        typeof raw.enableAutoScaling === 'boolean' ? raw.enableAutoScaling : pool.enableAutoScaling;
      const min = intField(raw.minCount, `agentPoolProfiles[${i}].minCount`, 0, 1000);
      const max = intField(raw.maxCount, `agentPoolProfiles[${i}].maxCount`, 0, 1000);
      if (count !== undefined && isScaling(pool, count)) {
        if (enable && !pool.enableAutoScaling) {
          throw aksError(
            400,
            'BadRequest',
            `Cannot manually scale and enable cluster autoscaler in the same update operation on VMSS Agentpool '${pool.name}'.`,
          );
        }
        if (!enable) counts.push({ pool, count });
      }
      if (enable !== pool.enableAutoScaling || min !== undefined || max !== undefined) {
        autoscale.push({
          pool,
          enable,
          ...(min !== undefined ? { min } : {}),
          ...(max !== undefined ? { max } : {}),
        });
      }
      extras.push({ pool, extra: poolExtra(raw), ...(v ? { desiredVersion: v } : {}) });
    }
    const missing = cluster.pools.find((p) => !names.has(p.name.toLowerCase()));
    if (missing) {
      throw aksError(
        400,
        'BadRequest',
        `Agent pool ${missing.name} is missing from the request. Deleting agent pools from an existing cluster is not allowed through managed cluster API. Please use agent pool API: https://aka.ms/agent-pool-rest-api`,
      );
    }
  }
  for (const a of autoscale) {
    const min = a.min ?? a.pool.minCount;
    const max = a.max ?? a.pool.maxCount;
    if (a.enable && (min === undefined || max === undefined || min > max)) {
      throw invalidParameter(
        `agentPoolProfile.minCount`,
        `minCount (${min ?? 'unset'}) and maxCount (${max ?? 'unset'}) must both be set, with minCount <= maxCount, when enableAutoScaling is true`,
      );
    }
  }
  if (counts.length > 0 || poolVersions.length > 0) assertRunning(cluster, 'Changing agent pools');

  call.state.throttler.chargeClusterWrite(
    clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
  );

  // Accepted: record the desired state (what the client PUT), then start the operation.
  if (requested) cluster.kubernetesVersion = requested;
  cluster.extra = mergeProperties(cluster.extra, withoutSecrets(props));
  if (isObject(body.tags)) cluster.tags = body.tags as Record<string, string>;
  if (isObject(body.sku)) cluster.sku = body.sku;
  for (const e of extras) {
    e.pool.extra = mergeProperties(e.pool.extra, e.extra);
    if (e.desiredVersion) e.pool.orchestratorVersion = e.desiredVersion;
  }
  for (const a of autoscale) {
    a.pool.enableAutoScaling = a.enable;
    if (a.enable) {
      if (a.min !== undefined) a.pool.minCount = a.min;
      if (a.max !== undefined) a.pool.maxCount = a.max;
    } else {
      delete a.pool.minCount;
      delete a.pool.maxCount;
    }
  }
  for (const pv of poolVersions) pv.pool.orchestratorVersion = pv.version;
  const who = actor(call);
  const release = call.state.settings.nodeImageRelease;
  const upgradingCp = targetCp !== cluster.currentKubernetesVersion;
  const plan =
    upgradingCp || poolVersions.length > 0
      ? clusterUpgradePlan(cluster, upgradingCp ? targetCp : undefined, poolVersions, release, who)
      : clusterUpdatePlan(cluster, counts, who);
  const op = call.state.engine.start(cluster, plan);
  return clusterResponse(200, cluster, asyncHeaders(call, cluster, op.id));
}

function createCluster(
  call: ArmCall,
  body: Record<string, unknown>,
  props: Record<string, unknown>,
): SimResponse {
  const { sub, rg, name } = call.params as { sub: string; rg: string; name: string };
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9]$/.test(name)) {
    throw invalidParameter(
      'name',
      `'${name}' must be 1-63 characters of letters, numbers, '_' and '-', starting and ending with a letter or number`,
    );
  }
  const location = stringField(body.location, 'location');
  if (!location)
    throw armError(
      400,
      'LocationRequired',
      'The location property is required for this definition.',
    );
  const { catalog } = call.state;
  const requested = stringField(props.kubernetesVersion, 'properties.kubernetesVersion');
  const version = versionChecks(catalog).supported(requested ?? '', 'K8sVersionNotSupported');
  const profiles = props.agentPoolProfiles;
  if (!Array.isArray(profiles) || profiles.length === 0) {
    throw invalidParameter(
      'properties.agentPoolProfiles',
      'at least one agent pool with mode System is required',
    );
  }
  const release = call.state.settings.nodeImageRelease;
  const pools: PoolState[] = profiles.map((raw, i) => {
    if (!isObject(raw))
      throw invalidParameter(`properties.agentPoolProfiles[${i}]`, 'must be an object');
    const pname = stringField(raw.name, `agentPoolProfiles[${i}].name`) ?? '';
    assertPoolName(pname, `agentPoolProfiles[${i}].name`);
    return newPool(pname, raw, {
      path: `agentPoolProfiles[${i}]`,
      defaultMode: i === 0 ? 'System' : 'User',
      clusterVersion: { desired: requested || version, current: version },
      catalog,
      nodeImageRelease: release,
    });
  });
  if (!pools.some((p) => p.mode === 'System')) {
    throw invalidParameter(
      'properties.agentPoolProfiles',
      'at least one agent pool with mode System is required',
    );
  }
  const dnsPrefix =
    stringField(props.dnsPrefix, 'properties.dnsPrefix') ??
    `${name.slice(0, 10)}-${rg.slice(0, 16)}`;
  const loc = locationSegment(location);
  const nodeResourceGroup =
    stringField(props.nodeResourceGroup, 'properties.nodeResourceGroup') ??
    `MC_${rg}_${name}_${loc}`;
  const cluster: ClusterState = {
    subscriptionId: sub,
    resourceGroup: rg,
    name,
    location: loc,
    tags: isObject(body.tags) ? (body.tags as Record<string, string>) : {},
    sku: isObject(body.sku) ? body.sku : { name: 'Base', tier: 'Free' },
    identity: withIdentityDefaults(
      isObject(body.identity) ? body.identity : undefined,
      call.state.directory.tenantId,
    ),
    kubernetesVersion: requested || version,
    currentKubernetesVersion: version,
    provisioningState: 'Creating',
    powerState: 'Running',
    eTag: newETag(),
    dnsPrefix,
    fqdnSuffix: randomBytes(4).toString('hex'),
    nodeResourceGroup,
    extra: withClusterDefaults(withoutSecrets(props), {
      subscriptionId: sub,
      nodeResourceGroup,
      clusterName: name,
    }),
    pools,
    operations: [],
    commands: new Map(),
  };
  call.state.clusters.set(clusterKey(sub, rg, name), cluster);
  const op = call.state.engine.start(cluster, clusterCreatePlan(cluster, actor(call)));
  return clusterResponse(201, cluster, asyncHeaders(call, cluster, op.id));
}

function powerChange(call: ArmCall, to: 'Running' | 'Stopped'): SimResponse {
  const cluster = getCluster(call);
  assertNotBusy(call, cluster, {});
  if (cluster.powerState === to) {
    // AKS refuses a stop of a stopped cluster (and a start of a running one) with 400
    // (MicrosoftDocs/azure-docs#85161, Azure/AKS#1871); it never answers 204 here.
    const verb = to === 'Stopped' ? 'stopping' : 'starting';
    throw aksError(
      400,
      'OperationNotAllowed',
      `managed cluster is in Provisioning State(${cluster.provisioningState}) and Power State(${cluster.powerState}), ${verb} cannot be performed`,
    );
  }
  call.state.throttler.chargeClusterWrite(
    clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
  );
  const op = call.state.engine.start(cluster, powerPlan(cluster, to, actor(call)));
  const ref = registerAsync(call, cluster, op);
  return {
    status: 202,
    headers: { location: asyncUrl(call, ref, 'operationresults'), ...retryAfter(call) },
  };
}

export const startManagedCluster = (call: ArmCall): SimResponse => powerChange(call, 'Running');
export const stopManagedCluster = (call: ArmCall): SimResponse => powerChange(call, 'Stopped');

/** POST .../abort on the cluster or (with params.pool) on one agent pool. */
export function abortLatestOperation(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const poolName = call.params.pool;
  const pool = poolName ? findPool(cluster, poolName) : undefined;
  if (poolName && !pool) {
    throw aksError(
      404,
      'NotFound',
      `Agent pool ${poolName} was not found in managed cluster ${cluster.name}.`,
    );
  }
  const state = pool ? pool.provisioningState : cluster.provisioningState;
  const where = pool ? `agent pool ${pool.name}` : `managed cluster ${cluster.name}`;
  if (state.toLowerCase() === 'failed') {
    throw aksError(
      409,
      'OperationNotAllowed',
      `Operation is not allowed: the ${where} is in Failed provisioning state and there is no running operation to abort. Reconcile it with 'az aks update' (cluster) or 'az aks nodepool update' (agent pool) instead.`,
    );
  }
  const op = call.state.engine
    .activeOperations(cluster)
    .filter((o) =>
      pool
        ? o.pools.some((p) => p.toLowerCase() === pool.name.toLowerCase()) && o.pool !== undefined
        : o.pool === undefined,
    )
    .at(-1);
  if (!op) {
    const latest = latestOperation(cluster, pool?.name);
    throw aksError(
      409,
      'OperationNotAllowed',
      latest
        ? `Operation is not allowed: the latest operation (${latest.subOperationType}, operation ID: ${latest.id}) on the ${where} already reached a terminal state (${latest.status}); there is nothing to abort.`
        : `Operation is not allowed: there is no operation in progress on the ${where} to abort.`,
    );
  }
  call.state.engine.cancel(cluster, op);
  if (call.state.settings.abortResponse === 204) return { status: 204, headers: {} };
  const ref = registerAsync(call, cluster, op, true);
  return {
    status: 202,
    headers: {
      'Azure-AsyncOperation': asyncUrl(call, ref, 'operationStatus'),
      location: asyncUrl(call, ref, 'operations'),
      ...retryAfter(call),
    },
  };
}

export function getClusterUpgradeProfile(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const { catalog } = call.state;
  const upgrades = (
    from: string,
    ceiling?: string,
  ): { kubernetesVersion: string; isPreview?: boolean }[] =>
    catalog
      .upgradesFrom(from)
      .filter((v) => ceiling === undefined || compareVersions(v, ceiling) <= 0)
      .map((v) =>
        catalog.isPreview(v) ? { kubernetesVersion: v, isPreview: true } : { kubernetesVersion: v },
      );
  return json(200, {
    id: `${clusterId(cluster)}/upgradeprofiles/default`,
    name: 'default',
    type: 'Microsoft.ContainerService/managedClusters/upgradeprofiles',
    properties: {
      controlPlaneProfile: {
        kubernetesVersion: cluster.currentKubernetesVersion,
        name: 'master',
        osType: 'Linux',
        upgrades: upgrades(cluster.currentKubernetesVersion),
      },
      agentPoolProfiles: cluster.pools.map((p) => ({
        kubernetesVersion: p.currentOrchestratorVersion,
        name: p.name,
        osType: p.osType,
        upgrades: upgrades(
          p.currentOrchestratorVersion,
          maxVersion(cluster, catalog.upgradesFrom(cluster.currentKubernetesVersion)),
        ),
      })),
    },
  });
}

/** Pools may follow the control plane up to its newest possible version. */
function maxVersion(cluster: ClusterState, cpUpgrades: string[]): string {
  return [cluster.currentKubernetesVersion, ...cpUpgrades].sort(compareVersions).at(-1)!;
}
