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
import {
  planOperation,
  reconcileIntent,
  targetOf,
  ValidationError,
  type Shows,
  type Step,
} from './operations.ts';
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
import { withRetriedReads } from './transient.ts';
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

/** A terminal status, folded once. */
function parseStatus(status: string): 'succeeded' | 'failed' | 'canceled' | 'other' {
  const s = status.toLowerCase();
  if (s === 'succeeded') return 'succeeded';
  if (s === 'failed') return 'failed';
  if (s === 'canceled' || s === 'cancelled') return 'canceled';
  return 'other';
}

/** How long a read outside a wait (pre-flight, checks) keeps retrying throttling and blips. */
export const PREFLIGHT_RETRY_MS = 120_000;

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
  /** Reads retried through throttling and blips (bounded); writes as they are. */
  private readonly client: AksClient;
  /** Reads as they are: waits retry on their own, within their budget. */
  private readonly raw: AksClient;
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
  /** Work left for after the outcome is published (the abort a cancellation asked for). */
  private followUp: Outcome['followUp'];
  private failedState: Outcome['failedState'];
  private report: Outcome['report'];

  constructor(settings: Settings, deps: GuardDeps) {
    this.s = settings;
    this.r = deps.reporter;
    this.clock = deps.clock ?? realClockwork;
    this.signal = deps.signal;
    this.raw = deps.client;
    // A read outside a wait retries for at most PREFLIGHT_RETRY_MS, and never longer than the
    // run is willing to wait for anything before writing (wait-timeout).
    const readBudgetMs = Math.min(PREFLIGHT_RETRY_MS, settings.waitTimeoutSeconds * 1000);
    this.client = withRetriedReads(deps.client, () => ({
      clock: this.clock,
      deadlineMs: this.clock.now() + readBudgetMs,
      ...(this.signal ? { signal: this.signal } : {}),
      onRetry: (err, delayMs) =>
        this.r.info(
          `Reading from ARM failed (${err.statusCode ?? err.code}: ${err.armError.message}); reading again in ${formatDuration(Math.ceil(delayMs / 1000))}.`,
        ),
    }));
    this.started = this.clock.now();
  }

  private note(phase: string, event: string, level: 'info' | 'warning' = 'info'): void {
    this.timeline.push({ at: new Date(this.clock.now()), phase, event });
    this.r[level](event);
  }

  async run(): Promise<Outcome> {
    const { result, message, error } = await this.settle();
    return this.compose(result, message, error, true);
  }

  /** Runs the guard and turns how it ended (a message, or what was thrown) into a result. */
  private async settle(): Promise<{ result: Result; message: string; error?: ArmError }> {
    try {
      const message = await this.main();
      return { result: this.s.dryRun ? 'dry-run' : 'succeeded', message };
    } catch (err) {
      if (err instanceof Stop) {
        if (err.result === 'skipped') this.note('done', err.message);
        return {
          result: err.result,
          message: err.message,
          ...(err.error ? { error: err.error } : {}),
        };
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
  }

  /** The Outcome from the run's facts; `readAfter` reads the cluster once more when it changed. */
  private async compose(
    result: Result,
    message: string,
    error: ArmError | undefined,
    readAfter: boolean,
  ): Promise<Outcome> {
    let after: ClusterView | undefined = this.current !== this.before ? this.current : undefined;
    if (readAfter && this.before && this.dirty) {
      try {
        after = await this.raw.getCluster();
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
    const followUp = this.followUp;
    this.followUp = undefined;
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
      ...(followUp ? { followUp } : {}),
      plan: [...this.plan],
      timeline: [...this.timeline],
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
        const op = await this.raw.operation(w.operationId, w.pool);
        if (op && op !== 'unavailable') {
          return observationOf(op);
        }
      }
      if (w.statusUrl) return observationOf(await this.raw.asyncStatus(w.statusUrl));
      const c = await this.raw.getCluster();
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
      ...(op ? { initial: observationOf(op) } : {}),
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
   * 'ended-first' when the abort lost the race to the operation's own end (nothing was aborted).
   */
  private async abortPending(b: Busy, deadline: number): Promise<'canceled' | 'ended-first'> {
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
        return 'ended-first';
      }
      throw err;
    }
    const abortedBefore = this.abortedOperationId;
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
    if (end.kind === 'finished') {
      if (parseStatus(end.last.status) === 'canceled') {
        this.note('abort', `The aborted operation ended: ${end.last.status}.`);
        return 'canceled';
      }
      // The abort lost the race: the operation ended by itself before it took effect.
      this.abortedOperationId = abortedBefore;
      this.note(
        'abort',
        `The operation finished (${end.last.status}) before the abort took effect: nothing was aborted.`,
        'warning',
      );
      return 'ended-first';
    }
    if (end.kind === 'timed-out')
      throw new Stop(
        'timed-out',
        `Aborted ${describeBusy(b, this.clock.now())}, but it did not end within wait-timeout (${formatDuration(this.s.waitTimeoutSeconds)}).`,
        { code: 'WaitTimeout', message: 'The aborted operation did not end within wait-timeout.' },
      );
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
            intent: reconcileIntent(b.pool),
            send: async () => {
              const p = await this.client.getPool(b.pool!);
              return this.client.putPool(b.pool!, { ...p.model }, p.eTag);
            },
          }))
        : [
            {
              describe: `reconcile cluster ${cluster.name} (PUT of the unchanged cluster)`,
              target: {},
              intent: reconcileIntent(),
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

  /**
   * Sends one write; 'race' when another operation got there first (409), after bounded retries of
   * 412 and 429. Any failed attempt may still have been applied (the answer lost on the way, the
   * SDK's retry then refused with 412 or 409 because of this very write): before a failure is
   * taken for another writer's, the resource is read and the step's intent looked for on it.
   */
  private async write(step: Step): Promise<WriteAccepted | 'race'> {
    this.r.startGroup(`Write: ${step.describe}`);
    try {
      const before = step.intent.byNewOperation ? await this.latestId(step.target.pool) : undefined;
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
          this.dirty = true;
          const own = await this.recogniseOwn(step, before, err);
          if (own) return own;
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

  /** The id of the latest operation where a write lands (undefined when unknown). */
  private async latestId(pool: string | undefined): Promise<string | undefined> {
    const op = await this.client.operation('latest', pool).catch(() => undefined);
    return op && op !== 'unavailable' ? op.id : undefined;
  }

  /**
   * After a failed write: whether it landed after all. Reads the cluster and asks the step's
   * intent; adopts the
   * operation it finds, so the run waits for it as its own and never aborts or repeats it.
   */
  private async recogniseOwn(
    step: Step,
    latestBefore: string | undefined,
    err: unknown,
  ): Promise<WriteAccepted | undefined> {
    const pool = step.target.pool;
    let cluster: ClusterView;
    try {
      // Reads are retried through blips: the connection that lost the answer may still be flaky.
      cluster = await this.read();
    } catch {
      return undefined;
    }
    let shows: Shows = step.intent.shows(cluster);
    let op: OperationStatus | undefined;
    if (shows === 'no' && step.intent.byNewOperation) {
      const latest = await this.latestOf(pool);
      if (
        latest &&
        latest !== 'unavailable' &&
        latest.id !== latestBefore &&
        !isTerminalStatus(latest.status)
      ) {
        shows = 'in-progress';
        op = latest;
      }
    }
    if (shows === 'no') return undefined;
    if (shows === 'in-progress' && !op) {
      // The operation that carries the change: the running one, or, when the resource already
      // ended Failed or Canceled, the one that ended it (its error is the run's diagnosis).
      const state = pool
        ? cluster.pools.find((p) => p.name.toLowerCase() === pool.toLowerCase())?.provisioningState
        : cluster.provisioningState;
      const ended = state !== undefined && !isBusyState(state);
      const latest = await this.latestOf(pool);
      if (
        latest &&
        latest !== 'unavailable' &&
        latest.id !== latestBefore &&
        isTerminalStatus(latest.status) === ended
      )
        op = latest;
    }
    const why =
      err instanceof AksError && err.statusCode !== undefined
        ? `was refused on a retry (${err.statusCode} ${err.armError.code})`
        : `got no complete answer (${err instanceof AksError ? err.armError.code : 'connection lost'})`;
    this.note(
      'write',
      `The write ${why}, but ${where(step.target)} shows it ${shows === 'done' ? 'applied and finished' : op && isTerminalStatus(op.status) ? `applied and ended ${op.status}` : 'under way'}${op ? ` as operation ${op.id}` : ''}: it is this run's own change, so it is not aborted or sent again.`,
      'warning',
    );
    return {
      status: 0,
      adopted: shows,
      ...(op ? { operationId: op.id } : {}),
    };
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
    if (accepted.operationId) this.operationId = accepted.operationId;
    if (accepted.adopted === 'done') {
      this.note('wait', `Done: ${step.describe}.`);
      return;
    }
    if (
      !accepted.adopted &&
      !accepted.operationId &&
      !accepted.statusUrl &&
      accepted.status !== 202
    )
      return;
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
      const limit = formatDuration(this.s.operationTimeoutSeconds);
      if (this.s.onTimeout === 'abort') {
        const abort = await this.abortOwn(`it did not finish within operation-timeout (${limit})`, {
          waitForCanceled: true,
          deadlineMs: this.clock.now() + ABORT_WAIT_MS,
        });
        if (abort.kind === 'finished-first') {
          // The abort came too late: the operation ended by itself. Report what happened.
          if (abort.status === 'failed')
            throw new Stop(
              'failed',
              `${capitalise(step.describe)} failed before the abort took effect${abort.error ? `: ${abort.error.code}: ${abort.error.message}` : '.'}`,
              abort.error ?? { code: 'OperationFailed', message: 'The operation failed.' },
            );
          this.note(
            'abort',
            `${capitalise(step.describe)} outlived operation-timeout (${limit}) but finished (Succeeded) before the abort took effect: nothing was aborted.`,
            'warning',
          );
          return;
        }
        throw new Stop(
          abort.kind === 'not-sent' ? 'timed-out' : 'aborted',
          abort.kind === 'not-sent'
            ? `${capitalise(step.describe)} did not finish within ${limit}; the abort this run sent failed (${abort.reason}), so it may still be running as operation ${w.operationId ?? '(unknown)'}.`
            : `${capitalise(step.describe)} did not finish within ${limit}; this run aborted it (on-timeout: abort)${abort.kind === 'sent' ? `, but ${abort.reason}` : ''}.`,
          {
            code: 'OperationTimeout',
            message: 'The operation did not finish within operation-timeout and was aborted.',
          },
        );
      }
      throw new Stop(
        'timed-out',
        `${capitalise(step.describe)} did not finish within ${limit} (operation-timeout); it is still running as operation ${w.operationId ?? '(unknown)'} (on-timeout: fail).`,
        {
          code: 'OperationTimeout',
          message: 'The operation did not finish within operation-timeout.',
        },
      );
    }
    if (this.s.onCancel === 'abort') {
      // The runner kills a cancelled step a few seconds after SIGINT: the summary and outputs are
      // published first, then the abort is sent within what is left (see Outcome.followUp).
      const id = w.operationId ?? '(unknown id)';
      this.followUp = async (deadlineMs) => {
        const abort = await this.abortOwn('the job was cancelled', {
          waitForCanceled: false,
          deadlineMs,
        });
        if (abort.kind === 'finished-first' && abort.status === 'succeeded')
          return this.compose(
            'succeeded',
            `The job was cancelled, but ${step.describe} had already finished (Succeeded) when the abort (on-cancel: abort) reached it.`,
            undefined,
            false,
          );
        return this.compose(
          abort.kind === 'not-sent' ? 'failed' : 'aborted',
          abort.kind === 'not-sent'
            ? `The job was cancelled; the abort of ${step.describe} (operation ${id}, on-cancel: abort) failed (${abort.reason}): it may still be running.`
            : `The job was cancelled; this run aborted ${step.describe} (operation ${id}, on-cancel: abort).`,
          { code: 'Cancelled', message: 'The job was cancelled.' },
          false,
        );
      };
      throw new Stop(
        'aborted',
        `The job was cancelled; this run is aborting ${step.describe} (operation ${id}, on-cancel: abort). If this report is not updated, the abort's outcome is unknown: check the operation on the cluster.`,
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

  /**
   * Aborts the operation this run started, within `deadlineMs` (the request too: a cancelled job
   * has seconds left). With waitForCanceled, waits for the operation to end, honouring the job's
   * cancellation. An abort can lose the race to the operation's own end: then AKS answers 409, or
   * the operation ends Succeeded or Failed instead of Canceled, and that is what is reported.
   */
  private async abortOwn(
    why: string,
    o: { waitForCanceled: boolean; deadlineMs: number },
  ): Promise<AbortEnd> {
    const w = this.own;
    if (!w) return { kind: 'not-sent', reason: 'no operation of this run is running' };
    const budget = AbortSignal.timeout(Math.max(1, o.deadlineMs - this.clock.now()));
    let accepted: WriteAccepted;
    try {
      accepted = await this.client.abort(w.pool, { abortSignal: budget });
      this.dirty = true;
    } catch (err) {
      const ended =
        err instanceof AksError && err.statusCode === 409 ? await this.endOf(w) : undefined;
      if (ended) {
        this.own = undefined;
        this.note(
          'abort',
          `The abort of the operation this run started (${w.operationId ?? 'unknown id'}) came too late: it had already ended (${ended.status}).`,
          'warning',
        );
        return { kind: 'finished-first', ...ended };
      }
      const reason = budget.aborted
        ? `no answer within ${formatDuration(ABORT_GRACE_MS / 1000)}`
        : String(err instanceof AksError ? err.message : err);
      this.note(
        'abort',
        `Could not abort the operation this run started (${w.operationId ?? 'unknown id'}) on ${where(w)}: ${reason}. It may still be running.`,
        'warning',
      );
      return { kind: 'not-sent', reason };
    }
    this.abortedOperationId = w.operationId ?? accepted.operationId;
    this.note(
      'abort',
      `Aborted the operation this run started (${w.operationId ?? 'unknown id'}) on ${where(w)} because ${why}: HTTP ${accepted.status}.`,
      'warning',
    );
    this.own = undefined;
    if (!o.waitForCanceled) return { kind: 'sent', reason: 'its end was not waited for' };
    const end = await waitForOperation<Obs>({
      observe: this.observer(w),
      timeoutSeconds: Math.max(0, (o.deadlineMs - this.clock.now()) / 1000),
      ...(this.signal ? { signal: this.signal } : {}),
      log: (line) => this.r.info(line),
      describe: `abort on ${where(w)}`,
      clock: this.clock,
    });
    if (end.kind === 'cancelled')
      return { kind: 'sent', reason: 'the job was cancelled before Canceled was confirmed' };
    if (end.kind !== 'finished')
      return { kind: 'sent', reason: 'Canceled was not confirmed in time' };
    const status = parseStatus(end.last.status);
    if (status === 'canceled') return { kind: 'canceled' };
    this.abortedOperationId = undefined;
    return {
      kind: 'finished-first',
      status: status === 'succeeded' ? 'succeeded' : 'failed',
      ...(end.last.op?.error ? { error: end.last.op.error } : {}),
    };
  }

  /** How an operation ended, if it has (one read of its status). */
  private async endOf(
    w: Watched,
  ): Promise<{ status: 'succeeded' | 'failed'; error?: ArmError } | undefined> {
    const op = await this.client
      .operation(w.operationId ?? 'latest', w.pool)
      .catch(() => undefined);
    if (!op || op === 'unavailable' || !isTerminalStatus(op.status)) return undefined;
    const status = parseStatus(op.status);
    if (status === 'canceled') return undefined;
    return {
      status: status === 'succeeded' ? 'succeeded' : 'failed',
      ...(op.error ? { error: op.error } : {}),
    };
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
    const ended = await this.abortPending(
      busy!,
      this.clock.now() + this.s.waitTimeoutSeconds * 1000,
    );
    if (ended === 'ended-first')
      throw new Stop(
        'skipped',
        `Nothing was aborted: ${this.pendingOperation} ended by itself before the abort took effect.`,
      );
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

/** What a poll learnt about an operation, Retry-After included. */
function observationOf(op: OperationStatus): Obs {
  return {
    status: op.status,
    ...(op.percentComplete !== undefined ? { percentComplete: op.percentComplete } : {}),
    ...(op.startTime ? { startTime: op.startTime } : {}),
    ...(op.retryAfterSeconds !== undefined ? { retryAfterSeconds: op.retryAfterSeconds } : {}),
    op,
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Whether a status text is terminal (re-exported for front doors that poll). */
export { isTerminalStatus };
