/**
 * Drives each operation covered by the official AKS REST examples (../shared/aks-rest-examples)
 * through @azure/arm-containerservice against the simulator, and compares status codes, headers
 * and body shapes with the example.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createPipelineRequest, createHttpHeaders } from '@azure/core-rest-pipeline';
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type { Simulator } from '../../src/simulator/index.ts';
import { admin, aksClient, simulator } from '../helpers/simulator.ts';
import { shapeProblems, urlTemplate } from '../helpers/shapes.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../fixtures/aks-rest-examples');

interface Example {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}

function example(relative: string): Example {
  return JSON.parse(readFileSync(path.join(EXAMPLES, relative), 'utf8')) as Example;
}

const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function withDates(v: unknown): unknown {
  if (typeof v === 'string' && DATE_TIME.test(v)) return new Date(v);
  if (Array.isArray(v)) return v.map(withDates);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withDates(x)]));
  return v;
}

/**
 * The SDK's models flatten `properties` into the resource, use Date objects, and camelCase the
 * autoscaler profile's kebab-case wire names; REST examples are wire JSON.
 */
function sdkModel<T>(rest: unknown): T {
  const { properties, ...top } = rest as { properties?: Record<string, unknown> };
  const flat: Record<string, unknown> = { ...top, ...(properties ?? {}) };
  if (flat.autoScalerProfile && typeof flat.autoScalerProfile === 'object') {
    flat.autoScalerProfile = Object.fromEntries(
      Object.entries(flat.autoScalerProfile).map(([k, v]) => [
        k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()),
        v,
      ]),
    );
  }
  return withDates(flat) as T;
}

