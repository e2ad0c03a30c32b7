/**
 * on-pending: the built Action meets an operation already in progress on the cluster or a pool and
 * waits for it, aborts it (now, or once it is older than abort-after), or stops; and a write that
 * races another writer between the check and the write.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { admin, FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction, type ActionRun } from '../helpers/action.ts';
import { releaseWhenWaiting, startHeld } from '../helpers/hold.ts';
import type { Simulator } from '../../src/simulator/index.ts';

// Generous: a loaded CI machine runs these slowly, and nothing here races the clock.
jest.setTimeout(150_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

const cluster = () => [...sim.state.clusters.values()][0]!;

/**
 * The scenario's running operation, held: it stops progressing at 99% and never ends by itself, so
 * it is still in progress whenever the run looks; the test finishes it (releaseWhenWaiting) once
 * the run has shown it waits for it. Started a few seconds before its nominal end, so the guard
 * polls it every 2 s rather than once a minute.
 */
function held(over: Record<string, unknown> = { startedSecondsAgo: 2, durationSeconds: 6 }) {
  return { ...FAST, clusters: [{ operation: { ...over, stuckAtPercent: 99 } }] };
}

function writesOk(since: number): void {
  const writes = sim.log.list(since).filter((e) => e.service === 'arm' && e.method !== 'GET');
  for (const w of writes) expect(w.status).toBeLessThan(300);
}

describe('on-pending: wait', () => {
  test('waits for an upgrade of the cluster, then scales the pool', async () => {
    await sim.reset('cluster-upgrading', held());
    const pending = cluster().operations.at(-1)!.id;
    const since = sim.log.lastSeq;
    // The upgrade ends 2 s after the run has begun waiting for it (by the run's own log).
    const release = releaseWhenWaiting(sim, { afterMs: 2000 });
    const run = await runAction(
      sim,
      { operation: 'scale', 'node-pool': 'user', 'node-count': '3' },
      { onLine: release.onLine },
    );
    expect(release.released).toEqual([pending]);
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(run.outputs['pending-operation']).toMatch(/on the managed cluster/);
    expect(Number(run.outputs['waited-seconds'])).toBeGreaterThanOrEqual(2);
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
    writesOk(since);
    expect(cluster().pools.find((p) => p.name === 'user')!.count).toBe(3);
    // Progress is logged with the percentage and the operation's age.
    expect(run.log.join('\n')).toMatch(/\d+%/);
    expect(run.summary).toContain('waited');
  });

  test('waits for an operation on the same pool, and not for one on another pool', async () => {
    await sim.reset('pool-scaling', held());
    const scaling = cluster().operations.at(-1)!;
    let since = sim.log.lastSeq;
    // The user pool's scale is held in progress for the whole first run.
    const other = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'system',
      'node-count': '4',
    });
    expect(other.outputs.result).toBe('succeeded');
    expect(other.outputs['pending-operation']).toBe('');
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
    expect(scaling.status).toBe('InProgress');

    since = sim.log.lastSeq;
    const release = releaseWhenWaiting(sim);
    const same = await runAction(
      sim,
      { operation: 'scale', 'node-pool': 'user', 'node-count': '3' },
      { onLine: release.onLine },
    );
    expect(release.released).toEqual([scaling.id]);
    expect(same.code).toBe(0);
    expect(same.outputs.result).toBe('succeeded');
    expect(same.outputs['pending-operation']).toMatch(/node pool user/);
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
    writesOk(since);
    expect(cluster().pools.find((p) => p.name === 'user')!.count).toBe(3);
  });

  test('gives up after wait-timeout without writing', async () => {
    // The upgrade never ends by itself: only wait-timeout can end the wait.
    await sim.reset('cluster-upgrading', held({}));
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'wait-timeout': '3s',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('timed-out');
    expect(run.outputs['error-code']).toBe('WaitTimeout');
    expect(Number(run.outputs['waited-seconds'])).toBeGreaterThanOrEqual(3);
    expect(armWrites(sim, since)).toEqual([]);
    expect(run.stdout).toMatch(/::error[^:]*::.*wait-timeout/);
  });
});

