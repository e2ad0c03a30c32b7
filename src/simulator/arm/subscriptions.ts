/** Microsoft.Resources reads the az CLI makes at login: subscriptions, tenants, resource groups. */
import { json, type SimResponse } from '../net/http-kit.ts';
import type { Subscription } from '../state.ts';
import type { ArmCall } from './call.ts';
import { armError } from './errors.ts';

function subscriptionBody(call: ArmCall, s: Subscription): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.id}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.id,
    tenantId: call.state.directory.tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

export function listSubscriptions(call: ArmCall): SimResponse {
  const value = call.state.subscriptions
    .filter((s) => call.state.directory.hasAccessToSubscription(call.principal, s.id))
    .map((s) => subscriptionBody(call, s));
  return json(200, { value, count: { type: 'Total', value: value.length } });
}

export function findSubscription(call: ArmCall, id: string): Subscription {
  const s = call.state.subscriptions.find((x) => x.id.toLowerCase() === id.toLowerCase());
  if (!s)
    throw armError(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`);
  return s;
}

export function getSubscription(call: ArmCall): SimResponse {
  return json(200, subscriptionBody(call, findSubscription(call, call.params.sub!)));
}

export function listTenants(call: ArmCall): SimResponse {
  const d = call.state.directory;
  return json(200, {
    value: [
      {
        id: `/tenants/${d.tenantId}`,
        tenantId: d.tenantId,
        countryCode: 'US',
        displayName: d.tenantDomain.split('.')[0],
        domains: [d.tenantDomain],
        tenantCategory: 'Home',
        defaultDomain: d.tenantDomain,
        tenantType: 'AAD',
      },
    ],
  });
}

export function getResourceGroup(call: ArmCall): SimResponse {
  const { sub, rg } = call.params as { sub: string; rg: string };
  const group = call.state.resourceGroups.find(
    (g) =>
      g.subscriptionId.toLowerCase() === sub.toLowerCase() &&
      g.name.toLowerCase() === rg.toLowerCase(),
  );
  if (!group)
    throw armError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
  return json(200, {
    id: `/subscriptions/${group.subscriptionId}/resourceGroups/${group.name}`,
    name: group.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: group.location,
    properties: { provisioningState: 'Succeeded' },
  });
}
