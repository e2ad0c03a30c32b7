/**
 * on-timeout and on-cancel: aborting the operation this run started. An abort can lose the race
 * to the operation's own end (AKS answers 409, or the operation ends Succeeded or Failed instead
 * of Canceled); then that ending is what the run reports.
 */
import { AksError, type ArmError } from '../arm-error.ts';
import type { WriteAccepted } from '../aks/api.ts';
import { isTerminal, terminalPhase } from '../aks/status.ts';
import { formatDuration } from '../duration.ts';
import { waitForOperation } from '../lro/wait.ts';
import { watch, type Obs, type Watched } from '../lro/watch.ts';
import type { Step } from '../operations/index.ts';
import { where } from '../pending.ts';
import { CANCELLED, capitalise, Stop, type RunContext } from './context.ts';
import { compose } from './ending.ts';

/**
 * How long an abort of this run's own operation may take after a cancellation. GitHub's runner
 * (and the Azure Pipelines agent) send SIGINT, then SIGTERM 7.5 s later, then kill the step 2.5 s
 * after that; the summary and outputs are written first, and 6 s leaves time to update them.
 */
export const ABORT_GRACE_MS = 6_000;

/** How long on-timeout: abort waits for the operation to reach Canceled. */
export const ABORT_WAIT_MS = 300_000;

/** How an abort of this run's own operation went. */
type AbortEnd =
  | { kind: 'canceled' }
  | { kind: 'sent'; reason: string }
  | { kind: 'finished-first'; status: 'succeeded' | 'failed'; error?: ArmError }
  | { kind: 'not-sent'; reason: string };

/** operation-timeout passed: on-timeout fail reports it still running, abort aborts it. */
export async function onTimedOut(ctx: RunContext, step: Step, w: Watched): Promise<undefined> {
  const limit = formatDuration(ctx.s.operationTimeoutSeconds);
  const id = w.operationId ?? '(unknown)';
  if (ctx.s.onTimeout !== 'abort')
    throw new Stop(
      'timed-out',
      `${capitalise(step.describe)} did not finish within ${limit} (operation-timeout); it is still running as operation ${id} (on-timeout: fail).`,
      {
        code: 'OperationTimeout',
        message: 'The operation did not finish within operation-timeout.',
      },
    );
  const abort = await abortOwn(ctx, w, `it did not finish within operation-timeout (${limit})`, {
    waitForCanceled: true,
    deadlineMs: ctx.clock.now() + ABORT_WAIT_MS,
  });
  if (abort.kind === 'finished-first') {
    // The abort came too late: the operation ended by itself. Report what happened.
    if (abort.status === 'failed')
      throw new Stop(
        'failed',
        `${capitalise(step.describe)} failed before the abort took effect${abort.error ? `: ${abort.error.code}: ${abort.error.message}` : '.'}`,
        abort.error ?? { code: 'OperationFailed', message: 'The operation failed.' },
      );
    ctx.journal.note(
      'abort',
      `${capitalise(step.describe)} outlived operation-timeout (${limit}) but finished (Succeeded) before the abort took effect: nothing was aborted.`,
      'warning',
    );
    return undefined;
  }
  throw new Stop(
    abort.kind === 'not-sent' ? 'timed-out' : 'aborted',
    abort.kind === 'not-sent'
      ? `${capitalise(step.describe)} did not finish within ${limit}; the abort this run sent failed (${abort.reason}), so it may still be running as operation ${id}.`
      : `${capitalise(step.describe)} did not finish within ${limit}; this run aborted it (on-timeout: abort)${abort.kind === 'sent' ? `, but ${abort.reason}` : ''}.`,
    {
      code: 'OperationTimeout',
      message: 'The operation did not finish within operation-timeout and was aborted.',
    },
  );
}

/**
 * The job was cancelled while the run's own operation ran. With on-cancel abort, the runner kills
 * a cancelled step a few seconds after SIGINT: the summary and outputs are published first, then
 * the abort is sent within what is left (Outcome.followUp).
 */
