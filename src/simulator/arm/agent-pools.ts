/** agentPools: read, create/update (upgrade, scale, reconcile), node image upgrade, upgrade profile. */
import { json, type SimResponse } from '../net/http-kit.ts';
import {
  clusterId,
  clusterKey,
  findPool,
  isScaling,
  type ClusterState,
  type PoolState,
} from '../aks/model.ts';
import { agentPoolResource } from '../aks/serialize.ts';
import { nodeImagePlan, poolPlan } from '../aks/plans.ts';
import { compareVersions, minorOf, parseVersion } from '../aks/versions.ts';
import { latestNodeImage } from '../aks/node-images.ts';
import {
  actor,
  asyncUrl,
  checkPreconditions,
  getCluster,
  getPool,
  jsonBody,
  registerAsync,
  retryAfter,
  type ArmCall,
} from './call.ts';
import { aksError, invalidParameter } from './errors.ts';
import { assertNotBusy, assertRunning } from './managed-clusters.ts';
import { versionChecks } from './version-rules.ts';
import { intField, isObject, stringField } from './fields.ts';
import { assertPoolName, newPool, poolExtra } from './pool-spec.ts';
import { mergeProperties } from '../aks/defaults.ts';

export function listAgentPools(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  return json(200, { value: cluster.pools.map((p) => agentPoolResource(cluster, p)) });
}

export function getAgentPool(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  return json(200, agentPoolResource(cluster, getPool(call, cluster)));
}

/** A pool may not run a newer minor than the control plane, nor fall more than 3 minors behind. */
function assertCompatibleWithControlPlane(
  cluster: ClusterState,
  poolName: string,
  version: string,
): void {
  const cp = parseVersion(cluster.currentKubernetesVersion);
  const pv = parseVersion(version);
  if (!cp || !pv) return;
  if (compareVersions(version, cluster.currentKubernetesVersion) > 0 || cp.minor - pv.minor > 3) {
    throw aksError(
      400,
      'NodePoolMcVersionIncompatible',
      `Node pool version ${version} and control plane version ${cluster.currentKubernetesVersion} are incompatible. Minor version of node pool version ${minorOf(version)} is ${pv.minor > cp.minor ? 'bigger than' : 'more than 3 minor versions behind'} control plane version ${minorOf(cluster.currentKubernetesVersion)}. For more information, please check https://aka.ms/aks/UpgradeVersionRules`,
      { target: `agentPool ${poolName}` },
    );
  }
}

