/**
 * Azure Resource Manager for Microsoft.ContainerService: routing, api-version, authentication,
 * throttling and RBAC in the order ARM applies them, then the AKS handlers.
 */
import { randomUUID } from 'node:crypto';
import {
  HttpError,
  header,
  type RequestContext,
  type SimRequest,
  type SimResponse,
} from '../net/http-kit.ts';
import type { SigningKey } from '../identity/keys.ts';
import type { SimState } from '../state.ts';
import { checkApiVersion, type ApiFamily } from './api-version.ts';
import { authenticate } from './auth.ts';
import { type ArmCall } from './call.ts';
import { armError, errorResponse } from './errors.ts';
import * as mc from './managed-clusters.ts';
import * as ap from './agent-pools.ts';
import * as del from './deletes.ts';
import { listOrchestrators } from './orchestrators.ts';
import * as ops from './operations.ts';
import * as rc from './run-command.ts';
import * as cred from './credentials.ts';
import * as subs from './subscriptions.ts';
import * as res from './resources.ts';
import * as mt from './maintenance.ts';
import * as pr from './pool-reads.ts';
import { finishArmAnswer } from './system-data.ts';
import { clusterKey } from '../aks/model.ts';
import { startOperationAs } from '../scenario/build.ts';

const SEG = '([^/]+)';
const SUB = `/subscriptions/${SEG}`;
const RG = `${SUB}/resourceGroups/${SEG}`;
const MC = `${RG}/providers/Microsoft\\.ContainerService/managedClusters/${SEG}`;
const AP = `${MC}/agentPools/${SEG}`;
const LOC = `/providers/Microsoft\\.ContainerService/locations/${SEG}`;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  operation: string;
  family: ApiFamily;
  resourceType: string;
  /** RBAC action; undefined when any principal with access to the subscription may call it. */
  action?: string;
  /** Whether ARM counts it against the write bucket. */
  write: boolean;
  /** A POST that changes nothing (listClusterUserCredential, …): admin-API races do not fire on it. */
  noRace?: true;
  handler: (call: ArmCall) => SimResponse | Promise<SimResponse>;
}

function route(
  method: string,
  path: string,
  names: string[],
  operation: string,
  handler: (call: ArmCall) => SimResponse | Promise<SimResponse>,
  opts: { family?: ApiFamily; action?: string; resourceType?: string; noRace?: true } = {},
): Route {
  return {
    method,
    pattern: new RegExp(`^${path}/?$`, 'i'),
    names,
    operation,
    family: opts.family ?? 'aks',
    resourceType: opts.resourceType ?? 'managedClusters',
    ...(opts.action !== undefined ? { action: opts.action } : {}),
    write: method !== 'GET',
    ...(opts.noRace ? { noRace: true as const } : {}),
    handler,
  };
}

const A = 'Microsoft.ContainerService/managedClusters';
const M = ['sub', 'rg', 'name'];
const P = ['sub', 'rg', 'name', 'pool'];

/** managedClusters/{name}/maintenanceConfigurations[/{config}] (arm/maintenance.ts). */
function maintenanceRoutes(): Route[] {
  const path = `${MC}/maintenanceConfigurations`;
  // Their writes never meet an operation's 409, so admin-API races do not fire on them.
  const opts = (verb: string) => ({
    resourceType: 'managedClusters/maintenanceConfigurations',
    action: `${A}/maintenanceConfigurations/${verb}`,
    noRace: true as const,
  });
  const C = [...M, 'config'];
  return [
    route(
      'GET',
      path,
      M,
      'MaintenanceConfigurations_ListByManagedCluster',
      mt.listMaintenanceConfigurations,
      opts('read'),
    ),
    route(
      'GET',
      `${path}/${SEG}`,
      C,
      'MaintenanceConfigurations_Get',
      mt.getMaintenanceConfiguration,
      opts('read'),
    ),
    route(
      'PUT',
      `${path}/${SEG}`,
      C,
      'MaintenanceConfigurations_CreateOrUpdate',
      mt.putMaintenanceConfiguration,
      opts('write'),
    ),
    route(
      'DELETE',
      `${path}/${SEG}`,
      C,
      'MaintenanceConfigurations_Delete',
      mt.deleteMaintenanceConfiguration,
      opts('delete'),
    ),
  ];
}

