import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import {
  aksClient,
  armErrorOf,
  clusterPath,
  credential,
  firstCluster,
  raw,
  simulator,
  FAST,
  armToken,
} from '../helpers/simulator.ts';

describe('If-Match / If-None-Match against the resource eTag', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
  });
  afterAll(() => sim.stop());

  test('a PUT with the eTag just read is accepted and changes the eTag', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(mc.eTag).toMatch(/^[0-9a-f-]{36}$/);
    const done = await client.managedClusters.createOrUpdate(c.resourceGroup, c.name, mc, {
      ifMatch: mc.eTag!,
      updateIntervalInMs: 100,
    });
    expect(done.eTag).not.toBe(mc.eTag);
  });

  test('a PUT with a stale eTag gets 412 PreconditionFailed and changes nothing', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const before = sim.log.counts()['ManagedClusters_CreateOrUpdate'] ?? 0;
    const err = await client.managedClusters
      .createOrUpdate(
        c.resourceGroup,
        c.name,
        { ...mc, kubernetesVersion: '1.34.4' },
        { ifMatch: '"0d7d1c8e-0000-0000-0000-000000000000"' },
      )
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    expect(sim.log.counts()['ManagedClusters_CreateOrUpdate']).toBe(before + 1);
    const after = await client.managedClusters.get(c.resourceGroup, c.name);
    expect([after.kubernetesVersion, after.provisioningState, after.eTag]).toEqual([
      '1.34.2',
      'Succeeded',
      mc.eTag,
    ]);
  });

  test('agent pools check their own eTag; If-None-Match: * refuses to overwrite an existing pool', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const pool = await client.agentPools.get(c.resourceGroup, c.name, 'user');
    const stale = await client.agentPools
      .createOrUpdate(
        c.resourceGroup,
        c.name,
        'user',
        { ...pool, count: 5 },
        { ifMatch: 'not-the-etag' },
      )
      .catch((e: unknown) => e);
    expect(armErrorOf(stale)).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    const exists = await client.agentPools
      .createOrUpdate(c.resourceGroup, c.name, 'user', { ...pool, count: 5 }, { ifNoneMatch: '*' })
      .catch((e: unknown) => e);
    expect(armErrorOf(exists)).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    expect((await client.agentPools.get(c.resourceGroup, c.name, 'user')).count).toBe(2);
  });
});

describe('Azure RBAC per principal', () => {
  let sim: Simulator;
  let reader: { appId: string; secret: string; objectId: string };
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
    const p = sim.state.directory.principals.find((x) => x.displayName === 'aks-guard-reader')!;
    reader = { appId: p.appId, secret: p.secrets[0]!, objectId: p.objectId };
  });
  afterAll(() => sim.stop());

  test('a Reader can read the cluster but not write it: 403 AuthorizationFailed names the action and scope', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim, credential(sim, reader));
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, mc)
      .catch((e: unknown) => e);
    const scope = `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c.name}`;
    expect(armErrorOf(err)).toEqual({
      statusCode: 403,
      code: 'AuthorizationFailed',
      message: `The client '${reader.appId}' with object id '${reader.objectId}' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/write' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    });
  });

  test('each action is checked separately: abort, agent pool write and run-command are refused too', async () => {
    const c = firstCluster(sim);
    const token = await armToken(sim, reader);
    const cases: [string, string, string][] = [
      ['POST', '/abort', 'Microsoft.ContainerService/managedClusters/abort/action'],
      ['PUT', '/agentPools/user', 'Microsoft.ContainerService/managedClusters/agentPools/write'],
      ['POST', '/runCommand', 'Microsoft.ContainerService/managedClusters/runCommand/action'],
      [
        'POST',
        '/agentPools/user/upgradeNodeImageVersion',
        'Microsoft.ContainerService/managedClusters/agentPools/upgradeNodeImageVersion/write',
      ],
    ];
    for (const [method, suffix, action] of cases) {
      const r = await raw(sim, method, clusterPath(c, suffix), {
        token,
        body: method === 'GET' ? undefined : { properties: {} },
      });
      expect([suffix, r.status]).toEqual([suffix, 403]);
      expect((r.body as { error: { message: string } }).error.message).toContain(
        `perform action '${action}'`,
      );
    }
  });

  test('a principal scoped to one resource group cannot see a cluster in another', async () => {
    const c = firstCluster(sim);
    await sim.reset('idle', {
      ...FAST,
      clusters: [
        {},
        {
          resourceGroup: 'rg-other',
          name: 'aks-other',
          kubernetesVersion: '1.34.2',
          pools: [{ name: 'system', mode: 'System' }],
        },
      ],
    });
    const client = aksClient(sim);
    const listed: string[] = [];
    for await (const mc of client.managedClusters.list()) listed.push(mc.name!);
    expect(listed).toEqual([c.name]);
    const err = await client.managedClusters.get('rg-other', 'aks-other').catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  });
});
