/**
 * Issue 11, part B: ARM's generic endpoints (the provider resource, resource lists, GET/PUT/PATCH
 * by id), planned maintenance configurations, available agent pool versions, a pool's operations
 * list, systemData and the ETag header, through the real @azure/arm-containerservice and raw ARM
 * requests. The Azure CLI half (az provider/resource and maintenance) is in the last block; it is
 * skipped, saying so, where `az` is missing.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { listScenarios, startSimulator } from '../../src/simulator/index.ts';
import { supportedApiVersions } from '../../src/simulator/arm/api-version.ts';
import {
  admin,
  aksClient,
  armErrorOf,
  clusterPath,
  credential,
  firstCluster,
  raw,
  simulator,
  FAST,
  type Cluster,
} from '../helpers/simulator.ts';
import { azInstalled, azLogin } from '../../scripts/lib/az.ts';
import { shapeProblems } from '../helpers/shapes.ts';

const run = promisify(execFile);

function today(sim: Simulator): string {
  return sim.state.clock.iso().slice(0, 10);
}

/** The newest stable AKS api-version the simulator serves: what az resource picks. */
function newestStable(sim: Simulator): string {
  return supportedApiVersions('aks', today(sim))
    .filter((v) => !v.endsWith('-preview'))
    .sort()
    .at(-1)!;
}

function byId(id: string, apiVersion: string): string {
  return `${id}?api-version=${apiVersion}`;
}

function clusterIdOf(c: Cluster): string {
  return `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c.name}`;
}

/** What az resource update PUTs back: the GenericResource from its GET, read-only parts dropped. */
function genericPutBody(got: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, name: _n, type: _t, eTag: _e, systemData: _s, identity, ...rest } = got;
  const {
    principalId: _p,
    tenantId: _tid,
    ...writableIdentity
  } = (identity ?? {}) as Record<string, unknown>;
  return { ...rest, ...(identity ? { identity: writableIdentity } : {}) };
}

