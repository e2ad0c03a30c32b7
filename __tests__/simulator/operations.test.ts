import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { ManagedCluster } from '@azure/arm-containerservice';
import type { Simulator } from '../../src/simulator/index.ts';
import {
  admin,
  aksClient,
  armErrorOf,
  clusterPath,
  firstCluster,
  frozenClock,
  raw,
  simulator,
  FAST,
} from '../helpers/simulator.ts';

const PREVIEW = '2026-08-02-preview';

interface StatusResult {
  name: string;
  status: string;
  percentComplete?: number;
  operationType?: string;
  subOperationType?: string;
  endTime?: string;
  error?: { code: string; message: string };
}

async function latest(sim: Simulator, pool?: string): Promise<StatusResult> {
  const c = firstCluster(sim);
  const suffix = pool ? `/agentPools/${pool}/operations/latest` : '/operations/latest';
  return (await raw(sim, 'GET', clusterPath(c, suffix, PREVIEW))).body as StatusResult;
}

function upgradeTo(mc: ManagedCluster, version: string): ManagedCluster {
  return {
    ...mc,
    kubernetesVersion: version,
    agentPoolProfiles: mc.agentPoolProfiles!.map((p) => ({ ...p, orchestratorVersion: version })),
  };
}

// Simulated time stands still in this block: the upgrade moves on only when the test advances
// the clock, so every read sees the state the test expects however slowly it runs.
describe('an upgrade through the managed cluster API', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', { ...FAST, durations: { upgrade: 3 } }, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('shows Upgrading with rising percentComplete, then Succeeded with the new versions and node images', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const poller = client.managedClusters.createOrUpdate(
      c.resourceGroup,
      c.name,
      upgradeTo(mc, '1.34.4'),
      { updateIntervalInMs: 200 },
    );
    await poller.submitted();
    const during = await client.managedClusters.get(c.resourceGroup, c.name);
    expect([
      during.provisioningState,
      during.kubernetesVersion,
      during.currentKubernetesVersion,
    ]).toEqual(['Upgrading', '1.34.4', '1.34.2']);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await latest(sim);
      expect(s).toMatchObject({
        status: 'InProgress',
        operationType: 'PutManagedCluster',
        subOperationType: 'Upgrading',
      });
      seen.push(s.percentComplete!);
      sim.advance(0.4);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBeGreaterThan(seen[0]!);
    sim.advance(3);
    const done = await poller.pollUntilDone();
    expect([done.provisioningState, done.currentKubernetesVersion]).toEqual([
      'Succeeded',
      '1.34.4',
    ]);
    expect(
      done.agentPoolProfiles!.map((p) => [
        p.currentOrchestratorVersion,
        p.nodeImageVersion,
        p.provisioningState,
      ]),
    ).toEqual([
      ['1.34.4', 'AKSUbuntu-2204gen2containerd-202611.02.0', 'Succeeded'],
      ['1.34.4', 'AKSUbuntu-2204gen2containerd-202611.02.0', 'Succeeded'],
    ]);
    expect(await latest(sim)).toMatchObject({
      status: 'Succeeded',
      percentComplete: 100,
      endTime: expect.any(String),
    });
  });

  test.each([
    [
      'a minor-version skip',
      '1.36.0',
      'OperationNotAllowed',
      'Upgrading Kubernetes version 1.34.4 to 1.36.0 is not allowed. Available upgrades: [1.35.3 1.35.1]. Please see https://aka.ms/aks-supported-k8s-ver for version details.',
    ],
    [
      'a downgrade',
      '1.33.5',
      'OperationNotAllowed',
      'Downgrading Kubernetes version 1.34.4 to 1.33.5 is not allowed. Available upgrades: [1.35.3 1.35.1]. Please see https://aka.ms/aks-supported-k8s-ver for version details.',
    ],
    [
      'a version the region does not offer',
      '1.29.9',
      'K8sVersionNotSupported',
      'Version 1.29.9 is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list',
    ],
  ])('%s is refused with 400 before anything changes', async (_what, version, code, message) => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, upgradeTo(mc, version))
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toEqual({ statusCode: 400, code, message });
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).eTag).toBe(mc.eTag);
  });

  test('pool versions through the managed cluster API must stay unchanged or follow the control plane', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const mixed = {
      ...mc,
      kubernetesVersion: '1.35.3',
      agentPoolProfiles: mc.agentPoolProfiles!.map((p, i) => ({
        ...p,
        orchestratorVersion: i === 0 ? '1.35.3' : '1.35.1',
      })),
    };
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, mixed)
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({
      statusCode: 400,
      code: 'NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged',
    });
  });

  test('a pool cannot run a newer version than the control plane', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const pool = await client.agentPools.get(c.resourceGroup, c.name, 'user');
    const err = await client.agentPools
      .createOrUpdate(c.resourceGroup, c.name, 'user', { ...pool, orchestratorVersion: '1.35.3' })
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({
      statusCode: 400,
      code: 'NodePoolMcVersionIncompatible',
    });
  });
});

