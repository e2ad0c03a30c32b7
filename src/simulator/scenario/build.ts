/** Turns a validated scenario into live simulator state. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { AksEngine, VERB, type EngineConfig } from '../aks/engine.ts';
import {
  clusterKey,
  newETag,
  type ClusterState,
  type Operation,
  type OperationKind,
  type PoolState,
} from '../aks/model.ts';
import { defaultNodeImageFamily } from '../aks/node-images.ts';
import { withClusterDefaults, withIdentityDefaults } from '../aks/defaults.ts';
import {
  clusterUpdatePlan,
  clusterUpgradePlan,
  nodeImagePlan,
  poolPlan,
  powerPlan,
  clusterCreatePlan,
  clusterDeletePlan,
  poolDeletePlan,
} from '../aks/plans.ts';
import { DEFAULT_VERSION_CATALOG, VersionCatalog } from '../aks/versions.ts';
import { DEFAULT_THROTTLING, Throttler } from '../arm/throttle.ts';
import { Directory, type Principal } from '../identity/directory.ts';
import type { ResourceGroup, SimState } from '../state.ts';
import type { Scenario } from './schema.ts';
import { ScenarioError } from './load.ts';
import { seedClusterExtras } from './extras.ts';

const DEFAULT_DURATIONS: Record<OperationKind, number> = {
  create: 6,
  upgrade: 8,
  scale: 4,
  'upgrade-node-image': 6,
  start: 4,
  stop: 4,
  reconcile: 3,
  delete: 5,
};

/** A fresh secret in the shape Entra issues (…8Q~…), so masking and logs are tested realistically. */
export function generateSecret(): string {
  const b = randomBytes(30).toString('base64url');
  return `${b.slice(0, 3)}8Q~${b.slice(3, 37)}`;
}

function buildPool(
  spec: Scenario['clusters'][number]['pools'][number],
  clusterVersion: string,
  release: string,
): PoolState {
  const osType = spec.osType ?? 'Linux';
  const osSKU = spec.osSKU ?? (osType === 'Windows' ? 'Windows2022' : 'Ubuntu');
  const version = spec.orchestratorVersion ?? clusterVersion;
  const pool: PoolState = {
    name: spec.name,
    mode: spec.mode ?? 'User',
    count: spec.count ?? 3,
    vmSize: spec.vmSize ?? 'Standard_D4ds_v5',
    osType,
    osSKU,
    orchestratorVersion: version,
    currentOrchestratorVersion: spec.currentOrchestratorVersion ?? version,
    nodeImageVersion:
      spec.nodeImageVersion ?? `${defaultNodeImageFamily(osType, osSKU)}-${release}`,
    enableAutoScaling: spec.enableAutoScaling ?? false,
    maxPods: spec.maxPods ?? 110,
    provisioningState: spec.provisioningState ?? 'Succeeded',
    powerState: spec.powerState ?? 'Running',
    eTag: newETag(),
    extra: spec.properties ?? {},
  };
  if (pool.enableAutoScaling) {
    pool.minCount = spec.minCount ?? 1;
    pool.maxCount = spec.maxCount ?? Math.max(pool.count, pool.minCount);
  }
  return pool;
}

export interface BuiltScenario {
  state: SimState;
  /** Principal secrets as they are this run (generated ones included). */
  secrets: Map<string, string>;
}

