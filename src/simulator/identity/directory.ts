/**
 * The simulated Microsoft Entra tenant: its service principals, their credentials (secrets and
 * federated identity credentials) and their Azure role assignments.
 */
import type { CertificateCredential } from './certificates.ts';
export interface FederatedCredential {
  name?: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface RoleAssignment {
  /** A built-in role name, or a custom role given by its actions. */
  role: string | { actions: string[]; notActions?: string[] };
  scope: string;
}

export interface Principal {
  displayName: string;
  appId: string;
  objectId: string;
  secrets: string[];
  federatedCredentials: FederatedCredential[];
  roleAssignments: RoleAssignment[];
  /** Managed identities get tokens from the identity endpoint instead of with credentials. */
  managedIdentity?: boolean;
  /** Certificate credentials (client assertions signed with the certificate's key). */
  certificates?: CertificateCredential[];
}

/** A faithful subset of Azure's built-in role definitions (actions only). */
export const BUILTIN_ROLES: Record<string, { actions: string[]; notActions?: string[] }> = {
  Owner: { actions: ['*'] },
  Contributor: {
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
    ],
  },
  Reader: { actions: ['*/read'] },
  'Azure Kubernetes Service Contributor Role': {
    actions: [
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.ContainerService/managedClusters/*',
      'Microsoft.Support/*',
    ],
  },
  'Azure Kubernetes Service Cluster User Role': {
    actions: [
      'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
      'Microsoft.ContainerService/managedClusters/read',
    ],
  },
  'Azure Kubernetes Service Cluster Admin Role': {
    actions: [
      'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
      'Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action',
      'Microsoft.ContainerService/managedClusters/read',
      'Microsoft.ContainerService/managedClusters/runcommand/action',
    ],
  },
};

function actionPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

function scopeCovers(scope: string, resourceId: string): boolean {
  const s = scope.replace(/\/+$/, '').toLowerCase();
  const r = resourceId.toLowerCase();
  return s === '' || s === '/' || r === s || r.startsWith(`${s}/`);
}

export class Directory {
  readonly tenantId: string;
  readonly tenantDomain: string;
  readonly principals: Principal[];

  constructor(tenantId: string, tenantDomain: string, principals: Principal[]) {
    this.tenantId = tenantId;
    this.tenantDomain = tenantDomain;
    this.principals = principals;
  }

  byAppId(appId: string): Principal | undefined {
    return this.principals.find((p) => p.appId.toLowerCase() === appId.toLowerCase());
  }

  byObjectId(objectId: string): Principal | undefined {
    return this.principals.find((p) => p.objectId.toLowerCase() === objectId.toLowerCase());
  }

  /** Whether the principal may perform `action` on `resourceId` (Azure RBAC, actions minus notActions). */
  isAllowed(principal: Principal, action: string, resourceId: string): boolean {
    return principal.roleAssignments.some((a) => {
      if (!scopeCovers(a.scope, resourceId)) return false;
      const def = typeof a.role === 'string' ? BUILTIN_ROLES[a.role] : a.role;
      if (!def) return false;
      const allowed = def.actions.some((p) => actionPattern(p).test(action));
      const denied = (def.notActions ?? []).some((p) => actionPattern(p).test(action));
      return allowed && !denied;
    });
  }

  /** Whether the principal has any role assignment at or below the subscription. */
  hasAccessToSubscription(principal: Principal, subscriptionId: string): boolean {
    const sub = `/subscriptions/${subscriptionId}`.toLowerCase();
    return principal.roleAssignments.some((a) => {
      const s = a.scope.toLowerCase().replace(/\/+$/, '');
      return s === '' || s === '/' || s === sub || s.startsWith(`${sub}/`);
    });
  }
}
