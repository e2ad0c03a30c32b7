/**
 * Issue 11, part A: answers that now behave as Azure's. Deletes of a managed cluster and of an agent
 * pool (AgentPoolsDelete.json: 202 with a `location` operationresults URL, 204 when already gone);
 * start/stop refused when there is nothing to do; api-versions ARM never registered; the legacy
 * orchestrators API of `az aks get-versions`; every cluster keeps its create in operations/latest;
 * a Canceled operation carries an error; `/_sim/reset` keeps the credentials. Through the real SDK
 * and, where az is installed, the real Azure CLI, on a clock that stands still.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import {
  admin,
  aksClient,
  clusterPath,
  credential,
  firstCluster,
  frozenClock,
  raw,
  simulator,
  FAST,
  type RawResponse,
} from '../helpers/simulator.ts';
import { urlTemplate } from '../helpers/shapes.ts';
import { azEnv, azInstalled } from '../../scripts/lib/az.ts';

const PREVIEW = '2026-08-02-preview';
/** The delete's duration in these tests (the scenario default is 5 s). */
const DELETE_SECONDS = 2;
const WORLD = { ...FAST, durations: { ...FAST.durations, delete: DELETE_SECONDS } };

/** AgentPoolsDelete.json (stable/2026-04-01): the 202's only header. */
const DELETE_202_LOCATION =
  'https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.ContainerService/locations/eastus/operationresults/00000000-0000-0000-0000-000000000000?api-version=2026-04-01';

/** The code and message of an error body, flat (AKS's own) or wrapped (ARM's). */
function errorOf(r: RawResponse): { status: number; code?: string; message?: string } {
  const b = (r.body ?? {}) as { error?: { code: string; message: string }; code?: string };
  const e = (b.error ?? b) as { code?: string; message?: string };
  return { status: r.status, ...(e.code ? { code: e.code } : {}), message: e.message ?? '' };
}

function pathOf(url: string | null): string {
  const u = new URL(url!);
  return `${u.pathname}${u.search}`;
}

