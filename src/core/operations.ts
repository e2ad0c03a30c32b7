/**
 * What each operation writes, validated against the cluster before anything is sent: the target
 * version exists and is a legal upgrade, the pool exists, the count is allowed, the power state
 * fits. A step sends one write; an operation is one or more steps (node images: one per pool).
 */
import type { AgentPool, ManagedCluster } from '@azure/arm-containerservice';
import type { AksClient, ClusterView, PoolView, WriteAccepted } from './aks-client.ts';
import type { Settings } from './settings.ts';
import type { Target } from './pending.ts';

/** A request that cannot work on this cluster: refused before anything is written. */
export class ValidationError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ValidationError';
    this.code = code;
  }
}

/** Whether the resource shows a step's change: under way, finished, or not at all. */
export type Shows = 'in-progress' | 'done' | 'no';

/**
 * What a step asks of AKS, in a form that can be recognised on the resource afterwards. A write
 * whose answer is lost (connection reset, a cut-off body) or refused on an SDK retry (412, 409 met
 * by the run's own write) may have been applied: the guard reads the resource and asks `shows`
 * before it takes the refusal for another writer's, so it never aborts or repeats its own change.
 */
export interface Intent {
  shows(cluster: ClusterView): Shows;
  /**
   * For writes that change nothing visible (a reconcile PUT): a new operation in progress where
   * the write lands, which was not the latest one there before the write, is this run's.
   */
  byNewOperation?: boolean;
}

export interface Step {
  describe: string;
  target: { pool?: string };
  /** Sends the write with the ETag of what it just read. */
  send(): Promise<WriteAccepted>;
  intent: Intent;
}

function poolIn(cluster: ClusterView, name: string): PoolView | undefined {
  return cluster.pools.find((p) => p.name.toLowerCase() === name.toLowerCase());
}

/**
 * The change is on the resource: running while it is busy, done once it Succeeded. Failed or
 * Canceled counts as in progress, so the wait reads how the operation ended and reports that,
 * rather than taking a change that failed for one that was made.
 */
function progress(changed: boolean, state: string): Shows {
  if (!changed) return 'no';
  return state.toLowerCase() === 'succeeded' ? 'done' : 'in-progress';
}

/** A reconcile changes nothing to look at: it is recognised by its operation. */
export function reconcileIntent(pool?: string): Intent {
  return {
    byNewOperation: true,
    shows: (c) => {
      const state = pool ? poolIn(c, pool)?.provisioningState : c.provisioningState;
      return state?.toLowerCase() === 'updating' ? 'in-progress' : 'no';
    },
  };
}

export type Plan =
  | { kind: 'skip'; reason: string }
  | { kind: 'steps'; steps: Step[]; notes: string[] }
  | { kind: 'read-only' };

export function targetOf(s: Settings): Target {
  switch (s.operation) {
    case 'run-command':
    case 'abort':
    case 'report':
      return 'none';
    case 'scale':
      return { pool: s.nodePool! };
    case 'upgrade':
    case 'upgrade-node-image':
    case 'reconcile':
      return s.nodePool ? { pool: s.nodePool } : {};
    default:
      return {};
  }
}

interface V {
  major: number;
  minor: number;
  patch: number;
}

function parse(v: string): V {
  const [a = 0, b = 0, c = -1] = v.split('.').map(Number);
  return { major: a, minor: b, patch: c };
}

function cmp(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

function findPool(cluster: ClusterView, name: string): PoolView {
  const pool = cluster.pools.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!pool) {
    throw new ValidationError(
      'NodePoolNotFound',
      `Node pool "${name}" does not exist in cluster ${cluster.name}; its pools are ${cluster.pools.map((p) => `"${p.name}"`).join(', ')}.`,
    );
  }
  return pool;
}

/**
 * Resolves "1.35" or "1.35.3" against the versions the control plane may move to, refusing
 * downgrades, skipped minors and versions the region does not offer with the list that is allowed.
 */
export function resolveUpgrade(
  from: string,
  requested: string,
  upgrades: string[],
  what: string,
): string {
  const req = parse(requested);
  const cur = parse(from);
  const exact = requested.split('.').length === 3;
  const candidates = [from, ...upgrades];
  const match = exact
    ? candidates.find((v) => v === requested)
    : candidates
        .filter((v) => parse(v).major === req.major && parse(v).minor === req.minor)
        .sort(cmp)
        .at(-1);
  if (match) return match;
  const allowed = upgrades.length
    ? upgrades.join(', ')
    : 'none (it is on the newest version the region offers)';
  if (cmp(requested, from) < 0) {
    throw new ValidationError(
      'DowngradeNotAllowed',
      `${what} runs ${from}; it cannot be downgraded to ${requested}. Upgrades available: ${allowed}.`,
    );
  }
  if (req.major === cur.major && req.minor > cur.minor + 1) {
    throw new ValidationError(
      'MinorVersionSkip',
      `${what} runs ${from}; AKS upgrades one minor version at a time, so ${requested} is not reachable directly. Upgrade to ${cur.major}.${cur.minor + 1} first. Upgrades available: ${allowed}.`,
    );
  }
  throw new ValidationError(
    'KubernetesVersionNotAvailable',
    `Kubernetes ${requested} is not an upgrade available to ${what} (running ${from}). Upgrades available: ${allowed}.`,
  );
}

