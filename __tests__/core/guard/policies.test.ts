/**
 * The guard's policies in process, on a scripted AKS (FakeAks) and a virtual clock: every
 * on-pending × busy situation, on-failed × failed situation, write races, timeouts, cancellation
 * and the internal-error retry. Nothing here waits for real time.
 */
import { describe, expect, test } from '@jest/globals';
import { runGuard } from '../../../src/core/guard.ts';
import { decidePending } from '../../../src/core/guard/pending.ts';
import { decideFailed } from '../../../src/core/guard/failed.ts';
import { MemoryReporter } from '../../../src/core/reporter.ts';
import type { Outcome } from '../../../src/core/outcome.ts';
import { FakeAks, settingsOf, T0 } from '../../__fixtures__/fake-aks.ts';

const MIN = 60_000;

async function run(
  aks: FakeAks,
  inputs: Record<string, string>,
  signal?: AbortSignal,
): Promise<Outcome> {
  return runGuard(settingsOf(inputs), {
    client: aks,
    reporter: new MemoryReporter(),
    clock: aks.clock,
    ...(signal ? { signal } : {}),
  });
}

const SCALE = { operation: 'scale', 'node-pool': 'user', 'node-count': '4' };
const INTERNAL = { code: 'InternalOperationError', message: 'An internal operation failed.' };

describe('decidePending (pure)', () => {
  const busy = (status: string, ageMin: number) => ({
    pool: 'user',
    state: status === 'Canceling' ? 'Canceling' : 'Upgrading',
    operation: { id: 'op', status, startTime: new Date(T0 - ageMin * MIN) },
  });
  test.each([
    ['wait', undefined, 'InProgress', 5, 'wait'],
    ['fail', undefined, 'InProgress', 5, 'fail'],
    ['abort', undefined, 'InProgress', 5, 'abort'],
    ['abort', undefined, 'Canceling', 5, 'wait-canceling'],
    ['abort', 600, 'InProgress', 5, 'wait-then-abort'],
    ['abort', 600, 'InProgress', 15, 'abort'],
    ['abort', 600, 'Canceling', 5, 'wait-canceling'],
    ['wait', undefined, 'Canceling', 5, 'wait'],
  ] as const)(
    'on-pending %s, abort-after %s, operation %s for %d min → %s',
    (onPending, abortAfterSeconds, status, age, kind) => {
      const d = decidePending(
        busy(status, age),
        { onPending, ...(abortAfterSeconds ? { abortAfterSeconds } : {}) },
        T0,
      );
      expect(d.kind).toBe(kind);
    },
  );
});

describe('decideFailed (pure)', () => {
  const cluster = (state: string) =>
    ({ provisioningState: state }) as Parameters<typeof decideFailed>[1];
  test.each([
    ['fail', [{ pool: 'user', state: 'Failed' }], 'Succeeded', { kind: 'fail' }],
    [
      'reconcile',
      [{ pool: 'user', state: 'Failed' }],
      'Succeeded',
      { kind: 'reconcile', pools: ['user'] },
    ],
    ['reconcile', [{ state: 'Failed' }], 'Failed', { kind: 'reconcile', pools: [] }],
    ['reconcile', [{ pool: 'user', state: 'Failed' }], 'Failed', { kind: 'reconcile', pools: [] }],
  ] as const)('on-failed %s with %j, cluster %s', (onFailed, failed, state, expected) => {
    expect(decideFailed([...failed], cluster(state), { onFailed })).toMatchObject(expected);
  });
  test('nothing Failed: no decision', () => {
    expect(decideFailed([], cluster('Succeeded'), { onFailed: 'fail' })).toBeUndefined();
  });
});

