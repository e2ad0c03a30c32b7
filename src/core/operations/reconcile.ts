/** Reconcile: a PUT of the unchanged pool or cluster, as `az aks update` with no flags sends. */
import type { AksApi } from '../aks/api.ts';
import {
  findPool,
  reconcileIntent,
  steps,
  type Plan,
  type PlanContext,
  type Step,
} from './step.ts';

export function reconcilePoolStep(api: AksApi, pool: string): Step {
  return {
    describe: `reconcile node pool ${pool} (PUT of the unchanged pool)`,
    target: { pool },
    send: async () => {
      const p = await api.getPool(pool);
      return api.putPool(pool, { ...p.model }, p.eTag);
    },
    intent: reconcileIntent(pool),
  };
}

export function reconcileClusterStep(api: AksApi, cluster: string): Step {
  return {
    describe: `reconcile cluster ${cluster} (PUT of the unchanged cluster, as az aks update does)`,
    target: {},
    send: async () => {
      const fresh = await api.getCluster();
      return api.putCluster({ ...fresh.model }, fresh.eTag);
    },
    intent: reconcileIntent(),
  };
}

export function planReconcile({ s, cluster, api }: PlanContext): Plan {
  if (s.nodePool) return steps([reconcilePoolStep(api, findPool(cluster, s.nodePool).name)]);
  return steps([reconcileClusterStep(api, cluster.name)]);
}