describe('on-pending: abort', () => {
  test('aborts the upgrade in progress, waits for Canceled, then scales', async () => {
    await sim.reset('cluster-upgrading', held({}));
    const pending = cluster().operations.at(-1)!.id;
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
      'on-pending': 'abort',
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(run.outputs['aborted-operation-id']).toBe(pending);
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_AbortLatestOperation',
      'AgentPools_CreateOrUpdate',
    ]);
    writesOk(since);
    expect(cluster().operations.find((o) => o.id === pending)!.status).toBe('Canceled');
    expect(run.stdout).toMatch(/::warning::Aborted/);
  });

  test('an abort answered 204: waits for the cancel to end without aborting again, then writes', async () => {
    await sim.reset('cluster-upgrading', { ...held({}), abortResponse: 204 });
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
      'on-pending': 'abort',
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    const aborts = sim.log.list(since).filter((e) => e.path.endsWith('/abort'));
    expect(aborts.map((e) => e.status)).toEqual([204]);
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_AbortLatestOperation',
      'AgentPools_CreateOrUpdate',
    ]);
  });

  test('an abort that AKS accepts but that never takes effect is not repeated blindly', async () => {
    await sim.reset('cluster-upgrading', held({}));
    sim.faults.add({ match: { method: 'POST', path: '/abort' }, action: 'error', status: 204 });
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
      'on-pending': 'abort',
      'wait-timeout': '4s',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('timed-out');
    expect(sim.log.list(since).filter((e) => e.path.endsWith('/abort'))).toHaveLength(1);
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('abort-after waits for a young operation and aborts it once it is old enough', async () => {
    await sim.reset('idle', FAST);
    // The other pipeline's upgrade starts as this run signs in (its first Entra token), so it is
    // brand new at the run's check however slowly the run started; it never ends by itself.
    let pending: string | undefined;
    const off = sim.log.onRecord((e) => {
      if (pending === undefined && e.operation === 'Entra_Token' && e.status === 200)
        pending = startHeld(sim, { type: 'upgrade', kubernetesVersion: '1.35.3' }).id;
    });
    const since = sim.log.lastSeq;
    let run: ActionRun;
    try {
      run = await runAction(sim, {
        operation: 'scale',
        'node-pool': 'user',
        'node-count': '3',
        'on-pending': 'abort',
        'abort-after': '6s',
      });
    } finally {
      off();
    }
    expect(pending).toBeDefined();
    expect(run.code).toBe(0);
    expect(run.outputs['aborted-operation-id']).toBe(pending);
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_AbortLatestOperation',
      'AgentPools_CreateOrUpdate',
    ]);
    expect(Number(run.outputs['waited-seconds'])).toBeGreaterThanOrEqual(2);
    expect(run.log.join('\n')).toMatch(/younger than abort-after/);
  });

  test('abort-after leaves a young operation alone and waits for it to finish', async () => {
    await sim.reset('cluster-upgrading', held({ startedSecondsAgo: 1, durationSeconds: 5 }));
    const since = sim.log.lastSeq;
    const pending = cluster().operations.at(-1)!;
    const release = releaseWhenWaiting(sim);
    const run = await runAction(
      sim,
      {
        operation: 'scale',
        'node-pool': 'user',
        'node-count': '3',
        'on-pending': 'abort',
        'abort-after': '30m',
      },
      { onLine: release.onLine },
    );
    expect(release.released).toEqual([pending.id]);
    expect(run.outputs['pending-operation']).toContain(pending.id);
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(run.outputs['aborted-operation-id']).toBe('');
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
    expect(pending.status).toBe('Succeeded');
  });

  test('an abort answered 409 (the operation just ended) checks again and goes on', async () => {
    await sim.reset('pool-scaling', held({}));
    sim.faults.add({
      match: { method: 'POST', path: '/abort' },
      action: 'error',
      status: 409,
      code: 'OperationNotAllowed',
      message: 'There is no running operation to abort.',
      times: 1,
    });
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
      'on-pending': 'abort',
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    const aborts = sim.log.list(since).filter((e) => e.path.endsWith('/abort'));
    expect(aborts.map((e) => e.status)).toEqual([409, 202]);
    expect(run.log.join('\n')).toMatch(/Abort answered 409/);
  });
});

