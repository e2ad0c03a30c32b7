/** Scale one pool to a node count (manual scale: the autoscaler must be off). */
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

export function planScale({ s, cluster, api }: PlanContext): Plan {
  const pool = findPool(cluster, s.nodePool!);
  const count = s.nodeCount!;
  if (pool.enableAutoScaling) {
    throw new ValidationError(
      'AutoscalerEnabled',
      `Node pool "${pool.name}" has the cluster autoscaler on (min ${pool.minCount ?? '?'}, max ${pool.maxCount ?? '?'} nodes), which owns its node count; AKS refuses a manual scale. Change the autoscaler's min/max count, or disable it (az aks nodepool update --disable-cluster-autoscaler) first.`,
    );
  }
  if (sameName(pool.mode, 'System') && count < 1) {
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
  return steps(
    [
      {
        describe: `scale node pool ${pool.name} from ${pool.count} to ${count} nodes`,
        target: { pool: pool.name },
        send: async () => {
          const p = await api.getPool(pool.name);
          return api.putPool(pool.name, poolModel(p.model, { count }), p.eTag);
        },
        intent: {
          shows: (c) => {
            const now = poolIn(c, pool.name);
            return progress(now?.count === count, now?.provisioningState ?? '');
          },
        },
      },
    ],
    notes,
  );
}
