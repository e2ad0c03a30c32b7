/**
 * The diagnosis of a run that failed: its ARM error (or the error of the operation that left the
 * cluster Failed), explained with this run's cluster, pool and version filled in.
 */
import type { Outcome } from '../outcome.ts';
import type { Settings } from '../settings.ts';
import { diagnose } from './index.ts';
import type { Diagnosis } from './types.ts';

export function diagnoseOutcome(s: Settings, o: Outcome): Diagnosis | undefined {
  // A cancelled job is not an AKS failure: there is nothing to diagnose.
  if (!o.failed || !o.error || o.error.code === 'Cancelled') return undefined;
  const d = diagnose(o.error, {
    context: {
      subscriptionId: s.subscriptionId,
      resourceGroup: s.resourceGroup,
      clusterName: s.clusterName,
      ...(s.nodePool ? { nodePool: s.nodePool } : {}),
      ...(s.kubernetesVersion ? { kubernetesVersion: s.kubernetesVersion } : {}),
    },
  });
  if (o.failedState && d.category !== 'cluster-failed-state') {
    // Found Failed at pre-flight: the cause explains it; getting out of Failed is one more step.
    const where = o.failedState.pool
      ? `az aks nodepool update -g ${s.resourceGroup} --cluster-name ${s.clusterName} -n ${o.failedState.pool}`
      : `az aks update -g ${s.resourceGroup} -n ${s.clusterName}`;
    return {
      ...d,
      summary: `${o.failedState.pool ? `Node pool ${o.failedState.pool}` : `Cluster ${s.clusterName}`} is in the Failed state because its last operation failed. ${d.summary}`,
      remediation: [
        ...d.remediation,
        `Once the cause is fixed, reconcile the Failed resource: run this step with on-failed: reconcile, or \`${where}\`.`,
      ],
    };
  }
  return d;
}