describe('DELETE of an agent pool and of the managed cluster', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', WORLD, { clock: frozenClock() });
  });
  beforeEach(() => sim.reset('idle', WORLD));
  afterAll(() => sim.stop());

  test('a pool: 202 with only a location (operationresults) URL, Deleting, then gone (404); again: 204', async () => {
    const c = firstCluster(sim);
    const r = await raw(sim, 'DELETE', clusterPath(c, '/agentPools/user', '2026-04-01'));
    expect(r.status).toBe(202);
    expect(r.text).toBe('');
    expect(urlTemplate(r.headers.get('location')!)).toBe(urlTemplate(DELETE_202_LOCATION));
    expect(r.headers.get('azure-asyncoperation')).toBeNull();
    expect(r.headers.get('retry-after')).toBeNull(); // FAST: retryAfterSeconds 0

    const client = aksClient(sim);
    expect((await client.agentPools.get(c.resourceGroup, c.name, 'user')).provisioningState).toBe(
      'Deleting',
    );
    // The cluster itself stays Succeeded; the pool's own operation says what it is.
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).provisioningState).toBe(
      'Succeeded',
    );
    expect(
      (await raw(sim, 'GET', clusterPath(c, '/agentPools/user/operations/latest', PREVIEW))).body,
    ).toMatchObject({
      status: 'InProgress',
      operationType: 'DeleteAgentPool',
      subOperationType: 'Deleting',
    });
    expect((await raw(sim, 'GET', pathOf(r.headers.get('location')))).status).toBe(202);

    sim.advance(DELETE_SECONDS);
    expect((await raw(sim, 'GET', pathOf(r.headers.get('location')))).status).toBe(204);
    expect(errorOf(await raw(sim, 'GET', clusterPath(c, '/agentPools/user')))).toMatchObject({
      status: 404,
      code: 'ResourceNotFound',
    });
    const pools = [];
    for await (const p of client.agentPools.list(c.resourceGroup, c.name)) pools.push(p.name);
    expect(pools).toEqual(['system']);
    expect((await raw(sim, 'DELETE', clusterPath(c, '/agentPools/user'))).status).toBe(204);
  });

  test('through the SDK: agentPools.delete polls the location URL to the end', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const poller = client.agentPools.delete(c.resourceGroup, c.name, 'user', {
      updateIntervalInMs: 10,
    });
    await poller.submitted();
    expect((await client.agentPools.get(c.resourceGroup, c.name, 'user')).provisioningState).toBe(
      'Deleting',
    );
    sim.advance(DELETE_SECONDS);
    await poller.pollUntilDone();
    await expect(client.agentPools.get(c.resourceGroup, c.name, 'user')).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  test('the last System pool and the last pool are not deleted', async () => {
    const c = firstCluster(sim);
    expect(errorOf(await raw(sim, 'DELETE', clusterPath(c, '/agentPools/system')))).toEqual({
      status: 400,
      code: 'MustDefineAtLeastOneSystemPool',
      message: 'Must define at least one system pool.',
    });
    // Nor may the last System pool become a User pool.
    expect(
      errorOf(
        await raw(sim, 'PUT', clusterPath(c, '/agentPools/system'), {
          body: { properties: { mode: 'User' } },
        }),
      ),
    ).toMatchObject({ status: 400, code: 'MustDefineAtLeastOneSystemPool' });
    // With the user pool gone, the system pool is the cluster's only one.
    await raw(sim, 'DELETE', clusterPath(c, '/agentPools/user'));
    sim.advance(DELETE_SECONDS);
    expect(errorOf(await raw(sim, 'DELETE', clusterPath(c, '/agentPools/system')))).toEqual({
      status: 400,
      code: 'OperationNotAllowed',
      message: 'There has to be at least one agent pool.',
    });
    expect(
      sim.state.clusters
        .values()
        .next()
        .value!.pools.map((p) => p.name),
    ).toEqual(['system']);
  });

  test('a delete meets the same 409 as any write while another operation runs, and blocks writes while it runs', async () => {
    const c = firstCluster(sim);
    const started = await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'scale',
      pool: 'user',
      count: 5,
      stuckAtPercent: 50,
    });
    expect(started.status).toBe(201);
    expect(errorOf(await raw(sim, 'DELETE', clusterPath(c, '/agentPools/user')))).toEqual({
      status: 409,
      code: 'OperationNotAllowed',
      message: expect.stringContaining(
        'Another agentpool operation (Scaling) is in progress, please wait for it to finish',
      ),
    });
    expect(errorOf(await raw(sim, 'DELETE', clusterPath(c)))).toEqual({
      status: 409,
      code: 'OperationNotAllowed',
      message: expect.stringContaining(
        'Another operation (Scaling) is in progress on agent pool (user)',
      ),
    });
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete`);

    // Now the delete runs: a scale of the pool (or of the cluster) meets it.
    expect((await raw(sim, 'DELETE', clusterPath(c, '/agentPools/user'))).status).toBe(202);
    expect(
      errorOf(
        await raw(sim, 'PUT', clusterPath(c, '/agentPools/user'), {
          body: { properties: { count: 3 } },
        }),
      ),
    ).toMatchObject({ status: 409, message: expect.stringContaining('(Deleting)') });
    expect(errorOf(await raw(sim, 'POST', clusterPath(c, '/stop')))).toMatchObject({
      status: 409,
      message: expect.stringContaining('(Deleting) is in progress on agent pool (user)'),
    });
  });

  test('the managed cluster: Deleting (pools too), a second DELETE reports on the same operation, then 404 and 204', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const poller = client.managedClusters.delete(c.resourceGroup, c.name, {
      updateIntervalInMs: 10,
    });
    await poller.submitted();
    const deleting = await client.managedClusters.get(c.resourceGroup, c.name);
    expect([
      deleting.provisioningState,
      deleting.agentPoolProfiles!.map((p) => p.provisioningState),
    ]).toEqual(['Deleting', ['Deleting', 'Deleting']]);
    expect(
      (await raw(sim, 'GET', clusterPath(c, '/operations/latest', PREVIEW))).body,
    ).toMatchObject({
      status: 'InProgress',
      operationType: 'DeleteManagedCluster',
      subOperationType: 'Deleting',
    });
    const again = await raw(sim, 'DELETE', clusterPath(c));
    expect(again.status).toBe(202);
    const opId = sim.state.clusters.values().next().value!.operations.at(-1)!.id;
    expect(again.headers.get('location')).toContain(`/operationresults/${opId}?`);

    sim.advance(DELETE_SECONDS);
    await poller.pollUntilDone();
    expect(errorOf(await raw(sim, 'GET', clusterPath(c)))).toMatchObject({
      status: 404,
      code: 'ResourceNotFound',
      message: expect.stringContaining(
        `The Resource 'Microsoft.ContainerService/managedClusters/${c.name}' under resource group '${c.resourceGroup}' was not found.`,
      ),
    });
    const listed = [];
    for await (const mc of client.managedClusters.list()) listed.push(mc.name);
    expect(listed).toEqual([]);
    expect((await admin(sim, 'GET', '/state')).body).toMatchObject({ clusters: [] });
    // The operation's own URL still reports how it ended.
    expect((await raw(sim, 'GET', pathOf(again.headers.get('location')))).status).toBe(204);
    expect((await raw(sim, 'DELETE', clusterPath(c))).status).toBe(204);
  });

  test("another pipeline's delete (admin API): the client's DELETE reports on it; GET is 404 once it ends", async () => {
    const c = firstCluster(sim);
    const started = await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/operations`, {
      type: 'delete',
      pool: 'user',
      stuckAtPercent: 50,
    });
    expect(started.status).toBe(201);
    const { operationId } = started.body as { operationId: string };
    const mine = await raw(sim, 'DELETE', clusterPath(c, '/agentPools/user'));
    expect(mine.status).toBe(202);
    expect(mine.headers.get('location')).toContain(`/operationresults/${operationId}?`);
    await admin(sim, 'POST', `/clusters/${c.resourceGroup}/${c.name}/complete?pool=user`);
    expect((await raw(sim, 'GET', pathOf(mine.headers.get('location')))).status).toBe(204);
    expect((await raw(sim, 'GET', clusterPath(c, '/agentPools/user'))).status).toBe(404);
  });

  test('a stopped cluster can be deleted; its pools cannot', async () => {
    await sim.reset('stopped-cluster', WORLD);
    const c = firstCluster(sim);
    expect(errorOf(await raw(sim, 'DELETE', clusterPath(c, '/agentPools/user')))).toMatchObject({
      status: 400,
      code: 'OperationNotAllowed',
    });
    expect((await raw(sim, 'DELETE', clusterPath(c))).status).toBe(202);
    sim.advance(DELETE_SECONDS);
    expect((await raw(sim, 'GET', clusterPath(c))).status).toBe(404);
  });
});

