/**
 * The guard: what a careful operator does around one AKS operation. Read the cluster, deal with
 * whatever is in progress (wait, abort or stop) and with Failed resources (reconcile or stop),
 * validate the request, write it with the ETag just read, handle a race with another writer, wait
 * for the operation with a timeout, and never leave an operation this run started unannounced.
 */
import { AksError, type ArmError } from './arm-error.ts';
import { classify } from './diagnose/classify.ts';
import type { AksClient, ClusterView, OperationStatus, WriteAccepted } from './aks-client.ts';
import { formatDuration } from './duration.ts';
import { planOperation, targetOf, ValidationError, type Step } from './operations.ts';
import type { Outcome, Result, TimelineEntry } from './outcome.ts';
import {
  blockers,
  describeBusy,
  describeOperation,
  failedFor,
  isBusyState,
  where,
  type Busy,
  type Target,
} from './pending.ts';
import type { Reporter } from './reporter.ts';
import { buildContext } from './run-command-context.ts';
import type { Settings } from './settings.ts';
import {
  isTerminalStatus,
  realClockwork,
  waitForOperation,
  type Clockwork,
  type Observation,
  type WaitEnd,
} from './waiter.ts';

export interface GuardDeps {
  client: AksClient;
  reporter: Reporter;
  clock?: Clockwork;
  /** Aborted when the job is cancelled (SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

/** How many times a write may meet a race (409 "another operation", 412 ETag) before giving up. */
export const MAX_WRITE_RACES = 3;

/** How many aborts one run sends to operations in its way. */
export const MAX_ABORTS = 3;

/** Ends the run early with this outcome. */
class Stop extends Error {
  readonly result: Result;
  readonly error: ArmError | undefined;
  constructor(result: Result, message: string, error?: ArmError) {
    super(message);
    this.result = result;
    this.error = error;
  }
}

interface Watched {
  pool?: string;
  operationId?: string;
  statusUrl?: string;
}

type Obs = Observation & { op?: OperationStatus };

const FAILING: Result[] = ['failed', 'timed-out'];

export async function runGuard(settings: Settings, deps: GuardDeps): Promise<Outcome> {
  return new GuardRun(settings, deps).run();
}

class GuardRun {
  private readonly s: Settings;
  private readonly client: AksClient;
  private readonly r: Reporter;
  private readonly clock: Clockwork;
  private readonly signal: AbortSignal | undefined;
  private readonly timeline: TimelineEntry[] = [];
  private readonly plan: string[] = [];
  private readonly started: number;
  private waitedMs = 0;
  private abortsSent = 0;
  private retriedInternalError = false;
  private before: ClusterView | undefined;
  /** The latest view of the cluster this run read. */
  private current: ClusterView | undefined;
  /** Whether this run wrote (or aborted) anything since it last read the cluster. */
  private dirty = false;
  /** The cluster's latest operation, as the pre-flight found it. */
  private latest: OperationStatus | undefined;
  /** operations/latest answers of the current pass, so a busy resource is not asked twice. */
  private latestCache = new Map<string, OperationStatus | 'unavailable' | undefined>();
  private pendingOperation: string | undefined;
  private abortedOperationId: string | undefined;
  private operationId: string | undefined;
  /** The operation this run started and has not seen end: what on-timeout / on-cancel act on. */
  private own: Watched | undefined;
  private command: Outcome['command'];
  private failedState: Outcome['failedState'];
  private report: Outcome['report'];

  constructor(settings: Settings, deps: GuardDeps) {
    this.s = settings;
    this.client = deps.client;
    this.r = deps.reporter;
    this.clock = deps.clock ?? realClockwork;
    this.signal = deps.signal;
    this.started = this.clock.now();
  }

  private note(phase: string, event: string, level: 'info' | 'warning' = 'info'): void {
    this.timeline.push({ at: new Date(this.clock.now()), phase, event });
    this.r[level](event);
  }