interface Captured {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** SDK options that record the first raw response of a call. */
function capture(): {
  options: {
    onResponse: (r: {
      status: string | number;
      headers: unknown;
      bodyAsText?: string | null;
    }) => void;
  };
  first: () => Captured;
} {
  let first: Captured | undefined;
  return {
    options: {
      onResponse: (r) => {
        first ??= {
          status: Number(r.status),
          headers: JSON.parse(JSON.stringify(r.headers)) as Record<string, string>,
          body: r.bodyAsText ? (JSON.parse(r.bodyAsText) as unknown) : undefined,
        };
      },
    },
    first: () => {
      if (!first) throw new Error('no response was captured');
      return first;
    },
  };
}

function expectHeadersLike(
  actual: Record<string, string>,
  exampleHeaders: Record<string, string> | undefined,
): void {
  for (const [name, value] of Object.entries(exampleHeaders ?? {})) {
    const got = actual[name.toLowerCase()];
    expect([name, got === undefined ? undefined : urlTemplate(got)]).toEqual([
      name,
      urlTemplate(value),
    ]);
  }
}

const RG = 'rg1';
const MC = 'clustername1';
const DEFAULT_WORLD = {
  retryAfterSeconds: 1,
  cancelSeconds: 0.5,
  runCommandSeconds: 0.5,
  durations: {
    create: 1,
    upgrade: 1,
    scale: 1,
    'upgrade-node-image': 1,
    start: 1,
    stop: 1,
    reconcile: 1,
  },
};

let sim: Simulator;
let client: (apiVersion: string) => ContainerServiceClient;

beforeAll(async () => {
  sim = await simulator('rest-examples', DEFAULT_WORLD);
  client = (v) => aksClient(sim, undefined, v);
});
afterAll(() => sim.stop());

describe('managedClusters', () => {
  test('ManagedClustersGet: 200 with the example body shape', async () => {
    const ex = example('stable/2026-04-01/examples/ManagedClustersGet.json');
    const cap = capture();
    const mc = await client('2026-04-01').managedClusters.get(RG, MC, cap.options);
    expect(cap.first().status).toBe(200);
    expect(shapeProblems(ex.responses['200']!.body, cap.first().body)).toEqual([]);
    expect(mc).toMatchObject({
      name: 'clustername1',
      type: 'Microsoft.ContainerService/managedClusters',
      provisioningState: 'Succeeded',
      kubernetesVersion: '1.9.9',
      currentKubernetesVersion: '1.9.9',
    });
    expect(mc.id).toBe((ex.responses['200']!.body as { id: string }).id);
  });

  test('ManagedClustersListByResourceGroup: 200 { value: [...] }', async () => {
    const ex = example('stable/2026-04-01/examples/ManagedClustersListByResourceGroup.json');
    const cap = capture();
    const names: string[] = [];
    for await (const mc of client('2026-04-01').managedClusters.listByResourceGroup(
      RG,
      cap.options,
    ))
      names.push(mc.name!);
    expect(names).toEqual(['clustername1']);
    expect(cap.first().status).toBe(200);
    expect(shapeProblems(ex.responses['200']!.body, cap.first().body)).toEqual([]);
  });

  test('ManagedClustersGetUpgradeProfile: control plane and pool upgrades', async () => {
    const ex = example('stable/2026-02-01/examples/ManagedClustersGetUpgradeProfile.json');
    const cap = capture();
    const profile = await client('2026-02-01').managedClusters.getUpgradeProfile(
      RG,
      MC,
      cap.options,
    );
    expect(shapeProblems(ex.responses['200']!.body, cap.first().body)).toEqual([]);
    expect(
      profile.controlPlaneProfile.upgrades?.map((u) => [u.kubernetesVersion, u.isPreview ?? false]),
    ).toEqual([
      ['1.10.3', true],
      ['1.10.5', true],
    ]);
    expect(profile.agentPoolProfiles?.[0]?.upgrades?.map((u) => u.kubernetesVersion)).toEqual([
      '1.9.9',
      '1.10.3',
      '1.10.5',
    ]);
  });

  test('KubernetesVersions_List: { values: [...] } with patchVersions and upgrades', async () => {
    const ex = example('stable/2026-03-01/examples/KubernetesVersions_List.json');
    const cap = capture();
    const list = await client('2026-03-01').managedClusters.listKubernetesVersions(
      'eastus',
      cap.options,
    );
    expect(
      shapeProblems(ex.responses['200']!.body, cap.first().body, [/\.patchVersions$/]),
    ).toEqual([]);
    expect(
      list.values?.map((v) => [v.version, v.isDefault ?? false, v.isPreview ?? false]),
    ).toEqual([
      ['1.9', true, false],
      ['1.10', false, true],
    ]);
  });

  test('ManagedClustersCreate_Update: 201 Creating without secrets, then 200 Succeeded', async () => {
    const ex = example('stable/2026-03-01/examples/ManagedClustersCreate_Update.json');
    const request = sdkModel<
      Parameters<ContainerServiceClient['managedClusters']['createOrUpdate']>[2]
    >(ex.parameters.parameters);
    const cap = capture();
    const created = await client('2026-03-01').managedClusters.createOrUpdate(
      RG,
      'clustername2',
      request,
      { ...cap.options, updateIntervalInMs: 200 },
    );
    expect(cap.first().status).toBe(201);
    expect(
      shapeProblems(ex.responses['201']!.body, cap.first().body, [/\.userAssignedIdentities$/]),
    ).toEqual([]);
    const body = cap.first().body as { properties: Record<string, Record<string, unknown>> };
    expect(body.properties.provisioningState).toBe('Creating');
    expect(body.properties.servicePrincipalProfile).toEqual({ clientId: 'clientid' });
    expect(body.properties.windowsProfile).toEqual({ adminUsername: 'azureuser' });
    expect(cap.first().headers['azure-asyncoperation']).toMatch(
      /\/locations\/location1\/operations\/[0-9a-f-]{36}\?api-version=2026-03-01$/,
    );
    expect(created.provisioningState).toBe('Succeeded');

    const update = capture();
    await client('2026-03-01').managedClusters.createOrUpdate(
      RG,
      'clustername2',
      { ...request, kubernetesVersion: undefined },
      { ...update.options, updateIntervalInMs: 200 },
    );
    expect(update.first().status).toBe(200);
    const final = capture();
    await client('2026-03-01').managedClusters.get(RG, 'clustername2', final.options);
    expect(
      shapeProblems(ex.responses['200']!.body, final.first().body, [/\.userAssignedIdentities$/]),
    ).toEqual([]);
  });

  test.each([
    ['ManagedClustersStop.json', 'stop'],
    ['ManagedClustersStart.json', 'start'],
  ] as const)(
    '%s: 202 with only a location header (operationresults); a second one is refused (400), as AKS does',
    async (file, verb) => {
      const ex = example(`stable/2026-03-01/examples/${file}`);
      const cap = capture();
      await client('2026-03-01').managedClusters[verb](RG, MC, {
        ...cap.options,
        updateIntervalInMs: 200,
      });
      expect(cap.first().status).toBe(202);
      expectHeadersLike(cap.first().headers, ex.responses['202']!.headers);
      expect(cap.first().headers['azure-asyncoperation']).toBeUndefined();
      expect(cap.first().body ?? '').toEqual('');
      // Stopping a stopped cluster (starting a running one) is refused, never a 204: "managed
      // cluster is in Provisioning State(Succeeded) and Power State(Stopped), stopping cannot be
      // performed" (MicrosoftDocs/azure-docs#85161; 400 per Azure/AKS#1871).
      const again = capture();
      await expect(
        client('2026-03-01').managedClusters[verb](RG, MC, again.options),
      ).rejects.toMatchObject({ statusCode: 400 });
      expect(again.first().status).toBe(400);
    },
  );

  test('ManagedClustersAbortOperation: 202 with Azure-AsyncOperation (operationStatus) and location (operations)', async () => {
    const ex = example('stable/2026-04-01/examples/ManagedClustersAbortOperation.json');
    expect(
      (
        await admin(sim, 'POST', `/clusters/${RG}/${MC}/operations`, {
          type: 'upgrade',
          kubernetesVersion: '1.9.9',
          durationSeconds: 600,
        })
      ).status,
    ).toBe(201);
    const cap = capture();
    await client('2026-04-01').managedClusters.abortLatestOperation(RG, MC, {
      ...cap.options,
      updateIntervalInMs: 200,
    });
    expect(cap.first().status).toBe(202);
    expectHeadersLike(cap.first().headers, ex.responses['202']!.headers);
    expect((await client('2026-04-01').managedClusters.get(RG, MC)).provisioningState).toBe(
      'Canceled',
    );
  });
});

describe('agentPools', () => {
  test('AgentPoolsGet and AgentPoolsList', async () => {
    const get = example('stable/2026-02-01/examples/AgentPoolsGet.json');
    const list = example('stable/2026-04-01/examples/AgentPoolsList.json');
    const a = capture();
    const pool = await client('2026-02-01').agentPools.get(RG, MC, 'agentpool1', a.options);
    expect(shapeProblems(get.responses['200']!.body, a.first().body)).toEqual([]);
    expect(pool).toMatchObject({
      name: 'agentpool1',
      count: 3,
      provisioningState: expect.any(String),
      eTag: expect.any(String),
    });
    const b = capture();
    const names: string[] = [];
    for await (const p of client('2026-04-01').agentPools.list(RG, MC, b.options))
      names.push(p.name!);
    expect(names).toEqual(['nodepool1', 'agentpool1']);
    expect(shapeProblems(list.responses['200']!.body, b.first().body)).toEqual([]);
  });

  test('AgentPoolsGetUpgradeProfile: latestNodeImageVersion and upgrades', async () => {
    const ex = example('stable/2026-01-01/examples/AgentPoolsGetUpgradeProfile.json');
    const cap = capture();
    const profile = await client('2026-01-01').agentPools.getUpgradeProfile(
      RG,
      MC,
      'agentpool1',
      cap.options,
    );
    expect(shapeProblems(ex.responses['200']!.body, cap.first().body)).toEqual([]);
    expect(profile.latestNodeImageVersion).toBe('AKSUbuntu-1604-2020.03.11');
  });

  test('AgentPoolsCreate_Update: 201 Creating, then 200 Succeeded', async () => {
    const ex = example('stable/2026-03-01/examples/AgentPoolsCreate_Update.json');
    const request = sdkModel<Parameters<ContainerServiceClient['agentPools']['createOrUpdate']>[3]>(
      ex.parameters.parameters,
    );
    const cap = capture();
    const created = await client('2026-03-01').agentPools.createOrUpdate(
      RG,
      MC,
      'agentpool2',
      request,
      { ...cap.options, updateIntervalInMs: 200 },
    );
    expect(cap.first().status).toBe(201);
    expect(shapeProblems(ex.responses['201']!.body, cap.first().body)).toEqual([]);
    expect(created).toMatchObject({
      provisioningState: 'Succeeded',
      orchestratorVersion: '1.9.9',
      nodeLabels: { key1: 'val1' },
      scaleSetPriority: 'Spot',
    });
    const final = capture();
    await client('2026-03-01').agentPools.get(RG, MC, 'agentpool2', final.options);
    expect(shapeProblems(ex.responses['200']!.body, final.first().body)).toEqual([]);
  });

  test('AgentPools_Update: enabling the autoscaler answers Updating, then Succeeded', async () => {
    const ex = example('stable/2026-02-01/examples/AgentPools_Update.json');
    const request = sdkModel<Parameters<ContainerServiceClient['agentPools']['createOrUpdate']>[3]>(
      ex.parameters.parameters,
    );
    const cap = capture();
    const done = await client('2026-02-01').agentPools.createOrUpdate(
      RG,
      MC,
      'agentpool2',
      request,
      { ...cap.options, updateIntervalInMs: 200 },
    );
    expect([200, 201]).toContain(cap.first().status);
    expect(shapeProblems(ex.responses['201']!.body, cap.first().body)).toEqual([]);
    expect(
      (cap.first().body as { properties: { provisioningState: string } }).properties
        .provisioningState,
    ).toBe('Updating');
    expect(done).toMatchObject({
      enableAutoScaling: true,
      minCount: 2,
      maxCount: 2,
      provisioningState: 'Succeeded',
    });
  });

  test('AgentPoolsUpgradeNodeImageVersion: 202 with the pool body and Azure-AsyncOperation, then 200 with no body', async () => {
    const ex = example('stable/2026-03-01/examples/AgentPoolsUpgradeNodeImageVersion.json');
    const cap = capture();
    await client('2026-03-01').agentPools.upgradeNodeImageVersion(RG, MC, 'agentpool1', {
      ...cap.options,
      updateIntervalInMs: 200,
    });
    expect(cap.first().status).toBe(202);
    expect(shapeProblems(ex.responses['202']!.body, cap.first().body)).toEqual([]);
    expect(
      (cap.first().body as { properties: { provisioningState: string } }).properties
        .provisioningState,
    ).toBe('UpgradingNodeImageVersion');
    // The example's URL has no subscription segment; the simulator reproduces that.
    expect(urlTemplate(cap.first().headers['azure-asyncoperation']!)).toBe(
      urlTemplate(ex.responses['202']!.headers!['Azure-AsyncOperation']!),
    );
    const again = capture();
    await client('2026-03-01').agentPools.upgradeNodeImageVersion(
      RG,
      MC,
      'agentpool1',
      again.options,
    );
    expect([again.first().status, again.first().body ?? '']).toEqual([200, '']);
  });

  test('AgentPoolsAbortOperation: 202 with the same headers as the cluster abort', async () => {
    const ex = example('stable/2026-02-01/examples/AgentPoolsAbortOperation.json');
    expect(
      (
        await admin(sim, 'POST', `/clusters/${RG}/${MC}/operations`, {
          type: 'scale',
          pool: 'agentpool1',
          count: 5,
          durationSeconds: 600,
        })
      ).status,
    ).toBe(201);
    const cap = capture();
    await client('2026-02-01').agentPools.abortLatestOperation(RG, MC, 'agentpool1', {
      ...cap.options,
      updateIntervalInMs: 200,
    });
    expect(cap.first().status).toBe(202);
    expectHeadersLike(cap.first().headers, ex.responses['202']!.headers);
  });
});

describe('runCommand', () => {
  async function run(
    command: string,
  ): Promise<{ request: Captured; poll: Captured; result: unknown }> {
    const request = capture();
    const c = client('2026-04-01');
    const poller = c.managedClusters.runCommand(
      RG,
      MC,
      { command, context: '', clusterToken: '' },
      { ...request.options, updateIntervalInMs: 100 },
    );
    await poller.submitted();
    const commandId = /commandResults\/([0-9a-f]{32})/.exec(request.first().headers.location!)![1]!;
    const poll = capture();
    await c.managedClusters.getCommandResult(RG, MC, commandId, poll.options);
    const result = await poller.pollUntilDone();
    return { request: request.first(), poll: poll.first(), result };
  }

  test('RunCommandRequest and RunCommandResultSucceed: 202 + location, 202 while running, then the result', async () => {
    const req = example('stable/2026-04-01/examples/RunCommandRequest.json');
    const res = example('stable/2026-03-01/examples/RunCommandResultSucceed.json');
    const { request, poll, result } = await run('kubectl apply -f ns.yaml');
    expect(request.status).toBe(202);
    expectHeadersLike(request.headers, req.responses['202']!.headers);
    expect(poll.status).toBe(202);
    expectHeadersLike(poll.headers, res.responses['202']!.headers);
    expect(result).toMatchObject({
      provisioningState: 'succeeded',
      exitCode: 0,
      logs: 'namespace dummy created',
    });
    const id = (result as { id: string }).id;
    const final = capture();
    await client('2026-03-01').managedClusters.getCommandResult(RG, MC, id, final.options);
    expect(final.first().status).toBe(200);
    expect(shapeProblems(res.responses['200']!.body, final.first().body)).toEqual([]);
  });

  test('RunCommandResultFailed: provisioningState failed with a reason', async () => {
    const res = example('stable/2026-03-01/examples/RunCommandResultFailed.json');
    const { result } = await run('kubectl run pull-test --image=nginx');
    expect(result).toMatchObject({ provisioningState: 'failed', reason: 'ImagePullBackoff' });
    const final = capture();
    await client('2026-03-01').managedClusters.getCommandResult(
      RG,
      MC,
      (result as { id: string }).id,
      final.options,
    );
    expect(shapeProblems(res.responses['200']!.body, final.first().body)).toEqual([]);
  });
});

describe('OperationStatusResult (preview), through the SDK client pipeline', () => {
  async function preview(relativePath: string): Promise<{ status: number; body: unknown }> {
    const c = client('2026-04-01');
    const request = createPipelineRequest({
      url: `${sim.origin}/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${MC}${relativePath}?api-version=2026-08-02-preview`,
      method: 'GET',
      headers: createHttpHeaders({ accept: 'application/json' }),
    });
    const { createDefaultHttpClient } = await import('@azure/core-rest-pipeline');
    const response = await c.pipeline.sendRequest(createDefaultHttpClient(), request);
    return { status: response.status, body: JSON.parse(response.bodyAsText ?? 'null') as unknown };
  }

  beforeAll(async () => {
    expect(
      (
        await admin(sim, 'POST', `/clusters/${RG}/${MC}/operations`, {
          type: 'upgrade',
          kubernetesVersion: '1.9.9',
          durationSeconds: 600,
        })
      ).status,
    ).toBe(201);
  });

  test('OperationStatusResultGet: operations/{id} with percentComplete, operationType and subOperationType', async () => {
    const ex = example('preview/2026-08-02-preview/examples/OperationStatusResultGet.json');
    const latest = await preview('/operations/latest');
    const id = (latest.body as { name: string }).name;
    const byId = await preview(`/operations/${id}`);
    expect(byId.status).toBe(200);
    expect(shapeProblems(ex.responses['200']!.body, byId.body)).toEqual([]);
    expect(byId.body).toMatchObject({
      status: 'InProgress',
      operationType: 'PutManagedCluster',
      subOperationType: 'Upgrading',
    });
  });

  test('OperationStatusResultGetByAgentPool', async () => {
    const ex = example(
      'preview/2026-08-02-preview/examples/OperationStatusResultGetByAgentPool.json',
    );
    const r = await preview('/agentPools/agentpool1/operations/latest');
    expect(r.status).toBe(200);
    expect(shapeProblems(ex.responses['200']!.body, r.body)).toEqual([]);
  });

  test('OperationStatusResultList: newest first, a failed operation with endTime and error', async () => {
    const ex = example('preview/2026-08-02-preview/examples/OperationStatusResultList.json');
    const r = await preview('/operations');
    expect(r.status).toBe(200);
    const value = (r.body as { value: { status: string }[] }).value;
    expect(
      shapeProblems((ex.responses['200']!.body as { value: unknown[] }).value[0], value[0]),
    ).toEqual([]);
    const failed = value.find((v) => v.status === 'Failed');
    expect(
      shapeProblems((ex.responses['200']!.body as { value: unknown[] }).value[1], failed),
    ).toEqual([]);
    expect(failed).toMatchObject({
      error: {
        code: 'ReconcileAgentPoolIdentityError',
        message: 'Reconcile agent pool nodepool1 identity failed',
      },
    });
  });

  test('a stable api-version does not serve the preview API', async () => {
    const c = client('2026-04-01');
    const { createDefaultHttpClient } = await import('@azure/core-rest-pipeline');
    const request = createPipelineRequest({
      url: `${sim.origin}/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${MC}/operations/latest?api-version=2026-04-01`,
      method: 'GET',
    });
    const response = await c.pipeline.sendRequest(createDefaultHttpClient(), request);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.bodyAsText!)).toMatchObject({
      error: { code: 'NoRegisteredProviderFound' },
    });
  });
});

