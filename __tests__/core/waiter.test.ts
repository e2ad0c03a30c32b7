import { describe, expect, test } from '@jest/globals';
import {
  POLL,
  nextPollDelay,
  waitForOperation,
  type Clockwork,
  type Observation,
  type WaitOptions,
} from '../../src/core/lro/wait.ts';

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Virtual time: sleep() returns at once, having moved the clock. */
class FakeClock implements Clockwork {
  t = T0;
  sleeps: number[] = [];
  /** Aborts this controller when virtual time reaches `at`, waking the sleeper early. */
  abortAt?: { at: number; controller: AbortController };

  now(): number {
    return this.t;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return;
    const a = this.abortAt;
    if (a && this.t + ms >= a.at) {
      this.t = Math.max(this.t, a.at);
      a.controller.abort();
      return;
    }
    this.t += ms;
  }
}

/** An observe() that answers from the virtual time and counts its calls. */
function scripted(clock: FakeClock, at: (elapsedMs: number) => Observation) {
  const reads: number[] = [];
  const observe = async (): Promise<Observation> => {
    reads.push(clock.t - T0);
    return at(clock.t - T0);
  };
  return { observe, reads };
}

function wait(
  clock: FakeClock,
  o: Partial<WaitOptions<Observation>> & Pick<WaitOptions<Observation>, 'observe'>,
) {
  return waitForOperation<Observation>({
    describe: 'Upgrading',
    timeoutSeconds: 3600,
    clock,
    ...o,
  });
}

const inProgress = (extra: Partial<Observation> = {}): Observation => ({
  status: 'InProgress',
  ...extra,
});

describe('nextPollDelay', () => {
  const startedAgo = (ms: number): Date => new Date(T0 - ms);

  test('without percentComplete it polls every 6 s', () => {
    expect(nextPollDelay(inProgress(), T0)).toBe(6000);
    expect(nextPollDelay(inProgress({ startTime: startedAgo(10 * MINUTE) }), T0)).toBe(6000);
    expect(
      nextPollDelay(inProgress({ percentComplete: 0, startTime: startedAgo(MINUTE) }), T0),
    ).toBe(6000);
  });

  test('far from the estimated finish it waits a third of the time left', () => {
    // 40% after 2 minutes: 3 minutes left.
    const o = inProgress({ percentComplete: 40, startTime: startedAgo(2 * MINUTE) });
    expect(nextPollDelay(o, T0)).toBeCloseTo(MINUTE, -1);
    // 80% after 4 minutes: 1 minute left.
    const p = inProgress({ percentComplete: 80, startTime: startedAgo(4 * MINUTE) });
    expect(nextPollDelay(p, T0)).toBeCloseTo(20 * SECOND, -1);
  });

  test('never waits longer than a minute', () => {
    const o = inProgress({ percentComplete: 1, startTime: startedAgo(10 * MINUTE) });
    expect(nextPollDelay(o, T0)).toBe(POLL.max);
    expect(POLL.max).toBe(60_000);
  });

  test('within 10 s of the estimated finish it polls every 2 s', () => {
    // 95% after 2 minutes: about 6 s left.
    const o = inProgress({ percentComplete: 95, startTime: startedAgo(2 * MINUTE) });
    expect(nextPollDelay(o, T0)).toBe(2000);
  });

  test('Retry-After raises the delay but never lowers it', () => {
    const near = inProgress({ percentComplete: 95, startTime: startedAgo(2 * MINUTE) });
    expect(nextPollDelay({ ...near, retryAfterSeconds: 15 }, T0)).toBe(15_000);
    expect(nextPollDelay(inProgress({ retryAfterSeconds: 1 }), T0)).toBe(6000);
    const far = inProgress({ percentComplete: 1, startTime: startedAgo(10 * MINUTE) });
    expect(nextPollDelay({ ...far, retryAfterSeconds: 120 }, T0)).toBe(120_000);
  });
});