// Frozen time here too: each operation is still running when the test reads it, and ends when the
// test advances the clock by its duration.
describe('each kind of operation shows its own provisioningState', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', FAST, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('scale (Scaling), node image (UpgradingNodeImageVersion), reconcile (Updating), stop (Stopping), start (Starting)', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const pool = await client.agentPools.get(c.resourceGroup, c.name, 'user');

    const scale = client.agentPools.createOrUpdate(
      c.resourceGroup,
      c.name,
      'user',
      { ...pool, count: 4 },
      { updateIntervalInMs: 100 },
    );
    await scale.submitted();
    expect((await client.agentPools.get(c.resourceGroup, c.name, 'user')).provisioningState).toBe(
      'Scaling',
    );
    sim.advance(FAST.durations.scale);
    expect(await scale.pollUntilDone()).toMatchObject({ count: 4, provisioningState: 'Succeeded' });

    const image = client.agentPools.upgradeNodeImageVersion(c.resourceGroup, c.name, 'system', {
      updateIntervalInMs: 100,
    });
    await image.submitted();
    expect((await client.agentPools.get(c.resourceGroup, c.name, 'system')).provisioningState).toBe(
      'UpgradingNodeImageVersion',
    );
    expect(await latest(sim, 'system')).toMatchObject({
      operationType: 'UpgradeNodeImageVersion',
      subOperationType: 'UpgradingNodeImageVersion',
    });
    sim.advance(FAST.durations['upgrade-node-image']);
    await image.pollUntilDone();
    expect((await client.agentPools.get(c.resourceGroup, c.name, 'system')).nodeImageVersion).toBe(
      'AKSUbuntu-2204gen2containerd-202611.02.0',
    );
    const again = await raw(
      sim,
      'POST',
      clusterPath(c, '/agentPools/system/upgradeNodeImageVersion'),
    );
    expect([again.status, again.text]).toEqual([200, '']);

    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const reconcile = client.managedClusters.createOrUpdate(c.resourceGroup, c.name, mc, {
      updateIntervalInMs: 100,
    });
    await reconcile.submitted();
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).provisioningState).toBe(
      'Updating',
    );
    sim.advance(FAST.durations.reconcile);
    await reconcile.pollUntilDone();

    const stop = client.managedClusters.stop(c.resourceGroup, c.name, { updateIntervalInMs: 100 });
    await stop.submitted();
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).provisioningState).toBe(
      'Stopping',
    );
    sim.advance(FAST.durations.stop);
    await stop.pollUntilDone();
    const stopped = await client.managedClusters.get(c.resourceGroup, c.name);
    expect([
      stopped.provisioningState,
      stopped.powerState?.code,
      stopped.agentPoolProfiles![0]!.powerState?.code,
    ]).toEqual(['Succeeded', 'Stopped', 'Stopped']);

    const start = client.managedClusters.start(c.resourceGroup, c.name, {
      updateIntervalInMs: 100,
    });
    await start.submitted();
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).provisioningState).toBe(
      'Starting',
    );
    sim.advance(FAST.durations.start);
    await start.pollUntilDone();
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).powerState?.code).toBe(
      'Running',
    );
  });
});

