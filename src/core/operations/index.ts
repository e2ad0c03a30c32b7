/**
 * What each operation writes, validated against the cluster before anything is sent: the target
 * version exists and is a legal upgrade, the pool exists, the count is allowed, the power state
 * fits. A step sends one write; an operation is one or more steps (node images: one per pool).
 */
import type { AksApi, ClusterView } from '../aks/api.ts';
import { sameName } from '../aks/status.ts';
import type { Target } from '../pending.ts';
import type { Settings } from '../settings.ts';
import { planNodeImage } from './node-image.ts';
import { planPower } from './power.ts';
import { planReconcile } from './reconcile.ts';
import { planScale } from './scale.ts';
import { ValidationError, type Plan } from './step.ts';
import { planUpgrade } from './upgrade.ts';

export {
  ValidationError,
  reconcileIntent,
  type Intent,
  type Plan,
  type Shows,
  type Step,
} from './step.ts';
export { reconcileClusterStep, reconcilePoolStep } from './reconcile.ts';
export { resolveUpgrade } from './versions.ts';

/** Where an operation's writes land, for the pending-operation rules. */
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

const CHANGES_NODES = new Set(['upgrade', 'upgrade-node-image', 'scale', 'reconcile']);

export async function planOperation(s: Settings, cluster: ClusterView, api: AksApi): Promise<Plan> {
  if (CHANGES_NODES.has(s.operation) && sameName(cluster.powerState, 'Stopped')) {
    throw new ValidationError(
      'ClusterStopped',
      `Cluster ${cluster.name} is stopped; AKS refuses to ${s.operation} a stopped cluster. Start it first (operation "start"), then run this step again.`,
    );
  }
  const ctx = { s, cluster, api };
  switch (s.operation) {
    case 'start':
    case 'stop':
      return planPower(ctx);
    case 'reconcile':
      return planReconcile(ctx);
    case 'scale':
      return planScale(ctx);
    case 'upgrade':
      return planUpgrade(ctx);
    case 'upgrade-node-image':
      return planNodeImage(ctx);
    default:
      return { kind: 'read-only' };
  }
}
