/**
 * ARM's generic endpoints (Microsoft.Resources, api-version 2021-04-01 / 2022-09-01 shapes): the
 * resource provider `Microsoft.ContainerService` with the resource types and api-versions the
 * simulator serves (clients such as `az resource show --ids` pick a version from it), the
 * providers list, the resources of a subscription or resource group (GenericResourceExpanded,
 * `$filter`, `$expand`, `$top`), and PATCH of a managed cluster by id (ManagedClusters_UpdateTags:
 * AKS takes only `tags` from it). GET and PUT by id need nothing here: a resource's id is its URL,
 * so they reach the AKS handlers themselves, with the same rules (409, 412, RBAC).
 */
import { json, type SimResponse } from '../net/http-kit.ts';
import { clusterId, clusterKey, newETag, type ClusterState } from '../aks/model.ts';
import { managedClusterResource } from '../aks/serialize.ts';
import { supportedApiVersions, type ApiFamily } from './api-version.ts';
import { checkPreconditions, getCluster, jsonBody, type ArmCall } from './call.ts';
import { armError, invalidParameter } from './errors.ts';
import { isObject } from './fields.ts';
import { assertNotBusy } from './managed-clusters.ts';

const NAMESPACE = 'Microsoft.ContainerService';

/** The regions the simulator's error messages name, with the display names ARM lists them by. */
const REGION_NAMES: Record<string, string> = {
  eastus: 'East US',
  westus2: 'West US 2',
  westeurope: 'West Europe',
  northeurope: 'North Europe',
  uksouth: 'UK South',
  australiaeast: 'Australia East',
  swedencentral: 'Sweden Central',
};

const MOVABLE =
  'CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SystemAssignedResourceIdentity, SupportsTags, SupportsLocation';

/** The resource types of Microsoft.ContainerService the simulator serves, as ARM registers them. */
const RESOURCE_TYPES: {
  resourceType: string;
  family: ApiFamily;
  regional: boolean;
  capabilities: string;
}[] = [
  { resourceType: 'managedClusters', family: 'aks', regional: true, capabilities: MOVABLE },
  { resourceType: 'locations', family: 'aks', regional: false, capabilities: 'None' },
  { resourceType: 'locations/operations', family: 'aks', regional: true, capabilities: 'None' },
  {
    resourceType: 'locations/operationresults',
    family: 'aks',
    regional: true,
    capabilities: 'None',
  },
  {
    resourceType: 'locations/kubernetesVersions',
    family: 'aks',
    regional: true,
    capabilities: 'None',
  },
  {
    resourceType: 'locations/orchestrators',
    family: 'orchestrators',
    regional: true,
    capabilities: 'None',
  },
];

/** The api-versions the simulator serves for a resource type (api-version.ts), newest first. */
export function servedApiVersions(call: ArmCall, family: ApiFamily = 'aks'): string[] {
  const today = call.state.clock.iso().slice(0, 10);
  return supportedApiVersions(family, today).slice().sort(newestFirst);
}

function newestFirst(a: string, b: string): number {
  const da = a.slice(0, 10);
  const db = b.slice(0, 10);
  return da === db ? a.length - b.length : db.localeCompare(da);
}

function regions(call: ArmCall): string[] {
  const names = new Set(Object.values(REGION_NAMES));
  for (const c of call.state.clusters.values()) names.add(REGION_NAMES[c.location] ?? c.location);
  return [...names];
}

function providerBody(call: ArmCall, sub: string): Record<string, unknown> {
  const locations = regions(call);
  return {
    id: `/subscriptions/${sub}/providers/${NAMESPACE}`,
    namespace: NAMESPACE,
    resourceTypes: RESOURCE_TYPES.map((t) => ({
      resourceType: t.resourceType,
      locations: t.regional ? locations : [],
      apiVersions: servedApiVersions(call, t.family),
      capabilities: t.capabilities,
    })),
    registrationState: 'Registered',
    registrationPolicy: 'RegistrationRequired',
  };
}

/** GET /subscriptions/{s}/providers: the providers the simulator serves (one). */
export function listProviders(call: ArmCall): SimResponse {
  return json(200, { value: [providerBody(call, call.params.sub!)] });
}