  async run(): Promise<Outcome> {
    let result: Result = 'succeeded';
    let message: string;
    let error: ArmError | undefined;
    try {
      message = await this.main();
      if (this.s.dryRun) result = 'dry-run';
    } catch (err) {
      if (err instanceof Stop) {
        result = err.result;
        message = err.message;
        error = err.error;
        if (result === 'skipped') this.note('done', message);
      } else if (err instanceof ValidationError) {
        result = 'failed';
        message = err.message;
        error = { code: err.code, message: err.message };
      } else if (err instanceof AksError) {
        result = 'failed';
        message =
          err.statusCode !== undefined
            ? `ARM answered ${err.statusCode}: ${err.armError.code}: ${err.armError.message}`
            : err.armError.message.includes(err.armError.code)
              ? err.armError.message
              : `${err.armError.code}: ${err.armError.message}`;
        error = err.armError;
      } else {
        result = 'failed';
        message = err instanceof Error ? err.message : String(err);
        error = { code: 'UnexpectedError', message };
      }
    }
    let after: ClusterView | undefined = this.current !== this.before ? this.current : undefined;
    if (this.before && this.dirty) {
      try {
        after = await this.client.getCluster();
      } catch (err) {
        this.r.debug(`could not read the cluster after the run: ${String(err)}`);
      }
    }
    const failed =
      FAILING.includes(result) || (result === 'aborted' && this.s.operation !== 'abort');
    // A failure is announced once, by the front door (setFailed / setResult); here it only joins
    // the timeline.
    if (failed)
      this.timeline.push({ at: new Date(this.clock.now()), phase: 'done', event: message });
    else if (result !== 'skipped') this.note('done', message);
    return {
      result,
      message,
      failed,
      ...(error ? { error } : {}),
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
      plan: this.plan,
      timeline: this.timeline,
    };
  }

  /** The run; returns the closing message, or throws Stop. */
  private async main(): Promise<string> {
    const s = this.s;
    this.r.startGroup('Pre-flight');
    let cluster: ClusterView;
    try {
      cluster = await this.read();
      this.before = cluster;
      this.note('pre-flight', this.describeCluster(cluster));
      const latest = await this.latestOf(undefined);
      if (latest && latest !== 'unavailable') {
        this.latest = latest;
        this.note(
          'pre-flight',
          `Latest operation on the cluster: ${describeOperation(latest, this.clock.now())}.`,
        );
      } else if (latest === 'unavailable') {
        this.r.info(
          'This ARM endpoint does not serve operations/latest (preview API); going on without it.',
        );
      }
    } finally {
      this.r.endGroup();
    }

    if (s.operation === 'abort') return this.abortOperation(cluster);
    if (s.operation === 'report') return this.clusterReport(cluster);
    if (s.operation === 'run-command') return this.runCommand();

    const target = targetOf(s);
    for (let races = 0; ; races++) {
      cluster = await this.clearPending(cluster, target);
      cluster = await this.clearFailed(cluster, target);
      const plan = await planOperation(s, cluster, this.client);
      if (plan.kind === 'read-only') {
        return `Cluster ${cluster.name} is ready: ${cluster.provisioningState}, ${cluster.powerState}, Kubernetes ${cluster.currentKubernetesVersion}; no operation in progress.`;
      }
      if (plan.kind === 'skip') throw new Stop('skipped', plan.reason);
      for (const n of plan.notes) this.note('plan', n, 'warning');
      if (s.dryRun) {
        for (const step of plan.steps)
          this.planned(
            `${step.describe}, with If-Match set to the ETag just read, then wait for it (timeout ${formatDuration(s.operationTimeoutSeconds)}, on-timeout ${s.onTimeout})`,
          );
        return `Dry run: nothing was written. ${this.plan.length} step(s) planned.`;
      }
      let raced = false;
      for (const step of plan.steps) {
        const accepted = await this.write(step);
        if (accepted === 'race') {
          raced = true;
          break;
        }
        if ((await this.waitOwnRetryingInternal(step, accepted)) === 'race') {
          raced = true;
          break;
        }
      }
      if (!raced) return `${capitalise(s.operation)} of ${cluster.name} succeeded.`;
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
      cluster = await this.read();
    }
  }

  /** Reads the cluster; every later decision uses this fresh view. */
  private async read(): Promise<ClusterView> {
    const c = await this.client.getCluster();
    this.current = c;
    this.dirty = false;
    this.latestCache.clear();
    return c;
  }

