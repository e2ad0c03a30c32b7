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
    '%s: 202 with only a location header (operationresults), then 204 when there is nothing to do',
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
      const again = capture();
      await client('2026-03-01').managedClusters[verb](RG, MC, again.options);
      expect(again.first().status).toBe(204);
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