/** GET /subscriptions/{s}/providers/{namespace} (Providers_Get). */
export function getProvider(call: ArmCall): SimResponse {
  const ns = call.params.namespace!;
  if (ns.toLowerCase() !== NAMESPACE.toLowerCase()) {
    throw armError(404, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`);
  }
  return json(200, providerBody(call, call.params.sub!));
}

interface Condition {
  field: string;
  op: 'eq' | 'startswith' | 'substringof';
  value: string;
}

const FILTER_FIELDS = new Set([
  'resourcegroup',
  'name',
  'location',
  'resourcetype',
  'tagname',
  'tagvalue',
]);

/** ARM's `$filter` for resources: conditions joined by `and` (the forms az resource list sends). */
function parseFilter(filter: string): Condition[] {
  const invalid = () =>
    armError(
      400,
      'InvalidFilterInQueryString',
      `Invalid $filter '${filter}' specified in the query string.`,
    );
  return filter.split(/\s+and\s+/i).map((part): Condition => {
    const p = part.trim();
    let m = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(p);
    if (m && FILTER_FIELDS.has(m[1]!.toLowerCase()))
      return { field: m[1]!.toLowerCase(), op: 'eq', value: m[2]!.replace(/''/g, "'") };
    m = /^startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)$/i.exec(p);
    if (m && FILTER_FIELDS.has(m[1]!.toLowerCase()))
      return { field: m[1]!.toLowerCase(), op: 'startswith', value: m[2]!.replace(/''/g, "'") };
    m = /^substringof\(\s*'((?:[^']|'')*)'\s*,\s*(\w+)\s*\)$/i.exec(p);
    if (m && FILTER_FIELDS.has(m[2]!.toLowerCase()))
      return { field: m[2]!.toLowerCase(), op: 'substringof', value: m[1]!.replace(/''/g, "'") };
    throw invalid();
  });
}

const CLUSTER_TYPE = `${NAMESPACE}/managedClusters`;

function fieldValues(c: ClusterState, field: string): string[] {
  switch (field) {
    case 'resourcegroup':
      return [c.resourceGroup];
    case 'name':
      return [c.name];
    case 'location':
      return [c.location];
    case 'resourcetype':
      return [CLUSTER_TYPE];
    case 'tagname':
      return Object.keys(c.tags);
    default:
      return Object.values(c.tags);
  }
}

function matches(c: ClusterState, cond: Condition): boolean {
  const want = cond.value.toLowerCase();
  return fieldValues(c, cond.field).some((v) => {
    const have = v.toLowerCase();
    if (cond.op === 'eq') return have === want;
    if (cond.op === 'startswith') return have.startsWith(want);
    return have.includes(want);
  });
}

/** The latest moment the cluster changed: its last write (systemData) or an operation's end. */
function changedTime(call: ArmCall, c: ClusterState): string | undefined {
  const times = c.operations.map((o) => o.endMs ?? o.startMs);
  const modified = c.systemData ? Date.parse(c.systemData.lastModifiedAt) : undefined;
  if (modified !== undefined) times.push(modified);
  return times.length ? call.state.clock.iso(Math.max(...times)) : undefined;
}

/** A cluster as ARM lists it (GenericResourceExpanded): no properties, the `$expand` extras. */
function genericResource(
  call: ArmCall,
  c: ClusterState,
  expand: Set<string>,
): Record<string, unknown> {
  call.state.engine.advance(c);
  const r: Record<string, unknown> = {
    id: clusterId(c),
    name: c.name,
    type: CLUSTER_TYPE,
    sku: c.sku,
    location: c.location,
    ...(c.identity ? { identity: c.identity } : {}),
    tags: c.tags,
  };
  if (expand.has('createdtime') && c.systemData) r.createdTime = c.systemData.createdAt;
  const changed = expand.has('changedtime') ? changedTime(call, c) : undefined;
  if (changed) r.changedTime = changed;
  if (expand.has('provisioningstate')) r.provisioningState = c.provisioningState;
  return r;
}

/**
 * GET /subscriptions/{s}/resources and …/resourceGroups/{rg}/resources: the tracked resources the
 * caller may read (ARM leaves out the others). Agent pools and maintenance configurations are
 * nested (proxy) resources, which ARM does not list.
 */
export function listResources(call: ArmCall): SimResponse {
  const { sub, rg } = call.params as { sub: string; rg?: string };
  const q = call.req.url.searchParams;
  const filter = q.get('$filter');
  const conditions = filter ? parseFilter(filter) : [];
  const expand = new Set(
    (q.get('$expand') ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const topRaw = q.get('$top');
  const top = topRaw === null ? undefined : Number(topRaw);
  if (top !== undefined && (!Number.isInteger(top) || top < 1)) {
    throw armError(
      400,
      'InvalidTopInQueryString',
      `Invalid $top '${topRaw}' specified in the query string.`,
    );
  }
  const value = [...call.state.clusters.values()]
    .filter(
      (c) =>
        c.subscriptionId.toLowerCase() === sub.toLowerCase() &&
        (rg === undefined || c.resourceGroup.toLowerCase() === rg.toLowerCase()) &&
        conditions.every((cond) => matches(c, cond)) &&
        call.state.directory.isAllowed(call.principal, `${CLUSTER_TYPE}/read`, clusterId(c)),
    )
    .slice(0, top)
    .map((c) => genericResource(call, c, expand));
  return json(200, { value });
}

/**
 * PATCH of a managed cluster (ManagedClusters_UpdateTags, and what `az resource patch` sends):
 * AKS takes the tags and nothing else, answers 200 with the cluster and starts no operation. It is
 * a write like any other: refused (409) while an operation runs, subject to If-Match.
 */
export function updateClusterTags(call: ArmCall): SimResponse {
  const cluster = getCluster(call);
  const body = jsonBody(call);
  checkPreconditions(call, cluster.eTag);
  const tags = body.tags;
  const stringMap = isObject(tags) && Object.values(tags).every((v) => typeof v === 'string');
  if (tags !== undefined && tags !== null && !stringMap) {
    throw invalidParameter('tags', 'tags must be an object of string values');
  }
  assertNotBusy(call, cluster, {});
  call.state.throttler.chargeClusterWrite(
    clusterKey(cluster.subscriptionId, cluster.resourceGroup, cluster.name),
  );
  if (stringMap) cluster.tags = tags as Record<string, string>;
  cluster.eTag = newETag();
  return json(200, managedClusterResource(cluster));
}
