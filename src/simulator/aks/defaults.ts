/**
 * Properties AKS fills in on create when the request leaves them out, so simulated clusters look
 * like real ones to every client (the az CLI, for one, expects servicePrincipalProfile to exist).
 */
import { randomUUID } from 'node:crypto';
import { isObject } from '../arm/fields.ts';

export function withClusterDefaults(
  props: Record<string, unknown>,
  ids: { subscriptionId: string; nodeResourceGroup: string; clusterName: string },
): Record<string, unknown> {
  const net = isObject(props.networkProfile) ? props.networkProfile : {};
  const lb = isObject(net.loadBalancerProfile) ? net.loadBalancerProfile : {};
  // Outbound IPs are either managed by AKS (a count) or the customer's own; never both.
  const customIps =
    isObject(lb.outboundIPs) && Array.isArray(lb.outboundIPs.publicIPs)
      ? (lb.outboundIPs.publicIPs as unknown[])
      : undefined;
  const managedIps = isObject(lb.managedOutboundIPs)
    ? lb.managedOutboundIPs
    : customIps
      ? undefined
      : { count: 1 };
  const ipCount =
    customIps?.length ?? (typeof managedIps?.count === 'number' ? managedIps.count : 1);
  const nodeRg = `/subscriptions/${ids.subscriptionId}/resourceGroups/${ids.nodeResourceGroup}`;
  const networkPlugin = typeof net.networkPlugin === 'string' ? net.networkPlugin : 'azure';
  return {
    enableRBAC: true,
    supportPlan: 'KubernetesOfficial',
    disableLocalAccounts: false,
    servicePrincipalProfile: { clientId: 'msi' },
    identityProfile: {
      kubeletidentity: {
        resourceId: `${nodeRg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${ids.clusterName}-agentpool`,
        clientId: randomUUID(),
        objectId: randomUUID(),
      },
    },
    oidcIssuerProfile: { enabled: false },
    autoUpgradeProfile: { upgradeChannel: 'none', nodeOSUpgradeChannel: 'NodeImage' },
    ...props,
    networkProfile: {
      networkPlugin,
      ...(networkPlugin === 'azure' && net.networkPluginMode === undefined
        ? { networkPluginMode: 'overlay' }
        : {}),
      podCidr: '10.244.0.0/16',
      serviceCidr: '10.0.0.0/16',
      dnsServiceIP: '10.0.0.10',
      outboundType: 'loadBalancer',
      loadBalancerSku: 'standard',
      podCidrs: ['10.244.0.0/16'],
      serviceCidrs: ['10.0.0.0/16'],
      ipFamilies: ['IPv4'],
      ...net,
      loadBalancerProfile: {
        ...(managedIps ? { managedOutboundIPs: managedIps } : {}),
        effectiveOutboundIPs: Array.from({ length: ipCount }, () => ({
          id: `${nodeRg}/providers/Microsoft.Network/publicIPAddresses/${randomUUID()}`,
        })),
        allocatedOutboundPorts: 0,
        idleTimeoutInMinutes: 30,
        ...lb,
      },
    },
  };
}

/** AKS reports the principal behind each managed identity it was given. */
export function withIdentityDefaults(
  identity: Record<string, unknown> | undefined,
  tenantId: string,
): Record<string, unknown> {
  if (!identity) return { type: 'SystemAssigned', principalId: randomUUID(), tenantId };
  const type = typeof identity.type === 'string' ? identity.type : 'SystemAssigned';
  if (type === 'UserAssigned' && isObject(identity.userAssignedIdentities)) {
    return {
      ...identity,
      userAssignedIdentities: Object.fromEntries(
        Object.entries(identity.userAssignedIdentities).map(([id, v]) => [
          id,
          { clientId: randomUUID(), principalId: randomUUID(), ...(isObject(v) ? v : {}) },
        ]),
      ),
    };
  }
  if (type === 'SystemAssigned') return { principalId: randomUUID(), tenantId, ...identity };
  return identity;
}

/**
 * What a PUT of an existing cluster leaves in place: AKS keeps the values it defaulted when the
 * request omits them, so objects merge key by key; arrays and scalars are replaced.
 */
export function mergeProperties(
  current: Record<string, unknown>,
  requested: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(requested)) {
    const before = out[k];
    out[k] = isObject(before) && isObject(v) ? mergeProperties(before, v) : v;
  }
  return out;
}