describe('issue 11: maintenance configurations, pool versions and operations, tags, the provider', () => {
  const RESOURCES_EXAMPLES = path.resolve(
    import.meta.dirname,
    '../fixtures/resources-rest-examples',
  );
  const SUB = '00000000-0000-0000-0000-000000000000';
  const MC_PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${MC}`;

  /** Example request JSON as an SDK model: plain dates (start, end, startDate) become Dates. */
  function withPlainDates<T>(v: unknown): T {
    return JSON.parse(JSON.stringify(v), (k, x: unknown) =>
      ['start', 'end', 'startDate'].includes(k) && typeof x === 'string' ? new Date(x) : x,
    ) as T;
  }

  async function get(url: string): Promise<{ status: number; headers: unknown; body: unknown }> {
    const { createDefaultHttpClient } = await import('@azure/core-rest-pipeline');
    const request = createPipelineRequest({
      url: `${sim.origin}${url}`,
      method: 'GET',
      headers: createHttpHeaders({ accept: 'application/json' }),
    });
    const response = await client('2026-04-01').pipeline.sendRequest(
      createDefaultHttpClient(),
      request,
    );
    return {
      status: response.status,
      headers: response.headers.toJSON(),
      body: JSON.parse(response.bodyAsText ?? 'null') as unknown,
    };
  }

  type McParams = Parameters<
    ContainerServiceClient['maintenanceConfigurations']['createOrUpdate']
  >[3];

  test('MaintenanceConfigurationsCreate_Update_MaintenanceWindow: 201 when new, 200 when replaced, the example shapes', async () => {
    const ex = example(
      'stable/2026-03-01/examples/MaintenanceConfigurationsCreate_Update_MaintenanceWindow.json',
    );
    const request = ex.parameters.parameters as {
      properties: { maintenanceWindow: { schedule: unknown } };
    };
    const params = withPlainDates<McParams>(request.properties);
    // The example's answers show a weekly schedule although it PUT a relativeMonthly one (a quirk
    // of the example): the shape is compared with the schedule that was sent.
    const expected = (status: string) => {
      const body = structuredClone(ex.responses[status]!.body) as typeof request;
      body.properties.maintenanceWindow.schedule = request.properties.maintenanceWindow.schedule;
      return body;
    };
    const mcs = client('2026-03-01').maintenanceConfigurations;
    const first = capture();
    await mcs.createOrUpdate(RG, MC, 'aksManagedAutoUpgradeSchedule', params, first.options);
    expect(first.first().status).toBe(201);
    expect(first.first().body).toEqual(expected('201'));
    const again = capture();
    const done = await mcs.createOrUpdate(
      RG,
      MC,
      'aksManagedAutoUpgradeSchedule',
      params,
      again.options,
    );
    expect(again.first().status).toBe(200);
    expect(shapeProblems(expected('200'), again.first().body)).toEqual([]);
    expect(done.maintenanceWindow?.startDate).toEqual(new Date('2023-01-01'));
  });

  test('MaintenanceConfigurationsGet_MaintenanceWindow: the stored configuration, as the example shows it', async () => {
    const ex = example(
      'stable/2026-01-01/examples/MaintenanceConfigurationsGet_MaintenanceWindow.json',
    );
    const body = ex.responses['200']!.body as { properties: Record<string, unknown> };
    const mcs = client('2026-01-01').maintenanceConfigurations;
    await mcs.createOrUpdate(
      RG,
      MC,
      'aksManagedNodeOSUpgradeSchedule',
      withPlainDates<McParams>(body.properties),
    );
    const cap = capture();
    const got = await mcs.get(RG, MC, 'aksManagedNodeOSUpgradeSchedule', cap.options);
    expect(cap.first().status).toBe(200);
    expect(cap.first().body).toEqual(body);
    expect(got.maintenanceWindow?.schedule.daily?.intervalDays).toBe(3);
  });

  test('MaintenanceConfigurationsList_MaintenanceWindow: { value: [...] } with no nextLink, as the example', async () => {
    const ex = example(
      'stable/2026-03-01/examples/MaintenanceConfigurationsList_MaintenanceWindow.json',
    );
    const value = (ex.responses['200']!.body as { value: { name: string; properties: unknown }[] })
      .value;
    const mcs = client('2026-03-01').maintenanceConfigurations;
    for await (const m of mcs.listByManagedCluster(RG, MC)) await mcs.delete(RG, MC, m.name!);
    for (const v of value)
      await mcs.createOrUpdate(RG, MC, v.name, withPlainDates<McParams>(v.properties));
    const cap = capture();
    const names: string[] = [];
    for await (const m of mcs.listByManagedCluster(RG, MC, cap.options)) names.push(m.name!);
    expect(names).toEqual(['aksManagedNodeOSUpgradeSchedule', 'aksManagedAutoUpgradeSchedule']);
    expect(cap.first().body).toEqual(ex.responses['200']!.body);
  });

  test('MaintenanceConfigurationsDelete_MaintenanceWindow: 200, then 204 once it is gone, no body', async () => {
    const mcs = client('2026-02-01').maintenanceConfigurations;
    const a = capture();
    await mcs.delete(RG, MC, 'aksManagedNodeOSUpgradeSchedule', a.options);
    const b = capture();
    await mcs.delete(RG, MC, 'aksManagedNodeOSUpgradeSchedule', b.options);
    expect([
      a.first().status,
      a.first().body ?? '',
      b.first().status,
      b.first().body ?? '',
    ]).toEqual([200, '', 204, '']);
  });

  test('AgentPoolsGetAgentPoolAvailableVersions: the example shape, the region catalog', async () => {
    const ex = example('stable/2026-03-01/examples/AgentPoolsGetAgentPoolAvailableVersions.json');
    const cap = capture();
    const v = await client('2026-03-01').agentPools.getAvailableAgentPoolVersions(
      RG,
      MC,
      cap.options,
    );
    expect(shapeProblems(ex.responses['200']!.body, cap.first().body)).toEqual([]);
    expect((cap.first().body as { id: string }).id).toBe(
      (ex.responses['200']!.body as { id: string }).id,
    );
    expect(v.agentPoolVersions).toEqual([
      { kubernetesVersion: '1.9.6' },
      { default: true, kubernetesVersion: '1.9.9' },
      { isPreview: true, kubernetesVersion: '1.10.3' },
      { isPreview: true, kubernetesVersion: '1.10.5' },
    ]);
  });

  test('OperationStatusResultListByAgentPool (and _Active): the pool operations, newest first', async () => {
    const ex = example(
      'preview/2026-06-02-preview/examples/OperationStatusResultListByAgentPool.json',
    );
    const active = example(
      'preview/2026-08-02-preview/examples/OperationStatusResultListByAgentPool_Active.json',
    );
    await admin(sim, 'POST', `/clusters/${RG}/${MC}/complete`); // the upgrade started above
    const started = await admin(sim, 'POST', `/clusters/${RG}/${MC}/operations`, {
      type: 'scale',
      pool: 'agentpool1',
      count: 4,
      durationSeconds: 600,
    });
    expect(started.status).toBe(201);
    const all = await get(
      `${MC_PATH}/agentPools/agentpool1/operations?api-version=2026-06-02-preview`,
    );
    expect(all.status).toBe(200);
    expect(shapeProblems(ex.responses['200']!.body, all.body)).toEqual([]);
    const value = (all.body as { value: { status: string; operationType: string }[] }).value;
    expect(value[0]).toMatchObject({ status: 'InProgress', operationType: 'PutAgentPool' });
    expect(value.some((o) => o.status === 'Failed')).toBe(true);
    const running = await get(
      `${MC_PATH}/agentPools/agentpool1/operations?activeOnly=true&api-version=2026-08-02-preview`,
    );
    expect(shapeProblems(active.responses['200']!.body, running.body)).toEqual([]);
    expect(
      (running.body as { value: { status: string }[] }).value.every(
        (o) => o.status === 'InProgress',
      ),
    ).toBe(true);
    await admin(sim, 'POST', `/clusters/${RG}/${MC}/complete?pool=agentpool1`);
  });

  test('ManagedClustersUpdateTags: 200 with the cluster and the new tags; GET and PUT send an ETag header', async () => {
    const ex = example('stable/2026-02-01/examples/ManagedClustersUpdateTags.json');
    const cap = capture();
    const done = await client('2026-02-01').managedClusters.updateTags(
      RG,
      MC,
      ex.parameters.parameters as { tags: Record<string, string> },
      { ...cap.options, updateIntervalInMs: 100 },
    );
    expect(cap.first().status).toBe(200);
    expect(shapeProblems(ex.responses['200']!.body, cap.first().body)).toEqual([]);
    expect(done.tags).toEqual({ archv3: '', tier: 'testing' });
    const eTag = (cap.first().body as { eTag: string }).eTag;
    expect(cap.first().headers.etag).toBe(`"${eTag}"`);
    const read = capture();
    await client('2026-04-01').managedClusters.get(RG, MC, read.options);
    expect(read.first().headers.etag).toBe(`"${eTag}"`);
    const pool = capture();
    const p = await client('2026-04-01').agentPools.get(RG, MC, 'agentpool1', pool.options);
    expect(pool.first().headers.etag).toBe(`"${p.eTag}"`);
  });

  test('GetProvider (Microsoft.Resources): Microsoft.ContainerService in the example shape', async () => {
    const ex = JSON.parse(
      readFileSync(
        path.join(RESOURCES_EXAMPLES, 'stable/2022-09-01/examples/GetProvider.json'),
        'utf8',
      ),
    ) as Example;
    // locationMappings (edge zones) belong to the example's test provider; AKS in the simulator has none.
    const body = structuredClone(ex.responses['200']!.body) as {
      resourceTypes: Record<string, unknown>[];
    };
    for (const t of body.resourceTypes) delete t.locationMappings;
    const r = await get(
      `/subscriptions/${SUB}/providers/Microsoft.ContainerService?api-version=2022-09-01`,
    );
    expect(r.status).toBe(200);
    expect(shapeProblems(body, r.body)).toEqual([]);
    expect(r.body).toMatchObject({
      registrationState: 'Registered',
      namespace: 'Microsoft.ContainerService',
    });
  });
});

describe('cluster credentials', () => {
  const OPERATIONS = [
    ['stable/2026-04-01', 'ManagedClustersListClusterUserCredentials', 'clusterUser'],
    ['stable/2026-04-01', 'ManagedClustersListClusterAdminCredentials', 'clusterAdmin'],
    [
      'stable/2026-03-01',
      'ManagedClustersListClusterMonitoringUserCredentials',
      'clusterMonitoringUser',
    ],
  ] as const;
  const call = (c: ContainerServiceClient, file: string, rg: string, name: string, options = {}) =>
    file.endsWith('UserCredentials') && !file.includes('Monitoring')
      ? c.managedClusters.listClusterUserCredentials(rg, name, options)
      : file.includes('Admin')
        ? c.managedClusters.listClusterAdminCredentials(rg, name, options)
        : c.managedClusters.listClusterMonitoringUserCredentials(rg, name, options);

  test.each(OPERATIONS)(
    '%s/%s: 200 { kubeconfigs: [{ name, value }] }, value a base64 kubeconfig',
    async (folder, file, name) => {
      const ex = example(`${folder}/examples/${file}.json`);
      const version = folder.split('/')[1]!;
      const cap = capture();
      const result = await call(client(version), file, RG, MC, cap.options);
      expect(cap.first().status).toBe(200);
      expect(shapeProblems(ex.responses['200']!.body, cap.first().body)).toEqual([]);
      expect(result.kubeconfigs?.map((k) => k.name)).toEqual([name]);
      const yaml = Buffer.from(result.kubeconfigs![0]!.value!).toString('utf8');
      expect(yaml).toMatch(
        /^apiVersion: v1\nclusters:\n- cluster:\n {4}certificate-authority-data: /,
      );
      expect(yaml).toContain(`\nkind: Config\n`);
      expect(yaml).toContain(`\n- name: ${name}_${RG}_${MC}\n`);
    },
  );

  test('every scenario: each cluster hands out all three credentials through the SDK', async () => {
    const { listScenarios } = await import('../../src/simulator/index.ts');
    const world = await simulator('idle', DEFAULT_WORLD);
    try {
      for (const { name } of listScenarios()) {
        await world.reset(name);
        const sub = world.state.subscriptions[0]!.id;
        const c = aksClient(world);
        for (const cluster of world.state.clusters.values()) {
          if (cluster.subscriptionId !== sub) continue;
          for (const [, file, kind] of OPERATIONS) {
            const cap = capture();
            const result = await call(c, file, cluster.resourceGroup, cluster.name, cap.options);
            expect([name, cap.first().status]).toEqual([name, 200]);
            expect(result.kubeconfigs?.[0]?.name).toBe(kind);
          }
        }
      }
    } finally {
      await world.stop();
    }
  }, 60_000);
});