describe('the provider resource and resource lists', () => {
  let sim: Simulator;
  let c: Cluster;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
    c = firstCluster(sim);
  });
  afterAll(() => sim.stop());

  test('Providers_Get lists the resource types with the api-versions the simulator serves, newest first', async () => {
    const r = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/providers/Microsoft.ContainerService?api-version=2021-04-01`,
    );
    expect(r.status).toBe(200);
    const body = r.body as {
      id: string;
      namespace: string;
      registrationState: string;
      resourceTypes: { resourceType: string; apiVersions: string[]; locations: string[] }[];
    };
    expect(body).toMatchObject({
      id: `/subscriptions/${c.subscriptionId}/providers/Microsoft.ContainerService`,
      namespace: 'Microsoft.ContainerService',
      registrationState: 'Registered',
      registrationPolicy: 'RegistrationRequired',
    });
    const mc = body.resourceTypes.find((t) => t.resourceType === 'managedClusters')!;
    const served = supportedApiVersions('aks', today(sim));
    expect([...mc.apiVersions].sort()).toEqual([...served].sort());
    expect(mc.apiVersions[0]! >= mc.apiVersions[1]!).toBe(true);
    expect(mc.apiVersions).toContain('2026-04-01');
    expect(mc.apiVersions).not.toContain('2023-05-17');
    expect(mc.locations).toContain('East US');
    // Every version the provider names is accepted, and the clients' pick is the newest stable.
    for (const v of [mc.apiVersions[0]!, newestStable(sim), mc.apiVersions.at(-1)!]) {
      expect((await raw(sim, 'GET', clusterPath(c, '', v))).status).toBe(200);
    }
    expect(body.resourceTypes.map((t) => t.resourceType)).toEqual(
      expect.arrayContaining([
        'locations',
        'locations/operations',
        'locations/operationresults',
        'locations/kubernetesVersions',
      ]),
    );
  });

  test('Providers_List has the provider; an unknown namespace is 404 InvalidResourceNamespace', async () => {
    const list = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/providers?api-version=2022-09-01`,
    );
    expect(list.status).toBe(200);
    expect((list.body as { value: { namespace: string }[] }).value.map((p) => p.namespace)).toEqual(
      ['Microsoft.ContainerService'],
    );
    const unknown = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/providers/Microsoft.Foo?api-version=2021-04-01`,
    );
    expect([unknown.status, unknown.body]).toEqual([
      404,
      {
        error: {
          code: 'InvalidResourceNamespace',
          message: "The resource namespace 'Microsoft.Foo' is invalid.",
        },
      },
    ]);
  });

  test('Resources_List and _ListByResourceGroup: the cluster as a GenericResourceExpanded, no nested resources', async () => {
    const expand = '$expand=createdTime,changedTime,provisioningState';
    const bySub = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/resources?$filter=${encodeURIComponent(`resourceGroup eq '${c.resourceGroup.toUpperCase()}'`)}&${expand}&api-version=2021-04-01`,
    );
    const byRg = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/resources?${expand}&api-version=2022-09-01`,
    );
    for (const r of [bySub, byRg]) {
      expect(r.status).toBe(200);
      const value = (r.body as { value: Record<string, unknown>[] }).value;
      expect(value).toHaveLength(1);
      expect(value[0]).toEqual({
        id: clusterIdOf(c),
        name: c.name,
        type: 'Microsoft.ContainerService/managedClusters',
        sku: { name: 'Base', tier: 'Standard' },
        location: 'eastus',
        identity: expect.objectContaining({ type: 'SystemAssigned' }),
        tags: { environment: 'demo' },
        createdTime: expect.stringMatching(/Z$/),
        changedTime: expect.stringMatching(/Z$/),
        provisioningState: 'Succeeded',
      });
    }
    const plain = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/resources?api-version=2021-04-01`,
    );
    expect(Object.keys((plain.body as { value: object[] }).value[0]!)).not.toContain('createdTime');
  });

  test.each([
    ["resourceType eq 'Microsoft.ContainerService/managedClusters'", 1],
    ["resourceType eq 'Microsoft.Compute/virtualMachineScaleSets'", 0],
    ["name eq 'aks-demo' and location eq 'eastus'", 1],
    ["tagName eq 'environment' and tagValue eq 'demo'", 1],
    ["startswith(tagname, 'env')", 1],
    ["substringof('demo', name)", 1],
    ["resourceGroup eq 'rg-other'", 0],
  ])('$filter %s lists %i', async (filter, n) => {
    const r = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/resources?$filter=${encodeURIComponent(filter)}&api-version=2021-04-01`,
    );
    expect([r.status, (r.body as { value: unknown[] }).value.length]).toEqual([200, n]);
  });

  test('a $filter ARM cannot read is 400 InvalidFilterInQueryString', async () => {
    const r = await raw(
      sim,
      'GET',
      `/subscriptions/${c.subscriptionId}/resources?$filter=${encodeURIComponent('kind gt 3')}&api-version=2021-04-01`,
    );
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'InvalidFilterInQueryString' } });
  });
});

describe('GET, PUT and PATCH by resource id', () => {
  let sim: Simulator;
  let c: Cluster;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
    c = firstCluster(sim);
  });
  afterAll(() => sim.stop());

  async function latest(): Promise<Record<string, unknown>> {
    return (await raw(sim, 'GET', clusterPath(c, '/operations/latest', '2026-08-02-preview')))
      .body as Record<string, unknown>;
  }

  test('PUT by id of the GET body (az resource update) starts a reconcile, as a PUT of the unchanged cluster does', async () => {
    const v = newestStable(sim);
    const got = await raw(sim, 'GET', byId(clusterIdOf(c), v));
    expect(got.status).toBe(200);
    const put = await raw(sim, 'PUT', byId(clusterIdOf(c), v), {
      body: genericPutBody(got.body as Record<string, unknown>),
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('azure-asyncoperation')).toMatch(/\/locations\/eastus\/operations\//);
    expect(
      (put.body as { properties: { provisioningState: string } }).properties.provisioningState,
    ).toBe('Updating');
    expect(await latest()).toMatchObject({
      status: 'InProgress',
      operationType: 'PutManagedCluster',
      subOperationType: 'Updating',
    });
    const after = (await raw(sim, 'GET', byId(clusterIdOf(c), v))).body as {
      properties: { kubernetesVersion: string; agentPoolProfiles: { count: number }[] };
    };
    expect(after.properties.kubernetesVersion).toBe('1.34.2');
    expect(after.properties.agentPoolProfiles.map((p) => p.count)).toEqual(
      (got.body as typeof after).properties.agentPoolProfiles.map((p) => p.count),
    );
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete`);
  });

  test('the same 409 for a PUT by id and an SDK PUT while another operation runs', async () => {
    expect(
      (
        await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
          type: 'upgrade',
          kubernetesVersion: '1.34.4',
          durationSeconds: 600,
        })
      ).status,
    ).toBe(201);
    const v = newestStable(sim);
    const got = await raw(sim, 'GET', byId(clusterIdOf(c), v));
    const put = await raw(sim, 'PUT', byId(clusterIdOf(c), v), {
      body: genericPutBody(got.body as Record<string, unknown>),
    });
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const sdkErr = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, mc)
      .catch((e: unknown) => e);
    expect(put.status).toBe(409);
    const sdk = armErrorOf(sdkErr);
    expect(sdk.statusCode).toBe(409);
    const body = put.body as {
      code?: string;
      message?: string;
      error?: { code: string; message: string };
    };
    expect({
      code: body.error?.code ?? body.code,
      message: body.error?.message ?? body.message,
    }).toEqual({
      code: sdk.code,
      message: sdk.message,
    });
    expect(sdk.code).toBe('OperationNotAllowed');
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete`);
  });

  test('PATCH by id (ManagedClusters_UpdateTags) replaces the tags only, answers 200 and starts nothing', async () => {
    const before = await aksClient(sim).managedClusters.get(c.resourceGroup, c.name);
    const ops = sim.log.counts()['AsyncOperation_Get'] ?? 0;
    const r = await raw(sim, 'PATCH', byId(clusterIdOf(c), newestStable(sim)), {
      body: {
        tags: { environment: 'demo', owner: 'platform' },
        properties: { kubernetesVersion: '1.35.3' },
      },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('azure-asyncoperation')).toBeNull();
    const body = r.body as {
      tags: Record<string, string>;
      eTag: string;
      properties: Record<string, unknown>;
    };
    expect(body.tags).toEqual({ environment: 'demo', owner: 'platform' });
    expect(body.properties).toMatchObject({
      kubernetesVersion: before.kubernetesVersion,
      provisioningState: 'Succeeded',
    });
    expect(body.eTag).not.toBe(before.eTag);
    expect(r.headers.get('etag')).toBe(`"${body.eTag}"`);
    const via = await aksClient(sim).managedClusters.updateTags(c.resourceGroup, c.name, {
      tags: { environment: 'demo' },
    });
    expect(via.tags).toEqual({ environment: 'demo' });
    expect(sim.log.counts()['AsyncOperation_Get'] ?? 0).toBe(ops);
  });

  test('PATCH is refused while an operation runs, and with a stale If-Match', async () => {
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'scale',
      count: 4,
      durationSeconds: 600,
    });
    const busy = await raw(sim, 'PATCH', clusterPath(c), { body: { tags: {} } });
    expect(busy.status).toBe(409);
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete`);
    const stale = await raw(sim, 'PATCH', clusterPath(c), {
      body: { tags: {} },
      headers: { 'If-Match': '"00000000-0000-0000-0000-000000000000"' },
    });
    expect(stale.status).toBe(412);
  });

  test('GET by id of an agent pool works with the version picked for managedClusters; agent pools have no PATCH', async () => {
    const id = `${clusterIdOf(c)}/agentPools/user`;
    const got = await raw(sim, 'GET', byId(id, newestStable(sim)));
    expect([got.status, (got.body as { name: string }).name]).toEqual([200, 'user']);
    expect(
      (await raw(sim, 'PATCH', byId(id, newestStable(sim)), { body: { properties: {} } })).status,
    ).toBe(405);
  });
});

