/**
 * Each operation kind through the built Action, the checks made against the cluster before any
 * write, and bad inputs (refused before any network call).
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction } from '../helpers/action.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(90_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
/** Temp folders the tests make, removed after this file's tests. */
const temps: string[] = [];
afterAll(async () => {
  await sim.stop();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const cluster = () => [...sim.state.clusters.values()][0]!;
const pool = (name: string) => cluster().pools.find((p) => p.name === name)!;
const errorText = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('::error'))
    .join('\n');

describe('operations', () => {
  test('upgrade of one node pool leaves the control plane and the other pool alone', async () => {
    await sim.reset('idle', FAST);
    // The control plane must be ahead of the pool: upgrade it first.
    await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'control-plane-only': 'true',
    });
    expect(cluster().currentKubernetesVersion).toMatch(/^1\.35\./);
    expect(pool('user').currentOrchestratorVersion).toBe('1.34.2');
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'node-pool': 'user',
    });
    expect(run.outputs.result).toBe('succeeded');
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
    expect(pool('user').currentOrchestratorVersion).toMatch(/^1\.35\./);
    expect(pool('system').currentOrchestratorVersion).toBe('1.34.2');
  });

  test('upgrade-node-image upgrades every pool and waits for each', async () => {
    await sim.reset('idle', FAST);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'upgrade-node-image' });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(armWrites(sim, since)).toEqual([
      'AgentPools_UpgradeNodeImageVersion',
      'AgentPools_UpgradeNodeImageVersion',
    ]);
    for (const p of cluster().pools) {
      expect(p.nodeImageVersion).toMatch(/202611\.02\.0$/);
      expect(p.provisioningState).toBe('Succeeded');
    }
  });

  test('scale refuses a pool with the cluster autoscaler on, before writing', async () => {
    await sim.reset('idle', {
      ...FAST,
      clusters: [{ pools: [{}, { enableAutoScaling: true, minCount: 1, maxCount: 5 }] }],
    });
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '4',
    });
    expect(run.code).toBe(1);
    expect(errorText(run.stdout)).toMatch(/cluster autoscaler on \(min 1, max 5 nodes\)/);
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('stop, then start, the cluster', async () => {
    await sim.reset('idle', FAST);
    let since = sim.log.lastSeq;
    const stop = await runAction(sim, { operation: 'stop' });
    expect(stop.outputs.result).toBe('succeeded');
    expect(stop.outputs['power-state']).toBe('Stopped');
    expect(armWrites(sim, since)).toEqual(['ManagedClusters_Stop']);

    since = sim.log.lastSeq;
    const again = await runAction(sim, { operation: 'stop' });
    expect(again.code).toBe(0);
    expect(again.outputs.result).toBe('skipped');
    expect(armWrites(sim, since)).toEqual([]);

    since = sim.log.lastSeq;
    const start = await runAction(sim, { operation: 'start' });
    expect(start.outputs.result).toBe('succeeded');
    expect(start.outputs['power-state']).toBe('Running');
    expect(armWrites(sim, since)).toEqual(['ManagedClusters_Start']);
  });

  test('upgrade of a stopped cluster is refused with a way out', async () => {
    await sim.reset('stopped-cluster', FAST);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'upgrade', 'kubernetes-version': '1.35' });
    expect(run.code).toBe(1);
    expect(errorText(run.stdout)).toMatch(/is stopped.*operation "start"/);
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('reconcile sends the unchanged cluster back', async () => {
    await sim.reset('idle', FAST);
    const before = JSON.stringify(cluster().pools.map((p) => [p.name, p.count, p.vmSize]));
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'reconcile' });
    expect(run.outputs.result).toBe('succeeded');
    expect(armWrites(sim, since)).toEqual(['ManagedClusters_CreateOrUpdate']);
    expect(JSON.stringify(cluster().pools.map((p) => [p.name, p.count, p.vmSize]))).toBe(before);
  });

  test('abort stops the operation in progress on a pool; on an idle pool it is skipped', async () => {
    await sim.reset('pool-scaling', FAST);
    const pending = cluster().operations.at(-1)!.id;
    let since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'abort', 'node-pool': 'user' });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('aborted');
    expect(run.outputs['aborted-operation-id']).toBe(pending);
    expect(armWrites(sim, since)).toEqual(['AgentPools_AbortLatestOperation']);
    expect(cluster().operations.at(-1)!.status).toBe('Canceled');

    since = sim.log.lastSeq;
    const idle = await runAction(sim, { operation: 'abort', 'node-pool': 'system' });
    expect(idle.code).toBe(0);
    expect(idle.outputs.result).toBe('skipped');
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('run-command returns the exit code and the logs, with files attached', async () => {
    await sim.reset('idle', FAST);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-files-'));
    temps.push(dir);
    writeFileSync(path.join(dir, 'deploy.yaml'), 'apiVersion: v1\nkind: Namespace\n');
    // The runner's checkout: only files inside GITHUB_WORKSPACE may be sent.
    const run = await runAction(
      sim,
      {
        operation: 'run-command',
        command: 'kubectl get nodes',
        files: path.join(dir, 'deploy.yaml'),
      },
      { env: { GITHUB_WORKSPACE: dir } },
    );
    expect(run.code).toBe(0);
    expect(run.outputs['command-exit-code']).toBe('0');
    expect(run.outputs['command-logs']).toMatch(/aks-system-/);
    expect(run.summary).toContain('### Command output');
  });

  test('run-command with a failing command fails the step with its exit code', async () => {
    await sim.reset('run-command-failures', FAST);
    const run = await runAction(sim, { operation: 'run-command', command: 'kubectl get ns' });
    expect(run.code).toBe(1);
    expect(run.outputs['command-exit-code']).toBe('1');
    expect(run.outputs['command-logs']).toContain('Forbidden');
  });
});