describe('start and stop when there is nothing to do', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('stopped-cluster', WORLD, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('stopping a stopped cluster: 400 OperationNotAllowed, no operation', async () => {
    const c = firstCluster(sim);
    const before = sim.state.clusters.values().next().value!.operations.length;
    expect(errorOf(await raw(sim, 'POST', clusterPath(c, '/stop')))).toEqual({
      status: 400,
      code: 'OperationNotAllowed',
      message:
        'managed cluster is in Provisioning State(Succeeded) and Power State(Stopped), stopping cannot be performed',
    });
    await expect(
      aksClient(sim).managedClusters.stop(c.resourceGroup, c.name, { updateIntervalInMs: 10 }),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect(sim.state.clusters.values().next().value!.operations).toHaveLength(before);
  });

  test('starting a running cluster: the same refusal', async () => {
    const c = firstCluster(sim);
    expect((await raw(sim, 'POST', clusterPath(c, '/start'))).status).toBe(202);
    sim.advance(FAST.durations.start);
    expect(errorOf(await raw(sim, 'POST', clusterPath(c, '/start')))).toEqual({
      status: 400,
      code: 'OperationNotAllowed',
      message:
        'managed cluster is in Provisioning State(Succeeded) and Power State(Running), starting cannot be performed',
    });
  });
});

describe('api-versions ARM never registered, and the legacy versions API', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', WORLD, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test.each(['2023-05-17', '2024-02-30', '2025-10-01-preview', '2024-06-01', '2021-11-01-preview'])(
    'GET a cluster with %s: 400 NoRegisteredProviderFound naming the supported api-versions',
    async (version) => {
      const c = firstCluster(sim);
      const r = await raw(sim, 'GET', clusterPath(c, '', version));
      expect(r.body).toEqual({ error: expect.anything() });
      const e = errorOf(r);
      expect([e.status, e.code]).toEqual([400, 'NoRegisteredProviderFound']);
      expect(e.message).toMatch(
        new RegExp(
          `^No registered resource provider found for location 'eastus' and API version '${version}' for type 'managedClusters'\\. The supported api-versions are '2017-08-31, 2018-03-31, 2019-02-01, 2019-04-01, .*, 2022-11-01, .*, 2026-04-01, .*'\\. The supported locations are '.*'\\.$`,
        ),
      );
      expect(e.message).not.toContain(`${version},`);
    },
  );

  test.each([
    '2017-08-31',
    '2022-08-01',
    '2022-11-01',
    '2024-01-02-preview',
    '2026-04-01',
    PREVIEW,
  ])('GET a cluster with %s: 200', async (version) => {
    expect((await raw(sim, 'GET', clusterPath(firstCluster(sim), '', version))).status).toBe(200);
  });

  test('operations/latest exists only in previews from 2024-01-02-preview on', async () => {
    const c = firstCluster(sim);
    const latest = (v: string) => raw(sim, 'GET', clusterPath(c, '/operations/latest', v));
    expect((await latest('2024-01-02-preview')).status).toBe(200);
    const old = errorOf(await latest('2023-11-02-preview'));
    expect([old.status, old.code]).toEqual([400, 'NoRegisteredProviderFound']);
    expect(old.message).toContain(
      "for type 'managedClusters/operations'. The supported api-versions are '2024-01-02-preview, 2024-02-02-preview,",
    );
  });

  test('…/locations/{l}/orchestrators?api-version=2019-04-01: every patch, its upgrades, the default', async () => {
    const c = firstCluster(sim);
    const base = `/subscriptions/${c.subscriptionId}/providers/Microsoft.ContainerService/locations/eastus/orchestrators`;
    // The CI principal's roles are on its resource group; listing versions needs the subscription.
    const reader = sim.state.directory.principals.find(
      (p) => p.displayName === 'aks-guard-reader',
    )!;
    const token = (
      await credential(sim, { appId: reader.appId, secret: reader.secrets[0]! }).getToken(
        'https://management.azure.com/.default',
      )
    ).token;
    const r = await raw(
      sim,
      'GET',
      `${base}?api-version=2019-04-01&resource-type=managedClusters`,
      {
        token,
      },
    );
    expect(r.status).toBe(200);
    const body = r.body as {
      properties: {
        orchestrators: {
          orchestratorType: string;
          orchestratorVersion: string;
          default?: boolean;
          isPreview?: boolean;
          upgrades?: { orchestratorType: string; orchestratorVersion: string }[];
        }[];
      };
    };
    expect(body).toMatchObject({
      id: base,
      name: 'default',
      type: 'Microsoft.ContainerService/locations/orchestrators',
    });
    const byVersion = Object.fromEntries(
      body.properties.orchestrators.map((o) => [o.orchestratorVersion, o]),
    );
    expect(Object.keys(byVersion)).toEqual([
      '1.33.3',
      '1.33.5',
      '1.34.2',
      '1.34.4',
      '1.35.1',
      '1.35.3',
      '1.36.0',
    ]);
    expect(body.properties.orchestrators.every((o) => o.orchestratorType === 'Kubernetes')).toBe(
      true,
    );
    expect(byVersion['1.34.4']).toMatchObject({ default: true });
    expect(body.properties.orchestrators.filter((o) => o.default)).toHaveLength(1);
    expect(byVersion['1.36.0']).toMatchObject({ isPreview: true });
    expect(byVersion['1.36.0']!.upgrades).toBeUndefined();
    expect(byVersion['1.34.2']!.upgrades!.map((u) => u.orchestratorVersion)).toEqual([
      '1.34.4',
      '1.35.1',
      '1.35.3',
    ]);
    // Not a version of that API; nor is the API there in current ones.
    for (const v of ['2019-04-02', '2026-04-01']) {
      const e = errorOf(await raw(sim, 'GET', `${base}?api-version=${v}`, { token }));
      expect([e.status, e.code]).toEqual([400, 'NoRegisteredProviderFound']);
      expect(e.message).toContain(
        "for type 'locations/orchestrators'. The supported api-versions are '2017-09-30, 2019-04-01, 2019-06-01, 2019-08-01'",
      );
    }
  });
});

