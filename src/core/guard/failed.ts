/**
 * on-failed: Failed resources the write would act on. `decideFailed` is the policy (pure): stop
 * with the failure's cause, or reconcile what failed first (the pools, or the cluster when it is
 * the cluster that failed). A dry run prints the reconcile steps; a real run sends them.
 */
import type { ArmError } from '../arm-error.ts';
import type { ClusterView } from '../aks/api.ts';
import { isFailed } from '../aks/status.ts';
import { reconcileClusterStep, reconcilePoolStep, type Step } from '../operations/index.ts';
import { failedFor, where, type Busy, type Target } from '../pending.ts';
import type { Settings } from '../settings.ts';
import { capitalise, enrich, Stop, type RunContext } from './context.ts';
import { waitOwnOrStop } from './own-operation.ts';
import { write } from './write.ts';

export type FailedDecision =
  | { kind: 'fail'; failed: Busy }
  /** `pools` to reconcile one by one; empty when the cluster itself is reconciled. */
  | { kind: 'reconcile'; pools: string[] };

export function decideFailed(
  failed: Busy[],
  cluster: ClusterView,
  policy: Pick<Settings, 'onFailed'>,
): FailedDecision | undefined {
  const first = failed[0];
  if (!first) return undefined;
  if (policy.onFailed === 'fail') return { kind: 'fail', failed: first };
  const poolsOnly = first.pool !== undefined && !isFailed(cluster.provisioningState);
  return { kind: 'reconcile', pools: poolsOnly ? failed.map((b) => b.pool!) : [] };
}

function reconcileSteps(ctx: RunContext, d: { pools: string[] }, cluster: ClusterView): Step[] {
  return d.pools.length
    ? d.pools.map((p) => reconcilePoolStep(ctx.api, p))
    : [reconcileClusterStep(ctx.api, cluster.name)];
}

/** Failed resources the write would act on: reconcile them, or stop with the failure's cause. */
export async function clearFailed(
  ctx: RunContext,
  cluster: ClusterView,
  target: Target,
): Promise<ClusterView> {
  const failed = await enrich(ctx, failedFor(cluster, target));
  const decision = decideFailed(failed, cluster, ctx.s);
  if (!decision) return cluster;
  const f = failed[0]!;
  ctx.journal.note('failed', failedNote(f), 'warning');
  if (decision.kind === 'fail') {
    ctx.journal.failedState = f.pool ? { pool: f.pool } : {};
    throw new Stop(
      'failed',
      `${capitalise(where(f))} is in the Failed state; on-failed is "fail", so nothing was written. Reconcile it (on-failed: reconcile) once the cause is fixed.`,
      causeOf(f),
    );
  }
  const steps = reconcileSteps(ctx, decision, cluster);
  if (ctx.s.dryRun) {
    for (const step of steps) ctx.journal.planned(step.describe);
    return cluster;
  }
  for (const step of steps) {
    ctx.journal.did(step.describe);
    const accepted = await write(ctx, step);
    if (accepted === 'race') return ctx.snap.read();
    await waitOwnOrStop(ctx, step, accepted);
  }
  return ctx.snap.read();
}

function failedNote(f: Busy): string {
  const cause = f.operation?.error;
  const why = f.operation
    ? ` after ${f.operation.subOperationType ?? 'an operation'} (operation ${f.operation.id}) failed${cause ? `: ${cause.code}: ${cause.message}` : ''}`
    : '';
  return `${capitalise(where(f))} is in the Failed state${why}.`;
}

function causeOf(f: Busy): ArmError {
  return (
    f.operation?.error ?? {
      code: 'ResourceFailed',
      message: `${capitalise(where(f))} is in the Failed state.`,
    }
  );
}
