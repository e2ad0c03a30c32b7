/** How a run ends: what was thrown or returned, turned into a result, and the Outcome from the journal. */
import { AksError, type ArmError } from '../arm-error.ts';
import type { ClusterView } from '../aks/api.ts';
import { ValidationError } from '../operations/index.ts';
import type { Outcome, Result } from '../outcome.ts';
import { Stop, type RunContext } from './context.ts';

export interface Ending {
  result: Result;
  message: string;
  error?: ArmError;
}

const FAILING: Result[] = ['failed', 'timed-out'];

/** Runs `main` and turns how it ended (a message, or what was thrown) into an Ending. */
export async function settle(ctx: RunContext, main: () => Promise<string>): Promise<Ending> {
  try {
    const message = await main();
    return { result: ctx.s.dryRun ? 'dry-run' : 'succeeded', message };
  } catch (err) {
    return endingOf(ctx, err);
  }
}

function endingOf(ctx: RunContext, err: unknown): Ending {
  if (err instanceof Stop) {
    if (err.result === 'skipped') ctx.journal.note('done', err.message);
    return { result: err.result, message: err.message, ...(err.error ? { error: err.error } : {}) };
  }
  if (err instanceof ValidationError)
    return {
      result: 'failed',
      message: err.message,
      error: { code: err.code, message: err.message },
    };
  if (err instanceof AksError) {
    const message =
      err.statusCode !== undefined
        ? `ARM answered ${err.statusCode}: ${err.armError.code}: ${err.armError.message}`
        : err.armError.message.includes(err.armError.code)
          ? err.armError.message
          : `${err.armError.code}: ${err.armError.message}`;
    return { result: 'failed', message, error: err.armError };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { result: 'failed', message, error: { code: 'UnexpectedError', message } };
}

/** The Outcome from the run's journal; `readAfter` reads the cluster once more when it changed. */
export async function compose(
  ctx: RunContext,
  result: Result,
  message: string,
  error: ArmError | undefined,
  readAfter: boolean,
): Promise<Outcome> {
  const { journal, snap } = ctx;
  let after: ClusterView | undefined = snap.current !== journal.before ? snap.current : undefined;
  if (readAfter && journal.before && snap.dirty) {
    try {
      after = await ctx.raw.getCluster();
    } catch (err) {
      ctx.r.debug(`could not read the cluster after the run: ${String(err)}`);
    }
  }
  const failed = FAILING.includes(result) || (result === 'aborted' && ctx.s.operation !== 'abort');
  // A failure is announced once, by the front door (setFailed / setResult); here it only joins
  // the timeline.
  if (failed) journal.quietly('done', message);
  else if (result !== 'skipped') journal.note('done', message);
  return journal.toOutcome({ result, message, failed, error }, after);
}