describe('on-pending: fail', () => {
  test('stops with the operation, where it runs, its progress and age; nothing written', async () => {
    await sim.reset('cluster-upgrading', held({}));
    const pending = cluster().operations.at(-1)!.id;
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'on-pending': 'fail',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs['error-code']).toBe('OperationInProgress');
    expect(run.outputs['pending-operation']).toContain(pending);
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error'))!;
    expect(error).toContain('on the managed cluster');
    expect(error).toMatch(/\d+%/);
    expect(error).toMatch(/running for \d+m/);
    expect(armWrites(sim, since)).toEqual([]);
  });
});

describe('a write that races another writer', () => {
  // The other writer also changes the pool's ETag, so the guard's PUT meets 412 first, re-reads,
  // then meets 409 for the operation in progress.
  test('meets 412 and 409, waits for the other operation, and writes once more', async () => {
    await sim.reset('idle', FAST);
    // The other writer's scale is held until this run waits for it.
    await admin(sim, 'POST', '/clusters/rg-aks-guard-demo/aks-demo/race', {
      type: 'scale',
      pool: 'user',
      count: 4,
      durationSeconds: 3,
      stuckAtPercent: 99,
      startedBy: 'another pipeline',
    });
    const since = sim.log.lastSeq;
    const release = releaseWhenWaiting(sim);
    const run = await runAction(
      sim,
      { operation: 'scale', 'node-pool': 'user', 'node-count': '3' },
      { onLine: release.onLine },
    );
    expect(release.released).toHaveLength(1);
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    const writes = sim.log
      .list(since)
      .filter((e) => e.service === 'arm' && e.method !== 'GET')
      .map((e) => `${e.operation} ${e.status}`);
    expect(writes).toEqual([
      'AgentPools_CreateOrUpdate 412',
      'AgentPools_CreateOrUpdate 409',
      'AgentPools_CreateOrUpdate 200',
    ]);
    expect(cluster().pools.find((p) => p.name === 'user')!.count).toBe(3);
    expect(run.stdout).toMatch(
      /::warning::The write met another operation that started after the check/,
    );
  });

  test('gives up after a bounded number of races', async () => {
    await sim.reset('idle', FAST);
    await admin(sim, 'POST', '/clusters/rg-aks-guard-demo/aks-demo/race', {
      type: 'scale',
      pool: 'user',
      count: 4,
      durationSeconds: 1,
      stuckAtPercent: 99,
      times: 10,
    });
    const since = sim.log.lastSeq;
    const release = releaseWhenWaiting(sim);
    const run = await runAction(
      sim,
      { operation: 'scale', 'node-pool': 'user', 'node-count': '3' },
      { onLine: release.onLine },
    );
    // The first two races' operations were waited for (and released); after the third, it gives up.
    expect(release.released).toHaveLength(2);
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs['error-code']).toBe('OperationNotAllowed');
    const statuses = sim.log
      .list(since)
      .filter((e) => e.method === 'PUT')
      .map((e) => e.status);
    // Three rounds, each a 412 (changed ETag) then a 409 (operation in progress); never a blind loop.
    expect(statuses).toEqual([412, 409, 412, 409, 412, 409]);
    expect(run.stdout).toMatch(/::error[^:]*::Gave up after 3/);
  });
});