describe('operation history', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', WORLD, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('a cluster with no history given still has its create: operations/latest answers it', async () => {
    const c = firstCluster(sim);
    for (const suffix of ['/operations/latest', '/agentPools/user/operations/latest']) {
      const r = await raw(sim, 'GET', clusterPath(c, suffix, PREVIEW));
      expect([r.status, r.body]).toEqual([
        200,
        expect.objectContaining({
          status: 'Succeeded',
          operationType: 'PutManagedCluster',
          subOperationType: 'Creating',
          percentComplete: 100,
          startTime: expect.any(String),
          endTime: expect.any(String),
        }),
      ]);
    }
    const list = (await raw(sim, 'GET', clusterPath(c, '/operations', PREVIEW))).body as {
      value: { status: string }[];
    };
    expect(list.value).toHaveLength(1);
  });

  test('the create comes before every operation a scenario gives', async () => {
    await sim.reset('failed-cluster', WORLD);
    const ops = sim.state.clusters.values().next().value!.operations;
    expect(ops.map((o) => [o.kind, o.status])).toEqual([
      ['create', 'Succeeded'],
      ['upgrade', 'Failed'],
    ]);
    expect(ops[0]!.endMs!).toBeLessThan(ops[1]!.startMs);
  });

  test('a Canceled operation carries an error, on operations/latest as on its status URL', async () => {
    await sim.reset('idle', WORLD);
    const c = firstCluster(sim);
    const upgrade = await raw(sim, 'PUT', clusterPath(c), {
      body: { location: 'eastus', properties: { kubernetesVersion: '1.34.4' } },
    });
    expect(upgrade.status).toBe(200);
    const abort = await raw(sim, 'POST', clusterPath(c, '/abort'));
    expect(abort.status).toBe(202);
    sim.advance(FAST.cancelSeconds);
    const latest = (await raw(sim, 'GET', clusterPath(c, '/operations/latest', PREVIEW))).body as {
      name: string;
    };
    const canceled = { code: 'OperationCanceled', message: expect.any(String) };
    expect(latest).toMatchObject({ status: 'Canceled', error: canceled });
    expect(
      (await raw(sim, 'GET', clusterPath(c, `/operations/${latest.name}`, PREVIEW))).body,
    ).toMatchObject({ status: 'Canceled', error: canceled });
    const status = await raw(sim, 'GET', pathOf(upgrade.headers.get('azure-asyncoperation')));
    expect(status.body).toMatchObject({ status: 'Canceled', error: canceled });
  });

  test('a Canceled operation of a scenario history carries one too', async () => {
    await sim.reset('idle', {
      ...WORLD,
      clusters: [
        { history: [{ type: 'upgrade', kubernetesVersion: '1.34.4', status: 'Canceled' }] },
      ],
    });
    const c = firstCluster(sim);
    expect(
      (await raw(sim, 'GET', clusterPath(c, '/operations/latest', PREVIEW))).body,
    ).toMatchObject({ status: 'Canceled', error: { code: 'OperationCanceled' } });
  });
});

