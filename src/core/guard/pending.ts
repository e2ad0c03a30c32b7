/**
 * on-pending: what to do about an operation in the way of the write. `decidePending` is the
 * policy (pure, a function of what was read); a dry run prints its decision, a real run carries
 * the same decision out, so the two cannot drift.
 */
import { AksError } from '../arm-error.ts';
import type { ClusterView, WriteAccepted } from '../aks/api.ts';
import { isBusy, isCanceling, terminalPhase } from '../aks/status.ts';
import { formatDuration } from '../duration.ts';
import { waitForOperation, type WaitEnd } from '../lro/wait.ts';
import { observationOf, watch, type Obs } from '../lro/watch.ts';
import { blockers, describeBusy, where, type Busy, type Target } from '../pending.ts';
import type { Settings } from '../settings.ts';
import { CANCELLED, capitalise, enrich, Stop, type RunContext } from './context.ts';

/** How many aborts one run sends to operations in its way. */
export const MAX_ABORTS = 3;

export type PendingDecision =
  | { kind: 'fail' }
  | { kind: 'wait' }
  /** on-pending abort, but an abort is already under way: wait for it to end, never abort again. */
  | { kind: 'wait-canceling' }
  | { kind: 'abort' }
  /** on-pending abort with abort-after: wait, and abort once the operation is that old. */
  | { kind: 'wait-then-abort'; abortAfterSeconds: number };

export type PendingPolicy = Pick<Settings, 'onPending' | 'abortAfterSeconds'>;

/** The operation's age in ms (0 when its start time is unknown). */
export function ageMs(b: Busy, nowMs: number): number {
  return b.operation?.startTime ? nowMs - b.operation.startTime.getTime() : 0;
}

export function decidePending(b: Busy, policy: PendingPolicy, nowMs: number): PendingDecision {
  if (policy.onPending === 'fail') return { kind: 'fail' };
  if (policy.onPending === 'wait') return { kind: 'wait' };
  if (isCanceling(b.operation?.status ?? b.state)) return { kind: 'wait-canceling' };
  const after = policy.abortAfterSeconds;
  if (after !== undefined && ageMs(b, nowMs) < after * 1000)
    return { kind: 'wait-then-abort', abortAfterSeconds: after };
  return { kind: 'abort' };
}

/** The decision in a dry run's words (and the words the real run records when it acts). */
export function describePending(d: PendingDecision, b: Busy, s: Settings): string {
  const upTo = `up to ${formatDuration(s.waitTimeoutSeconds)}`;
  switch (d.kind) {
    case 'fail':
      return 'stop here: on-pending is "fail"';
    case 'wait':
      return `wait for it (${upTo})`;
    case 'wait-canceling':
      return `wait for it to end (${upTo}): it is already being canceled, so no abort is sent`;
    case 'abort':
      return `abort it (POST .../abort on ${where(b)})`;
    case 'wait-then-abort':
      return `wait for it (${upTo}), aborting it once it is older than ${formatDuration(d.abortAfterSeconds)}`;
  }
}

/** Deals with every operation in the way of the write, per on-pending; returns a fresh view. */
export async function clearPending(
  ctx: RunContext,
  cluster: ClusterView,
  target: Target,
): Promise<ClusterView> {
  const deadline = ctx.clock.now() + ctx.s.waitTimeoutSeconds * 1000 - ctx.journal.waitedMs;
  for (;;) {
    const busy = await enrich(ctx, blockers(cluster, target));
    if (busy.length === 0) return cluster;
    const b = busy[0]!;
    const text = describeBusy(b, ctx.clock.now());
    ctx.journal.pendingOperation ??= text;
    const decision = decidePending(b, ctx.s, ctx.clock.now());
    ctx.r.startGroup(`Pending: ${text}`);
    try {
      ctx.journal.note('pending', `In progress: ${text}.`);
      if (ctx.s.dryRun) {
        ctx.journal.planned(describePending(decision, b, ctx.s));
        // The real run ends here: so does the plan.
        if (decision.kind === 'fail')
          throw new Stop(
            'dry-run',
            `Dry run: nothing was written. ${capitalise(text)} is in progress, and on-pending is "fail": the run would stop here.`,
          );
        return cluster;
      }
      ctx.journal.did(describePending(decision, b, ctx.s));
      await actOnPending(ctx, decision, b, text, deadline);
    } finally {
      ctx.r.endGroup();
    }
    cluster = await ctx.snap.read();
    if (!isBusy(cluster.provisioningState))
      ctx.journal.note('pending', `Cluster ${cluster.name} is now ${cluster.provisioningState}.`);
  }
}

async function actOnPending(
  ctx: RunContext,
  d: PendingDecision,
  b: Busy,
  text: string,
  deadline: number,
): Promise<void> {
  switch (d.kind) {
    case 'fail':
      throw new Stop('failed', `${capitalise(text)} is in progress, and on-pending is "fail".`, {
        code: 'OperationInProgress',
        message: `${capitalise(text)} is in progress.`,
      });
    case 'wait':
      await waitForPending(ctx, b, deadline);
      return;
    case 'wait-canceling':
      ctx.journal.note('pending', 'It is already being canceled: waiting for it to end.');
      await waitForPending(ctx, b, deadline);
      return;
    case 'abort':
      await abortPending(ctx, b, deadline);
      return;
    case 'wait-then-abort': {
      ctx.journal.note(
        'pending',
        `It is younger than abort-after (${formatDuration(d.abortAfterSeconds)}): waiting, and aborting it if it gets that old.`,
      );
      const end = await waitForPending(
        ctx,
        b,
        deadline,
        (o) =>
          ageMs({ ...b, ...(o.op ? { operation: o.op } : {}) }, ctx.clock.now()) >=
          d.abortAfterSeconds * 1000,
      );
      if (end.kind === 'stopped')
        await abortPending(
          ctx,
          { ...b, ...(end.last.op ? { operation: end.last.op } : {}) },
          deadline,
        );
    }
  }
}

