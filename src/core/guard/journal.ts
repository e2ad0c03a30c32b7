/**
 * The run's timeline and outcome facts: the only mutable state of a run. Every part of the guard
 * writes what it learnt or did here; `toOutcome` turns it into the Outcome the front doors publish.
 */
import type { ArmError } from '../arm-error.ts';
import type { ClusterView, OperationStatus } from '../aks/api.ts';
import type { Outcome, Result, TimelineEntry } from '../outcome.ts';
import type { Reporter } from '../reporter.ts';
import type { Clockwork } from '../lro/wait.ts';
import { respellInputs, SPELLINGS, type Spelling } from '../inputs.ts';

export class Journal {
  readonly timeline: TimelineEntry[] = [];
  /** With dry-run: what would be done, in order. */
  readonly plan: string[] = [];
  /** What was done, in the words a dry run plans it (so the two can be compared). */
  readonly performed: string[] = [];
  waitedMs = 0;
  before: ClusterView | undefined;
  /** The cluster's latest operation, as the pre-flight found it. */
  latest: OperationStatus | undefined;
  pendingOperation: string | undefined;
  abortedOperationId: string | undefined;
  operationId: string | undefined;
  command: Outcome['command'];
  failedState: Outcome['failedState'];
  report: Outcome['report'];
  /** Work left for after the outcome is published (the abort a cancellation asked for). */
  followUp: Outcome['followUp'];

  private readonly r: Reporter;
  private readonly clock: Clockwork;
  private readonly spelling: Spelling;

  constructor(reporter: Reporter, clock: Clockwork, spelling: Spelling = SPELLINGS.action) {
    this.r = reporter;
    this.clock = clock;
    this.spelling = spelling;
  }

  /** A line of the run's log and timeline, naming inputs as the front door does (`onPending`). */
  note(phase: string, event: string, level: 'info' | 'warning' = 'info'): void {
    const said = this.spelling === SPELLINGS.action ? event : respellInputs(event, this.spelling);
    this.timeline.push({ at: new Date(this.clock.now()), phase, event: said });
    this.r[level](said);
  }

  /** A dry run's step: "Would …". */
  planned(line: string): void {
    this.plan.push(line);
    this.note('plan', `Would ${line}.`);
  }

  /** A step the real run carries out, in the words of `planned`. */
  did(line: string): void {
    this.performed.push(line);
  }

  /** The timeline entry of an ending that the front door announces itself. */
  quietly(phase: string, event: string): void {
    this.timeline.push({ at: new Date(this.clock.now()), phase, event });
  }

  toOutcome(
    ending: { result: Result; message: string; failed: boolean; error?: ArmError | undefined },
    after: ClusterView | undefined,
  ): Outcome {
    const followUp = this.followUp;
    this.followUp = undefined;
    return {
      result: ending.result,
      message: ending.message,
      failed: ending.failed,
      ...(ending.error ? { error: ending.error } : {}),
      ...(this.before ? { before: this.before } : {}),
      ...(this.latest ? { latestOperation: this.latest } : {}),
      ...(after ? { after } : {}),
      ...(this.pendingOperation ? { pendingOperation: this.pendingOperation } : {}),
      waitedSeconds: Math.round(this.waitedMs / 1000),
      ...(this.abortedOperationId ? { abortedOperationId: this.abortedOperationId } : {}),
      ...(this.operationId ? { operationId: this.operationId } : {}),
      ...(this.command ? { command: this.command } : {}),
      ...(this.failedState ? { failedState: this.failedState } : {}),
      ...(this.report ? { report: this.report } : {}),
      ...(followUp ? { followUp } : {}),
      plan: [...this.plan],
      performed: [...this.performed],
      timeline: [...this.timeline],
    };
  }
}