describe('on-pending, on the fake', () => {
  test('wait: waits for the pool operation, then scales once', async () => {
    const aks = new FakeAks();
    aks.begin({ pool: 'user', verb: 'Upgrading', durationMs: 5 * MIN });
    const o = await run(aks, { ...SCALE, 'on-pending': 'wait' });
    expect(o.result).toBe('succeeded');
    expect(aks.writes()).toEqual(['putPool user']);
    expect(o.waitedSeconds).toBeGreaterThanOrEqual(300);
    expect(o.pendingOperation).toMatch(/^Upgrading on node pool user/);
  });

  test('wait: an operation on another pool is not in the way', async () => {
    const aks = new FakeAks();
    aks.begin({ pool: 'system', verb: 'Upgrading', durationMs: 60 * MIN });
    const o = await run(aks, { ...SCALE, 'on-pending': 'wait' });
    expect(o.result).toBe('succeeded');
    expect(o.waitedSeconds).toBe(0);
    expect(o.pendingOperation).toBeUndefined();
  });

  test('wait: a cluster operation blocks a pool write', async () => {
    const aks = new FakeAks();
    aks.begin({ verb: 'Upgrading', durationMs: 3 * MIN });
    const o = await run(aks, { ...SCALE, 'on-pending': 'wait' });
    expect(o.result).toBe('succeeded');
    expect(o.pendingOperation).toMatch(/on the managed cluster/);
  });

  test('fail: stops naming the operation, writes nothing', async () => {
    const aks = new FakeAks();
    aks.begin({ pool: 'user', verb: 'Scaling' });
    const o = await run(aks, { ...SCALE, 'on-pending': 'fail' });
    expect([o.result, o.error?.code]).toEqual(['failed', 'OperationInProgress']);
    expect(o.message).toMatch(
      /Scaling on node pool user .* is in progress, and on-pending is "fail"/,
    );
    expect(aks.writes()).toEqual([]);
  });

  test('abort: aborts where it runs, waits for Canceled, then writes', async () => {
    const aks = new FakeAks();
    const other = aks.begin({ pool: 'user', verb: 'Upgrading', durationMs: 60 * MIN });
    const o = await run(aks, { ...SCALE, 'on-pending': 'abort' });
    expect(o.result).toBe('succeeded');
    expect(aks.writes()).toEqual(['abort user', 'putPool user']);
    expect(o.abortedOperationId).toBe(other.id);
    expect(aks.statusOf(other)).toBe('Canceled');
  });

  test('abort, already Canceling: waits for it to end and sends no abort', async () => {
    const aks = new FakeAks();
    aks.begin({ pool: 'user', verb: 'Upgrading', canceling: true });
    const o = await run(aks, { ...SCALE, 'on-pending': 'abort' });
    expect(o.result).toBe('succeeded');
    expect(aks.writes()).toEqual(['putPool user']);
  });

  test('abort with abort-after: a young operation is waited for, and aborted once that old', async () => {
    const aks = new FakeAks();
    const other = aks.begin({ pool: 'user', durationMs: 60 * MIN, startedAgoMs: 2 * MIN });
    const o = await run(aks, { ...SCALE, 'on-pending': 'abort', 'abort-after': '10m' });
    expect(o.result).toBe('succeeded');
    expect(aks.writes()).toEqual(['abort user', 'putPool user']);
    const abortAt = aks.called('abort')[0]!.at;
    expect(abortAt - other.startMs).toBeGreaterThanOrEqual(10 * MIN);
    expect(abortAt - other.startMs).toBeLessThan(12 * MIN);
  });

  test('abort with abort-after: a young operation that ends by itself is never aborted', async () => {
    const aks = new FakeAks();
    aks.begin({ pool: 'user', durationMs: 3 * MIN });
    const o = await run(aks, { ...SCALE, 'on-pending': 'abort', 'abort-after': '10m' });
    expect(o.result).toBe('succeeded');
    expect(aks.writes()).toEqual(['putPool user']);
  });

  test('wait-timeout: gives up waiting, writes nothing', async () => {
    const aks = new FakeAks();
    aks.begin({ pool: 'user', durationMs: 90 * MIN });
    const o = await run(aks, { ...SCALE, 'on-pending': 'wait', 'wait-timeout': '20m' });
    expect([o.result, o.error?.code]).toEqual(['timed-out', 'WaitTimeout']);
    expect(aks.writes()).toEqual([]);
    expect(aks.clock.now() - T0).toBeLessThanOrEqual(21 * MIN);
  });
});

