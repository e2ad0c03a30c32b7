/**
 * Kubernetes RBAC as the API server applies it: system:masters may do anything; every
 * authenticated user may read discovery, /version and the health endpoints (system:discovery,
 * system:public-info-viewer); everything else comes from the scenario's bindings to the built-in
 * ClusterRoles (cluster-admin, admin, edit, view) or to rules of their own. A refusal is the API
 * server's 403 Status, worded as it words it.
 */
import type { RoleBindingSpec, RuleSpec } from './schema.ts';

export interface UserInfo {
  username: string;
  groups: string[];
}

export interface RequestAttributes {
  verb: string;
  resourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** A binding with its subject resolved to a Kubernetes user or group name. */
export interface Binding {
  user?: string;
  group?: string;
  rules: RuleSpec[];
  namespace?: string;
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** The namespaced resources the aggregated view/edit/admin roles cover (as far as served here). */
const VIEWABLE: RuleSpec[] = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'pods/status',
      'services',
      'endpoints',
      'configmaps',
      'events',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'serviceaccounts',
      'limitranges',
      'resourcequotas',
      'namespaces',
      'namespaces/status',
    ],
    verbs: READ,
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
    verbs: READ,
  },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ },
  {
    apiGroups: ['policy'],
    resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'],
    verbs: READ,
  },
];

const EDITABLE: RuleSpec[] = [
  ...VIEWABLE,
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/exec',
      'pods/attach',
      'pods/portforward',
      'pods/eviction',
      'services',
      'endpoints',
      'configmaps',
      'secrets',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'serviceaccounts',
    ],
    verbs: [...READ, ...WRITE],
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'deployments/scale', 'replicasets', 'statefulsets', 'daemonsets'],
    verbs: [...READ, ...WRITE],
  },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: [...READ, ...WRITE] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: [...READ, ...WRITE] },
];

export const BUILTIN_CLUSTER_ROLES: Record<string, RuleSpec[]> = {
  'cluster-admin': [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { apiGroups: [], resources: [], verbs: ['*'], nonResourceURLs: ['*'] },
  ],
  admin: [
    ...EDITABLE,
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['roles', 'rolebindings'],
      verbs: [...READ, ...WRITE],
    },
  ],
  edit: EDITABLE,
  view: VIEWABLE,
};

/** What every authenticated user may read: system:discovery, system:public-info-viewer. */
const DISCOVERY_PATHS = [
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/version',
  '/version/',
  '/healthz',
  '/livez',
  '/readyz',
  '/openapi',
  '/openapi/*',
];

function pathAllowed(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) =>
    p === '*' ? true : p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : p === path,
  );
}

function ruleAllows(rule: RuleSpec, a: RequestAttributes): boolean {
  const verb = rule.verbs.includes('*') || rule.verbs.includes(a.verb);
  if (!verb) return false;
  if (!a.resourceRequest) return pathAllowed(rule.nonResourceURLs ?? [], a.path);
  if (!(rule.apiGroups.includes('*') || rule.apiGroups.includes(a.apiGroup))) return false;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rule.resources.some(
    (r) => r === '*' || r === resource || (r === `${a.resource}/*` && a.subresource !== ''),
  );
}

export function rulesOf(role: RoleBindingSpec['role']): RuleSpec[] {
  return typeof role === 'string' ? BUILTIN_CLUSTER_ROLES[role]! : role;
}

export function authorize(user: UserInfo, a: RequestAttributes, bindings: Binding[]): boolean {
  if (user.groups.includes('system:masters')) return true;
  if (!a.resourceRequest && a.verb === 'get' && pathAllowed(DISCOVERY_PATHS, a.path)) return true;
  // system:basic-user: anyone may ask what they may do, and who they are.
  if (
    a.resourceRequest &&
    a.verb === 'create' &&
    ((a.apiGroup === 'authorization.k8s.io' &&
      ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'].includes(a.resource)) ||
      (a.apiGroup === 'authentication.k8s.io' && a.resource === 'selfsubjectreviews'))
  )
    return true;
  return bindings.some((b) => {
    const subject =
      (b.user !== undefined && b.user === user.username) ||
      (b.group !== undefined && user.groups.includes(b.group));
    if (!subject) return false;
    // A RoleBinding grants only inside its namespace, and never cluster-scoped resources or paths.
    if (b.namespace !== undefined && (!a.resourceRequest || a.namespace !== b.namespace))
      return false;
    return b.rules.some((r) => ruleAllows(r, a));
  });
}

/** The API server's wording: `pods is forbidden: User "x" cannot list resource "pods" …`. */
export function forbiddenStatus(user: UserInfo, a: RequestAttributes): Record<string, unknown> {
  let reason: string;
  if (!a.resourceRequest) {
    reason = `User ${JSON.stringify(user.username)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  } else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const where = a.namespace
      ? `in the namespace ${JSON.stringify(a.namespace)}`
      : 'at the cluster scope';
    reason = `User ${JSON.stringify(user.username)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
  }
  const qualified = a.resourceRequest
    ? a.apiGroup
      ? `${a.resource}.${a.apiGroup}`
      : a.resource
    : '';
  const message = !a.resourceRequest
    ? `forbidden: ${reason}`
    : a.name
      ? `${qualified} ${JSON.stringify(a.name)} is forbidden: ${reason}`
      : `${qualified} is forbidden: ${reason}`;
  const details: Record<string, unknown> = {};
  if (a.resourceRequest) {
    if (a.name) details.name = a.name;
    if (a.apiGroup) details.group = a.apiGroup;
    details.kind = a.resource;
  }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Forbidden',
    details,
    code: 403,
  };
}