/** A pool model for a PUT that changes only what is asked: the version it runs stays as it runs. */
function poolModel(
  current: AgentPool & { currentOrchestratorVersion?: string },
  change: Partial<AgentPool>,
): AgentPool {
  return {
    ...current,
    orchestratorVersion: current.currentOrchestratorVersion ?? current.orchestratorVersion,
    ...change,
  };
}

export async function planOperation(
  s: Settings,
  cluster: ClusterView,
  client: AksClient,
): Promise<Plan> {
  const changesNodes = ['upgrade', 'upgrade-node-image', 'scale', 'reconcile'].includes(
    s.operation,
  );
  if (changesNodes && cluster.powerState.toLowerCase() === 'stopped') {
    throw new ValidationError(
      'ClusterStopped',
      `Cluster ${cluster.name} is stopped; AKS refuses to ${s.operation} a stopped cluster. Start it first (operation "start"), then run this step again.`,
    );
  }
  switch (s.operation) {
    case 'check':
    case 'report':
    case 'abort':
    case 'run-command':
      return { kind: 'read-only' };

    case 'start':
    case 'stop': {
      const want = s.operation === 'start' ? 'Running' : 'Stopped';
      if (cluster.powerState.toLowerCase() === want.toLowerCase()) {
        return {
          kind: 'skip',
          reason: `Cluster ${cluster.name} is already ${want}; nothing to ${s.operation}.`,
        };
      }
      return {
        kind: 'steps',
        notes: [],
        steps: [
          {
            describe: `${s.operation} cluster ${cluster.name}`,
            target: {},
            send: () => (s.operation === 'start' ? client.start() : client.stop()),
            intent: {
              shows: (c) => {
                const verb = s.operation === 'start' ? 'starting' : 'stopping';
                if (c.provisioningState.toLowerCase() === verb) return 'in-progress';
                return c.powerState.toLowerCase() === want.toLowerCase() ? 'done' : 'no';
              },
            },
          },
        ],
      };
    }

    case 'reconcile': {
      if (s.nodePool) {
        const pool = findPool(cluster, s.nodePool);
        return {
          kind: 'steps',
          notes: [],
          steps: [
            {
              describe: `reconcile node pool ${pool.name} (PUT of the unchanged pool)`,
              target: { pool: pool.name },
              send: async () => {
                const p = await client.getPool(pool.name);
                return client.putPool(pool.name, { ...p.model }, p.eTag);
              },
              intent: reconcileIntent(pool.name),
            },
          ],
        };
      }
      return {
        kind: 'steps',
        notes: [],
        steps: [
          {
            describe: `reconcile cluster ${cluster.name} (PUT of the unchanged cluster, as az aks update does)`,
            target: {},
            send: async () => {
              const fresh = await client.getCluster();
              return client.putCluster({ ...fresh.model }, fresh.eTag);
            },
            intent: reconcileIntent(),
          },
        ],
      };
    }

    case 'scale': {
      const pool = findPool(cluster, s.nodePool!);
      const count = s.nodeCount!;
      if (pool.enableAutoScaling) {
        throw new ValidationError(
          'AutoscalerEnabled',
          `Node pool "${pool.name}" has the cluster autoscaler on (min ${pool.minCount ?? '?'}, max ${pool.maxCount ?? '?'} nodes), which owns its node count; AKS refuses a manual scale. Change the autoscaler's min/max count, or disable it (az aks nodepool update --disable-cluster-autoscaler) first.`,
        );
      }
      if (pool.mode.toLowerCase() === 'system' && count < 1) {
        throw new ValidationError(
          'InvalidNodeCount',
          `Node pool "${pool.name}" is a System pool; it needs at least 1 node (node-count is 0).`,
        );
      }
      if (pool.count === count)
        return { kind: 'skip', reason: `Node pool "${pool.name}" already has ${count} nodes.` };
      const notes =
        pool.orchestratorVersion !== pool.currentOrchestratorVersion
          ? [
              `Node pool "${pool.name}" wants Kubernetes ${pool.orchestratorVersion} but runs ${pool.currentOrchestratorVersion} (an unfinished upgrade); the scale keeps ${pool.currentOrchestratorVersion} so it does not resume the upgrade.`,
            ]
          : [];
      return {
        kind: 'steps',
        notes,
        steps: [
          {
            describe: `scale node pool ${pool.name} from ${pool.count} to ${count} nodes`,
            target: { pool: pool.name },
            send: async () => {
              const p = await client.getPool(pool.name);
              return client.putPool(pool.name, poolModel(p.model, { count }), p.eTag);
            },
            intent: {
              shows: (c) => {
                const now = poolIn(c, pool.name);
                return progress(now?.count === count, now?.provisioningState ?? '');
              },
            },
          },
        ],
      };
    }

    case 'upgrade': {
      const profile = await client.upgradeProfile();
      const requested = s.kubernetesVersion!;
      if (s.nodePool) {
        const pool = findPool(cluster, s.nodePool);
        const profilePool = profile.pools.find(
          (p) => p.name.toLowerCase() === pool.name.toLowerCase(),
        );
        const upgrades = (profilePool?.upgrades ?? [])
          .map((u) => u.version)
          .filter((v) => cmp(v, cluster.currentKubernetesVersion) <= 0);
        const target = resolveUpgrade(
          pool.currentOrchestratorVersion,
          requested,
          upgrades,
          `Node pool "${pool.name}"`,
        );
        if (cmp(target, cluster.currentKubernetesVersion) > 0) {
          throw new ValidationError(
            'NodePoolAheadOfControlPlane',
            `Node pool "${pool.name}" cannot run ${target}: the control plane runs ${cluster.currentKubernetesVersion}. Upgrade the control plane first.`,
          );
        }
        if (target === pool.currentOrchestratorVersion && pool.orchestratorVersion === target) {
          return {
            kind: 'skip',
            reason: `Node pool "${pool.name}" already runs Kubernetes ${target}.`,
          };
        }
        return {
          kind: 'steps',
          notes: [],
          steps: [
            {
              describe: `upgrade node pool ${pool.name} from ${pool.currentOrchestratorVersion} to ${target}`,
              target: { pool: pool.name },
              send: async () => {
                const p = await client.getPool(pool.name);
                return client.putPool(
                  pool.name,
                  poolModel(p.model, { orchestratorVersion: target }),
                  p.eTag,
                );
              },
              intent: {
                shows: (c) => {
                  const now = poolIn(c, pool.name);
                  return progress(
                    now?.orchestratorVersion === target,
                    now?.provisioningState ?? '',
                  );
                },
              },
            },
          ],
        };
      }
      const target = resolveUpgrade(
        cluster.currentKubernetesVersion,
        requested,
        profile.controlPlane.upgrades.map((u) => u.version),
        `Cluster ${cluster.name}`,
      );
      if (profile.controlPlane.upgrades.find((u) => u.version === target)?.isPreview) {
        throw new ValidationError(
          'PreviewVersion',
          `Kubernetes ${target} is a preview version in this region; aks-guard does not move production clusters to previews. Pick a generally available version.`,
        );
      }
      const poolsBehind = cluster.pools.filter((p) => p.currentOrchestratorVersion !== target);
      const upToDate =
        cluster.currentKubernetesVersion === target &&
        cluster.kubernetesVersion === target &&
        (s.controlPlaneOnly || poolsBehind.length === 0);
      if (upToDate) {
        return {
          kind: 'skip',
          reason: `Cluster ${cluster.name} already runs Kubernetes ${target}${s.controlPlaneOnly ? '' : ' on the control plane and every pool'}.`,
        };
      }
      const describe = s.controlPlaneOnly
        ? `upgrade the control plane of ${cluster.name} from ${cluster.currentKubernetesVersion} to ${target} (node pools stay)`
        : `upgrade ${cluster.name} from ${cluster.currentKubernetesVersion} to ${target}: control plane, then ${cluster.pools.map((p) => p.name).join(', ')}`;
      return {
        kind: 'steps',
        notes: [],
        steps: [
          {
            describe,
            target: {},
            send: async () => {
              const fresh = await client.getCluster();
              const model: ManagedCluster = {
                ...fresh.model,
                kubernetesVersion: target,
                agentPoolProfiles: (fresh.model.agentPoolProfiles ?? []).map((p) =>
                  s.controlPlaneOnly ? p : { ...p, orchestratorVersion: target },
                ),
              };
              return client.putCluster(model, fresh.eTag);
            },
            intent: {
              shows: (c) => progress(c.kubernetesVersion === target, c.provisioningState),
            },
          },
        ],
      };
    }

    case 'upgrade-node-image': {
      const pools = s.nodePool ? [findPool(cluster, s.nodePool)] : cluster.pools;
      const steps: Step[] = [];
      const current: string[] = [];
      for (const pool of pools) {
        const latest = await client.latestNodeImage(pool.name);
        if (latest && latest === pool.nodeImageVersion) {
          current.push(`${pool.name} (${latest})`);
          continue;
        }
        steps.push({
          describe: `upgrade the node image of pool ${pool.name} from ${pool.nodeImageVersion} to ${latest ?? 'the latest'}`,
          target: { pool: pool.name },
          send: () => client.upgradeNodeImage(pool.name),
          intent: {
            shows: (c) => {
              const now = poolIn(c, pool.name);
              if (now?.provisioningState.toLowerCase() === 'upgradingnodeimageversion')
                return 'in-progress';
              return latest !== undefined && now?.nodeImageVersion === latest ? 'done' : 'no';
            },
          },
        });
      }
      if (steps.length === 0)
        return {
          kind: 'skip',
          reason: `Every node pool already runs its newest node image: ${current.join(', ')}.`,
        };
      return {
        kind: 'steps',
        steps,
        notes: current.length ? [`Already on the newest node image: ${current.join(', ')}.`] : [],
      };
    }
  }
}
