/**
 * The guard: what a careful operator does around one AKS operation. Read the cluster, deal with
 * whatever is in progress (wait, abort or stop) and with Failed resources (reconcile or stop),
 * validate the request, write it with the ETag just read, handle a race with another writer, wait
 * for the operation with a timeout, and never leave an operation this run started unannounced.
 *
 * A linear run: snapshot → decide → act → journal.toOutcome(). The parts live in guard/: the
 * policies (pending.ts, failed.ts) decide from what was read, and the same decision is printed by a
 * dry run and carried out by a real one; write.ts and own-operation.ts act.
 */
import type { AksApi, ClusterView } from './aks/api.ts';
import { formatDuration } from './duration.ts';
import { realClockwork, type Clockwork } from './lro/wait.ts';
import { planOperation, targetOf, type Step } from './operations/index.ts';
import type { Outcome } from './outcome.ts';
import { describeOperation } from './pending.ts';
import type { Reporter } from './reporter.ts';
import type { Settings } from './settings.ts';
import type { Spelling } from './inputs.ts';
import { withRetriedReads } from './transient.ts';
import { abortOperation } from './guard/abort-operation.ts';
import { capitalise, Stop, type RunContext } from './guard/context.ts';
import { compose, settle } from './guard/ending.ts';
import { clearFailed } from './guard/failed.ts';
import { Journal } from './guard/journal.ts';
import { waitOwnRetryingInternal } from './guard/own-operation.ts';
import { clearPending } from './guard/pending.ts';
import { reportOperation } from './guard/report-operation.ts';
import { runCommand } from './guard/run-command.ts';
import { Snapshot } from './guard/snapshot.ts';
import { MAX_WRITE_RACES, write } from './guard/write.ts';

export { ABORT_GRACE_MS, ABORT_WAIT_MS } from './guard/own-abort.ts';
export { MAX_ABORTS } from './guard/pending.ts';
export { MAX_WRITE_RACES } from './guard/write.ts';

export interface GuardDeps {
  client: AksApi;
  reporter: Reporter;
  clock?: Clockwork;
  /** Aborted when the job is cancelled (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** How the front door names inputs, for the run's log lines (`onPending`, `--on-pending`). */
  spelling?: Spelling;
}

/** How long a read outside a wait (pre-flight, checks) keeps retrying throttling and blips. */
export const PREFLIGHT_RETRY_MS = 120_000;

export async function runGuard(settings: Settings, deps: GuardDeps): Promise<Outcome> {
  const ctx = contextOf(settings, deps);
  const ending = await settle(ctx, () => main(ctx));
  return compose(ctx, ending.result, ending.message, ending.error, true);
}

function contextOf(s: Settings, deps: GuardDeps): RunContext {
  const clock = deps.clock ?? realClockwork;
  const r = deps.reporter;
  const signal = deps.signal;
  // A read outside a wait retries for at most PREFLIGHT_RETRY_MS, and never longer than the run
  // is willing to wait for anything before writing (wait-timeout).
  const readBudgetMs = Math.min(PREFLIGHT_RETRY_MS, s.waitTimeoutSeconds * 1000);
  const api = withRetriedReads(deps.client, () => ({
    clock,
    deadlineMs: clock.now() + readBudgetMs,
    ...(signal ? { signal } : {}),
    onRetry: (err, delayMs) =>
      r.info(
        `Reading from ARM failed (${err.statusCode ?? err.code}: ${err.armError.message}); reading again in ${formatDuration(Math.ceil(delayMs / 1000))}.`,
      ),
  }));
  return {
    s,
    api,
    raw: deps.client,
    r,
    clock,
    signal,
    journal: new Journal(r, clock, deps.spelling),
    snap: new Snapshot(api, r),
    abortsSent: 0,
    retriedInternalError: false,
  };
}

/** The run; returns the closing message, or throws Stop. */
async function main(ctx: RunContext): Promise<string> {
  let cluster = await preflight(ctx);
  const s = ctx.s;
  if (s.operation === 'abort') return abortOperation(ctx, cluster);
  if (s.operation === 'report') return reportOperation(ctx, cluster);
  if (s.operation === 'run-command') return runCommand(ctx);
  const target = targetOf(s);
  for (let races = 0; ; races++) {
    cluster = await clearPending(ctx, cluster, target);
    cluster = await clearFailed(ctx, cluster, target);
    const plan = await planOperation(s, cluster, ctx.api);
    if (plan.kind === 'read-only')
      return `Cluster ${cluster.name} is ready: ${cluster.provisioningState}, ${cluster.powerState}, Kubernetes ${cluster.currentKubernetesVersion}; no operation in progress.`;
    if (plan.kind === 'skip') throw new Stop('skipped', plan.reason);
    for (const n of plan.notes) ctx.journal.note('plan', n, 'warning');
    if (s.dryRun) {
      for (const step of plan.steps) ctx.journal.planned(stepPlan(ctx, step));
      return `Dry run: nothing was written. ${ctx.journal.plan.length} step(s) planned.`;
    }
    if (!(await runSteps(ctx, plan.steps)))
      return `${capitalise(s.operation)} of ${cluster.name} succeeded.`;
    if (races + 1 >= MAX_WRITE_RACES) {
      throw new Stop(
        'failed',
        `Gave up after ${MAX_WRITE_RACES} writes met another operation that started between the check and the write.`,
        {
          code: 'OperationNotAllowed',
          message: 'Another operation kept starting between the check and the write.',
        },
      );
    }
    cluster = await ctx.snap.read();
  }
}

/** The cluster and its latest operation, as the run finds them. */
async function preflight(ctx: RunContext): Promise<ClusterView> {
  ctx.r.startGroup('Pre-flight');
  try {
    const cluster = await ctx.snap.read();
    ctx.journal.before = cluster;
    ctx.journal.note('pre-flight', describeCluster(cluster));
    const latest = await ctx.snap.latestOf(undefined);
    if (latest === 'unavailable') {
      ctx.r.info(
        'This ARM endpoint does not serve operations/latest (preview API); going on without it.',
      );
    } else if (latest) {
      ctx.journal.latest = latest;
      ctx.journal.note(
        'pre-flight',
        `Latest operation on the cluster: ${describeOperation(latest, ctx.clock.now())}.`,
      );
    }
    return cluster;
  } finally {
    ctx.r.endGroup();
  }
}

/** A step in the words of a dry run's plan (and of what the real run records doing). */
function stepPlan(ctx: RunContext, step: Step): string {
  return `${step.describe}, with If-Match set to the ETag just read, then wait for it (timeout ${formatDuration(ctx.s.operationTimeoutSeconds)}, on-timeout ${ctx.s.onTimeout})`;
}

/** Writes and waits for each step; true when a write met another operation (a race). */
async function runSteps(ctx: RunContext, steps: Step[]): Promise<boolean> {
  for (const step of steps) {
    ctx.journal.did(stepPlan(ctx, step));
    const accepted = await write(ctx, step);
    if (accepted === 'race') return true;
    if ((await waitOwnRetryingInternal(ctx, step, accepted)) === 'race') return true;
  }
  return false;
}

function describeCluster(c: ClusterView): string {
  const pools = c.pools
    .map(
      (p) =>
        `${p.name} ${p.provisioningState}/${p.powerState} ${p.count} nodes ${p.currentOrchestratorVersion}`,
    )
    .join('; ');
  return `Cluster ${c.name}: ${c.provisioningState}, ${c.powerState}, Kubernetes ${c.currentKubernetesVersion}. Pools: ${pools}.`;
}