/** Waits for an operation in the way, within the run's wait-timeout. */
export async function waitForPending(
  ctx: RunContext,
  b: Busy,
  deadline: number,
  stopWhen?: (o: Obs) => boolean,
): Promise<WaitEnd<Obs>> {
  const started = ctx.clock.now();
  const op = b.operation;
  const end = await waitForOperation<Obs>({
    observe: watch(ctx.raw, {
      ...(b.pool ? { pool: b.pool } : {}),
      ...(op ? { operationId: op.id } : {}),
    }),
    timeoutSeconds: Math.max(0, (deadline - started) / 1000),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(stopWhen ? { stopWhen } : {}),
    log: (line) => ctx.r.info(line),
    describe: `${op?.subOperationType ?? b.state} on ${where(b)}`,
    clock: ctx.clock,
    // The pre-flight's read of the operation is the first observation: one read saved.
    ...(op ? { initial: observationOf(op) } : {}),
  });
  ctx.journal.waitedMs += ctx.clock.now() - started;
  if (end.kind === 'timed-out') {
    throw new Stop(
      'timed-out',
      `Waited ${formatDuration(ctx.s.waitTimeoutSeconds)} (wait-timeout) for ${describeBusy(b, ctx.clock.now())}; it has not finished.`,
      {
        code: 'WaitTimeout',
        message: 'The operation in progress did not finish within wait-timeout.',
      },
    );
  }
  if (end.kind === 'cancelled')
    throw new Stop(
      'failed',
      'The job was cancelled while waiting; nothing was written.',
      CANCELLED,
    );
  if (end.kind === 'finished')
    ctx.journal.note(
      'pending',
      `It ended: ${end.last.status}${end.last.op?.error ? ` (${end.last.op.error.code})` : ''}.`,
    );
  return end;
}

/**
 * Aborts an operation in the way: 202 → wait for Canceled; 204 → it is canceling, wait for it to
 * end (never abort again while it cancels); 409 → it already ended. At most MAX_ABORTS aborts.
 * 'ended-first' when the abort lost the race to the operation's own end (nothing was aborted).
 */
export async function abortPending(
  ctx: RunContext,
  b: Busy,
  deadline: number,
): Promise<'canceled' | 'ended-first'> {
  if (++ctx.abortsSent > MAX_ABORTS) {
    throw new Stop(
      'failed',
      `Sent ${MAX_ABORTS} aborts and ${describeBusy(b, ctx.clock.now())} is still in progress; giving up rather than aborting again.`,
      { code: 'AbortIneffective', message: 'The operation in progress did not end after abort.' },
    );
  }
  const accepted = await sendAbort(ctx, b);
  if (!accepted) return 'ended-first';
  const op = b.operation;
  const abortedBefore = ctx.journal.abortedOperationId;
  ctx.journal.abortedOperationId = op?.id ?? accepted.operationId;
  ctx.journal.note(
    'abort',
    `Aborted ${op?.subOperationType ?? b.state} on ${where(b)}${op ? ` (operation ${op.id})` : ''}: HTTP ${accepted.status}.`,
    'warning',
  );
  const end = await waitForOperation<Obs>({
    observe: watch(ctx.raw, {
      ...(b.pool ? { pool: b.pool } : {}),
      ...(op
        ? { operationId: op.id }
        : accepted.statusUrl
          ? { statusUrl: accepted.statusUrl }
          : {}),
    }),
    timeoutSeconds: Math.max(0, (deadline - ctx.clock.now()) / 1000),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    log: (line) => ctx.r.info(line),
    describe: `abort of ${op?.subOperationType ?? b.state} on ${where(b)}`,
    clock: ctx.clock,
  });
  if (end.kind === 'finished') {
    if (terminalPhase(end.last.status) === 'canceled') {
      ctx.journal.note('abort', `The aborted operation ended: ${end.last.status}.`);
      return 'canceled';
    }
    // The abort lost the race: the operation ended by itself before it took effect.
    ctx.journal.abortedOperationId = abortedBefore;
    ctx.journal.note(
      'abort',
      `The operation finished (${end.last.status}) before the abort took effect: nothing was aborted.`,
      'warning',
    );
    return 'ended-first';
  }
  if (end.kind === 'timed-out')
    throw new Stop(
      'timed-out',
      `Aborted ${describeBusy(b, ctx.clock.now())}, but it did not end within wait-timeout (${formatDuration(ctx.s.waitTimeoutSeconds)}).`,
      { code: 'WaitTimeout', message: 'The aborted operation did not end within wait-timeout.' },
    );
  throw new Stop(
    'failed',
    'The job was cancelled while an abort was ending; nothing else was written.',
    CANCELLED,
  );
}

/** POST …/abort; undefined when AKS answered 409 because the operation had already ended. */
async function sendAbort(ctx: RunContext, b: Busy): Promise<WriteAccepted | undefined> {
  try {
    const accepted = await ctx.api.abort(b.pool);
    ctx.snap.wrote();
    return accepted;
  } catch (err) {
    if (err instanceof AksError && err.statusCode === 409) {
      ctx.journal.note(
        'abort',
        `Abort answered 409 (${err.armError.message}); the operation has already ended. Checking again.`,
      );
      return undefined;
    }
    throw err;
  }
}
