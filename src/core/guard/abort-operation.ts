/** operation: abort — the operation in progress on the cluster, or on node-pool. */
import type { ClusterView } from '../aks/api.ts';
import { isBusy, isFailed } from '../aks/status.ts';
import { ValidationError } from '../operations/index.ts';
import { describeBusy, stateOf, where, type Busy } from '../pending.ts';
import { capitalise, enrich, Stop, type RunContext } from './context.ts';
import { abortPending } from './pending.ts';

export async function abortOperation(ctx: RunContext, cluster: ClusterView): Promise<string> {
  const pool = ctx.s.nodePool;
  const state = stateOf(cluster, pool);
  if (state === undefined)
    throw new ValidationError(
      'NodePoolNotFound',
      `Node pool "${pool}" does not exist in cluster ${cluster.name}.`,
    );
  const b: Busy = { ...(pool ? { pool } : {}), state };
  if (isFailed(state)) {
    throw new Stop(
      'skipped',
      `${capitalise(where(b))} is Failed: no operation is running, and AKS refuses to abort there. Use operation "reconcile".`,
    );
  }
  if (!isBusy(state)) throw new Stop('skipped', `Nothing to abort: ${where(b)} is ${state}.`);
  const [busy] = await enrich(ctx, [b]);
  const text = describeBusy(busy!, ctx.clock.now());
  ctx.journal.pendingOperation = text;
  if (ctx.s.dryRun) {
    ctx.journal.planned(`abort ${text}`);
    return 'Dry run: nothing was written.';
  }
  ctx.journal.did(`abort ${text}`);
  const ended = await abortPending(ctx, busy!, ctx.clock.now() + ctx.s.waitTimeoutSeconds * 1000);
  if (ended === 'ended-first')
    throw new Stop(
      'skipped',
      `Nothing was aborted: ${text} ended by itself before the abort took effect.`,
    );
  throw new Stop('aborted', `Aborted ${text}.`);
}