describe('on-failed, on the fake', () => {
  const DRAIN = {
    code: 'UpgradeFailed',
    message: 'Drain node failed: blocked by pdb checkout-pdb.',
  };

  test('fail: stops with the cause of the failed operation, writes nothing', async () => {
    const aks = new FakeAks();
    aks.failed({ pool: 'user', error: DRAIN });
    const o = await run(aks, { ...SCALE, 'on-failed': 'fail' });
    expect([o.result, o.error?.code]).toEqual(['failed', 'UpgradeFailed']);
    expect(o.failedState).toEqual({ pool: 'user' });
    expect(aks.writes()).toEqual([]);
  });

  test('reconcile: reconciles the Failed pool, then runs the operation', async () => {
    const aks = new FakeAks();
    aks.failed({ pool: 'user', error: DRAIN });
    const o = await run(aks, { ...SCALE, 'on-failed': 'reconcile' });
    expect(o.result).toBe('succeeded');
    expect(aks.writes()).toEqual(['putPool user', 'putPool user']);
  });

  test('reconcile: a Failed cluster is reconciled as a whole', async () => {
    const aks = new FakeAks();
    aks.failed({ error: DRAIN });
    const o = await run(aks, { ...SCALE, 'on-failed': 'reconcile' });
    expect(o.result).toBe('succeeded');
    expect(aks.writes()).toEqual(['putCluster', 'putPool user']);
  });
});

describe('the write and the wait for the run’s own operation, on the fake', () => {
  test('a write that meets another operation (409) checks again, waits, then writes', async () => {
    const aks = new FakeAks();
    const real = aks.putPool.bind(aks);
    let first = true;
    aks.putPool = async (name, model) => {
      if (first) {
        first = false;
        aks.begin({ pool: 'user', verb: 'Scaling', durationMs: 2 * MIN });
      }
      return real(name, model);
    };
    const o = await run(aks, { ...SCALE, 'on-pending': 'wait' });
    expect(o.result).toBe('succeeded');
    expect(aks.writes()).toEqual(['putPool user', 'putPool user']);
  });

  test('an AKS internal error is sent once more; a second one ends the run', async () => {
    const once = new FakeAks();
    once.failNextWrite = INTERNAL;
    const retried = await run(once, SCALE);
    expect(retried.result).toBe('succeeded');
    expect(once.writes()).toEqual(['putPool user', 'putPool user']);

    const twice = new FakeAks();
    twice.failNextWrite = INTERNAL;
    const real = twice.putPool.bind(twice);
    twice.putPool = async (name, model) => {
      const accepted = await real(name, model);
      twice.failNextWrite = INTERNAL;
      return accepted;
    };
    const failed = await run(twice, SCALE);
    expect([failed.result, failed.error?.code]).toEqual(['failed', 'InternalOperationError']);
    expect(twice.writes()).toEqual(['putPool user', 'putPool user']);
  });

  test('any other failure is not retried', async () => {
    const aks = new FakeAks();
    aks.failNextWrite = {
      code: 'QuotaExceeded',
      message: 'Quota exceeded for standardDSv5Family.',
    };
    const o = await run(aks, SCALE);
    expect([o.result, o.error?.code]).toEqual(['failed', 'QuotaExceeded']);
    expect(aks.writes()).toEqual(['putPool user']);
  });

  test.each([
    ['fail', 'timed-out', ['putPool user']],
    ['abort', 'aborted', ['putPool user', 'abort user']],
  ] as const)('operation-timeout with on-timeout %s → %s', async (onTimeout, result, writes) => {
    const aks = new FakeAks();
    aks.writeDurationMs = 90 * MIN;
    const o = await run(aks, { ...SCALE, 'operation-timeout': '30m', 'on-timeout': onTimeout });
    expect(o.result).toBe(result);
    expect(o.failed).toBe(true);
    expect(aks.writes()).toEqual(writes);
  });

  test.each([
    ['leave', 'failed', ['putPool user']],
    ['abort', 'aborted', ['putPool user', 'abort user']],
  ] as const)('a cancelled job with on-cancel %s → %s', async (onCancel, result, writes) => {
    const aks = new FakeAks();
    aks.writeDurationMs = 90 * MIN;
    const controller = new AbortController();
    aks.clock.abortAt = { at: T0 + 5 * MIN, controller };
    let o = await run(aks, { ...SCALE, 'on-cancel': onCancel }, controller.signal);
    // The abort a cancellation asks for is sent after the outcome is published.
    expect(aks.writes()).toEqual(['putPool user']);
    if (o.followUp) o = await o.followUp(aks.clock.now() + 6000);
    expect([o.result, o.error?.code]).toEqual([result, 'Cancelled']);
    expect(aks.writes()).toEqual(writes);
  });
});
