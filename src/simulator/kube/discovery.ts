/**
 * The API server's discovery documents (legacy discovery, which every client falls back to), its
 * /version, the server-side Table form kubectl asks for, and the Status objects it answers errors
 * with.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from './objects.ts';

const VERBS = ['get', 'list'];

export interface ResourceType {
  group: string;
  version: string;
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
}

export const RESOURCES: ResourceType[] = [
  {
    group: '',
    version: 'v1',
    name: 'namespaces',
    singularName: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
  },
  {
    group: '',
    version: 'v1',
    name: 'nodes',
    singularName: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
  },
  {
    group: '',
    version: 'v1',
    name: 'pods',
    singularName: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
  },
  {
    group: 'policy',
    version: 'v1',
    name: 'poddisruptionbudgets',
    singularName: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    name: 'selfsubjectaccessreviews',
    singularName: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    name: 'selfsubjectreviews',
    singularName: 'selfsubjectreview',
    kind: 'SelfSubjectReview',
    namespaced: false,
    verbs: ['create'],
  },
];

function storageVersionHash(r: ResourceType): string {
  return createHash('sha256')
    .update(`${r.group}/${r.version}/${r.kind}`)
    .digest('base64')
    .slice(0, 12);
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((name) => ({
      name,
      versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
      preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
    })),
  };
}

export function apiGroup(name: string): Record<string, unknown> | undefined {
  if (!RESOURCES.some((r) => r.group === name)) return undefined;
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name,
    versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
    preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
  };
}

export function apiResourceList(
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    ...(group ? { apiVersion: 'v1' } : {}),
    groupVersion: group ? `${group}/${version}` : version,
    resources: resources.flatMap((r) => [
      {
        name: r.name,
        singularName: r.singularName,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs ?? VERBS,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
        storageVersionHash: storageVersionHash(r),
      },
      ...(r.name === 'poddisruptionbudgets' || r.name === 'pods'
        ? [
            {
              name: `${r.name}/status`,
              singularName: '',
              namespaced: true,
              kind: r.kind,
              verbs: ['get'],
            },
          ]
        : []),
    ]),
  };
}

/** /version of a control plane running `version` (e.g. 1.34.2). */
export function versionInfo(version: string): Record<string, unknown> {
  const [major = '1', minor = '0'] = version.split('.');
  return {
    major,
    minor,
    emulationMajor: major,
    emulationMinor: minor,
    minCompatibilityMajor: major,
    minCompatibilityMinor: String(Math.max(0, Number(minor) - 1)),
    gitVersion: `v${version}`,
    gitCommit: createHash('sha1').update(version).digest('hex'),
    gitTreeState: 'clean',
    buildDate: '2026-10-14T09:12:31Z',
    goVersion: 'go1.25.3',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function status(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** kubectl's short ages: 45s, 12m, 5h, 3d, 2y. */
function age(fromIso: string, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - Date.parse(fromIso)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  return d < 730 ? `${d}d` : `${Math.floor(d / 365)}y`;
}

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  cell: (o: KubeObject, nowMs: number) => unknown;
}

/** The value at a path of an object, or undefined. */
function at(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
}

const text = (v: unknown, fallback = '<none>'): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : fallback;

const NAME: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (o) => o.metadata.name,
};
const AGE: Column = {
  name: 'Age',
  type: 'string',
  format: '',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (o, now) => age(String(o.metadata.creationTimestamp), now),
};
const col = (
  name: string,
  cell: Column['cell'],
  priority = 0,
  type = 'string',
  description = '',
): Column => ({ name, type, format: '', description, priority, cell });

const COLUMNS: Record<string, Column[]> = {
  nodes: [
    NAME,
    col('Status', (o) => {
      const ready = records(at(o, 'status', 'conditions')).find((c) => c.type === 'Ready');
      const s = ready?.status === 'True' ? 'Ready' : 'NotReady';
      return at(o, 'spec', 'unschedulable') === true ? `${s},SchedulingDisabled` : s;
    }),
    col('Roles', (o) => {
      const labels = (o.metadata.labels ?? {}) as Record<string, string>;
      const roles = new Set<string>();
      for (const k of Object.keys(labels))
        if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice(24));
      if (labels['kubernetes.io/role']) roles.add(labels['kubernetes.io/role']);
      return roles.size ? [...roles].sort().join(',') : '<none>';
    }),
    AGE,
    col('Version', (o) => text(at(o, 'status', 'nodeInfo', 'kubeletVersion'))),
    col(
      'Internal-IP',
      (o) =>
        text(records(at(o, 'status', 'addresses')).find((a) => a.type === 'InternalIP')?.address),
      1,
    ),
    col('External-IP', () => '<none>', 1),
    col('OS-Image', (o) => text(at(o, 'status', 'nodeInfo', 'osImage')), 1),
    col('Kernel-Version', (o) => text(at(o, 'status', 'nodeInfo', 'kernelVersion')), 1),
    col(
      'Container-Runtime',
      (o) => text(at(o, 'status', 'nodeInfo', 'containerRuntimeVersion')),
      1,
    ),
  ],
  pods: [
    NAME,
    col('Ready', (o) => {
      const cs = records(at(o, 'status', 'containerStatuses'));
      const total = records(at(o, 'spec', 'containers')).length;
      return `${cs.filter((c) => c.ready === true).length}/${total}`;
    }),
    col('Status', (o) => {
      const cs = records(at(o, 'status', 'containerStatuses'));
      const waiting = cs.map((c) => at(c, 'state', 'waiting', 'reason')).find(Boolean);
      return text(waiting ?? at(o, 'status', 'phase'), 'Unknown');
    }),
    col(
      'Restarts',
      (o) =>
        records(at(o, 'status', 'containerStatuses')).reduce(
          (n, c) => n + (typeof c.restartCount === 'number' ? c.restartCount : 0),
          0,
        ),
      0,
      'string',
    ),
    AGE,
    col('IP', (o) => text(at(o, 'status', 'podIP')), 1),
    col('Node', (o) => text(at(o, 'spec', 'nodeName')), 1),
    col('Nominated Node', () => '<none>', 1),
    col('Readiness Gates', () => '<none>', 1),
  ],
  poddisruptionbudgets: [
    NAME,
    col('Min Available', (o) => text(at(o, 'spec', 'minAvailable'), 'N/A')),
    col('Max Unavailable', (o) => text(at(o, 'spec', 'maxUnavailable'), 'N/A')),
    col('Allowed Disruptions', (o) => at(o, 'status', 'disruptionsAllowed'), 0, 'integer'),
    AGE,
  ],
  namespaces: [NAME, col('Status', (o) => text(at(o, 'status', 'phase'))), AGE],
};

/** Whether the client asked for a meta.k8s.io Table (kubectl get does). */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '') && /g=meta\.k8s\.io/.test(accept ?? '');
}

export function table(
  resource: string,
  items: KubeObject[],
  resourceVersion: string,
  nowMs: number,
  includeObject: string,
): Record<string, unknown> {
  const columns = COLUMNS[resource] ?? [NAME, AGE];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map(({ cell: _c, ...c }) => c),
    rows: items.map((o) => ({
      cells: columns.map((c) => c.cell(o, nowMs)),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