/** The list*Credential actions (arm/credentials.ts): kubeconfigs for the simulated API servers. */
function credentialRoutes(): Route[] {
  return (
    [
      [
        'listClusterUserCredential',
        'ManagedClusters_ListClusterUserCredentials',
        cred.listClusterUserCredential,
      ],
      [
        'listClusterAdminCredential',
        'ManagedClusters_ListClusterAdminCredentials',
        cred.listClusterAdminCredential,
      ],
      [
        'listClusterMonitoringUserCredential',
        'ManagedClusters_ListClusterMonitoringUserCredentials',
        cred.listClusterMonitoringUserCredential,
      ],
    ] as const
  ).map(([action, operation, handler]) =>
    route('POST', `${MC}/${action}`, M, operation, handler, {
      action: `${A}/${action}/action`,
      noRace: true,
    }),
  );
}

export const ROUTES: Route[] = [
  route('GET', '/subscriptions', [], 'Subscriptions_List', subs.listSubscriptions, {
    family: 'resources',
  }),
  route('GET', '/tenants', [], 'Tenants_List', subs.listTenants, { family: 'resources' }),
  route('GET', SUB, ['sub'], 'Subscriptions_Get', subs.getSubscription, { family: 'resources' }),
  route('GET', `${SUB}/providers`, ['sub'], 'Providers_List', res.listProviders, {
    family: 'resources',
  }),
  route('GET', `${SUB}/providers/${SEG}`, ['sub', 'namespace'], 'Providers_Get', res.getProvider, {
    family: 'resources',
  }),
  route('GET', `${SUB}/resources`, ['sub'], 'Resources_List', res.listResources, {
    family: 'resources',
  }),
  route(
    'GET',
    `${RG}/resources`,
    ['sub', 'rg'],
    'Resources_ListByResourceGroup',
    res.listResources,
    {
      family: 'resources',
    },
  ),
  route('GET', RG, ['sub', 'rg'], 'ResourceGroups_Get', subs.getResourceGroup, {
    family: 'resources',
    action: 'Microsoft.Resources/subscriptions/resourceGroups/read',
  }),
  route(
    'GET',
    `${SUB}/providers/Microsoft\\.ContainerService/managedClusters`,
    ['sub'],
    'ManagedClusters_List',
    mc.listManagedClusters,
  ),
  route(
    'GET',
    `${RG}/providers/Microsoft\\.ContainerService/managedClusters`,
    ['sub', 'rg'],
    'ManagedClusters_ListByResourceGroup',
    mc.listManagedClusters,
  ),
  route('GET', MC, M, 'ManagedClusters_Get', mc.getManagedCluster, { action: `${A}/read` }),
  route('PUT', MC, M, 'ManagedClusters_CreateOrUpdate', mc.putManagedCluster, {
    action: `${A}/write`,
  }),
  route('PATCH', MC, M, 'ManagedClusters_UpdateTags', res.updateClusterTags, {
    action: `${A}/write`,
  }),
  ...maintenanceRoutes(),
  route(
    'GET',
    `${MC}/availableAgentPoolVersions`,
    M,
    'AgentPools_GetAvailableAgentPoolVersions',
    pr.getAvailableAgentPoolVersions,
    {
      resourceType: 'managedClusters/availableAgentpoolVersions',
      action: `${A}/availableAgentpoolVersions/read`,
    },
  ),
  route(
    'GET',
    `${AP}/operations`,
    P,
    'OperationStatusResult_ListByAgentPool',
    pr.listPoolOperations,
    {
      family: 'aks-preview-only',
      resourceType: 'managedClusters/agentPools/operations',
      action: `${A}/agentPools/operations/read`,
    },
  ),
  route('DELETE', MC, M, 'ManagedClusters_Delete', del.deleteManagedCluster, {
    action: `${A}/delete`,
  }),
  route('POST', `${MC}/start`, M, 'ManagedClusters_Start', mc.startManagedCluster, {
    action: `${A}/start/action`,
  }),
  route('POST', `${MC}/stop`, M, 'ManagedClusters_Stop', mc.stopManagedCluster, {
    action: `${A}/stop/action`,
  }),
  route('POST', `${MC}/abort`, M, 'ManagedClusters_AbortLatestOperation', mc.abortLatestOperation, {
    action: `${A}/abort/action`,
  }),
  ...credentialRoutes(),
  route('POST', `${MC}/runCommand`, M, 'ManagedClusters_RunCommand', rc.runCommand, {
    action: `${A}/runCommand/action`,
  }),
  route(
    'GET',
    `${MC}/commandResults/${SEG}`,
    [...M, 'cmd'],
    'ManagedClusters_GetCommandResult',
    rc.getCommandResult,
    {
      action: `${A}/commandResults/read`,
    },
  ),
  route(
    'GET',
    `${MC}/upgradeProfiles/default`,
    M,
    'ManagedClusters_GetUpgradeProfile',
    mc.getClusterUpgradeProfile,
    {
      action: `${A}/upgradeProfiles/read`,
    },
  ),
  route('GET', `${MC}/operations`, M, 'OperationStatusResult_List', ops.listClusterOperations, {
    family: 'aks-preview-only',
    resourceType: 'managedClusters/operations',
    action: `${A}/operations/read`,
  }),
  route(
    'GET',
    `${MC}/operations/${SEG}`,
    [...M, 'opId'],
    'OperationStatusResult_Get',
    ops.getClusterOperation,
    {
      family: 'aks-preview-only',
      resourceType: 'managedClusters/operations',
      action: `${A}/operations/read`,
    },
  ),
  route('GET', `${MC}/agentPools`, M, 'AgentPools_List', ap.listAgentPools, {
    action: `${A}/agentPools/read`,
  }),
  route('GET', AP, P, 'AgentPools_Get', ap.getAgentPool, { action: `${A}/agentPools/read` }),
  route('PUT', AP, P, 'AgentPools_CreateOrUpdate', ap.putAgentPool, {
    action: `${A}/agentPools/write`,
  }),
  route('DELETE', AP, P, 'AgentPools_Delete', del.deleteAgentPool, {
    action: `${A}/agentPools/delete`,
  }),
  route('POST', `${AP}/abort`, P, 'AgentPools_AbortLatestOperation', mc.abortLatestOperation, {
    action: `${A}/agentPools/abort/action`,
  }),
  route(
    'POST',
    `${AP}/upgradeNodeImageVersion`,
    P,
    'AgentPools_UpgradeNodeImageVersion',
    ap.upgradeNodeImageVersion,
    {
      action: `${A}/agentPools/upgradeNodeImageVersion/write`,
    },
  ),
  route(
    'GET',
    `${AP}/upgradeProfiles/default`,
    P,
    'AgentPools_GetUpgradeProfile',
    ap.getAgentPoolUpgradeProfile,
    {
      action: `${A}/agentPools/upgradeProfiles/read`,
    },
  ),
  route(
    'GET',
    `${AP}/operations/${SEG}`,
    [...P, 'opId'],
    'OperationStatusResult_GetByAgentPool',
    ops.getPoolOperation,
    {
      family: 'aks-preview-only',
      resourceType: 'managedClusters/agentPools/operations',
      action: `${A}/agentPools/operations/read`,
    },
  ),
  route(
    'GET',
    `${SUB}${LOC}/kubernetesVersions`,
    ['sub', 'loc'],
    'ManagedClusters_ListKubernetesVersions',
    ops.listKubernetesVersions,
    {
      resourceType: 'locations/kubernetesVersions',
      action: 'Microsoft.ContainerService/locations/kubernetesversions/read',
    },
  ),
  route(
    'GET',
    `${SUB}${LOC}/orchestrators`,
    ['sub', 'loc'],
    'ContainerServices_ListOrchestrators',
    listOrchestrators,
    {
      family: 'orchestrators',
      resourceType: 'locations/orchestrators',
      action: 'Microsoft.ContainerService/locations/orchestrators/read',
    },
  ),
  route(
    'GET',
    `${SUB}${LOC}/(?:operations|operationStatus)/${SEG}`,
    ['sub', 'loc', 'opId'],
    'AsyncOperation_Get',
    ops.getAsyncOperation,
    {
      family: 'resources',
    },
  ),
  route(
    'GET',
    `${SUB}${LOC}/operationresults/${SEG}`,
    ['sub', 'loc', 'opId'],
    'OperationResults_Get',
    ops.getOperationResult,
    {
      family: 'resources',
    },
  ),
  route(
    'GET',
    `${LOC}/operations/${SEG}`,
    ['loc', 'opId'],
    'AsyncOperation_Get',
    ops.getAsyncOperation,
    {
      family: 'resources',
    },
  ),
];