describe('checks against the cluster before any write', () => {
  beforeAll(async () => {
    await sim.reset('idle', FAST);
  });

  test.each([
    ['a skipped minor version', '1.36', /one minor version at a time/],
    ['a downgrade', '1.33', /downgrade/i],
    ['a version AKS does not offer', '1.35.99', /1\.35\.99/],
  ])('upgrade to %s is refused and lists the allowed versions', async (_, version, why) => {
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'upgrade', 'kubernetes-version': version });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    const error = errorText(run.stdout);
    expect(error).toMatch(why);
    expect(error).toContain('1.35.3');
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('scale of a pool that does not exist names the pools that do', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'scale', 'node-pool': 'gpu', 'node-count': '2' });
    expect(run.code).toBe(1);
    expect(errorText(run.stdout)).toMatch(/gpu.*system.*user/s);
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('a System pool cannot be scaled to zero', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'system',
      'node-count': '0',
    });
    expect(run.code).toBe(1);
    expect(errorText(run.stdout)).toMatch(/System/);
    expect(armWrites(sim, since)).toEqual([]);
  });
});

describe('bad inputs', () => {
  test('every bad input is named, with its value and what is allowed, before any request', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrayed',
      'on-pending': 'later',
      'wait-timeout': 'soon',
      'node-count': 'three',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs['error-code']).toBe('InvalidInput');
    const error = errorText(run.stdout);
    expect(error).toContain('operation');
    expect(error).toContain('upgrayed');
    expect(error).toContain('upgrade-node-image');
    expect(error).toContain('on-pending');
    expect(error).toContain('later');
    expect(error).toContain('wait-timeout');
    expect(error).toContain('90s');
    expect(sim.log.list(since)).toEqual([]);
  });

  test('a missing cluster name and an oidc job without id-token permission', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(
      sim,
      { 'cluster-name': '' },
      {
        env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
      },
    );
    expect(run.code).toBe(1);
    expect(errorText(run.stdout)).toContain('cluster-name');
    expect(sim.log.list(since)).toEqual([]);

    const noOidc = await runAction(
      sim,
      {},
      {
        env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
      },
    );
    expect(noOidc.code).toBe(1);
    expect(errorText(noOidc.stdout)).toContain('id-token: write');
    expect(sim.log.list(since)).toEqual([]);
  });
});
