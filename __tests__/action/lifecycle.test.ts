/**
 * The operation this run starts: operation-timeout with on-timeout fail or abort, cancellation of
 * the job with on-cancel leave or abort, an operation that fails mid-way, resources already Failed
 * (on-failed fail or reconcile), and dry runs.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { admin, FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction } from '../helpers/action.ts';
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
const pool = (name: string) => cluster().pools.find((p) => p.name === name)!;
/**
 * Upgrades stop at 50% and never finish by themselves: operation-timeout or a cancellation is
 * always what ends the wait, however slowly the run goes.
 */
const HELD_UPGRADE = {
  ...FAST,
  durations: { ...FAST.durations, upgrade: 600 },
  stuck: [{ operation: 'upgrade', atPercent: 50 }],
};
const errorLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('operation-timeout', () => {
  test('on-timeout fail: reports the operation still running and leaves it', async () => {
    await sim.reset('idle', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'operation-timeout': '3s',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('timed-out');
    expect(run.outputs['error-code']).toBe('OperationTimeout');
    const id = run.outputs['operation-id']!;
    expect(errorLines(run.stdout).join('\n')).toContain(`still running as operation ${id}`);
    expect(armWrites(sim, since)).toEqual(['ManagedClusters_CreateOrUpdate']);
    expect(cluster().operations.find((o) => o.id === id)!.status).toBe('InProgress');
  });

  test('on-timeout abort: aborts the operation this run started and waits for Canceled', async () => {
    await sim.reset('idle', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'operation-timeout': '3s',
      'on-timeout': 'abort',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('aborted');
    expect(run.outputs['aborted-operation-id']).toBe(run.outputs['operation-id']);
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_CreateOrUpdate',
      'ManagedClusters_AbortLatestOperation',
    ]);
    expect(cluster().operations.at(-1)!.status).toBe('Canceled');
    expect(run.outputs['provisioning-state']).toBe('Canceled');
  });
});

describe('cancellation of the job', () => {
  const whenWaiting = (stdout: string) => stdout.includes('::group::Waiting:');

  test('on-cancel leave: writes the partial summary and says the operation still runs', async () => {
    await sim.reset('idle', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runAction(
      sim,
      { operation: 'upgrade', 'kubernetes-version': '1.35' },
      { interrupt: { signal: 'SIGINT', when: whenWaiting } },
    );
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs['error-code']).toBe('Cancelled');
    expect(armWrites(sim, since)).toEqual(['ManagedClusters_CreateOrUpdate']);
    expect(cluster().operations.at(-1)!.status).toBe('InProgress');
    expect(run.summary).toContain('on-cancel: leave');
    expect(run.summary).toContain('### Timeline');
  });

  test('on-cancel abort: aborts the operation this run started', async () => {
    await sim.reset('idle', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runAction(
      sim,
      { operation: 'upgrade', 'kubernetes-version': '1.35', 'on-cancel': 'abort' },
      { interrupt: { signal: 'SIGTERM', when: whenWaiting } },
    );
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('aborted');
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_CreateOrUpdate',
      'ManagedClusters_AbortLatestOperation',
    ]);
    expect(['Canceling', 'Canceled']).toContain(cluster().operations.at(-1)!.status);
  });

  test('cancelled while waiting for someone else’s operation: nothing written', async () => {
    await sim.reset('cluster-upgrading', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runAction(
      sim,
      { operation: 'scale', 'node-pool': 'user', 'node-count': '3', 'on-cancel': 'abort' },
      { interrupt: { signal: 'SIGINT', when: (out) => out.includes('::group::Pending:') } },
    );
    expect(run.code).toBe(1);
    expect(run.outputs['error-code']).toBe('Cancelled');
    expect(armWrites(sim, since)).toEqual([]);
    // Not this run's operation: on-cancel abort does not touch it.
    expect(cluster().operations.at(-1)!.status).toBe('InProgress');
  });
});