describe('the ETag header and systemData', () => {
  let sim: Simulator;
  let c: Cluster;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
    c = firstCluster(sim);
  });
  afterAll(() => sim.stop());

  test('GETs and PUTs of clusters and pools send ETag: the body eTag, quoted; If-Match takes it as sent', async () => {
    const get = await raw(sim, 'GET', clusterPath(c));
    const eTag = (get.body as { eTag: string }).eTag;
    expect(get.headers.get('etag')).toBe(`"${eTag}"`);
    const pool = await raw(sim, 'GET', clusterPath(c, '/agentPools/user'));
    expect(pool.headers.get('etag')).toBe(
      `"${(pool.body as { properties: { eTag: string } }).properties.eTag}"`,
    );
    const list = await raw(sim, 'GET', clusterPath(c, '/agentPools'));
    expect(list.headers.get('etag')).toBeNull();
    const put = await raw(sim, 'PUT', clusterPath(c, '/agentPools/user'), {
      body: { properties: { count: 3, mode: 'User' } },
      headers: { 'If-Match': pool.headers.get('etag')! },
    });
    expect(put.status).toBe(200);
    const putTag = (put.body as { properties: { eTag: string } }).properties.eTag;
    expect(put.headers.get('etag')).toBe(`"${putTag}"`);
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete?pool=user`);
  });

  test('systemData: a scenario cluster was created by the tenant admin; a write records its caller', async () => {
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(mc.systemData).toMatchObject({
      createdBy: 'admin@contoso.onmicrosoft.com',
      createdByType: 'User',
      createdAt: expect.any(Date),
    });
    expect(mc.systemData!.createdAt!.getTime()).toBeLessThan(Date.now() - 29 * 24 * 3600 * 1000);
    const created = mc.systemData!.createdAt!.toISOString();
    await client.managedClusters.createOrUpdate(c.resourceGroup, c.name, mc, {
      updateIntervalInMs: 100,
    });
    const after = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(after.systemData).toMatchObject({
      createdBy: 'admin@contoso.onmicrosoft.com',
      lastModifiedBy: sim.servicePrincipal.appId,
      lastModifiedByType: 'Application',
    });
    expect(after.systemData!.createdAt!.toISOString()).toBe(created);
    expect(after.systemData!.lastModifiedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // The user pool was untouched by the cluster reconcile's request: it keeps its own record.
    const user = await client.agentPools.get(c.resourceGroup, c.name, 'user');
    expect(user.systemData?.createdBy).toBe('admin@contoso.onmicrosoft.com');
  });

  test('a pool created through the agent pools API is created by its caller; a failed write records nothing', async () => {
    const client = aksClient(sim);
    const pool = await client.agentPools.createOrUpdate(
      c.resourceGroup,
      c.name,
      'batch',
      { count: 1, mode: 'User', vmSize: 'Standard_D4ds_v5' },
      { updateIntervalInMs: 100 },
    );
    expect(pool.systemData).toMatchObject({
      createdBy: sim.servicePrincipal.appId,
      createdByType: 'Application',
      lastModifiedBy: sim.servicePrincipal.appId,
    });
    const before = (await client.managedClusters.get(c.resourceGroup, c.name)).systemData;
    const err = await client.managedClusters
      .createOrUpdate(c.resourceGroup, c.name, { location: 'eastus', kubernetesVersion: '1.20.0' })
      .catch((e: unknown) => e);
    expect(armErrorOf(err).statusCode).toBe(400);
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).systemData).toEqual(before);
  });
});

describe('maintenance configurations through the SDK', () => {
  let sim: Simulator;
  let c: Cluster;
  beforeAll(async () => {
    sim = await simulator('idle', FAST);
    c = firstCluster(sim);
  });
  afterAll(() => sim.stop());

  test('create (201), update (200), get, list, delete (200, then 204) the three configurations', async () => {
    const mcs = aksClient(sim).maintenanceConfigurations;
    const made = await mcs.createOrUpdate(
      c.resourceGroup,
      c.name,
      'aksManagedAutoUpgradeSchedule',
      {
        maintenanceWindow: {
          schedule: {
            relativeMonthly: { dayOfWeek: 'Monday', intervalMonths: 3, weekIndex: 'First' },
          },
          durationHours: 10,
          startTime: '08:30',
          utcOffset: '+05:30',
          startDate: new Date('2027-01-01'),
          notAllowedDates: [{ start: new Date('2026-12-23'), end: new Date('2027-01-05') }],
        },
      },
    );
    expect(made).toMatchObject({
      id: `${clusterIdOf(c)}/maintenanceConfigurations/aksManagedAutoUpgradeSchedule`,
      name: 'aksManagedAutoUpgradeSchedule',
      maintenanceWindow: {
        schedule: {
          relativeMonthly: { dayOfWeek: 'Monday', intervalMonths: 3, weekIndex: 'First' },
        },
        durationHours: 10,
        utcOffset: '+05:30',
        startTime: '08:30',
      },
    });
    await mcs.createOrUpdate(c.resourceGroup, c.name, 'aksManagedNodeOSUpgradeSchedule', {
      maintenanceWindow: {
        schedule: { daily: { intervalDays: 1 } },
        durationHours: 4,
        startTime: '00:00',
      },
    });
    await mcs.createOrUpdate(c.resourceGroup, c.name, 'default', {
      maintenanceWindow: {
        schedule: { weekly: { dayOfWeek: 'Sunday', intervalWeeks: 1 } },
        durationHours: 4,
        startTime: '01:00',
      },
    });
    const log = sim.log
      .list()
      .filter((e) => e.operation === 'MaintenanceConfigurations_CreateOrUpdate');
    expect(log.map((e) => e.status)).toEqual([201, 201, 201]);
    // Defaults AKS fills in: utcOffset +00:00 and startDate the day of creation.
    const nodeOs = await mcs.get(c.resourceGroup, c.name, 'aksManagedNodeOSUpgradeSchedule');
    expect(nodeOs.maintenanceWindow).toMatchObject({
      utcOffset: '+00:00',
      startDate: new Date(today(sim)),
    });
    const updated = await mcs.createOrUpdate(
      c.resourceGroup,
      c.name,
      'aksManagedNodeOSUpgradeSchedule',
      {
        maintenanceWindow: {
          schedule: { absoluteMonthly: { dayOfMonth: 15, intervalMonths: 1 } },
          durationHours: 6,
          startTime: '02:00',
        },
      },
    );
    expect(updated.maintenanceWindow?.schedule.absoluteMonthly).toEqual({
      dayOfMonth: 15,
      intervalMonths: 1,
    });
    expect(sim.log.list().at(-1)!.status).toBe(200);
    const names: string[] = [];
    for await (const m of mcs.listByManagedCluster(c.resourceGroup, c.name)) names.push(m.name!);
    expect(names.sort()).toEqual([
      'aksManagedAutoUpgradeSchedule',
      'aksManagedNodeOSUpgradeSchedule',
      'default',
    ]);
    await mcs.delete(c.resourceGroup, c.name, 'default');
    expect(sim.log.list().at(-1)!.status).toBe(200);
    await mcs.delete(c.resourceGroup, c.name, 'default');
    expect(sim.log.list().at(-1)!.status).toBe(204);
    const gone = await mcs.get(c.resourceGroup, c.name, 'default').catch((e: unknown) => e);
    expect(armErrorOf(gone)).toMatchObject({ statusCode: 404, code: 'NotFound' });
  });

  test('the legacy default configuration (timeInWeek, notAllowedTime) is kept as sent', async () => {
    const mcs = aksClient(sim).maintenanceConfigurations;
    const legacy = await mcs.createOrUpdate(c.resourceGroup, c.name, 'default', {
      timeInWeek: [{ day: 'Saturday', hourSlots: [1, 2] }],
      notAllowedTime: [
        { start: new Date('2026-12-24T00:00:00Z'), end: new Date('2026-12-26T00:00:00Z') },
      ],
    });
    expect(legacy.timeInWeek).toEqual([{ day: 'Saturday', hourSlots: [1, 2] }]);
    expect(legacy.notAllowedTime?.[0]?.start).toEqual(new Date('2026-12-24T00:00:00Z'));
    expect(legacy.maintenanceWindow).toBeUndefined();
  });

  const WEEKLY = { weekly: { dayOfWeek: 'Monday', intervalWeeks: 1 } };
  const window = (over: Record<string, unknown>) => ({
    maintenanceWindow: { schedule: WEEKLY, durationHours: 4, startTime: '01:00', ...over },
  });

  test.each([
    [
      'a name AKS does not know',
      'nightly',
      window({}),
      "Only 'default', 'aksManagedAutoUpgradeSchedule' and 'aksManagedNodeOSUpgradeSchedule' are allowed configNames for maintenance configuration.",
    ],
    [
      'default with a daily schedule',
      'default',
      window({ schedule: { daily: { intervalDays: 1 } } }),
      'Only weekly schedule is supported for control plane upgrade maintenance configuration: default.',
    ],
    [
      'a window under four hours',
      'aksManagedAutoUpgradeSchedule',
      window({ durationHours: 3 }),
      /durationHours/,
    ],
    [
      'two schedule types',
      'aksManagedAutoUpgradeSchedule',
      window({ schedule: { ...WEEKLY, daily: { intervalDays: 1 } } }),
      /One and only one of the schedule types/,
    ],
    [
      'no schedule',
      'aksManagedNodeOSUpgradeSchedule',
      window({ schedule: {} }),
      /One and only one/,
    ],
    [
      'every five weeks',
      'aksManagedAutoUpgradeSchedule',
      window({ schedule: { weekly: { dayOfWeek: 'Monday', intervalWeeks: 5 } } }),
      /intervalWeeks/,
    ],
    [
      'a relative month without weekIndex',
      'aksManagedAutoUpgradeSchedule',
      window({ schedule: { relativeMonthly: { dayOfWeek: 'Friday', intervalMonths: 1 } } }),
      /weekIndex is required/,
    ],
    [
      'dayOfMonth 32',
      'aksManagedNodeOSUpgradeSchedule',
      window({ schedule: { absoluteMonthly: { dayOfMonth: 32, intervalMonths: 1 } } }),
      /dayOfMonth/,
    ],
    [
      'startTime 24:00',
      'aksManagedAutoUpgradeSchedule',
      window({ startTime: '24:00' }),
      /startTime/,
    ],
    [
      'utcOffset +15:00',
      'aksManagedAutoUpgradeSchedule',
      window({ utcOffset: '+15:00' }),
      /utcOffset/,
    ],
    [
      'a bad startDate',
      'aksManagedAutoUpgradeSchedule',
      window({ startDate: '2026-02-30' }),
      /startDate/,
    ],
    [
      'notAllowedDates ending before they start',
      'aksManagedAutoUpgradeSchedule',
      window({ notAllowedDates: [{ start: '2027-01-05', end: '2027-01-01' }] }),
      /before start/,
    ],
    ['no maintenanceWindow', 'aksManagedNodeOSUpgradeSchedule', {}, /needs a maintenanceWindow/],
    [
      'timeInWeek on aksManagedAutoUpgradeSchedule',
      'aksManagedAutoUpgradeSchedule',
      { timeInWeek: [{ day: 'Monday', hourSlots: [1] }] },
      /only supported by the maintenance configuration default/,
    ],
    [
      'an hour slot of 24',
      'default',
      { timeInWeek: [{ day: 'Monday', hourSlots: [24] }] },
      /hourSlots\[0\]/,
    ],
  ] as [string, string, Record<string, unknown>, string | RegExp][])(
    'AKS refuses %s: 400 InvalidParameter',
    async (_what, name, properties, message) => {
      const path = clusterPath(c, `/maintenanceConfigurations/${name}`);
      const before = await raw(sim, 'GET', path);
      const r = await raw(sim, 'PUT', path, { body: { properties } });
      expect(r.status).toBe(400);
      const body = r.body as {
        code?: string;
        message?: string;
        error?: { code: string; message: string };
      };
      const error = body.error ?? (body as { code: string; message: string });
      expect(error.code).toBe('InvalidParameter');
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
      // A refused PUT leaves what was there (or its absence) as it was.
      const after = await raw(sim, 'GET', path);
      expect([after.status, after.body]).toEqual([before.status, before.body]);
    },
  );

  test('a Reader may read maintenance configurations but not write them (403 names the action)', async () => {
    const p = sim.state.directory.principals.find((x) => x.displayName === 'aks-guard-reader')!;
    const reader = aksClient(sim, credential(sim, { appId: p.appId, secret: p.secrets[0]! }));
    const names: string[] = [];
    for await (const m of reader.maintenanceConfigurations.listByManagedCluster(
      c.resourceGroup,
      c.name,
    ))
      names.push(m.name!);
    expect(names.length).toBeGreaterThan(0);
    const err = await reader.maintenanceConfigurations
      .delete(c.resourceGroup, c.name, 'aksManagedAutoUpgradeSchedule')
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(armErrorOf(err).message).toContain(
      "'Microsoft.ContainerService/managedClusters/maintenanceConfigurations/delete'",
    );
  });

  test('a missing cluster is 404 ResourceNotFound; configurations do not block or get blocked by operations', async () => {
    const mcs = aksClient(sim).maintenanceConfigurations;
    const missing = await mcs.get(c.resourceGroup, 'nope', 'default').catch((e: unknown) => e);
    expect(armErrorOf(missing)).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'upgrade',
      kubernetesVersion: '1.34.4',
      durationSeconds: 600,
    });
    const during = await mcs.createOrUpdate(c.resourceGroup, c.name, 'default', window({}));
    expect(during.name).toBe('default');
    expect(
      (await aksClient(sim).managedClusters.get(c.resourceGroup, c.name)).provisioningState,
    ).toBe('Upgrading');
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete`);
  });

  test('scenarios declare maintenance configurations; one AKS would refuse is a scenario error', async () => {
    const declared = await simulator('idle', {
      clusters: [
        {
          maintenanceConfigurations: [
            {
              name: 'aksManagedNodeOSUpgradeSchedule',
              maintenanceWindow: {
                schedule: { weekly: { dayOfWeek: 'Sunday', intervalWeeks: 1 } },
                durationHours: 6,
                startTime: '02:00',
                utcOffset: '+01:00',
              },
            },
          ],
        },
      ],
    });
    try {
      const d = firstCluster(declared);
      const all: string[] = [];
      for await (const m of aksClient(declared).maintenanceConfigurations.listByManagedCluster(
        d.resourceGroup,
        d.name,
      ))
        all.push(`${m.name} ${m.maintenanceWindow?.utcOffset}`);
      expect(all).toEqual(['aksManagedNodeOSUpgradeSchedule +01:00']);
    } finally {
      await declared.stop();
    }
    await expect(
      startSimulator({
        scenario: 'idle',
        overrides: {
          clusters: [
            {
              maintenanceConfigurations: [
                {
                  name: 'default',
                  maintenanceWindow: {
                    schedule: { daily: { intervalDays: 1 } },
                    durationHours: 4,
                    startTime: '01:00',
                  },
                },
              ],
            },
          ],
        },
      }),
    ).rejects.toThrow(
      'Cluster aks-demo, maintenanceConfigurations: Only weekly schedule is supported',
    );
  });
});