  /** operations/latest of the cluster or a pool, once per read of the cluster; undefined when it failed. */
  private async latestOf(
    pool: string | undefined,
  ): Promise<OperationStatus | 'unavailable' | undefined> {
    const key = pool?.toLowerCase() ?? '';
    if (this.latestCache.has(key)) return this.latestCache.get(key);
    const op = await this.client.operation('latest', pool).catch((err: unknown) => {
      this.r.debug(`operations/latest failed: ${String(err)}`);
      return undefined;
    });
    this.latestCache.set(key, op);
    return op;
  }

  private planned(line: string): void {
    this.plan.push(line);
    this.note('plan', `Would ${line}.`);
  }

  private describeCluster(c: ClusterView): string {
    const pools = c.pools
      .map(
        (p) =>
          `${p.name} ${p.provisioningState}/${p.powerState} ${p.count} nodes ${p.currentOrchestratorVersion}`,
      )
      .join('; ');
    return `Cluster ${c.name}: ${c.provisioningState}, ${c.powerState}, Kubernetes ${c.currentKubernetesVersion}. Pools: ${pools}.`;
  }

  /** Fills in the operation behind each busy resource (operations/latest, when this ARM serves it). */
  private async enrich(busy: Busy[]): Promise<Busy[]> {
    const out: Busy[] = [];
    for (const b of busy) {
      const op = await this.latestOf(b.pool);
      out.push(op && op !== 'unavailable' ? { ...b, operation: op } : b);
    }
    return out;
  }

  /** Deals with every operation in the way of the write, per on-pending; returns a fresh view. */
  private async clearPending(cluster: ClusterView, target: Target): Promise<ClusterView> {
    const deadline = this.clock.now() + this.s.waitTimeoutSeconds * 1000 - this.waitedMs;
    for (;;) {
      const busy = await this.enrich(blockers(cluster, target));
      if (busy.length === 0) return cluster;
      const b = busy[0]!;
      const text = describeBusy(b, this.clock.now());
      this.pendingOperation ??= text;
      this.r.startGroup(`Pending: ${text}`);
      try {
        this.note('pending', `In progress: ${text}.`);
        if (this.s.dryRun) {
          if (this.s.onPending === 'fail') this.planned(`stop here: on-pending is "fail"`);
          else if (this.s.onPending === 'abort' && !this.tooYoung(b))
            this.planned(`abort it (POST .../abort on ${where(b)})`);
          else
            this.planned(
              `wait for it (up to ${formatDuration(this.s.waitTimeoutSeconds)})${this.s.onPending === 'abort' ? `, aborting it once it is older than ${formatDuration(this.s.abortAfterSeconds ?? 0)}` : ''}`,
            );
          return cluster;
        }
        if (this.s.onPending === 'fail') {
          throw new Stop(
            'failed',
            `${capitalise(text)} is in progress, and on-pending is "fail".`,
            {
              code: 'OperationInProgress',
              message: `${capitalise(text)} is in progress.`,
            },
          );
        }
        const canceling = /^cancel/i.test(b.operation?.status ?? b.state);
        if (this.s.onPending === 'abort' && canceling) {
          this.note('pending', 'It is already being canceled: waiting for it to end.');
          await this.waitFor(b, deadline);
        } else if (this.s.onPending === 'abort') {
          if (this.tooYoung(b)) {
            this.note(
              'pending',
              `It is younger than abort-after (${formatDuration(this.s.abortAfterSeconds!)}): waiting, and aborting it if it gets that old.`,
            );
            const end = await this.waitFor(
              b,
              deadline,
              (o) => this.age(o.op ?? b.operation) >= this.s.abortAfterSeconds! * 1000,
            );
            if (end.kind === 'stopped')
              await this.abortPending(
                { ...b, ...(end.last.op ? { operation: end.last.op } : {}) },
                deadline,
              );
          } else {
            await this.abortPending(b, deadline);
          }
        } else {
          await this.waitFor(b, deadline);
        }
      } finally {
        this.r.endGroup();
      }
      cluster = await this.read();
      if (!isBusyState(cluster.provisioningState))
        this.note('pending', `Cluster ${cluster.name} is now ${cluster.provisioningState}.`);
    }
  }