describe('waitForOperation', () => {
  test.each(['Succeeded', 'Failed', 'Canceled', 'succeeded'])(
    'ends at once when the first read says %s',
    async (status) => {
      const clock = new FakeClock();
      const { observe, reads } = scripted(clock, () => ({ status }));
      const end = await wait(clock, { observe });
      expect(end).toEqual({ kind: 'finished', last: { status } });
      expect(reads).toEqual([0]);
      expect(clock.sleeps).toEqual([]);
    },
  );

  test('keeps polling until the operation ends and reports the last read', async () => {
    const clock = new FakeClock();
    const { observe, reads } = scripted(clock, (e) =>
      e < 30 * SECOND ? inProgress() : { status: 'Failed' },
    );
    const end = await wait(clock, { observe });
    expect(end).toEqual({ kind: 'finished', last: { status: 'Failed' } });
    expect(reads).toEqual([0, 6000, 12000, 18000, 24000, 30000]);
  });

  test('uses the initial observation without an extra read', async () => {
    const clock = new FakeClock();
    const { observe, reads } = scripted(clock, () => ({ status: 'Succeeded' }));
    const done = await wait(clock, { observe, initial: { status: 'Succeeded' } });
    expect(done.kind).toBe('finished');
    expect(reads).toEqual([]);

    const running = await wait(clock, { observe, initial: inProgress() });
    expect(running.kind).toBe('finished');
    expect(reads).toEqual([6000]);
  });

  test('times out at the deadline, with the last read', async () => {
    const clock = new FakeClock();
    const { observe, reads } = scripted(clock, (e) => inProgress({ percentComplete: e / 10_000 }));
    const end = await wait(clock, { observe, timeoutSeconds: 100 });
    expect(end.kind).toBe('timed-out');
    expect(clock.t - T0).toBe(100 * SECOND);
    expect(reads.at(-1)).toBe(100 * SECOND);
    expect(end.last).toEqual(inProgress({ percentComplete: 10 }));
  });

  test('a zero timeout reads once and gives up', async () => {
    const clock = new FakeClock();
    const { observe, reads } = scripted(clock, () => inProgress());
    const end = await wait(clock, { observe, timeoutSeconds: 0 });
    expect(end.kind).toBe('timed-out');
    expect(reads).toEqual([0]);
  });

  test('stopWhen ends the wait with the observation that met it', async () => {
    const clock = new FakeClock();
    const started = new Date(T0 - 50 * MINUTE);
    const { observe } = scripted(clock, () => inProgress({ startTime: started }));
    const end = await wait(clock, {
      observe,
      stopWhen: (o) => clock.now() - o.startTime!.getTime() >= 51 * MINUTE,
    });
    expect(end.kind).toBe('stopped');
    expect(clock.t - T0).toBe(MINUTE);
  });

  test('a finished operation wins over stopWhen', async () => {
    const clock = new FakeClock();
    const { observe } = scripted(clock, () => ({ status: 'Succeeded' }));
    const end = await wait(clock, { observe, stopWhen: () => true });
    expect(end.kind).toBe('finished');
  });

  test('an already aborted signal ends the wait before any read', async () => {
    const clock = new FakeClock();
    const { observe, reads } = scripted(clock, () => inProgress());
    const end = await wait(clock, { observe, signal: AbortSignal.abort() });
    expect(end).toEqual({ kind: 'cancelled', last: undefined });
    expect(reads).toEqual([]);
  });

  test('aborting during a sleep ends the wait promptly without another read', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    clock.abortAt = { at: T0 + 45 * SECOND, controller };
    const { observe, reads } = scripted(clock, (e) => inProgress({ percentComplete: e / 1000 }));
    const end = await wait(clock, { observe, signal: controller.signal });
    expect(end.kind).toBe('cancelled');
    expect(clock.t - T0).toBe(45 * SECOND);
    expect(reads.at(-1)).toBeLessThanOrEqual(45 * SECOND);
    expect(end.last).toEqual(inProgress({ percentComplete: reads.at(-1)! / 1000 }));
  });

  test('logs a progress line only when it changes', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const statuses = ['InProgress', 'InProgress', 'InProgress', 'Succeeded'];
    const observe = async (): Promise<Observation> => ({ status: statuses.shift()! });
    await wait(clock, { observe, log: (l) => lines.push(l) });
    expect(lines).toEqual(['Upgrading: InProgress', 'Upgrading: Succeeded']);
  });

  describe.each([
    [
      'whole percents, as AKS reports them',
      (e: number, total: number) => Math.floor((100 * e) / total),
    ],
    ['exact percents', (e: number, total: number) => (100 * e) / total],
  ])('a 30-minute operation whose percentComplete grows linearly (%s)', (_, percent) => {
    test('is read under 12 times a minute and its end noticed within 3 s', async () => {
      const total = 30 * MINUTE;
      const clock = new FakeClock();
      const startTime = new Date(T0);
      const { observe, reads } = scripted(clock, (e) =>
        e >= total
          ? { status: 'Succeeded', percentComplete: 100, startTime }
          : inProgress({ percentComplete: percent(e, total), startTime }),
      );
      const end = await wait(clock, { observe, timeoutSeconds: 2 * 3600 });
      expect(end.kind).toBe('finished');
      const elapsedMinutes = (clock.t - T0) / MINUTE;
      expect(reads.length / elapsedMinutes).toBeLessThan(12);
      expect(clock.t - T0 - total).toBeLessThanOrEqual(3 * SECOND);
      // No two reads closer than the near-finish interval.
      const gaps = reads.slice(1).map((r, i) => r - reads[i]!);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(POLL.near);
    });
  });
});

describe('an operation whose progress stops matching its estimate', () => {
  test('stuck at 99% for ten minutes, it is read at most 10 times a minute once overdue', async () => {
    const clock = new FakeClock();
    const startTime = new Date(T0);
    // 99% after 5 minutes, then nothing until it ends at 15 minutes.
    const { observe, reads } = scripted(clock, (e) =>
      e >= 15 * MINUTE
        ? { status: 'Succeeded', startTime }
        : inProgress({
            percentComplete: Math.min(99, Math.floor((e / (5 * MINUTE)) * 99)),
            startTime,
          }),
    );
    const end = await wait(clock, { observe, timeoutSeconds: 2 * 3600 });
    expect(end.kind).toBe('finished');
    const late = reads.filter((t) => t - T0 > 7 * MINUTE);
    expect(late.length / 8).toBeLessThanOrEqual(10);
    expect(clock.t - T0 - 15 * MINUTE).toBeLessThanOrEqual(POLL.steady);
  });

  test('Canceling is polled every 2 s, whatever the percentage says', () => {
    const now = T0 + 10 * MINUTE;
    expect(
      nextPollDelay({ status: 'Canceling', percentComplete: 10, startTime: new Date(T0) }, now),
    ).toBe(POLL.near);
  });
});
