/**
 * Waiting for the operation this run started: it succeeds, fails (an AKS internal error is sent
 * once more), outlives operation-timeout (on-timeout), or the job is cancelled (on-cancel). The
 * run never leaves its own operation running unannounced.
 */
import { AksError, type ArmError } from '../arm-error.ts';
import type { WriteAccepted } from '../aks/api.ts';
import { terminalPhase } from '../aks/status.ts';
import { classify } from '../diagnose/classify.ts';
import { waitForOperation, type WaitEnd } from '../lro/wait.ts';
import { watch, type Obs, type Watched } from '../lro/watch.ts';
import type { Step } from '../operations/index.ts';
import { CANCELLED, capitalise, Stop, type RunContext } from './context.ts';
import { onCancelled, onTimedOut } from './own-abort.ts';
import { write } from './write.ts';

/** How an own operation that ended by itself ended, when it did not succeed. */
type OwnFailure =
  { kind: 'failed'; error: ArmError | undefined } | { kind: 'canceled'; status: string };

/**
 * Waits for an operation this run started. AKS internal errors are usually transient: the same
 * request is sent once more (it re-reads the resource, so it also reconciles it); any other
 * failure, or a second internal error, ends the run with its diagnosis.
 */
export async function waitOwnRetryingInternal(
  ctx: RunContext,
  step: Step,
  accepted: WriteAccepted,
): Promise<void | 'race'> {
  const first = await waitOwn(ctx, step, accepted);
  if (!first) return;
  if (
    first.kind === 'failed' &&
    first.error &&
    !ctx.retriedInternalError &&
    classify(first.error).category === 'internal-error'
  ) {
    ctx.retriedInternalError = true;
    ctx.journal.note(
      'retry',
      `AKS reported an internal error (${first.error.code}); these are usually transient, so the same request is sent once more.`,
      'warning',
    );
    const again = await write(ctx, step);
    if (again === 'race') return 'race';
    const second = await waitOwn(ctx, step, again);
    if (second) throw failureStop(step, second);
    return;
  }
  throw failureStop(step, first);
}

/** Waits for a reconcile or any step whose failure needs no retry. */
export async function waitOwnOrStop(
  ctx: RunContext,
  step: Step,
  accepted: WriteAccepted,
): Promise<void> {
  const failure = await waitOwn(ctx, step, accepted);
  if (failure) throw failureStop(step, failure);
}

function failureStop(step: Step, f: OwnFailure): Stop {
  if (f.kind === 'failed')
    return new Stop(
      'failed',
      `${capitalise(step.describe)} failed${f.error ? `: ${f.error.code}: ${f.error.message}` : '.'}`,
      f.error ?? { code: 'OperationFailed', message: 'The operation failed.' },
    );
  return new Stop(
    'failed',
    `${capitalise(step.describe)} was canceled by someone else (${f.status}).`,
    { code: 'OperationCanceled', message: 'The operation was canceled.' },
  );
}

/** What to watch for an accepted write; undefined when the write started no operation. */
function watchedOf(step: Step, accepted: WriteAccepted): Watched | undefined {
  if (!accepted.adopted && !accepted.operationId && !accepted.statusUrl && accepted.status !== 202)
    return undefined;
  return {
    ...(step.target.pool ? { pool: step.target.pool } : {}),
    ...(accepted.operationId ? { operationId: accepted.operationId } : {}),
    ...(accepted.statusUrl ? { statusUrl: accepted.statusUrl } : {}),
  };
}

/**
 * Waits for an operation this run started; undefined when it succeeded (or needed no wait), its
 * failure otherwise. On timeout or cancellation, on-timeout / on-cancel decide (and end the run).
 */
async function waitOwn(
  ctx: RunContext,
  step: Step,
  accepted: WriteAccepted,
): Promise<OwnFailure | undefined> {
  if (accepted.operationId) ctx.journal.operationId = accepted.operationId;
  if (accepted.adopted === 'done') {
    ctx.journal.note('wait', `Done: ${step.describe}.`);
    return undefined;
  }
  const w = watchedOf(step, accepted);
  if (!w) return undefined;
  ctx.r.startGroup(`Waiting: ${step.describe}`);
  let end: WaitEnd<Obs>;
  try {
    end = await waitForOperation<Obs>({
      observe: endingOnRefusal(watch(ctx.raw, w), w),
      timeoutSeconds: ctx.s.operationTimeoutSeconds,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      log: (line) => ctx.r.info(line),
      describe: step.describe,
      clock: ctx.clock,
    });
  } finally {
    ctx.r.endGroup();
  }
  if (end.kind === 'finished') return finished(ctx, step, w, end.last);
  if (end.kind === 'timed-out') return onTimedOut(ctx, step, w);
  onCancelled(ctx, step, w);
  throw new Stop('failed', 'The job was cancelled.', CANCELLED);
}

/** A failed operation's status URL answers with its error (start/stop): that is its end. */
function endingOnRefusal(observe: () => Promise<Obs>, w: Watched): () => Promise<Obs> {
  return async () => {
    try {
      return await observe();
    } catch (err) {
      if (
        err instanceof AksError &&
        err.statusCode !== undefined &&
        err.statusCode < 500 &&
        err.statusCode !== 429
      ) {
        return {
          status: 'Failed',
          op: { id: w.operationId ?? '', status: 'Failed', error: err.armError },
        };
      }
      throw err;
    }
  };
}

async function finished(
  ctx: RunContext,
  step: Step,
  w: Watched,
  last: Obs,
): Promise<OwnFailure | undefined> {
  const phase = terminalPhase(last.status);
  if (phase === 'succeeded') {
    ctx.journal.note('wait', `Done: ${step.describe}.`);
    return undefined;
  }
  if (phase === 'failed')
    return { kind: 'failed', error: last.op?.error ?? (await latestError(ctx, w)) };
  return { kind: 'canceled', status: last.status };
}

async function latestError(ctx: RunContext, w: Watched): Promise<ArmError | undefined> {
  const op = await ctx.api.operation(w.operationId ?? 'latest', w.pool).catch(() => undefined);
  return op && op !== 'unavailable' ? op.error : undefined;
}