  private age(op: OperationStatus | undefined): number {
    return op?.startTime ? this.clock.now() - op.startTime.getTime() : 0;
  }

  private tooYoung(b: Busy): boolean {
    return (
      this.s.abortAfterSeconds !== undefined &&
      this.age(b.operation) < this.s.abortAfterSeconds * 1000
    );
  }

  /** Observes an operation: its status by ID (preview API), else its status URL, else the resource's state. */
  private observer(w: Watched): () => Promise<Obs> {
    return async () => {
      if (w.operationId) {
        const op = await this.client.operation(w.operationId, w.pool);
        if (op && op !== 'unavailable') {
          return {
            status: op.status,
            ...(op.percentComplete !== undefined ? { percentComplete: op.percentComplete } : {}),
            ...(op.startTime ? { startTime: op.startTime } : {}),
            op,
          };
        }
      }
      if (w.statusUrl) {
        const op = await this.client.asyncStatus(w.statusUrl);
        return { status: op.status, op };
      }
      const c = await this.client.getCluster();
      const state = w.pool
        ? (c.pools.find((p) => p.name.toLowerCase() === w.pool!.toLowerCase())?.provisioningState ??
          'Unknown')
        : c.provisioningState;
      return { status: isBusyState(state) ? 'InProgress' : state };
    };
  }

  private async waitFor(
    b: Busy,
    deadline: number,
    stopWhen?: (o: Obs) => boolean,
  ): Promise<WaitEnd<Obs>> {
    const started = this.clock.now();
    const op = b.operation;
    const end = await waitForOperation<Obs>({
      observe: this.observer({
        ...(b.pool ? { pool: b.pool } : {}),
        ...(op ? { operationId: op.id } : {}),
      }),
      timeoutSeconds: Math.max(0, (deadline - started) / 1000),
      ...(this.signal ? { signal: this.signal } : {}),
      ...(stopWhen ? { stopWhen } : {}),
      log: (line) => this.r.info(line),
      describe: `${op?.subOperationType ?? b.state} on ${where(b)}`,
      clock: this.clock,
      ...(op
        ? {
            initial: {
              status: op.status,
              ...(op.percentComplete !== undefined ? { percentComplete: op.percentComplete } : {}),
              ...(op.startTime ? { startTime: op.startTime } : {}),
              op,
            },
          }
        : {}),
    });
    this.waitedMs += this.clock.now() - started;
    if (end.kind === 'timed-out') {
      throw new Stop(
        'timed-out',
        `Waited ${formatDuration(this.s.waitTimeoutSeconds)} (wait-timeout) for ${describeBusy(b, this.clock.now())}; it has not finished.`,
        {
          code: 'WaitTimeout',
          message: 'The operation in progress did not finish within wait-timeout.',
        },
      );
    }
    if (end.kind === 'cancelled')
      throw new Stop('failed', 'The job was cancelled while waiting; nothing was written.', {
        code: 'Cancelled',
        message: 'The job was cancelled.',
      });
    if (end.kind === 'finished')
      this.note(
        'pending',
        `It ended: ${end.last.status}${end.last.op?.error ? ` (${end.last.op.error.code})` : ''}.`,
      );
    return end;
  }