describe('POST /_sim/reset keeps the credentials', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('idle', WORLD, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('the same client secret and certificates before and after, for the same scenario or another', async () => {
    const secret = sim.servicePrincipal.secret;
    const pem = await sim.addCertificate();
    const env = sim.env().AZURE_CLIENT_SECRET;
    for (const scenario of [undefined, 'cluster-upgrading']) {
      const r = await admin(sim, 'POST', '/reset', scenario ? { scenario } : {});
      expect(r.status).toBe(200);
      expect(sim.servicePrincipal.secret).toBe(secret);
      expect(sim.env().AZURE_CLIENT_SECRET).toBe(env);
      // A token with the secret read before the reset works after it.
      const c = firstCluster(sim);
      expect((await raw(sim, 'GET', clusterPath(c))).status).toBe(200);
    }
    const sp = sim.state.directory.principals.find((p) => p.appId === sim.servicePrincipal.appId)!;
    expect(sp.certificates).toHaveLength(1);
    expect(pem).toContain('BEGIN CERTIFICATE');
  });
});

const available = azInstalled();
const azSuite = available ? describe : describe.skip;

azSuite('the Azure CLI (az 2.45): delete, get-versions, stop twice', () => {
  let sim: Simulator;
  const dirs: string[] = [];
  const run = promisify(execFile);
  let stopListening: () => void;

  async function az(
    env: NodeJS.ProcessEnv,
    ...args: string[]
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run('az', [...args, '--only-show-errors'], {
        env,
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

  async function login(appId: string, secret: string): Promise<NodeJS.ProcessEnv> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-az-'));
    dirs.push(dir);
    const env = azEnv(sim, dir);
    // `--password=`: a generated secret may start with '-', which az would read as an option.
    const r = await az(
      env,
      'login',
      '--service-principal',
      '-u',
      appId,
      `--password=${secret}`,
      '--tenant',
      env.AZURE_TENANT_ID!,
      '-o',
      'none',
    );
    expect(r.stderr).toBe('');
    return env;
  }

  beforeAll(async () => {
    // az waits Retry-After (1 s) between polls; the clock stands still, and moves on by the
    // operation's duration as soon as az has started it, so its first poll finds it done.
    sim = await simulator('idle', { ...WORLD, retryAfterSeconds: 1 }, { clock: frozenClock() });
    const durations: Record<string, number> = {
      AgentPools_Delete: DELETE_SECONDS,
      ManagedClusters_Delete: DELETE_SECONDS,
      ManagedClusters_Stop: FAST.durations.stop,
    };
    stopListening = sim.log.onRecord((e) => {
      const s = e.operation ? durations[e.operation] : undefined;
      if (s !== undefined && e.status === 202) sim.advance(s);
    });
  }, 60000);
  afterAll(async () => {
    stopListening();
    await sim.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('az aks nodepool delete, az aks stop twice, az aks delete --yes, az aks get-versions', async () => {
    const sp = sim.servicePrincipal;
    const ci = await login(sp.appId, sp.secret);
    const g = ['-g', ci.AKS_RESOURCE_GROUP!];
    const n = ci.AKS_CLUSTER_NAME!;

    const deleted = await az(
      ci,
      'aks',
      'nodepool',
      'delete',
      ...g,
      '--cluster-name',
      n,
      '-n',
      'user',
    );
    expect([deleted.code, deleted.stderr]).toEqual([0, '']);
    const pools = await az(ci, 'aks', 'nodepool', 'list', ...g, '--cluster-name', n, '-o', 'json');
    expect((JSON.parse(pools.stdout) as { name: string }[]).map((p) => p.name)).toEqual(['system']);
    const last = await az(
      ci,
      'aks',
      'nodepool',
      'delete',
      ...g,
      '--cluster-name',
      n,
      '-n',
      'system',
    );
    expect(last.code).not.toBe(0);
    expect(last.stderr).toContain('(OperationNotAllowed) There has to be at least one agent pool.');

    expect((await az(ci, 'aks', 'stop', ...g, '-n', n)).code).toBe(0);
    const twice = await az(ci, 'aks', 'stop', ...g, '-n', n);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain(
      '(OperationNotAllowed) managed cluster is in Provisioning State(Succeeded) and Power State(Stopped), stopping cannot be performed',
    );

    const gone = await az(ci, 'aks', 'delete', ...g, '-n', n, '--yes');
    expect([gone.code, gone.stderr]).toEqual([0, '']);
    const show = await az(ci, 'aks', 'show', ...g, '-n', n);
    expect(show.code).not.toBe(0);
    expect(show.stderr).toContain('(ResourceNotFound)');

    // Listing versions needs a role on the subscription: the Reader has one.
    const reader = sim.state.directory.principals.find(
      (p) => p.displayName === 'aks-guard-reader',
    )!;
    const ro = await login(reader.appId, reader.secrets[0]!);
    const versions = await az(ro, 'aks', 'get-versions', '-l', 'eastus', '-o', 'json');
    expect([versions.code, versions.stderr]).toEqual([0, '']);
    const parsed = JSON.parse(versions.stdout) as {
      orchestrators: { orchestratorVersion: string; default?: boolean | null }[];
    };
    expect(parsed.orchestrators.find((o) => o.default)?.orchestratorVersion).toBe('1.34.4');
    const table = await az(ro, 'aks', 'get-versions', '-l', 'eastus', '-o', 'table');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/1\.36\.0\(preview\)\s+None available/);
    expect(table.stdout).toMatch(/1\.34\.2\s+1\.34\.4, 1\.35\.1, 1\.35\.3/);
    expect(sim.log.counts()['ContainerServices_ListOrchestrators']).toBe(2);
  }, 240000);
});