export function onCancelled(ctx: RunContext, step: Step, w: Watched): never {
  const id = w.operationId ?? '(unknown id)';
  if (ctx.s.onCancel !== 'abort')
    throw new Stop(
      'failed',
      `The job was cancelled; ${step.describe} is still running as operation ${w.operationId ?? '(unknown)'} (on-cancel: leave).`,
      CANCELLED,
    );
  ctx.journal.followUp = async (deadlineMs) => {
    const abort = await abortOwn(ctx, w, 'the job was cancelled', {
      waitForCanceled: false,
      deadlineMs,
    });
    if (abort.kind === 'finished-first' && abort.status === 'succeeded')
      return compose(
        ctx,
        'succeeded',
        `The job was cancelled, but ${step.describe} had already finished (Succeeded) when the abort (on-cancel: abort) reached it.`,
        undefined,
        false,
      );
    return compose(
      ctx,
      abort.kind === 'not-sent' ? 'failed' : 'aborted',
      abort.kind === 'not-sent'
        ? `The job was cancelled; the abort of ${step.describe} (operation ${id}, on-cancel: abort) failed (${abort.reason}): it may still be running.`
        : `The job was cancelled; this run aborted ${step.describe} (operation ${id}, on-cancel: abort).`,
      CANCELLED,
      false,
    );
  };
  throw new Stop(
    'aborted',
    `The job was cancelled; this run is aborting ${step.describe} (operation ${id}, on-cancel: abort). If this report is not updated, the abort's outcome is unknown: check the operation on the cluster.`,
    CANCELLED,
  );
}

/**
 * Aborts the operation this run started, within `deadlineMs` (the request too: a cancelled job
 * has seconds left). With waitForCanceled, waits for the operation to end, honouring the job's
 * cancellation.
 */
async function abortOwn(
  ctx: RunContext,
  w: Watched,
  why: string,
  o: { waitForCanceled: boolean; deadlineMs: number },
): Promise<AbortEnd> {
  const budget = AbortSignal.timeout(Math.max(1, o.deadlineMs - ctx.clock.now()));
  let accepted: WriteAccepted;
  try {
    accepted = await ctx.api.abort(w.pool, { abortSignal: budget });
    ctx.snap.wrote();
  } catch (err) {
    return abortRefused(ctx, w, err, budget.aborted);
  }
  ctx.journal.abortedOperationId = w.operationId ?? accepted.operationId;
  ctx.journal.note(
    'abort',
    `Aborted the operation this run started (${w.operationId ?? 'unknown id'}) on ${where(w)} because ${why}: HTTP ${accepted.status}.`,
    'warning',
  );
  if (!o.waitForCanceled) return { kind: 'sent', reason: 'its end was not waited for' };
  const end = await waitForOperation<Obs>({
    observe: watch(ctx.raw, w),
    timeoutSeconds: Math.max(0, (o.deadlineMs - ctx.clock.now()) / 1000),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    log: (line) => ctx.r.info(line),
    describe: `abort on ${where(w)}`,
    clock: ctx.clock,
  });
  if (end.kind === 'cancelled')
    return { kind: 'sent', reason: 'the job was cancelled before Canceled was confirmed' };
  if (end.kind !== 'finished')
    return { kind: 'sent', reason: 'Canceled was not confirmed in time' };
  const phase = terminalPhase(end.last.status);
  if (phase === 'canceled') return { kind: 'canceled' };
  ctx.journal.abortedOperationId = undefined;
  return {
    kind: 'finished-first',
    status: phase === 'succeeded' ? 'succeeded' : 'failed',
    ...(end.last.op?.error ? { error: end.last.op.error } : {}),
  };
}

/** The abort was refused or got no answer: 409 because the operation had ended, or a failure. */
async function abortRefused(
  ctx: RunContext,
  w: Watched,
  err: unknown,
  timedOut: boolean,
): Promise<AbortEnd> {
  const ended = err instanceof AksError && err.statusCode === 409 ? await endOf(ctx, w) : undefined;
  if (ended) {
    ctx.journal.note(
      'abort',
      `The abort of the operation this run started (${w.operationId ?? 'unknown id'}) came too late: it had already ended (${ended.status}).`,
      'warning',
    );
    return { kind: 'finished-first', ...ended };
  }
  const reason = timedOut
    ? `no answer within ${formatDuration(ABORT_GRACE_MS / 1000)}`
    : String(err instanceof AksError ? err.message : err);
  ctx.journal.note(
    'abort',
    `Could not abort the operation this run started (${w.operationId ?? 'unknown id'}) on ${where(w)}: ${reason}. It may still be running.`,
    'warning',
  );
  return { kind: 'not-sent', reason };
}

/** How an operation ended, if it has (one read of its status). */
async function endOf(
  ctx: RunContext,
  w: Watched,
): Promise<{ status: 'succeeded' | 'failed'; error?: ArmError } | undefined> {
  const op = await ctx.api.operation(w.operationId ?? 'latest', w.pool).catch(() => undefined);
  if (!op || op === 'unavailable' || !isTerminal(op.status)) return undefined;
  const phase = terminalPhase(op.status);
  if (phase === 'canceled') return undefined;
  return {
    status: phase === 'succeeded' ? 'succeeded' : 'failed',
    ...(op.error ? { error: op.error } : {}),
  };
}
