/**
 * The built Action against the simulator: pre-flight, an idle upgrade, and both ways of reaching
 * Azure (direct with environment custom, and unmodified through the proxy with default endpoints).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armReads, armWrites, runAction } from '../helpers/action.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(90_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

describe.each(['direct', 'proxy'] as const)('check on an idle cluster (%s)', (mode) => {
  beforeEach(async () => {
    await sim.reset('idle', FAST);
  });

  test('reports the cluster ready with two ARM reads and no write', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'check' }, { mode });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      result: 'succeeded',
      'provisioning-state': 'Succeeded',
      'power-state': 'Running',
      'kubernetes-version': '1.34.2',
      'pending-operation': '',
      'waited-seconds': '0',
      'error-code': '',
    });
    expect(armWrites(sim, since)).toEqual([]);
    const arm = sim.log.list(since).filter((e) => e.service === 'arm');
    expect(arm.map((e) => e.operation)).toEqual([
      'ManagedClusters_Get',
      'OperationStatusResult_Get',
    ]);
    expect(armReads(sim, since)).toBe(2);
    expect(run.summary).toContain('aks-demo');
    expect(run.summary).toMatch(/ready/i);
  });
});

describe('upgrade on an idle cluster', () => {
  beforeEach(async () => {
    await sim.reset('idle', FAST);
  });

  test('upgrades the control plane and every pool with one PUT carrying If-Match', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'upgrade', 'kubernetes-version': '1.35' });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(run.outputs['kubernetes-version']).toMatch(/^1\.35\.\d+$/);
    expect(run.outputs['operation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(armWrites(sim, since)).toEqual(['ManagedClusters_CreateOrUpdate']);
    const put = sim.log.list(since).find((e) => e.method === 'PUT')!;
    expect(put.ifMatch).toMatch(/^[0-9a-f-]{36}$/);
    expect(put.userAgent).toContain('aks-guard-github-action');
    const cluster = [...sim.state.clusters.values()][0]!;
    expect(cluster.currentKubernetesVersion).toBe(run.outputs['kubernetes-version']);
    for (const pool of cluster.pools)
      expect(pool.currentOrchestratorVersion).toBe(run.outputs['kubernetes-version']);
    expect(run.summary).toMatch(/1\.34\.2/);
    expect(run.summary).toContain(run.outputs['kubernetes-version']);
  });
});
