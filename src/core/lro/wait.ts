/**
 * Waiting for an AKS operation to end: poll rarely while it is far from done, often when it is
 * about to finish, so completion is noticed within seconds while reads stay far below AKS's
 * ~1 GET/s per cluster. The finish time is estimated from percentComplete and the start time.
 */
import { isCanceling, isTerminal } from '../aks/status.ts';
import { formatDuration } from '../duration.ts';
import { backoffMs, isTransient } from '../transient.ts';

export interface Observation {
  /** InProgress, Canceling, Succeeded, Failed, Canceled, or a provisioning state. */
  status: string;
  percentComplete?: number;
  startTime?: Date;
  /** Seconds the service asked to wait before the next poll. */
  retryAfterSeconds?: number;
}

export type WaitEnd<T extends Observation> =
  | { kind: 'finished'; last: T }
  | { kind: 'timed-out'; last: T | undefined }
  | { kind: 'cancelled'; last: T | undefined }
  | { kind: 'stopped'; last: T };

export interface Clockwork {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClockwork: Clockwork = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Polling intervals, in ms. */
export const POLL = {
  /** Near the estimated finish. */
  near: 2000,
  /** With no estimate (no percentComplete), or once the estimate has proved wrong. */
  steady: 6000,
  /** The longest gap between two polls. */
  max: 60000,
};

/** How long polling may stay at POLL.near before the estimate counts as wrong. */
export const NEAR_GRACE_MS = 30_000;

/**
 * The delay before the next poll. With an estimate of the finish time, poll at a third of the time
 * left (at most POLL.max), then every POLL.near from 10 s before it. `nearSinceMs` is when polling
 * first got near: if the operation outlives that by NEAR_GRACE_MS, the estimate is wrong (an
 * operation stuck at 99%) and polling settles at POLL.steady (10 reads a minute). An abort ends
 * within seconds, so Canceling is polled near too.
 */
export function nextPollDelay(o: Observation, nowMs: number, nearSinceMs?: number): number {
  let delay = POLL.steady;
  const p = o.percentComplete;
  const overdue = nearSinceMs !== undefined && nowMs - nearSinceMs > NEAR_GRACE_MS;
  if (isCanceling(o.status)) delay = POLL.near;
  else if (p !== undefined && p >= 100) delay = overdue ? POLL.steady : POLL.near;
  else if (p !== undefined && p > 0 && o.startTime) {
    const elapsed = nowMs - o.startTime.getTime();
    const left = (elapsed * (100 - p)) / p;
    if (left > 10_000) delay = Math.min(POLL.max, Math.max(POLL.near, left / 3));
    else delay = overdue ? POLL.steady : POLL.near;
  }
  if (o.retryAfterSeconds !== undefined) delay = Math.max(delay, o.retryAfterSeconds * 1000);
  return delay;
}

export interface WaitOptions<T extends Observation> {
  observe: () => Promise<T>;
  timeoutSeconds: number;
  signal?: AbortSignal;
  /** Ends the wait early (e.g. the abort-after age is reached). */
  stopWhen?: (o: T) => boolean;
  /** Called with a log line when progress changes, at most every few seconds. */
  log?: (line: string) => void;
  describe: string;
  clock?: Clockwork;
  /** A first observation already made (the pre-flight's), to save a read. */
  initial?: T;
}

export async function waitForOperation<T extends Observation>(
  o: WaitOptions<T>,
): Promise<WaitEnd<T>> {
  const clock = o.clock ?? realClockwork;
  const deadline = clock.now() + o.timeoutSeconds * 1000;
  let last: T | undefined = o.initial;
  /** Whether `last` is an observation not judged yet. */
  let fresh = last !== undefined;
  let failures = 0;
  let lastLogged = '';
  let nearSince: number | undefined;
  for (;;) {
    if (o.signal?.aborted) return { kind: 'cancelled', last };
    if (!fresh) {
      try {
        last = await o.observe();
        failures = 0;
      } catch (err) {
        // A blip (throttling, 5xx, a dropped connection, a sign-in hiccup) does not end a wait:
        // back off and read again; only the budget ends it.
        if (!isTransient(err) || o.signal?.aborted) throw err;
        const now = clock.now();
        if (now >= deadline) return { kind: 'timed-out', last };
        const delay = Math.min(backoffMs(++failures, err), deadline - now);
        o.log?.(
          `${o.describe}: could not read its status (${err instanceof Error ? err.message : String(err)}); reading again in ${formatDuration(Math.ceil(delay / 1000))}.`,
        );
        await clock.sleep(delay, o.signal);
        continue;
      }
    }
    fresh = false;
    const current = last!;
    const now = clock.now();
    const line = progressLine(o.describe, current, now);
    if (line !== lastLogged) {
      o.log?.(line);
      lastLogged = line;
    }
    if (isTerminal(current.status)) return { kind: 'finished', last: current };
    if (o.stopWhen?.(current)) return { kind: 'stopped', last: current };
    if (now >= deadline) return { kind: 'timed-out', last: current };
    const wanted = nextPollDelay(current, now, nearSince);
    if (wanted <= POLL.near) nearSince ??= now;
    else if (wanted > POLL.steady) nearSince = undefined;
    const delay = Math.min(wanted, Math.max(0, deadline - now));
    await clock.sleep(delay, o.signal);
  }
}

export function progressLine(describe: string, o: Observation, nowMs: number): string {
  const parts = [`${describe}: ${o.status}`];
  if (o.percentComplete !== undefined && !isTerminal(o.status)) parts.push(`${o.percentComplete}%`);
  if (o.startTime)
    parts.push(`running for ${formatDuration((nowMs - o.startTime.getTime()) / 1000)}`);
  return parts.join(', ');
}