export function buildState(
  scenario: Scenario,
  clock: Clock,
  keep: { secrets?: ReadonlyMap<string, string> } = {},
): BuiltScenario {
  const secrets = new Map<string, string>();
  const principals: Principal[] = scenario.principals.map((p) => {
    // A generated secret survives a reset (keep): clients that read it stay signed in.
    const secret =
      p.secret === 'generate' ? (keep.secrets?.get(p.appId) ?? generateSecret()) : p.secret;
    if (secret) secrets.set(p.appId, secret);
    return {
      displayName: p.displayName,
      appId: p.appId,
      objectId: p.objectId,
      secrets: secret ? [secret] : [],
      federatedCredentials: p.federatedCredentials,
      roleAssignments: p.roleAssignments,
      ...(p.managedIdentity ? { managedIdentity: true } : {}),
    };
  });
  const directory = new Directory(scenario.tenant.id, scenario.tenant.domain, principals);
  const catalog = new VersionCatalog(scenario.versions ?? DEFAULT_VERSION_CATALOG);
  const defaultSub = scenario.subscriptions[0]!.id;
  const engineConfig: EngineConfig = {
    durationsMs: Object.fromEntries(
      Object.entries({ ...DEFAULT_DURATIONS, ...scenario.durations }).map(([k, v]) => [
        k,
        v * 1000,
      ]),
    ) as Record<OperationKind, number>,
    cancelDurationMs: scenario.cancelSeconds * 1000,
    failures: scenario.failures.map((f) => ({ ...f })),
    stuck: scenario.stuck.map((s) => ({ ...s })),
  };
  const engine = new AksEngine(clock, engineConfig);
  const resourceGroups: ResourceGroup[] = scenario.resourceGroups.map((g) => ({
    subscriptionId: g.subscription ?? defaultSub,
    name: g.name,
    location: g.location,
  }));
  const state: SimState = {
    clock,
    directory,
    subscriptions: scenario.subscriptions,
    resourceGroups,
    clusters: new Map(),
    catalog,
    engine,
    throttler: new Throttler(clock, {
      reads: scenario.throttling.reads ?? DEFAULT_THROTTLING.reads,
      writes: scenario.throttling.writes ?? DEFAULT_THROTTLING.writes,
      clusterWrites: scenario.throttling.clusterWrites ?? DEFAULT_THROTTLING.clusterWrites,
    }),
    runCommands: scenario.runCommands,
    asyncOperations: new Map(),
    races: [],
    abortRaces: [],
    settings: {
      conflictWording: scenario.conflictWording,
      aksErrorShape: scenario.aksErrorShape,
      abortResponse: scenario.abortResponse,
      retryAfterSeconds: scenario.retryAfterSeconds,
      ...(scenario.statusRetryAfterSeconds !== undefined
        ? { statusRetryAfterSeconds: scenario.statusRetryAfterSeconds }
        : {}),
      statusRetryAfterHeaders: scenario.statusRetryAfterHeaders,
      tokenLifetimeSeconds: scenario.tokenLifetimeSeconds,
      nodeImageRelease: scenario.nodeImageRelease,
      runCommandSeconds: scenario.runCommandSeconds,
    },
  };
  // A finished delete removes the cluster: GET answers 404 from then on.
  engine.onClusterDeleted = (c) => {
    const key = clusterKey(c.subscriptionId, c.resourceGroup, c.name);
    if (state.clusters.get(key) === c) state.clusters.delete(key);
  };

  for (const spec of scenario.clusters) {
    const subscriptionId = spec.subscription ?? defaultSub;
    if (!scenario.subscriptions.some((s) => s.id === subscriptionId)) {
      throw new ScenarioError(
        `Cluster ${spec.name} names subscription ${subscriptionId}, which the scenario does not define.`,
      );
    }
    const current =
      spec.currentKubernetesVersion ??
      catalog.resolve(spec.kubernetesVersion) ??
      spec.kubernetesVersion;
    const location = spec.location.replace(/\s+/g, '').toLowerCase();
    const nodeResourceGroup = `MC_${spec.resourceGroup}_${spec.name}_${location}`;
    const cluster: ClusterState = {
      subscriptionId,
      resourceGroup: spec.resourceGroup,
      name: spec.name,
      location,
      tags: spec.tags ?? {},
      sku: spec.sku ?? { name: 'Base', tier: 'Standard' },
      identity: withIdentityDefaults(spec.identity, scenario.tenant.id),
      kubernetesVersion: spec.kubernetesVersion,
      currentKubernetesVersion: current,
      provisioningState: spec.provisioningState ?? 'Succeeded',
      powerState: spec.powerState,
      eTag: newETag(),
      dnsPrefix: spec.dnsPrefix ?? `${spec.name.slice(0, 10)}-${spec.resourceGroup.slice(0, 16)}`,
      fqdnSuffix: randomBytes(4).toString('hex'),
      nodeResourceGroup,
      extra: withClusterDefaults(spec.properties ?? {}, {
        subscriptionId,
        nodeResourceGroup,
        clusterName: spec.name,
      }),
      pools: spec.pools.map((p) => buildPool(p, current, scenario.nodeImageRelease)),
      operations: [],
      commands: new Map(),
    };
    for (const p of cluster.pools)
      if (spec.powerState === 'Stopped' && !spec.pools.find((x) => x.name === p.name)?.powerState)
        p.powerState = 'Stopped';
    if (
      !resourceGroups.some(
        (g) =>
          g.subscriptionId === subscriptionId &&
          g.name.toLowerCase() === spec.resourceGroup.toLowerCase(),
      )
    ) {
      resourceGroups.push({ subscriptionId, name: spec.resourceGroup, location });
    }
    state.clusters.set(clusterKey(subscriptionId, spec.resourceGroup, spec.name), cluster);
    if (!(spec.history ?? []).some((h) => h.type === 'create' && h.pool === undefined))
      addCreateRecord(state, cluster, spec);
    for (const past of spec.history ?? []) addPastOperation(state, cluster, past);
    if (spec.operation) startInitialOperation(state, cluster, spec.operation);
    seedClusterExtras(state, cluster, spec);
  }
  return { state, secrets };
}