export interface ArmOptions {
  state: SimState;
  key: SigningKey;
  audiences: (req: SimRequest) => string[];
  authority: (req: SimRequest) => string;
}

function match(
  req: SimRequest,
): { route: Route; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  const path = req.url.pathname;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== req.method) continue;
    const params: Record<string, string> = {};
    for (const [i, n] of r.names.entries()) {
      try {
        params[n] = decodeURIComponent(m[i + 1]!);
      } catch {
        throw armError(
          400,
          'InvalidRequestUri',
          `The request URI '${req.url.pathname}' is not valid: segment '${m[i + 1]}' is not correctly percent-encoded.`,
        );
      }
    }
    return { route: r, params };
  }
  return pathMatched ? 'method' : undefined;
}

function resourceScope(params: Record<string, string>): string {
  let scope = `/subscriptions/${params.sub}`;
  if (params.rg) scope += `/resourceGroups/${params.rg}`;
  if (params.name) scope += `/providers/Microsoft.ContainerService/managedClusters/${params.name}`;
  if (params.pool) scope += `/agentPools/${params.pool}`;
  return scope;
}

export class ArmService {
  private readonly o: ArmOptions;

  constructor(options: ArmOptions) {
    this.o = options;
  }

  handle = async (req: SimRequest, ctx: RequestContext): Promise<SimResponse> => {
    ctx.service = 'arm';
    const standard: Record<string, string> = {
      'Cache-Control': 'no-cache',
      Pragma: 'no-cache',
      Expires: '-1',
      'x-ms-request-id': randomUUID(),
      'x-ms-correlation-request-id': header(req, 'x-ms-correlation-request-id') ?? randomUUID(),
      'x-ms-routing-request-id': `EASTUS:${new Date(this.o.state.clock.now()).toISOString().replace(/[-:]|\.\d+/g, '')}:${randomUUID()}`,
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
    };
    let extra: Record<string, string> = {};
    try {
      const response = await this.dispatch(req, ctx, (h) => {
        extra = { ...extra, ...h };
      });
      return { ...response, headers: { ...standard, ...extra, ...(response.headers ?? {}) } };
    } catch (err) {
      if (err instanceof HttpError) {
        const r = errorResponse(err, this.o.state.settings.aksErrorShape);
        return { ...r, headers: { ...standard, ...extra, ...(r.headers ?? {}) } };
      }
      throw err;
    }
  };