  /**
   * Aborts an operation in the way: 202 → wait for Canceled; 204 → it is canceling, wait for it to
   * end (never abort again while it cancels); 409 → it already ended. At most MAX_ABORTS aborts.
   */
  private async abortPending(b: Busy, deadline: number): Promise<void> {
    const op = b.operation;
    if (++this.abortsSent > MAX_ABORTS) {
      throw new Stop(
        'failed',
        `Sent ${MAX_ABORTS} aborts and ${describeBusy(b, this.clock.now())} is still in progress; giving up rather than aborting again.`,
        { code: 'AbortIneffective', message: 'The operation in progress did not end after abort.' },
      );
    }
    let accepted: WriteAccepted;
    try {
      accepted = await this.client.abort(b.pool);
      this.dirty = true;
    } catch (err) {
      const e = err instanceof AksError ? err : undefined;
      if (e?.statusCode === 409) {
        this.note(
          'abort',
          `Abort answered 409 (${e.armError.message}); the operation has already ended. Checking again.`,
        );
        return;
      }
      throw err;
    }
    this.abortedOperationId = op?.id ?? accepted.operationId;
    this.note(
      'abort',
      `Aborted ${op?.subOperationType ?? b.state} on ${where(b)}${op ? ` (operation ${op.id})` : ''}: HTTP ${accepted.status}.`,
      'warning',
    );
    const end = await waitForOperation<Obs>({
      observe: this.observer({
        ...(b.pool ? { pool: b.pool } : {}),
        ...(op
          ? { operationId: op.id }
          : accepted.statusUrl
            ? { statusUrl: accepted.statusUrl }
            : {}),
      }),
      timeoutSeconds: Math.max(0, (deadline - this.clock.now()) / 1000),
      ...(this.signal ? { signal: this.signal } : {}),
      log: (line) => this.r.info(line),
      describe: `abort of ${op?.subOperationType ?? b.state} on ${where(b)}`,
      clock: this.clock,
    });
    if (end.kind === 'finished')
      this.note('abort', `The aborted operation ended: ${end.last.status}.`);
    else if (end.kind === 'timed-out')
      throw new Stop(
        'timed-out',
        `Aborted ${describeBusy(b, this.clock.now())}, but it did not end within wait-timeout (${formatDuration(this.s.waitTimeoutSeconds)}).`,
        { code: 'WaitTimeout', message: 'The aborted operation did not end within wait-timeout.' },
      );
    else if (end.kind === 'cancelled')
      throw new Stop(
        'failed',
        'The job was cancelled while an abort was ending; nothing else was written.',
        {
          code: 'Cancelled',
          message: 'The job was cancelled.',
        },
      );
  }

  /** Failed resources the write would act on: reconcile them, or stop with the failure's cause. */
  private async clearFailed(cluster: ClusterView, target: Target): Promise<ClusterView> {
    const failed = failedFor(cluster, target);
    if (failed.length === 0) return cluster;
    const withCause = await this.enrich(failed);
    const f = withCause[0]!;
    const cause = f.operation?.error;
    const why = f.operation
      ? `after ${f.operation.subOperationType ?? 'an operation'} (operation ${f.operation.id}) failed${cause ? `: ${cause.code}: ${cause.message}` : ''}`
      : '';
    this.note(
      'failed',
      `${capitalise(where(f))} is in the Failed state${why ? ` ${why}` : ''}.`,
      'warning',
    );
    if (this.s.onFailed === 'fail') {
      this.failedState = f.pool ? { pool: f.pool } : {};
      throw new Stop(
        'failed',
        `${capitalise(where(f))} is in the Failed state; on-failed is "fail", so nothing was written. Reconcile it (on-failed: reconcile) once the cause is fixed.`,
        cause ?? {
          code: 'ResourceFailed',
          message: `${capitalise(where(f))} is in the Failed state.`,
        },
      );
    }
    const steps: Step[] =
      f.pool && cluster.provisioningState.toLowerCase() !== 'failed'
        ? withCause.map((b) => ({
            describe: `reconcile ${where(b)} (PUT of the unchanged pool)`,
            target: { pool: b.pool! },
            send: async () => {
              const p = await this.client.getPool(b.pool!);
              return this.client.putPool(b.pool!, { ...p.model }, p.eTag);
            },
          }))
        : [
            {
              describe: `reconcile cluster ${cluster.name} (PUT of the unchanged cluster)`,
              target: {},
              send: async () => {
                const fresh = await this.client.getCluster();
                return this.client.putCluster({ ...fresh.model }, fresh.eTag);
              },
            },
          ];
    if (this.s.dryRun) {
      for (const step of steps) this.planned(step.describe);
      return cluster;
    }
    for (const step of steps) {
      const accepted = await this.write(step);
      if (accepted === 'race') return this.read();
      await this.waitOwn(step, accepted);
    }
    return this.read();
  }