describe('an operation that fails mid-way', () => {
  test('a drain blocked by a PodDisruptionBudget fails the step with the ARM error', async () => {
    await sim.reset('upgrade-fails-drain', FAST);
    const run = await runAction(sim, { operation: 'upgrade', 'kubernetes-version': '1.35' });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs['error-code']).toBe('UpgradeFailed');
    expect(run.outputs['provisioning-state']).toBe('Failed');
    expect(errorLines(run.stdout).join('\n')).toMatch(/Drain node .* failed when evicting pod/);
    expect(run.summary).toContain('### Diagnosis: ');
    expect(run.summary).toContain('checkout-7d9f8b6c5d-x2k4p');
  });
});

describe('a cluster or pool already Failed', () => {
  test('on-failed fail: stops with the failure’s cause and writes nothing', async () => {
    await sim.reset('failed-cluster', FAST);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs['error-code']).toBe('UpgradeFailed');
    const errors = errorLines(run.stdout).join('\n');
    expect(errors).toContain('Failed state');
    expect(errors).toContain('on-failed: reconcile');
    expect(run.stdout).toMatch(/::warning::.*Drain node/);
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('on-failed reconcile: reconciles the cluster, then runs the operation', async () => {
    await sim.reset('failed-cluster', FAST);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
      'on-failed': 'reconcile',
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_CreateOrUpdate',
      'AgentPools_CreateOrUpdate',
    ]);
    expect(cluster().provisioningState).toBe('Succeeded');
    expect(pool('user').count).toBe(3);
  });

  test('on-failed reconcile on a Failed pool reconciles that pool only', async () => {
    await sim.reset('failed-pool', FAST);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrade-node-image',
      'node-pool': 'user',
      'on-failed': 'reconcile',
    });
    expect(run.code).toBe(0);
    expect(armWrites(sim, since)).toEqual([
      'AgentPools_CreateOrUpdate',
      'AgentPools_UpgradeNodeImageVersion',
    ]);
    expect(pool('user').provisioningState).toBe('Succeeded');
    expect(pool('user').nodeImageVersion).toMatch(/202611\.02\.0$/);
  });
});

describe('dry-run', () => {
  test('plans the wait and the upgrade, writes nothing and does not wait', async () => {
    await sim.reset('cluster-upgrading', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '5',
      'dry-run': 'true',
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('dry-run');
    expect(run.outputs['waited-seconds']).toBe('0');
    expect(armWrites(sim, since)).toEqual([]);
    expect(run.summary).toContain('### Plan (dry run: nothing was written)');
    expect(run.summary).toMatch(/1\. wait for it/);
    expect(run.summary).toMatch(/2\. scale node pool user from 2 to 5 nodes/);
  });
});

describe('an AKS internal error', () => {
  const internal = (times: number) =>
    admin(sim, 'POST', '/failures', {
      operation: 'scale',
      atPercent: 20,
      times,
      error: {
        code: 'InternalOperationError',
        message: 'An internal operation failed. Please try again later.',
      },
    });

  test('is retried once with the same request, which then succeeds', async () => {
    await sim.reset('idle', FAST);
    await internal(1);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(armWrites(sim, since)).toEqual([
      'AgentPools_CreateOrUpdate',
      'AgentPools_CreateOrUpdate',
    ]);
    expect(run.stdout).toMatch(/::warning::AKS reported an internal error/);
    expect(pool('user').count).toBe(3);
  });

  test('twice in a row: no third attempt, and the diagnosis says so', async () => {
    await sim.reset('idle', FAST);
    await internal(2);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
    });
    expect(run.code).toBe(1);
    expect(run.outputs['diagnosis-category']).toBe('internal-error');
    expect(armWrites(sim, since)).toEqual([
      'AgentPools_CreateOrUpdate',
      'AgentPools_CreateOrUpdate',
    ]);
  });
});