  private async dispatch(
    req: SimRequest,
    ctx: RequestContext,
    addHeaders: (h: Record<string, string>) => void,
  ): Promise<SimResponse> {
    const found = match(req);
    if (found === 'method') {
      throw armError(
        405,
        'MethodNotAllowed',
        `The requested resource does not support http method '${req.method}'.`,
      );
    }
    if (!found) {
      const provider = /\/providers\/([^/]+)\/([^/]+)/i.exec(req.url.pathname);
      if (provider) {
        throw armError(
          404,
          'InvalidResourceType',
          `The resource type '${provider[2]}' could not be found in the namespace '${provider[1]}' for api version '${req.url.searchParams.get('api-version') ?? ''}'.`,
        );
      }
      throw armError(
        404,
        'NotFound',
        `No HTTP resource was found that matches the request URI '${req.url.href}'.`,
      );
    }
    const { route: r, params } = found;
    ctx.operation = r.operation;
    const { state } = this.o;
    // Bring every cluster up to now, so a delete that has finished is gone from lists too.
    for (const c of [...state.clusters.values()]) state.engine.advance(c);
    const named =
      params.sub && params.rg && params.name
        ? state.clusters.get(clusterKey(params.sub, params.rg, params.name))
        : undefined;
    const apiVersion = checkApiVersion(
      r.family,
      req.url.searchParams.get('api-version'),
      r.resourceType,
      new Date(state.clock.now()).toISOString().slice(0, 10),
      params.loc ?? named?.location,
    );
    const principal = await authenticate(req, {
      clock: state.clock,
      directory: state.directory,
      key: this.o.key,
      audiences: this.o.audiences,
      authority: this.o.authority,
    });
    ctx.principal = principal.displayName;
    const call: ArmCall = { req, params, apiVersion, principal, state };

    if (params.sub !== undefined) {
      subs.findSubscription(call, params.sub);
      addHeaders(
        state.throttler.charge(r.write ? 'write' : 'read', principal.objectId, params.sub),
      );
      const scope = resourceScope(params);
      const permitted =
        r.action === undefined
          ? state.directory.hasAccessToSubscription(principal, params.sub)
          : state.directory.isAllowed(principal, r.action, scope);
      const listing =
        r.operation === 'ManagedClusters_List' ||
        r.operation === 'ManagedClusters_ListByResourceGroup';
      if (!permitted && !listing) {
        const action = r.action ?? 'Microsoft.ContainerService/locations/operations/read';
        throw armError(
          403,
          'AuthorizationFailed',
          `The client '${principal.appId}' with object id '${principal.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        );
      }
      if (params.rg !== undefined && r.operation !== 'ResourceGroups_Get') {
        const exists = state.resourceGroups.some(
          (g) =>
            g.subscriptionId.toLowerCase() === params.sub!.toLowerCase() &&
            g.name.toLowerCase() === params.rg!.toLowerCase(),
        );
        if (!exists)
          throw armError(
            404,
            'ResourceGroupNotFound',
            `Resource group '${params.rg}' could not be found.`,
          );
      }
    } else if (r.operation === 'AsyncOperation_Get') {
      // The subscription-less async URL (upgradeNodeImageVersion) is charged to the operation's subscription.
      const ref = state.asyncOperations.get(params.opId!);
      addHeaders(state.throttler.charge('read', principal.objectId, ref?.subscriptionId));
    } else {
      addHeaders(state.throttler.charge(r.write ? 'write' : 'read', principal.objectId, undefined));
    }
    if (r.write && params.name !== undefined && !r.noRace) {
      if (r.operation?.endsWith('_AbortLatestOperation')) this.endBeforeAbort(params);
      else this.startRace(params);
    }
    return finishArmAnswer(call, r.operation, await r.handler(call));
  }

  /** An abort-race rule for this cluster: the operation the abort aims at ends just before it. */
  private endBeforeAbort(params: Record<string, string>): void {
    const state = this.o.state;
    const key = clusterKey(params.sub!, params.rg!, params.name!);
    const pool = params.pool?.toLowerCase();
    const rule = state.abortRaces.find(
      (x) => x.clusterKey === key && x.remaining > 0 && x.pool?.toLowerCase() === pool,
    );
    const cluster = state.clusters.get(key);
    if (!rule || !cluster) return;
    state.engine.advance(cluster);
    const op = state.engine
      .activeOperations(cluster)
      .filter((o) =>
        pool
          ? o.pool?.toLowerCase() === pool || o.pools.some((p) => p.toLowerCase() === pool)
          : o.pool === undefined,
      )
      .at(-1);
    if (!op || op.status !== 'InProgress') return;
    rule.remaining -= 1;
    state.engine.completeNow(cluster, op);
  }

  /** A race rule for this cluster: another writer's operation starts just before this write. */
  private startRace(params: Record<string, string>): void {
    const state = this.o.state;
    const key = clusterKey(params.sub!, params.rg!, params.name!);
    const rule = state.races.find((x) => x.clusterKey === key && x.remaining > 0);
    const cluster = state.clusters.get(key);
    if (!rule || !cluster) return;
    state.engine.advance(cluster);
    if (state.engine.blockingOperation(cluster, rule.spec.pool ? { pool: rule.spec.pool } : {}))
      return;
    rule.remaining -= 1;
    const op = startOperationAs(state, cluster, rule.spec, rule.startedBy, rule.durationMs);
    if (rule.stuckAtPercent !== undefined) op.stuckAtPercent = rule.stuckAtPercent;
  }
}
