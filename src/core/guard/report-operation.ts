/** operation: report — versions on offer, busy pools' operations, and why anything is Failed. */
import type { ClusterView } from '../aks/api.ts';
import { isBusy } from '../aks/status.ts';
import { compareVersions } from '../operations/versions.ts';
import { failedFor } from '../pending.ts';
import { enrich, type RunContext } from './context.ts';

export async function reportOperation(ctx: RunContext, cluster: ClusterView): Promise<string> {
  const profile = await ctx.api.upgradeProfile().catch((err: unknown) => {
    ctx.r.warning(`Could not read the upgrade profile: ${String(err)}`);
    return undefined;
  });
  const failed = await enrich(ctx, failedFor(cluster, {}));
  const busyPools = await enrich(
    ctx,
    cluster.pools
      .filter((p) => isBusy(p.provisioningState))
      .map((p) => ({ pool: p.name, state: p.provisioningState })),
  );
  const upgrades = profile
    ? [...profile.controlPlane.upgrades].sort((a, b) => compareVersions(b.version, a.version))
    : undefined;
  ctx.journal.report = {
    ...(upgrades ? { upgrades } : {}),
    failed: failed.map((f) => ({
      ...(f.pool ? { pool: f.pool } : {}),
      ...(f.operation ? { operation: f.operation } : {}),
    })),
    poolOperations: busyPools.flatMap((b) =>
      b.operation ? [{ pool: b.pool!, operation: b.operation }] : [],
    ),
  };
  const offer = upgrades?.length
    ? `upgrades available: ${upgrades.map((u) => u.version).join(', ')}`
    : 'no upgrade available';
  return `Cluster ${cluster.name}: ${cluster.provisioningState}, ${cluster.powerState}, Kubernetes ${cluster.currentKubernetesVersion} (${offer}); ${cluster.pools.length} node pool(s)${failed.length ? `; ${failed.length} resource(s) Failed` : ''}.`;
}