/**
 * The cluster's own create, finished long ago: AKS keeps a cluster's past operations (the latest
 * 50), and every cluster has at least its create, so operations/latest always has an answer.
 */
function addCreateRecord(
  state: SimState,
  cluster: ClusterState,
  spec: Scenario['clusters'][number],
): void {
  const oldest = Math.max(
    0,
    ...(spec.history ?? []).map((h) => h.startedSecondsAgo),
    spec.operation?.startedSecondsAgo ?? 0,
  );
  const durationMs = 6 * 60 * 1000;
  const startMs = state.clock.now() - Math.max(30 * 86400, oldest + 86400) * 1000;
  const plan = clusterCreatePlan(cluster, 'history');
  const op: Operation = {
    id: randomUUID(),
    kind: 'create',
    operationType: plan.operationType,
    subOperationType: VERB.create,
    touchesCluster: true,
    pools: plan.pools,
    stages: plan.stages.map((s) => ({ ...s, done: true })),
    startMs,
    durationMs,
    status: 'Succeeded',
    endMs: startMs + durationMs,
    cancelDurationMs: state.engine.config.cancelDurationMs,
    startedBy: 'history',
  };
  cluster.operations.push(op);
}

/** What another actor asks for: the kind of operation and, as it needs, a pool, version or count. */
export interface OperationSpec {
  type: OperationKind;
  pool?: string | undefined;
  kubernetesVersion?: string | undefined;
  count?: number | undefined;
}

type PastSpec = NonNullable<Scenario['clusters'][number]['history']>[number];
type RunningSpec = NonNullable<Scenario['clusters'][number]['operation']>;