describe('scripted failures', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('upgrade-fails-drain', FAST);
  });
  afterAll(() => sim.stop());

  test('an upgrade that fails at 60% leaves the cluster Failed and operations/latest carries the ARM error', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, upgradeTo(mc, '1.34.4'), { updateIntervalInMs: 100 })
      .catch((e: unknown) => e);
    expect(armErrorOf(err).code).toBe('UpgradeFailed');
    expect(armErrorOf(err).message).toMatch(
      /^Drain node aks-system-\d+-vmss000000 failed when evicting pod .* blocked by pdb checkout-pdb/,
    );
    const after = await client.managedClusters.get(c.resourceGroup, c.name);
    expect([after.provisioningState, after.currentKubernetesVersion]).toEqual(['Failed', '1.34.4']);
    expect(
      after.agentPoolProfiles!.map((p) => [
        p.name,
        p.provisioningState,
        p.currentOrchestratorVersion,
      ]),
    ).toEqual([
      ['system', 'Failed', '1.34.2'],
      ['user', 'Failed', '1.34.2'],
    ]);
    const failed = await latest(sim);
    expect(failed).toMatchObject({ status: 'Failed', error: { code: 'UpgradeFailed' } });
    expect(failed).not.toHaveProperty('percentComplete');
  });

  test('a reconcile resumes the unfinished upgrade, which fails again while the PDB still blocks the drain', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, mc, { updateIntervalInMs: 100 })
      .catch((e: unknown) => e);
    expect(armErrorOf(err).code).toBe('UpgradeFailed');
  });

  test('after a transient failure, a reconcile (PUT of the unchanged cluster) brings the Failed cluster back', async () => {
    await sim.reset('idle', {
      ...FAST,
      failures: [
        {
          operation: 'upgrade',
          atPercent: 10,
          times: 1,
          error: { code: 'InternalOperationError', message: 'AKS encountered an internal error.' },
        },
      ],
    });
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, upgradeTo(mc, '1.34.4'), { updateIntervalInMs: 100 })
      .catch((e: unknown) => e);
    expect(armErrorOf(err).code).toBe('InternalOperationError');
    const failed = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(failed.provisioningState).toBe('Failed');
    const done = await client.managedClusters.createOrUpdate(c.resourceGroup, c.name, failed, {
      updateIntervalInMs: 100,
    });
    expect([done.provisioningState, done.currentKubernetesVersion]).toEqual([
      'Succeeded',
      '1.34.4',
    ]);
    expect(
      done.agentPoolProfiles!.map((p) => [p.provisioningState, p.currentOrchestratorVersion]),
    ).toEqual([
      ['Succeeded', '1.34.4'],
      ['Succeeded', '1.34.4'],
    ]);
  });

  test('a failed scale shows the requested count at once; asking for it again scales again', async () => {
    await sim.reset('idle', {
      ...FAST,
      failures: [
        {
          operation: 'scale',
          atPercent: 20,
          times: 1,
          error: { code: 'InternalOperationError', message: 'AKS encountered an internal error.' },
        },
      ],
    });
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const user = await client.agentPools.get(c.resourceGroup, c.name, 'user');
    const poller = client.agentPools.beginCreateOrUpdate(
      c.resourceGroup,
      c.name,
      'user',
      { ...user, count: 4 },
      { updateIntervalInMs: 100 },
    );
    const during = await client.agentPools.get(c.resourceGroup, c.name, 'user');
    expect([during.provisioningState, during.count]).toEqual(['Scaling', 4]);
    const err = await (await poller).pollUntilDone().catch((e: unknown) => e);
    expect(armErrorOf(err).code).toBe('InternalOperationError');
    const failed = await client.agentPools.get(c.resourceGroup, c.name, 'user');
    expect([failed.provisioningState, failed.count]).toEqual(['Failed', 4]);
    await client.agentPools.beginCreateOrUpdateAndWait(c.resourceGroup, c.name, 'user', failed, {
      updateIntervalInMs: 100,
    });
    // A scale (Scaling), not a reconcile (Updating) that would leave the pool one node short.
    expect(await latest(sim, 'user')).toMatchObject({
      status: 'Succeeded',
      subOperationType: 'Scaling',
    });
  });

  test.each([
    [
      'upgrade-fails-quota',
      'upgrade',
      'QuotaExceeded',
      /exceeding approved Total Regional Cores quota.*Current Limit: 100/,
    ],
    [
      'scale-fails-subnet',
      'scale',
      'SubnetIsFull',
      /subnets\/aks-nodes with address prefix 10\.240\.0\.0\/26 does not have enough capacity/,
    ],
    [
      'node-image-fails-outbound',
      'upgrade-node-image',
      'VMExtensionProvisioningError',
      /exit status=50/,
    ],
  ])('%s: the %s fails with %s', async (scenario, kind, code, message) => {
    await sim.reset(scenario, FAST);
    const c = firstCluster(sim);
    const client = aksClient(sim);
    let err: unknown;
    if (kind === 'upgrade') {
      const mc = await client.managedClusters.get(c.resourceGroup, c.name);
      err = await client.managedClusters
        .createOrUpdate(c.resourceGroup, c.name, upgradeTo(mc, '1.34.4'), {
          updateIntervalInMs: 100,
        })
        .catch((e: unknown) => e);
    } else if (kind === 'scale') {
      const pool = await client.agentPools.get(c.resourceGroup, c.name, 'user');
      err = await client.agentPools
        .createOrUpdate(
          c.resourceGroup,
          c.name,
          'user',
          { ...pool, count: 40 },
          { updateIntervalInMs: 100 },
        )
        .catch((e: unknown) => e);
    } else {
      err = await client.agentPools
        .upgradeNodeImageVersion(c.resourceGroup, c.name, 'user', { updateIntervalInMs: 100 })
        .catch((e: unknown) => e);
    }
    expect(armErrorOf(err).code).toBe(code);
    expect(armErrorOf(err).message).toMatch(message);
    const failed = kind === 'upgrade' ? await latest(sim) : await latest(sim, 'user');
    expect(failed).toMatchObject({ status: 'Failed', error: { code } });
  });

  test('a start or stop that fails rejects through the location URL with the error', async () => {
    await sim.reset('idle', {
      ...FAST,
      failures: [
        {
          operation: 'stop',
          atPercent: 20,
          error: { code: 'InternalOperationError', message: 'Internal error while stopping.' },
        },
      ],
    });
    const c = firstCluster(sim);
    const err = await aksClient(sim)
      .managedClusters.stop(c.resourceGroup, c.name, { updateIntervalInMs: 100 })
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({ code: 'InternalOperationError' });
  });
});

