/**
 * Aborts as they really end: an abort that loses the race to the operation's own end is reported
 * as what happened (the operation Succeeded), and a cancelled job keeps its summary and outputs
 * even when the abort it asks for outlives the runner's grace period (SIGINT, SIGTERM 7.5 s later,
 * SIGKILL 2.5 s after that, as actions/runner does).
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { admin, FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction } from '../helpers/action.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(150_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

const cluster = () => [...sim.state.clusters.values()][0]!;
const racePath = () => `/clusters/${cluster().resourceGroup}/${cluster().name}/race`;

/** Upgrades stop at 50% and never finish by themselves. */
const HELD_UPGRADE = {
  ...FAST,
  durations: { ...FAST.durations, upgrade: 600 },
  stuck: [{ operation: 'upgrade', atPercent: 50 }],
};
const whenWaiting = (out: string) => out.includes('::group::Waiting:');

describe('an abort that loses the race to the operation’s own end', () => {
  test('on-timeout abort: the upgrade finished first, so the run succeeded and aborted nothing', async () => {
    await sim.reset('idle', HELD_UPGRADE);
    // The upgrade ends by itself just before the abort reaches it; AKS answers 409.
    expect((await admin(sim, 'POST', racePath(), { endsBeforeAbort: true })).status).toBe(201);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'operation-timeout': '3s',
      'on-timeout': 'abort',
    });
    const aborts = sim.log.list(since).filter((e) => e.path.endsWith('/abort'));
    expect(aborts.map((e) => e.status)).toEqual([409]);
    expect(cluster().operations.at(-1)!.status).toBe('Succeeded');
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(run.outputs['aborted-operation-id']).toBe('');
    expect(run.outputs['operation-id']).toBe(cluster().operations.at(-1)!.id);
    expect(run.stdout).toMatch(/::warning::.*before the abort took effect/);
  });

  test('operation abort: the operation ended first, so nothing was aborted (skipped)', async () => {
    await sim.reset('cluster-upgrading', {
      ...FAST,
      clusters: [{ operation: { stuckAtPercent: 99 } }],
    });
    expect((await admin(sim, 'POST', racePath(), { endsBeforeAbort: true })).status).toBe(201);
    const run = await runAction(sim, { operation: 'abort' });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('skipped');
    expect(run.outputs['aborted-operation-id']).toBe('');
    expect(cluster().operations.at(-1)!.status).toBe('Succeeded');
    expect(run.summary).toMatch(/Nothing was aborted/);
  });

  test('on-pending abort: the other operation ended first; the write goes, nothing reported aborted', async () => {
    await sim.reset('cluster-upgrading', {
      ...FAST,
      clusters: [{ operation: { stuckAtPercent: 99 } }],
    });
    expect((await admin(sim, 'POST', racePath(), { endsBeforeAbort: true })).status).toBe(201);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
      'on-pending': 'abort',
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(run.outputs['aborted-operation-id']).toBe('');
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_AbortLatestOperation',
      'AgentPools_CreateOrUpdate',
    ]);
  });
});

describe('cancellation within the runner’s grace period', () => {
  test('an abort that hangs: summary and outputs are written first, and say it may still run', async () => {
    await sim.reset('idle', HELD_UPGRADE);
    sim.faults.add({
      match: { method: 'POST', path: '/abort' },
      action: 'latency',
      latencyMs: 60_000,
    });
    const run = await runAction(
      sim,
      { operation: 'upgrade', 'kubernetes-version': '1.35', 'on-cancel': 'abort' },
      { interrupt: { signal: 'SIGINT', when: whenWaiting, asRunner: true } },
    );
    // The step ended by itself, before the runner's SIGKILL.
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.outputs['error-code']).toBe('Cancelled');
    expect(run.outputs['operation-id']).toBe(cluster().operations.at(-1)!.id);
    expect(run.summary).toMatch(/may still be running/);
    expect(run.summary).toContain(cluster().operations.at(-1)!.id);
  });

  test('SIGINT while on-timeout abort waits for Canceled ends the wait at once', async () => {
    // Canceling lasts ten minutes: only the job's cancellation can end this wait.
    await sim.reset('idle', { ...HELD_UPGRADE, cancelSeconds: 600 });
    const run = await runAction(
      sim,
      {
        operation: 'upgrade',
        'kubernetes-version': '1.35',
        'operation-timeout': '3s',
        'on-timeout': 'abort',
      },
      {
        interrupt: {
          signal: 'SIGINT',
          when: (out) => out.includes('Aborted the operation this run started'),
          asRunner: true,
        },
      },
    );
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('aborted');
    expect(run.outputs['aborted-operation-id']).toBe(cluster().operations.at(-1)!.id);
    expect(run.summary).toMatch(/cancelled before Canceled was confirmed/);
    expect(cluster().operations.at(-1)!.status).toBe('Canceling');
  });
});
