/** Node-image upgrade of one pool or of every pool, skipping pools already on the newest image. */
import { sameName } from '../aks/status.ts';
import { findPool, poolIn, steps, type Plan, type PlanContext, type Step } from './step.ts';

export async function planNodeImage({ s, cluster, api }: PlanContext): Promise<Plan> {
  const pools = s.nodePool ? [findPool(cluster, s.nodePool)] : cluster.pools;
  const list: Step[] = [];
  const current: string[] = [];
  for (const pool of pools) {
    const latest = await api.latestNodeImage(pool.name);
    if (latest && latest === pool.nodeImageVersion) {
      current.push(`${pool.name} (${latest})`);
      continue;
    }
    list.push({
      describe: `upgrade the node image of pool ${pool.name} from ${pool.nodeImageVersion} to ${latest ?? 'the latest'}`,
      target: { pool: pool.name },
      send: () => api.upgradeNodeImage(pool.name),
      intent: {
        shows: (c) => {
          const now = poolIn(c, pool.name);
          if (now && sameName(now.provisioningState, 'UpgradingNodeImageVersion'))
            return 'in-progress';
          return latest !== undefined && now?.nodeImageVersion === latest ? 'done' : 'no';
        },
      },
    });
  }
  if (list.length === 0)
    return {
      kind: 'skip',
      reason: `Every node pool already runs its newest node image: ${current.join(', ')}.`,
    };
  return steps(
    list,
    current.length ? [`Already on the newest node image: ${current.join(', ')}.`] : [],
  );
}
