/** Kubernetes upgrade of the whole cluster (control plane, then pools) or of one pool. */
import type { ManagedCluster } from '@azure/arm-containerservice';
import type { UpgradeProfile } from '../aks/api.ts';
import { sameName } from '../aks/status.ts';
import {
  findPool,
  poolIn,
  poolModel,
  progress,
  steps,
  ValidationError,
  type Plan,
  type PlanContext,
} from './step.ts';
import { compareVersions, resolveUpgrade } from './versions.ts';

export async function planUpgrade(ctx: PlanContext): Promise<Plan> {
  const profile = await ctx.api.upgradeProfile();
  return ctx.s.nodePool ? planPoolUpgrade(ctx, profile) : planClusterUpgrade(ctx, profile);
}

function planPoolUpgrade({ s, cluster, api }: PlanContext, profile: UpgradeProfile): Plan {
  const pool = findPool(cluster, s.nodePool!);
  const profilePool = profile.pools.find((p) => sameName(p.name, pool.name));
  const upgrades = (profilePool?.upgrades ?? [])
    .map((u) => u.version)
    .filter((v) => compareVersions(v, cluster.currentKubernetesVersion) <= 0);
  const target = resolveUpgrade(
    pool.currentOrchestratorVersion,
    s.kubernetesVersion!,
    upgrades,
    `Node pool "${pool.name}"`,
  );
  if (compareVersions(target, cluster.currentKubernetesVersion) > 0) {
    throw new ValidationError(
      'NodePoolAheadOfControlPlane',
      `Node pool "${pool.name}" cannot run ${target}: the control plane runs ${cluster.currentKubernetesVersion}. Upgrade the control plane first.`,
    );
  }
  if (target === pool.currentOrchestratorVersion && pool.orchestratorVersion === target) {
    return { kind: 'skip', reason: `Node pool "${pool.name}" already runs Kubernetes ${target}.` };
  }
  return steps([
    {
      describe: `upgrade node pool ${pool.name} from ${pool.currentOrchestratorVersion} to ${target}`,
      target: { pool: pool.name },
      send: async () => {
        const p = await api.getPool(pool.name);
        return api.putPool(pool.name, poolModel(p.model, { orchestratorVersion: target }), p.eTag);
      },
      intent: {
        shows: (c) => {
          const now = poolIn(c, pool.name);
          return progress(now?.orchestratorVersion === target, now?.provisioningState ?? '');
        },
      },
    },
  ]);
}

function planClusterUpgrade({ s, cluster, api }: PlanContext, profile: UpgradeProfile): Plan {
  const target = resolveUpgrade(
    cluster.currentKubernetesVersion,
    s.kubernetesVersion!,
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
  return steps([
    {
      describe,
      target: {},
      send: async () => {
        const fresh = await api.getCluster();
        const model: ManagedCluster = {
          ...fresh.model,
          kubernetesVersion: target,
          agentPoolProfiles: (fresh.model.agentPoolProfiles ?? []).map((p) =>
            s.controlPlaneOnly ? p : { ...p, orchestratorVersion: target },
          ),
        };
        return api.putCluster(model, fresh.eTag);
      },
      intent: { shows: (c) => progress(c.kubernetesVersion === target, c.provisioningState) },
    },
  ]);
}