export function putAgentPool(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const name = call.params.pool!;
  const existing = findPool(cluster, name);
  const body = jsonBody(call);
  checkPreconditions(call, existing?.eTag);
  if (body.properties !== undefined && !isObject(body.properties)) {
    throw invalidParameter('properties', 'properties must be an object');
  }
  const props = isObject(body.properties) ? body.properties : {};
  assertNotBusy(call, cluster, { pool: name });
  assertRunning(cluster, 'Changing agent pools');
  const extra = poolExtra(props);
  const release = call.state.settings.nodeImageRelease;
  const who = actor(call);
  const checks = versionChecks(call.state.catalog);

  if (!existing) {
    assertPoolName(name, 'agentPoolName');
    const pool = newPool(name, props, {
      path: 'properties',
      defaultMode: 'User',
      clusterVersion: {
        desired: cluster.kubernetesVersion,
        current: cluster.currentKubernetesVersion,
      },
      catalog: call.state.catalog,
      nodeImageRelease: release,
    });
    assertCompatibleWithControlPlane(cluster, name, pool.currentOrchestratorVersion);
    call.state.throttler.chargeClusterWrite(
      clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
    );
    cluster.pools.push(pool);
    const op = call.state.engine.start(cluster, poolPlan(pool, { kind: 'create' }, release, who));
    return respond(call, cluster, pool, op.id, 201);
  }

  const pool = existing;
  const v = stringField(props.orchestratorVersion, 'properties.orchestratorVersion');
  let version: string | undefined;
  if (v) {
    const resolved = checks.supported(v, 'AgentPoolK8sVersionNotSupported');
    if (resolved !== pool.currentOrchestratorVersion) {
      checks.upgradeAllowed(pool.currentOrchestratorVersion, resolved);
      assertCompatibleWithControlPlane(cluster, pool.name, resolved);
      version = resolved;
    }
  }
  const mode = stringField(props.mode, 'properties.mode') ?? pool.mode;
  if (
    pool.mode === 'System' &&
    mode !== 'System' &&
    !cluster.pools.some((p) => p !== pool && p.mode === 'System')
  ) {
    // The last System pool may not become a User pool (Azure/AKS#1568).
    throw aksError(400, 'MustDefineAtLeastOneSystemPool', 'Must define at least one system pool.');
  }
  const count = intField(props.count, 'properties.count', mode === 'System' ? 1 : 0, 1000);
  const enable =
    typeof props.enableAutoScaling === 'boolean' ? props.enableAutoScaling : pool.enableAutoScaling;
  const min = intField(props.minCount, 'properties.minCount', 0, 1000) ?? pool.minCount;
  const max = intField(props.maxCount, 'properties.maxCount', 0, 1000) ?? pool.maxCount;
  const scaling = count !== undefined && isScaling(pool, count);
  if (scaling && enable && !pool.enableAutoScaling) {
    throw aksError(
      400,
      'BadRequest',
      `Cannot manually scale and enable cluster autoscaler in the same update operation on VMSS Agentpool '${pool.name}'.`,
    );
  }
  if (enable && (min === undefined || max === undefined || min > max)) {
    throw invalidParameter(
      'properties.minCount',
      `minCount (${min ?? 'unset'}) and maxCount (${max ?? 'unset'}) must both be set, with minCount <= maxCount, when enableAutoScaling is true`,
    );
  }
  call.state.throttler.chargeClusterWrite(
    clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
  );
  pool.extra = mergeProperties(pool.extra, extra);
  pool.mode = mode;
  if (v) pool.orchestratorVersion = v;
  pool.enableAutoScaling = enable;
  if (enable) {
    pool.minCount = min;
    pool.maxCount = max;
  } else {
    delete pool.minCount;
    delete pool.maxCount;
  }
  const kind = version ? 'upgrade' : scaling && !enable ? 'scale' : 'reconcile';
  const op = call.state.engine.start(
    cluster,
    poolPlan(
      pool,
      { kind, ...(version ? { version } : {}), ...(scaling ? { count: count } : {}) },
      release,
      who,
    ),
  );
  return respond(call, cluster, pool, op.id, 200);
}

function respond(
  call: ArmCall,
  cluster: ClusterState,
  pool: PoolState,
  opId: string,
  status: number,
): SimResponse {
  const op = cluster.operations.find((o) => o.id === opId)!;
  const ref = registerAsync(call, cluster, op);
  return json(status, agentPoolResource(cluster, pool), {
    'Azure-AsyncOperation': asyncUrl(call, ref, 'operations'),
    ...retryAfter(call),
  });
}

export function upgradeNodeImageVersion(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const pool = getPool(call, cluster);
  assertNotBusy(call, cluster, { pool: pool.name });
  assertRunning(cluster, 'Upgrading the node image');
  const release = call.state.settings.nodeImageRelease;
  if (pool.nodeImageVersion === latestNodeImage(pool.nodeImageVersion, release)) {
    // Already on the newest image: AKS answers 200 with no body and starts nothing.
    return { status: 200, headers: {} };
  }
  call.state.throttler.chargeClusterWrite(
    clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
  );
  const op = call.state.engine.start(cluster, nodeImagePlan(pool, release, actor(call)));
  const ref = registerAsync(call, cluster, op);
  // As in the official example, the Azure-AsyncOperation URL of this API has no subscription.
  const url = asyncUrl(call, ref, 'operations').replace(`/subscriptions/${ref.subscriptionId}`, '');
  return json(202, agentPoolResource(cluster, pool), {
    'Azure-AsyncOperation': url,
    ...retryAfter(call),
  });
}

export function getAgentPoolUpgradeProfile(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const pool = getPool(call, cluster);
  const { catalog } = call.state;
  return json(200, {
    id: `${clusterId(cluster)}/agentPools/${pool.name}/upgradeprofiles/default`,
    name: 'default',
    type: 'Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles',
    properties: {
      kubernetesVersion: pool.currentOrchestratorVersion,
      osType: pool.osType,
      latestNodeImageVersion: latestNodeImage(
        pool.nodeImageVersion,
        call.state.settings.nodeImageRelease,
      ),
      upgrades: catalog
        .upgradesFrom(pool.currentOrchestratorVersion)
        .filter((v) => compareVersions(v, cluster.currentKubernetesVersion) <= 0)
        .map((v) =>
          catalog.isPreview(v)
            ? { kubernetesVersion: v, isPreview: true }
            : { kubernetesVersion: v },
        ),
    },
  });
}
