/** ARM JSON for the simulated resources, in the shapes of the official AKS REST examples. */
import { clusterId, type ClusterState, type PoolState } from './model.ts';

export function fqdn(c: ClusterState): string {
  return `${c.dnsPrefix}-${c.fqdnSuffix}.hcp.${c.location}.azmk8s.io`;
}

export function poolProperties(p: PoolState): Record<string, unknown> {
  const props: Record<string, unknown> = {
    type: 'VirtualMachineScaleSets',
    maxPods: p.maxPods,
    upgradeSettings: { maxSurge: '10%' },
    ...p.extra,
    count: p.count,
    vmSize: p.vmSize,
    osType: p.osType,
    osSKU: p.osSKU,
    mode: p.mode,
    orchestratorVersion: p.orchestratorVersion,
    currentOrchestratorVersion: p.currentOrchestratorVersion,
    nodeImageVersion: p.nodeImageVersion,
    enableAutoScaling: p.enableAutoScaling,
    provisioningState: p.provisioningState,
    powerState: { code: p.powerState },
    eTag: p.eTag,
  };
  if (p.enableAutoScaling) {
    props.minCount = p.minCount;
    props.maxCount = p.maxCount;
  }
  return props;
}

export function agentPoolResource(c: ClusterState, p: PoolState): Record<string, unknown> {
  return {
    id: `${clusterId(c)}/agentPools/${p.name}`,
    name: p.name,
    type: 'Microsoft.ContainerService/managedClusters/agentPools',
    ...(p.systemData ? { systemData: p.systemData } : {}),
    properties: poolProperties(p),
  };
}

export function managedClusterResource(c: ClusterState): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    id: clusterId(c),
    location: c.location,
    name: c.name,
    type: 'Microsoft.ContainerService/managedClusters',
    tags: c.tags,
    eTag: c.eTag,
    sku: c.sku,
    properties: {
      maxAgentPools: 100,
      enableRBAC: true,
      ...c.extra,
      provisioningState: c.provisioningState,
      powerState: { code: c.powerState },
      kubernetesVersion: c.kubernetesVersion,
      currentKubernetesVersion: c.currentKubernetesVersion,
      dnsPrefix: c.dnsPrefix,
      fqdn: fqdn(c),
      azurePortalFQDN: `${c.dnsPrefix}-${c.fqdnSuffix}.portal.hcp.${c.location}.azmk8s.io`,
      nodeResourceGroup: c.nodeResourceGroup,
      agentPoolProfiles: c.pools.map((p) => ({ name: p.name, ...poolProperties(p) })),
    },
  };
  if (c.identity) resource.identity = c.identity;
  if (c.systemData) resource.systemData = c.systemData;
  return resource;
}