  /** Sends one write; 'race' when another operation got there first (409), after bounded retries of 412 and 429. */
  private async write(step: Step): Promise<WriteAccepted | 'race'> {
    this.r.startGroup(`Write: ${step.describe}`);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const accepted = await step.send();
          this.dirty = true;
          this.note(
            'write',
            `Sent: ${step.describe} (HTTP ${accepted.status}${accepted.operationId ? `, operation ${accepted.operationId}` : ''}).`,
          );
          return accepted;
        } catch (err) {
          if (!(err instanceof AksError) || attempt >= MAX_WRITE_RACES) throw err;
          if (err.isOperationInProgress) {
            this.note(
              'write',
              `The write met another operation that started after the check (409: ${err.armError.message}). Checking again.`,
              'warning',
            );
            return 'race';
          }
          if (err.statusCode === 412) {
            this.note(
              'write',
              'The resource changed between the read and the write (412, ETag mismatch); reading it again.',
              'warning',
            );
            continue;
          }
          if (err.statusCode === 429) {
            const seconds = err.retryAfterSeconds ?? 30;
            this.note('write', `ARM is throttling (429); retrying in ${seconds}s.`, 'warning');
            await this.clock.sleep(seconds * 1000, this.signal);
            continue;
          }
          throw err;
        }
      }
    } finally {
      this.r.endGroup();
    }
  }

  /**
   * Waits for an operation this run started. AKS internal errors are usually transient: the same
   * request is sent once more (it re-reads the resource, so it also reconciles it); any other
   * failure, or a second internal error, ends the run with its diagnosis.
   */
  private async waitOwnRetryingInternal(
    step: Step,
    accepted: WriteAccepted,
  ): Promise<void | 'race'> {
    try {
      await this.waitOwn(step, accepted);
    } catch (err) {
      if (
        !(err instanceof Stop) ||
        err.result !== 'failed' ||
        !err.error ||
        this.retriedInternalError ||
        classify(err.error).category !== 'internal-error'
      )
        throw err;
      this.retriedInternalError = true;
      this.note(
        'retry',
        `AKS reported an internal error (${err.error.code}); these are usually transient, so the same request is sent once more.`,
        'warning',
      );
      const again = await this.write(step);
      if (again === 'race') return 'race';
      await this.waitOwn(step, again);
    }
  }

  /** Waits for an operation this run started; on timeout or cancellation, on-timeout / on-cancel decide. */
  private async waitOwn(step: Step, accepted: WriteAccepted): Promise<void> {
    if (!accepted.operationId && !accepted.statusUrl && accepted.status !== 202) return;
    const w: Watched = {
      ...(step.target.pool ? { pool: step.target.pool } : {}),
      ...(accepted.operationId ? { operationId: accepted.operationId } : {}),
      ...(accepted.statusUrl ? { statusUrl: accepted.statusUrl } : {}),
    };
    this.own = w;
    this.operationId = accepted.operationId ?? this.operationId;
    this.r.startGroup(`Waiting: ${step.describe}`);
    let end: WaitEnd<Obs>;
    try {
      end = await waitForOperation<Obs>({
        observe: async () => {
          try {
            return await this.observer(w)();
          } catch (err) {
            // A failed operation's status URL answers with its error (start/stop): that is the end.
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
        },
        timeoutSeconds: this.s.operationTimeoutSeconds,
        ...(this.signal ? { signal: this.signal } : {}),
        log: (line) => this.r.info(line),
        describe: step.describe,
        clock: this.clock,
      });
    } finally {
      this.r.endGroup();
    }
    if (end.kind === 'finished') {
      this.own = undefined;
      const status = end.last.status.toLowerCase();
      if (status === 'succeeded') {
        this.note('wait', `Done: ${step.describe}.`);
        return;
      }
      const error = end.last.op?.error ?? (await this.latestError(w));
      if (status === 'failed')
        throw new Stop(
          'failed',
          `${capitalise(step.describe)} failed${error ? `: ${error.code}: ${error.message}` : '.'}`,
          error ?? { code: 'OperationFailed', message: 'The operation failed.' },
        );
      throw new Stop(
        'failed',
        `${capitalise(step.describe)} was canceled by someone else (${end.last.status}).`,
        { code: 'OperationCanceled', message: 'The operation was canceled.' },
      );
    }
    if (end.kind === 'timed-out') {
      if (this.s.onTimeout === 'abort') {
        await this.abortOwn(
          `it did not finish within operation-timeout (${formatDuration(this.s.operationTimeoutSeconds)})`,
          true,
        );
        throw new Stop(
          'aborted',
          `${capitalise(step.describe)} did not finish within ${formatDuration(this.s.operationTimeoutSeconds)}; this run aborted it (on-timeout: abort).`,
          {
            code: 'OperationTimeout',
            message: 'The operation did not finish within operation-timeout and was aborted.',
          },
        );
      }
      throw new Stop(
        'timed-out',
        `${capitalise(step.describe)} did not finish within ${formatDuration(this.s.operationTimeoutSeconds)} (operation-timeout); it is still running as operation ${w.operationId ?? '(unknown)'} (on-timeout: fail).`,
        {
          code: 'OperationTimeout',
          message: 'The operation did not finish within operation-timeout.',
        },
      );
    }
    // Cancelled: GitHub allows a few seconds after SIGINT, so only the abort request is sent.
    if (this.s.onCancel === 'abort') {
      await this.abortOwn('the job was cancelled', false);
      throw new Stop(
        'aborted',
        `The job was cancelled; this run aborted ${step.describe} (on-cancel: abort).`,
        { code: 'Cancelled', message: 'The job was cancelled.' },
      );
    }
    throw new Stop(
      'failed',
      `The job was cancelled; ${step.describe} is still running as operation ${w.operationId ?? '(unknown)'} (on-cancel: leave).`,
      {
        code: 'Cancelled',
        message: 'The job was cancelled.',
      },
    );
  }

  private async latestError(w: Watched): Promise<ArmError | undefined> {
    const op = await this.client
      .operation(w.operationId ?? 'latest', w.pool)
      .catch(() => undefined);
    return op && op !== 'unavailable' ? op.error : undefined;
  }

  /** Aborts the operation this run started. */
  private async abortOwn(why: string, waitForCanceled: boolean): Promise<void> {
    const w = this.own;
    if (!w) return;
    try {
      const accepted = await this.client.abort(w.pool);
      this.dirty = true;
      this.abortedOperationId = w.operationId ?? accepted.operationId;
      this.note(
        'abort',
        `Aborted the operation this run started (${w.operationId ?? 'unknown id'}) on ${where(w)} because ${why}: HTTP ${accepted.status}.`,
        'warning',
      );
      this.own = undefined;
      if (waitForCanceled && accepted.status === 202) {
        await waitForOperation<Obs>({
          observe: this.observer(w),
          timeoutSeconds: 300,
          log: (line) => this.r.info(line),
          describe: `abort on ${where(w)}`,
          clock: this.clock,
        });
      }
    } catch (err) {
      this.note(
        'abort',
        `Could not abort the operation this run started (${w.operationId ?? 'unknown id'}) on ${where(w)}: ${String(err)}. It may still be running.`,
        'warning',
      );
    }
  }

  /** operation: abort — the latest operation on the cluster, or on node-pool. */
  private async abortOperation(cluster: ClusterView): Promise<string> {
    const pool = this.s.nodePool;
    const state = pool
      ? cluster.pools.find((p) => p.name.toLowerCase() === pool.toLowerCase())?.provisioningState
      : cluster.provisioningState;
    if (state === undefined)
      throw new ValidationError(
        'NodePoolNotFound',
        `Node pool "${pool}" does not exist in cluster ${cluster.name}.`,
      );
    const b: Busy = { ...(pool ? { pool } : {}), state };
    if (state.toLowerCase() === 'failed') {
      throw new Stop(
        'skipped',
        `${capitalise(where(b))} is Failed: no operation is running, and AKS refuses to abort there. Use operation "reconcile".`,
      );
    }
    if (!isBusyState(state))
      throw new Stop('skipped', `Nothing to abort: ${where(b)} is ${state}.`);
    const [busy] = await this.enrich([b]);
    this.pendingOperation = describeBusy(busy!, this.clock.now());
    if (this.s.dryRun) {
      this.planned(`abort ${this.pendingOperation}`);
      return 'Dry run: nothing was written.';
    }
    await this.abortPending(busy!, this.clock.now() + this.s.waitTimeoutSeconds * 1000);
    throw new Stop('aborted', `Aborted ${this.pendingOperation}.`);
  }

  /** operation: report — versions on offer, busy pools' operations, and why anything is Failed. */
  private async clusterReport(cluster: ClusterView): Promise<string> {
    const profile = await this.client.upgradeProfile().catch((err: unknown) => {
      this.r.warning(`Could not read the upgrade profile: ${String(err)}`);
      return undefined;
    });
    const failed = await this.enrich(failedFor(cluster, {}));
    const busyPools = await this.enrich(
      cluster.pools
        .filter((p) => isBusyState(p.provisioningState))
        .map((p) => ({ pool: p.name, state: p.provisioningState })),
    );
    const upgrades = profile
      ? [...profile.controlPlane.upgrades].sort((a, b) =>
          b.version.localeCompare(a.version, undefined, { numeric: true }),
        )
      : undefined;
    this.report = {
      ...(upgrades ? { upgrades } : {}),
      failed: failed.map((f) => ({
        ...(f.pool ? { pool: f.pool } : {}),
        ...(f.operation ? { operation: f.operation } : {}),
      })),
      poolOperations: busyPools.flatMap((b) =>
        b.operation ? [{ pool: b.pool!, operation: b.operation }] : [],
      ),
    };
    const offer = upgrades?.length
      ? `upgrades available: ${upgrades.map((u) => u.version).join(', ')}`
      : 'no upgrade available';
    return `Cluster ${cluster.name}: ${cluster.provisioningState}, ${cluster.powerState}, Kubernetes ${cluster.currentKubernetesVersion} (${offer}); ${cluster.pools.length} node pool(s)${failed.length ? `; ${failed.length} resource(s) Failed` : ''}.`;
  }

  /** operation: run-command — runs a command in the cluster and returns its exit code and logs. */
  private async runCommand(): Promise<string> {
    const context = buildContext(this.s.files);
    if (this.s.dryRun) {
      this.planned(
        `run "${this.s.command!}" in the cluster${this.s.files.length ? ` with ${this.s.files.length} file(s)` : ''}`,
      );
      return 'Dry run: nothing was run.';
    }
    const accepted = await this.client.runCommand(this.s.command!, context);
    const id = accepted.operationId;
    this.note('write', `Started the command (command ${id ?? 'unknown'}).`);
    if (!id)
      throw new Stop('failed', 'AKS did not say where to find the command result.', {
        code: 'NoCommandResult',
        message: 'No command result location.',
      });
    let result: Awaited<ReturnType<AksClient['commandResult']>>;
    const end = await waitForOperation<Obs>({
      observe: async () => {
        result = await this.client.commandResult(id);
        return {
          status: result
            ? result.provisioningState.toLowerCase() === 'succeeded'
              ? 'Succeeded'
              : 'Failed'
            : 'InProgress',
        };
      },
      timeoutSeconds: this.s.operationTimeoutSeconds,
      ...(this.signal ? { signal: this.signal } : {}),
      describe: `command "${this.s.command!}"`,
      log: (line) => this.r.debug(line),
      clock: this.clock,
    });
    if (end.kind !== 'finished' || !result) {
      throw new Stop(
        end.kind === 'timed-out' ? 'timed-out' : 'failed',
        `The command did not finish (${end.kind}).`,
        { code: 'CommandTimeout', message: 'The command did not finish.' },
      );
    }
    const r = result;
    this.command = {
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(r.logs !== undefined ? { logs: r.logs } : {}),
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
    };
    if (r.logs) this.r.info(r.logs.trimEnd());
    if (r.provisioningState.toLowerCase() !== 'succeeded') {
      throw new Stop(
        'failed',
        `AKS could not run the command: ${r.reason ?? r.provisioningState}.`,
        { code: 'CommandFailed', message: r.reason ?? r.provisioningState },
      );
    }
    if (r.exitCode !== 0) {
      throw new Stop('failed', `The command exited with code ${r.exitCode ?? '?'}.`, {
        code: 'CommandExitCode',
        message: `exit code ${r.exitCode ?? '?'}`,
      });
    }
    return 'The command succeeded (exit code 0).';
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Whether a status text is terminal (re-exported for front doors that poll). */
export { isTerminalStatus };