describe('agent pool versions and a pool operations list', () => {
  let sim: Simulator;
  let c: Cluster;
  beforeAll(async () => {
    sim = await simulator('pool-scaling', FAST);
    c = firstCluster(sim);
  });
  afterAll(() => sim.stop());

  test('availableAgentPoolVersions: every patch the region offers, the default and previews marked', async () => {
    const v = await aksClient(sim).agentPools.getAvailableAgentPoolVersions(
      c.resourceGroup,
      c.name,
    );
    expect(v).toMatchObject({
      id: `${clusterIdOf(c)}/availableagentpoolversions`,
      name: 'default',
      type: 'Microsoft.ContainerService/managedClusters/availableAgentpoolVersions',
    });
    expect(v.agentPoolVersions).toEqual([
      { kubernetesVersion: '1.33.3' },
      { kubernetesVersion: '1.33.5' },
      { kubernetesVersion: '1.34.2' },
      { default: true, kubernetesVersion: '1.34.4' },
      { kubernetesVersion: '1.35.1' },
      { kubernetesVersion: '1.35.3' },
      { isPreview: true, kubernetesVersion: '1.36.0' },
    ]);
  });

  test('the operations of a pool, newest first; activeOnly lists the running ones; older previews do not have it', async () => {
    const list = async (query: string, version = '2026-08-02-preview') =>
      raw(sim, 'GET', clusterPath(c, `/agentPools/user/operations${query}`, version));
    const all = await list('');
    expect(all.status).toBe(200);
    const value = (all.body as { value: { status: string; id: string; operationType: string }[] })
      .value;
    expect(value[0]).toMatchObject({ status: 'InProgress', operationType: 'PutAgentPool' });
    expect(value[0]!.id).toContain('/agentPools/user/operations/');
    const active = await list('?activeOnly=true');
    expect((active.body as { value: { status: string }[] }).value.map((o) => o.status)).toEqual([
      'InProgress',
    ]);
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete?pool=user`);
    const none = await list('?activeOnly=true');
    expect((none.body as { value: unknown[] }).value).toEqual([]);
    expect(((await list('')).body as { value: { status: string }[] }).value[0]!.status).toBe(
      'Succeeded',
    );
    const old = await list('', '2024-01-02-preview');
    expect(old.status).toBe(400);
    expect(old.body).toMatchObject({ error: { code: 'NoRegisteredProviderFound' } });
    expect((old.body as { error: { message: string } }).error.message).toContain(
      "'2026-06-02-preview, ",
    );
    expect((await list('', '2026-04-01')).status).toBe(400);
  });
});

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
function exampleBody(relative: string, status = '200'): unknown {
  const ex = JSON.parse(readFileSync(path.join(FIXTURES, relative), 'utf8')) as {
    responses: Record<string, { body?: unknown }>;
  };
  return ex.responses[status]!.body;
}

describe('every scenario serves the new operations in the shapes of the examples and the SDK models', () => {
  const provider = structuredClone(
    exampleBody('resources-rest-examples/stable/2022-09-01/examples/GetProvider.json'),
  ) as { resourceTypes: Record<string, unknown>[] };
  for (const t of provider.resourceTypes) delete t.locationMappings;
  const versions = exampleBody(
    'aks-rest-examples/stable/2026-03-01/examples/AgentPoolsGetAgentPoolAvailableVersions.json',
  );
  const poolOps = (
    exampleBody(
      'aks-rest-examples/preview/2026-06-02-preview/examples/OperationStatusResultListByAgentPool.json',
    ) as { value: unknown[] }
  ).value;
  const opShape: Record<string, unknown> = {
    InProgress: poolOps[1],
    Canceling: poolOps[1],
    Failed: poolOps[2],
    Succeeded: poolOps[3],
  };
  const mcGet = exampleBody(
    'aks-rest-examples/stable/2026-01-01/examples/MaintenanceConfigurationsGet_MaintenanceWindow.json',
  ) as { properties: { maintenanceWindow: Record<string, unknown> } };

  test.concurrent.each(listScenarios().map((s) => s.name))('%s', async (name) => {
    // Fast operations, roomy throttling buckets and no injected faults: this checks shapes only.
    const bucket = { capacity: 10000, refillPerSecond: 1000 };
    const sim = await simulator(name, {
      ...FAST,
      throttling: { reads: bucket, writes: bucket, clusterWrites: bucket },
    });
    try {
      sim.faults.clear();
      const c = firstCluster(sim);
      const p = await raw(
        sim,
        'GET',
        `/subscriptions/${c.subscriptionId}/providers/Microsoft.ContainerService?api-version=2022-09-01`,
      );
      expect([p.status, shapeProblems(provider, p.body)]).toEqual([200, []]);
      const listed = await raw(
        sim,
        'GET',
        `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/resources?api-version=2021-04-01`,
      );
      expect((listed.body as { value: { name: string }[] }).value.map((r) => r.name)).toContain(
        c.name,
      );

      const got = await raw(sim, 'GET', clusterPath(c));
      const body = got.body as { eTag: string; systemData: Record<string, unknown> };
      expect(got.headers.get('etag')).toBe(`"${body.eTag}"`);
      expect(Object.keys(body.systemData).sort()).toEqual([
        'createdAt',
        'createdBy',
        'createdByType',
        'lastModifiedAt',
        'lastModifiedBy',
        'lastModifiedByType',
      ]);

      const client = aksClient(sim);
      const mcs = client.maintenanceConfigurations;
      const window = mcGet.properties.maintenanceWindow;
      const made = await mcs.createOrUpdate(
        c.resourceGroup,
        c.name,
        'aksManagedNodeOSUpgradeSchedule',
        {
          maintenanceWindow: {
            schedule: { daily: { intervalDays: 3 } },
            durationHours: window.durationHours as number,
            startTime: window.startTime as string,
            utcOffset: window.utcOffset as string,
            startDate: new Date(window.startDate as string),
            notAllowedDates: (window.notAllowedDates as { start: string; end: string }[]).map(
              (d) => ({
                start: new Date(d.start),
                end: new Date(d.end),
              }),
            ),
          },
        },
      );
      expect(made.maintenanceWindow?.schedule.daily?.intervalDays).toBe(3);
      const read = await raw(
        sim,
        'GET',
        clusterPath(c, '/maintenanceConfigurations/aksManagedNodeOSUpgradeSchedule'),
      );
      expect(shapeProblems(mcGet, read.body)).toEqual([]);
      const names: string[] = [];
      for await (const m of mcs.listByManagedCluster(c.resourceGroup, c.name)) names.push(m.name!);
      expect(names).toContain('aksManagedNodeOSUpgradeSchedule');
      await mcs.delete(c.resourceGroup, c.name, 'aksManagedNodeOSUpgradeSchedule');

      const v = await raw(sim, 'GET', clusterPath(c, '/availableAgentPoolVersions'));
      expect(shapeProblems(versions, v.body)).toEqual([]);
      await client.agentPools.getAvailableAgentPoolVersions(c.resourceGroup, c.name);

      const pool = (
        await client.agentPools.get(
          c.resourceGroup,
          c.name,
          sim.state.clusters.values().next().value!.pools[0]!.name,
        )
      ).name!;
      const ops = await raw(
        sim,
        'GET',
        clusterPath(c, `/agentPools/${pool}/operations`, '2026-08-02-preview'),
      );
      expect(ops.status).toBe(200);
      for (const op of (ops.body as { value: { status: string }[] }).value) {
        const shape = opShape[op.status];
        if (shape) expect([op.status, shapeProblems(shape, op)]).toEqual([op.status, []]);
      }
    } finally {
      await sim.stop();
    }
  });
});

const az = azInstalled();
const azSuite = az ? describe : describe.skip;
const azTitle = az
  ? 'the Azure CLI: provider, resource and maintenance commands'
  : 'the Azure CLI: provider, resource and maintenance commands (SKIPPED: `az` is not installed; `apt-get install azure-cli` to run it, as .ci/run does)';

azSuite(azTitle, () => {
  let sim: Simulator;
  let c: Cluster;
  let session: Awaited<ReturnType<typeof azLogin>>;

  async function azr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run('az', [...args, '--only-show-errors'], {
        env: session.env,
        timeout: 120000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === 'number' ? e.code : 1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      };
    }
  }
  async function azJson<T>(...args: string[]): Promise<T> {
    const r = await azr(...args, '-o', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as T;
  }

  beforeAll(async () => {
    sim = await simulator('idle', { ...FAST, retryAfterSeconds: 1 });
    c = firstCluster(sim);
    session = await azLogin(sim);
  }, 120000);
  afterAll(async () => {
    session?.done();
    await sim.stop();
  });

  test('az provider show -n Microsoft.ContainerService and az provider list', async () => {
    const p = await azJson<{
      registrationState: string;
      resourceTypes: { resourceType: string; apiVersions: string[] }[];
    }>('provider', 'show', '-n', 'Microsoft.ContainerService');
    expect(p.registrationState).toBe('Registered');
    expect(
      p.resourceTypes.find((t) => t.resourceType === 'managedClusters')!.apiVersions,
    ).toContain(newestStable(sim));
    const names = await azJson<string[]>('provider', 'list', '--query', '[].namespace');
    expect(names).toEqual(['Microsoft.ContainerService']);
  }, 120000);

  test('az resource list -g lists the cluster', async () => {
    const list = await azJson<
      { name: string; type: string; provisioningState: string; createdTime: string }[]
    >('resource', 'list', '-g', c.resourceGroup);
    expect(list).toEqual([
      expect.objectContaining({
        name: c.name,
        type: 'Microsoft.ContainerService/managedClusters',
        provisioningState: 'Succeeded',
        createdTime: expect.any(String),
      }),
    ]);
  }, 120000);

  test('az resource show --ids picks the newest stable api-version from the provider', async () => {
    const since = sim.log.lastSeq;
    const shown = await azJson<{ name: string; properties: { provisioningState: string } }>(
      'resource',
      'show',
      '--ids',
      clusterIdOf(c),
    );
    expect([shown.name, shown.properties.provisioningState]).toEqual([c.name, 'Succeeded']);
    const log = sim.log.list(since).filter((e) => e.service === 'arm');
    expect(log.map((e) => e.operation)).toEqual(['Providers_Get', 'ManagedClusters_Get']);
    expect(log[1]!.apiVersion).toBe(newestStable(sim));
    const pool = await azJson<{ name: string }>(
      'resource',
      'show',
      '--ids',
      `${clusterIdOf(c)}/agentPools/user`,
    );
    expect(pool.name).toBe('user');
  }, 120000);

  test('az resource update --ids <cluster id> reconciles: a PUT of the unchanged cluster, waited for', async () => {
    const since = sim.log.lastSeq;
    const updated = await azJson<{
      properties: { provisioningState: string; kubernetesVersion: string };
    }>('resource', 'update', '--ids', clusterIdOf(c));
    expect(updated.properties).toMatchObject({
      provisioningState: 'Succeeded',
      kubernetesVersion: '1.34.2',
    });
    expect(sim.log.counts(since)['ManagedClusters_CreateOrUpdate']).toBe(1);
    const latest = await azJson<{
      operationType: string;
      subOperationType: string;
      status: string;
    }>(
      'rest',
      '--url',
      `https://management.azure.com${clusterPath(c, '/operations/latest', '2026-08-02-preview')}`,
    );
    expect(latest).toMatchObject({
      operationType: 'PutManagedCluster',
      subOperationType: 'Updating',
      status: 'Succeeded',
    });
  }, 120000);

  test('az resource update --ids on a busy cluster fails with the 409 a PUT gets', async () => {
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'scale',
      count: 4,
      durationSeconds: 600,
    });
    const r = await azr('resource', 'update', '--ids', clusterIdOf(c));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Operation is not allowed: Another operation (Scaling) is in progress, please wait for it to finish before starting a new operation.',
    );
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete`);
  }, 120000);

  test('maintenance configurations with az resource create/show/delete and az rest (az 2.45 has no az aks maintenanceconfiguration)', async () => {
    const id = `${clusterIdOf(c)}/maintenanceConfigurations/aksManagedAutoUpgradeSchedule`;
    const props = JSON.stringify({
      maintenanceWindow: {
        schedule: { weekly: { dayOfWeek: 'Friday', intervalWeeks: 3 } },
        durationHours: 8,
        startTime: '00:00',
        utcOffset: '+05:30',
      },
    });
    const made = await azJson<{ name: string }>(
      'resource',
      'create',
      '--id',
      id,
      '--properties',
      props,
    );
    expect(made.name).toBe('aksManagedAutoUpgradeSchedule');
    const shown = await azJson<{ properties: { maintenanceWindow: { durationHours: number } } }>(
      'resource',
      'show',
      '--ids',
      id,
    );
    expect(shown.properties.maintenanceWindow.durationHours).toBe(8);
    const listed = await azJson<{ value: { name: string }[] }>(
      'rest',
      '--url',
      `https://management.azure.com${clusterPath(c, '/maintenanceConfigurations')}`,
    );
    expect(listed.value.map((m) => m.name)).toEqual(['aksManagedAutoUpgradeSchedule']);
    const bad = await azr(
      'resource',
      'create',
      '--id',
      `${clusterIdOf(c)}/maintenanceConfigurations/default`,
      '--properties',
      JSON.stringify({
        maintenanceWindow: {
          schedule: { daily: { intervalDays: 1 } },
          durationHours: 4,
          startTime: '01:00',
        },
      }),
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'Only weekly schedule is supported for control plane upgrade maintenance configuration: default.',
    );
    expect((await azr('resource', 'delete', '--ids', id)).code).toBe(0);
    const after = await azJson<{ value: unknown[] }>(
      'rest',
      '--url',
      `https://management.azure.com${clusterPath(c, '/maintenanceConfigurations')}`,
    );
    expect(after.value).toEqual([]);
  }, 120000);

  test('az aks maintenanceconfiguration add/list/show/delete, where this az has the command group', async () => {
    const base = ['-g', c.resourceGroup, '--cluster-name', c.name];
    const since = sim.log.lastSeq;
    const probe = await azr('aks', 'maintenanceconfiguration', 'list', ...base);
    if (probe.code !== 0 && /misspelled or not recognized/.test(probe.stderr)) {
      // az 2.45 (Debian's) predates the command group (azure-cli#26758, in 2.51): nothing to drive.
      expect(
        sim.log.counts(since)['MaintenanceConfigurations_ListByManagedCluster'],
      ).toBeUndefined();
      return;
    }
    expect(probe.code).toBe(0);
    await azJson(
      'aks',
      'maintenanceconfiguration',
      'add',
      ...base,
      '-n',
      'aksManagedNodeOSUpgradeSchedule',
      '--schedule-type',
      'Weekly',
      '--day-of-week',
      'Monday',
      '--interval-weeks',
      '1',
      '--duration',
      '4',
      '--start-time',
      '01:00',
    );
    const list = await azJson<{ name: string }[]>(
      'aks',
      'maintenanceconfiguration',
      'list',
      ...base,
    );
    expect(list.map((m) => m.name)).toContain('aksManagedNodeOSUpgradeSchedule');
    const shown = await azJson<{ name: string }>(
      'aks',
      'maintenanceconfiguration',
      'show',
      ...base,
      '-n',
      'aksManagedNodeOSUpgradeSchedule',
    );
    expect(shown.name).toBe('aksManagedNodeOSUpgradeSchedule');
    expect(
      (
        await azr(
          'aks',
          'maintenanceconfiguration',
          'delete',
          ...base,
          '-n',
          'aksManagedNodeOSUpgradeSchedule',
        )
      ).code,
    ).toBe(0);
  }, 120000);
});