describe('operations other actors start, and stuck ones', () => {
  let sim: Simulator;
  beforeAll(async () => {
    // Frozen: the operation started through the admin API is still running when read back.
    sim = await simulator('stuck-operation', FAST, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('a stuck upgrade stays at 63% however long one waits', async () => {
    expect(await latest(sim)).toMatchObject({ status: 'InProgress', percentComplete: 63 });
    sim.advance(3 * 3600);
    expect(await latest(sim)).toMatchObject({ status: 'InProgress', percentComplete: 63 });
    const c = firstCluster(sim);
    expect(
      (await aksClient(sim).managedClusters.get(c.resourceGroup, c.name)).provisioningState,
    ).toBe('Upgrading');
  });

  test('the admin API fails a running operation with a chosen error, or starts one as another pipeline would', async () => {
    const c = firstCluster(sim);
    const failed = await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/fail`, {
      error: { code: 'ControlPlaneProvisioningInternalError', message: 'boom' },
    });
    expect(failed.status).toBe(200);
    expect(await latest(sim)).toMatchObject({
      status: 'Failed',
      error: { code: 'ControlPlaneProvisioningInternalError', message: 'boom' },
    });
    await sim.reset('idle', FAST);
    const started = await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'scale',
      pool: 'user',
      count: 6,
      durationSeconds: 30,
    });
    expect(started.status).toBe(201);
    expect(await latest(sim, 'user')).toMatchObject({
      status: 'InProgress',
      subOperationType: 'Scaling',
      operationType: 'PutAgentPool',
    });
    const second = await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'scale',
      pool: 'user',
      count: 7,
    });
    expect(second.status).toBe(409);
  });

  test('an operation started with stuckAtPercent is held there until the admin API completes it', async () => {
    await sim.reset('idle', FAST);
    const c = firstCluster(sim);
    const started = await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'scale',
      pool: 'user',
      count: 4,
      durationSeconds: 10,
      stuckAtPercent: 30,
    });
    expect(started.status).toBe(201);
    sim.advance(3600);
    expect(await latest(sim, 'user')).toMatchObject({ status: 'InProgress', percentComplete: 30 });
    const done = await admin(
      sim,
      'POST',
      `/clusters/${c.resourceGroup}/${c.name}/complete?pool=user`,
    );
    expect(done.status).toBe(200);
    expect(await latest(sim, 'user')).toMatchObject({ status: 'Succeeded', percentComplete: 100 });
  });
});
