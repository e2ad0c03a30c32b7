/** What every part of a guard run works with: settings, the cluster API, the clock, the journal. */
import type { ArmError } from '../arm-error.ts';
import type { AksApi } from '../aks/api.ts';
import type { Clockwork } from '../lro/wait.ts';
import type { Busy } from '../pending.ts';
import type { Result } from '../outcome.ts';
import type { Reporter } from '../reporter.ts';
import type { Settings } from '../settings.ts';
import type { Journal } from './journal.ts';
import type { Snapshot } from './snapshot.ts';

export interface RunContext {
  readonly s: Settings;
  /** Reads retried through throttling and blips (bounded); writes as they are. */
  readonly api: AksApi;
  /** Reads as they are: waits retry on their own, within their budget. */
  readonly raw: AksApi;
  readonly r: Reporter;
  readonly clock: Clockwork;
  readonly signal: AbortSignal | undefined;
  readonly journal: Journal;
  readonly snap: Snapshot;
  /** How many aborts this run has sent to operations in its way. */
  abortsSent: number;
  retriedInternalError: boolean;
}

/** Ends the run early with this outcome (a typed early return through the layers). */
export class Stop extends Error {
  readonly result: Result;
  readonly error: ArmError | undefined;
  constructor(result: Result, message: string, error?: ArmError) {
    super(message);
    this.result = result;
    this.error = error;
  }
}

export const CANCELLED: ArmError = { code: 'Cancelled', message: 'The job was cancelled.' };

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Fills in the operation behind each busy resource (operations/latest, when this ARM serves it). */
export async function enrich(ctx: RunContext, busy: Busy[]): Promise<Busy[]> {
  const out: Busy[] = [];
  for (const b of busy) {
    const op = await ctx.snap.latestOf(b.pool);
    out.push(op && op !== 'unavailable' ? { ...b, operation: op } : b);
  }
  return out;
}
