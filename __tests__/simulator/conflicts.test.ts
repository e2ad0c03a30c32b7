import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { flatError } from '../helpers/error-shapes.ts';
import {
  aksClient,
  admin,
  armErrorOf,
  clusterPath,
  firstCluster,
  raw,
  simulator,
  FAST,
} from '../helpers/simulator.ts';

const WAIT =
  'please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details';

describe('while the cluster upgrades, every write gets 409 OperationNotAllowed', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('cluster-upgrading', FAST);
  });
  afterAll(() => sim.stop());

  test('a cluster PUT is refused with "Another operation (Upgrading) is in progress"', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(mc.provisioningState).toBe('Upgrading');
    expect(mc.agentPoolProfiles?.map((p) => p.provisioningState)).toEqual([
      'Upgrading',
      'Upgrading',
    ]);
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, mc)
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toEqual({
      statusCode: 409,
      code: 'OperationNotAllowed',
      message: `Operation is not allowed: Another operation (Upgrading) is in progress, ${WAIT}`,
    });
  });

  test('an agent pool scale is refused too: a cluster operation blocks every pool', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const pool = await client.agentPools.get(c.resourceGroup, c.name, 'user');
    const err = await client.agentPools
      .createOrUpdate(c.resourceGroup, c.name, 'user', { ...pool, count: 4 })
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({ statusCode: 409, code: 'OperationNotAllowed' });
    expect(armErrorOf(err).message).toContain('Another operation (Upgrading) is in progress');
  });

  test('start, stop and node image upgrades are refused while it runs', async () => {
    const c = firstCluster(sim);
    for (const suffix of ['/stop', '/start', '/agentPools/system/upgradeNodeImageVersion']) {
      const r = await raw(sim, 'POST', clusterPath(c, suffix));
      expect([suffix, r.status, flatError(r.body).code]).toEqual([
        suffix,
        409,
        'OperationNotAllowed',
      ]);
    }
  });

  test('the write goes through once the upgrade has finished', async () => {
    const c = firstCluster(sim);
    expect(
      (await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete`)).status,
    ).toBe(200);
    const client = aksClient(sim);
    const pool = await client.agentPools.get(c.resourceGroup, c.name, 'user');
    const done = await client.agentPools.createOrUpdate(
      c.resourceGroup,
      c.name,
      'user',
      { ...pool, count: 3 },
      { updateIntervalInMs: 100 },
    );
    expect(done).toMatchObject({ count: 3, provisioningState: 'Succeeded' });
  });
});

describe('while one agent pool scales', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('pool-scaling', FAST);
  });
  afterAll(() => sim.stop());

  test('a write to the same pool gets the agent pool wording', async () => {
    const c = firstCluster(sim);
    const r = await raw(sim, 'PUT', clusterPath(c, '/agentPools/user'), {
      body: { properties: { count: 7 } },
    });
    expect(r.status).toBe(409);
    // AKS's own error, flat: code, details, message, subcode (Azure/AKS#4765, microsoft/tyger#121).
    expect(r.body).toEqual({
      code: 'OperationNotAllowed',
      details: null,
      message: `Operation is not allowed: Another agentpool operation (Scaling) is in progress, ${WAIT}`,
      subcode: '',
    });
  });

  test('a cluster write gets the "in progress on agent pool" wording naming the pool', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(mc.provisioningState).toBe('Succeeded');
    expect(mc.agentPoolProfiles?.find((p) => p.name === 'user')?.provisioningState).toBe('Scaling');
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, mc)
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toEqual({
      statusCode: 409,
      code: 'OperationNotAllowed',
      message: `Managed Cluster operation is not allowed: Another operation (Scaling) is in progress on agent pool (user), ${WAIT}`,
    });
  });

  test('another pool can change at the same time, as on AKS', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const system = await client.agentPools.get(c.resourceGroup, c.name, 'system');
    const done = await client.agentPools.createOrUpdate(
      c.resourceGroup,
      c.name,
      'system',
      { ...system, count: 4 },
      { updateIntervalInMs: 100 },
    );
    expect(done).toMatchObject({ count: 4, provisioningState: 'Succeeded' });
  });
});

describe('the newer wording names the blocking operation', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('cluster-upgrading-new-wording', FAST);
  });
  afterAll(() => sim.stop());

  test('with its operation ID (the one operations/latest reports) and its start time in UTC', async () => {
    const c = firstCluster(sim);
    const latest = await raw(
      sim,
      'GET',
      clusterPath(c, '/operations/latest', '2026-08-02-preview'),
    );
    const { name: id, startTime } = latest.body as { name: string; startTime: string };
    const r = await raw(sim, 'PUT', clusterPath(c), {
      body: { location: 'eastus', properties: { kubernetesVersion: '1.34.4' } },
    });
    expect(r.status).toBe(409);
    const message = flatError(r.body).message;
    expect(message).toBe(
      `Operation is not allowed because there's an in progress upgrade managed cluster operation (operation ID: ${id}) on the managed cluster started on UTC ${startTime.replace('T', ' ').replace('Z', ' +0000 UTC')}. Please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details.`,
    );
  });
});
