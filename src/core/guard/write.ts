/**
 * One write, with If-Match set to the ETag just read: a 409 "another operation" is a race (the
 * caller checks again), a 412 re-reads, a 429 backs off, each bounded. Any failed attempt may still
 * have been applied (the answer lost on the way, the SDK's retry then refused with 412 or 409
 * because of this very write): before a failure is taken for another writer's, the resource is
 * read and the step's intent looked for on it.
 */
import { AksError } from '../arm-error.ts';
import type { ClusterView, OperationStatus, WriteAccepted } from '../aks/api.ts';
import { isBusy, isTerminal } from '../aks/status.ts';
import type { Shows, Step } from '../operations/index.ts';
import { stateOf, where } from '../pending.ts';
import type { RunContext } from './context.ts';

/** How many times a write may meet a race (409 "another operation", 412 ETag) before giving up. */
export const MAX_WRITE_RACES = 3;

/** Sends one write; 'race' when another operation got there first (409). */
export async function write(ctx: RunContext, step: Step): Promise<WriteAccepted | 'race'> {
  ctx.r.startGroup(`Write: ${step.describe}`);
  try {
    const before = step.intent.byNewOperation ? await latestId(ctx, step.target.pool) : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const accepted = await step.send();
        ctx.snap.wrote();
        ctx.journal.note(
          'write',
          `Sent: ${step.describe} (HTTP ${accepted.status}${accepted.operationId ? `, operation ${accepted.operationId}` : ''}).`,
        );
        return accepted;
      } catch (err) {
        ctx.snap.wrote();
        const own = await recogniseOwn(ctx, step, before, err);
        if (own) return own;
        if (!(err instanceof AksError) || attempt >= MAX_WRITE_RACES) throw err;
        const next = await afterRefusal(ctx, err);
        if (next === 'race') return 'race';
      }
    }
  } finally {
    ctx.r.endGroup();
  }
}

/** What a refused write does next: 'race' (409), or 'again' after a 412 or a 429's back-off. */
async function afterRefusal(ctx: RunContext, err: AksError): Promise<'race' | 'again'> {
  if (err.isOperationInProgress) {
    ctx.journal.note(
      'write',
      `The write met another operation that started after the check (409: ${err.armError.message}). Checking again.`,
      'warning',
    );
    return 'race';
  }
  if (err.statusCode === 412) {
    ctx.journal.note(
      'write',
      'The resource changed between the read and the write (412, ETag mismatch); reading it again.',
      'warning',
    );
    return 'again';
  }
  if (err.statusCode === 429) {
    const seconds = err.retryAfterSeconds ?? 30;
    ctx.journal.note('write', `ARM is throttling (429); retrying in ${seconds}s.`, 'warning');
    await ctx.clock.sleep(seconds * 1000, ctx.signal);
    return 'again';
  }
  throw err;
}

/** The id of the latest operation where a write lands (undefined when unknown). */
async function latestId(ctx: RunContext, pool: string | undefined): Promise<string | undefined> {
  const op = await ctx.api.operation('latest', pool).catch(() => undefined);
  return op && op !== 'unavailable' ? op.id : undefined;
}

async function latestOp(
  ctx: RunContext,
  pool: string | undefined,
): Promise<OperationStatus | undefined> {
  const op = await ctx.snap.latestOf(pool);
  return op && op !== 'unavailable' ? op : undefined;
}

/**
 * After a failed write: whether it landed after all. Reads the cluster and asks the step's intent;
 * adopts the operation it finds, so the run waits for it as its own and never aborts or repeats it.
 */
async function recogniseOwn(
  ctx: RunContext,
  step: Step,
  latestBefore: string | undefined,
  err: unknown,
): Promise<WriteAccepted | undefined> {
  const pool = step.target.pool;
  let cluster: ClusterView;
  try {
    // Reads are retried through blips: the connection that lost the answer may still be flaky.
    cluster = await ctx.snap.read();
  } catch {
    return undefined;
  }
  let shows: Shows = step.intent.shows(cluster);
  let op: OperationStatus | undefined;
  if (shows === 'no' && step.intent.byNewOperation) {
    const latest = await latestOp(ctx, pool);
    if (latest && latest.id !== latestBefore && !isTerminal(latest.status)) {
      shows = 'in-progress';
      op = latest;
    }
  }
  if (shows === 'no') return undefined;
  if (shows === 'in-progress' && !op) {
    // The operation that carries the change: the running one, or, when the resource already
    // ended Failed or Canceled, the one that ended it (its error is the run's diagnosis).
    const state = stateOf(cluster, pool);
    const ended = state !== undefined && !isBusy(state);
    const latest = await latestOp(ctx, pool);
    if (latest && latest.id !== latestBefore && isTerminal(latest.status) === ended) op = latest;
  }
  ctx.journal.note('write', adoptionNote(step, shows, op, err), 'warning');
  return { status: 0, adopted: shows, ...(op ? { operationId: op.id } : {}) };
}

function adoptionNote(
  step: Step,
  shows: Exclude<Shows, 'no'>,
  op: OperationStatus | undefined,
  err: unknown,
): string {
  const why =
    err instanceof AksError && err.statusCode !== undefined
      ? `was refused on a retry (${err.statusCode} ${err.armError.code})`
      : `got no complete answer (${err instanceof AksError ? err.armError.code : 'connection lost'})`;
  const how =
    shows === 'done'
      ? 'applied and finished'
      : op && isTerminal(op.status)
        ? `applied and ended ${op.status}`
        : 'under way';
  return `The write ${why}, but ${where(step.target)} shows it ${how}${op ? ` as operation ${op.id}` : ''}: it is this run's own change, so it is not aborted or sent again.`;
}