/** The plan for an operation another actor starts (scenario start-up, or the admin API). */
export function planOperation(
  state: SimState,
  cluster: ClusterState,
  spec: OperationSpec,
  who: string,
) {
  const release = state.settings.nodeImageRelease;
  const pool = spec.pool ? cluster.pools.find((p) => p.name === spec.pool) : undefined;
  if (spec.pool && !pool)
    throw new ScenarioError(`Cluster ${cluster.name} has no pool ${spec.pool}.`);
  switch (spec.type) {
    case 'upgrade': {
      const target =
        spec.kubernetesVersion ??
        state.catalog.upgradesFrom(cluster.currentKubernetesVersion).at(-1) ??
        cluster.currentKubernetesVersion;
      if (pool) return poolPlan(pool, { kind: 'upgrade', version: target }, release, who);
      return clusterUpgradePlan(
        cluster,
        target,
        cluster.pools.map((p) => ({ pool: p, version: target })),
        release,
        who,
      );
    }
    case 'scale': {
      const target = pool ?? cluster.pools[0]!;
      const count = spec.count ?? target.count + 1;
      if (pool) return poolPlan(pool, { kind: 'scale', count }, release, who);
      return clusterUpdatePlan(cluster, [{ pool: target, count }], who);
    }
    case 'upgrade-node-image':
      return nodeImagePlan(pool ?? cluster.pools[0]!, release, who);
    case 'start':
      return powerPlan(cluster, 'Running', who);
    case 'stop':
      return powerPlan(cluster, 'Stopped', who);
    case 'create':
      return pool
        ? poolPlan(pool, { kind: 'create' }, release, who)
        : clusterCreatePlan(cluster, who);
    case 'delete':
      return pool ? poolDeletePlan(pool, who) : clusterDeletePlan(cluster, who);
    default:
      return pool
        ? poolPlan(pool, { kind: 'reconcile' }, release, who)
        : clusterUpdatePlan(cluster, [], who);
  }
}

/**
 * Replays a finished operation through the engine, backdated, so its effects (what it changed
 * before it failed or was canceled) and the states it left behind are exactly the engine's.
 */
function addPastOperation(state: SimState, cluster: ClusterState, past: PastSpec): void {
  if (past.status === 'Failed' && !past.error) {
    throw new ScenarioError(
      `A Failed operation in the history of ${cluster.name} needs an "error".`,
    );
  }
  const now = state.clock.now();
  const durationMs = past.durationSeconds * 1000;
  const startMs = now - past.startedSecondsAgo * 1000;
  const percent = Math.min(
    past.percentComplete ?? (past.status === 'Succeeded' ? 100 : 50),
    past.status === 'Succeeded' ? 100 : 99,
  );
  const endMs = startMs + (durationMs * percent) / 100;
  if (endMs > now) {
    throw new ScenarioError(
      `The ${past.type} in the history of ${cluster.name} would end in the future: startedSecondsAgo must be at least durationSeconds x percentComplete / 100.`,
    );
  }
  const op = startOperationAs(state, cluster, past, 'history', durationMs);
  op.startMs = startMs;
  if (past.status === 'Failed') {
    op.failAtPercent = percent;
    op.failError = past.error!;
  } else if (past.status === 'Canceled') {
    state.engine.cancelAt(cluster, op, endMs);
  }
  state.engine.advance(cluster);
}

/**
 * Starts an operation as another actor would (a scenario's running operation, or the admin API):
 * the desired state it PUT becomes visible at once, as on a real cluster mid-upgrade.
 */
export function startOperationAs(
  state: SimState,
  cluster: ClusterState,
  spec: OperationSpec,
  who: string,
  durationMs?: number,
): Operation {
  const req = planOperation(state, cluster, spec, who);
  if (spec.type === 'upgrade') {
    for (const stage of req.stages) {
      if (stage.controlPlaneVersion) cluster.kubernetesVersion = stage.controlPlaneVersion;
      const pool = cluster.pools.find((p) => p.name === stage.target);
      if (pool && stage.orchestratorVersion) pool.orchestratorVersion = stage.orchestratorVersion;
    }
  }
  return state.engine.start(cluster, {
    ...req,
    ...(durationMs !== undefined ? { durationMs } : {}),
  });
}

function startInitialOperation(state: SimState, cluster: ClusterState, spec: RunningSpec): void {
  const op = startOperationAs(state, cluster, spec, spec.startedBy, spec.durationSeconds * 1000);
  op.startMs -= spec.startedSecondsAgo * 1000;
  if (spec.stuckAtPercent !== undefined) op.stuckAtPercent = spec.stuckAtPercent;
  if (spec.failAtPercent !== undefined) {
    if (!spec.error)
      throw new ScenarioError(
        `The running operation on ${cluster.name} has failAtPercent but no "error".`,
      );
    op.failAtPercent = spec.failAtPercent;
    op.failError = spec.error;
  }
  state.engine.advance(cluster);
}
