import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { flatError } from '../helpers/error-shapes.ts';
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
}

// Simulated time stands still in these blocks: an operation or a cancel moves on only when the
// test advances the clock, so each read sees the state the test expects however slowly it runs.
describe('abort on the managed cluster (operation-abort)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('cluster-upgrading', FAST, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('answers 202 with Azure-AsyncOperation and location, goes Canceling, then Canceled within seconds', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const before = (await raw(sim, 'GET', clusterPath(c, '/operations/latest', PREVIEW)))
      .body as StatusResult;
    expect(before).toMatchObject({ status: 'InProgress', percentComplete: 40 });

    let initial: { status: string; headers: Record<string, string> } | undefined;
    const poller = client.managedClusters.abortLatestOperation(c.resourceGroup, c.name, {
      updateIntervalInMs: 100,
      onResponse: (r) => {
        initial ??= {
          status: String(r.status),
          headers: JSON.parse(JSON.stringify(r.headers)) as Record<string, string>,
        };
      },
    });
    await poller.submitted();
    expect(initial?.status).toBe('202');
    expect(initial?.headers['azure-asyncoperation']).toMatch(
      /\/subscriptions\/[^/]+\/providers\/Microsoft\.ContainerService\/locations\/eastus\/operationStatus\/[0-9a-f-]{36}\?api-version=/,
    );
    expect(initial?.headers.location).toMatch(
      /\/locations\/eastus\/operations\/[0-9a-f-]{36}\?api-version=/,
    );

    const canceling = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(canceling.provisioningState).toBe('Canceling');
    const op = (await raw(sim, 'GET', clusterPath(c, `/operations/${before.name}`, PREVIEW)))
      .body as StatusResult;
    expect(op).toMatchObject({ status: 'Canceling', percentComplete: 40 });

    sim.advance(FAST.cancelSeconds);
    await poller.pollUntilDone();
    const after = await client.managedClusters.get(c.resourceGroup, c.name);
    expect(after.provisioningState).toBe('Canceled');
    expect(
      (await raw(sim, 'GET', clusterPath(c, '/operations/latest', PREVIEW))).body,
    ).toMatchObject({
      name: before.name,
      status: 'Canceled',
    });
  });

  test('nothing rolls back: the control plane stays upgraded, the pools it had not reached stay behind', async () => {
    const c = firstCluster(sim);
    const mc = await aksClient(sim).managedClusters.get(c.resourceGroup, c.name);
    expect(mc.kubernetesVersion).toBe('1.35.3');
    expect(mc.currentKubernetesVersion).toBe('1.35.3');
    expect(
      mc.agentPoolProfiles?.map((p) => [p.name, p.currentOrchestratorVersion, p.provisioningState]),
    ).toEqual([
      ['system', '1.34.2', 'Canceled'],
      ['user', '1.34.2', 'Canceled'],
    ]);
  });

  test('a second abort gets 409: the latest operation already reached a terminal state', async () => {
    const c = firstCluster(sim);
    const err = await aksClient(sim)
      .managedClusters.abortLatestOperation(c.resourceGroup, c.name)
      .catch((e: unknown) => e);
    expect(armErrorOf(err)).toMatchObject({ statusCode: 409, code: 'OperationNotAllowed' });
    expect(armErrorOf(err).message).toContain('already reached a terminal state (Canceled)');
  });

  test('a Canceled cluster accepts the next write (it is not busy any more)', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const mc = await client.managedClusters.get(c.resourceGroup, c.name);
    const poller = client.managedClusters.createOrUpdate(c.resourceGroup, c.name, mc, {
      updateIntervalInMs: 100,
    });
    await poller.submitted();
    // The PUT of the unchanged cluster resumes the canceled upgrade (the pools are still behind).
    sim.advance(FAST.durations.upgrade);
    const done = await poller.pollUntilDone();
    expect(done.provisioningState).toBe('Succeeded');
  });
});

describe('abort answered with 204', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator(
      'cluster-upgrading',
      { ...FAST, abortResponse: 204 },
      { clock: frozenClock() },
    );
  });
  afterAll(() => sim.stop());

  test('has no body and no headers to poll, yet the operation still goes Canceling then Canceled', async () => {
    const c = firstCluster(sim);
    const r = await raw(sim, 'POST', clusterPath(c, '/abort'));
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(r.headers.get('azure-asyncoperation')).toBeNull();
    const client = aksClient(sim);
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).provisioningState).toBe(
      'Canceling',
    );
    // The cancel takes FAST.cancelSeconds of simulated time.
    sim.advance(FAST.cancelSeconds);
    expect((await client.managedClusters.get(c.resourceGroup, c.name)).provisioningState).toBe(
      'Canceled',
    );
  });
});

describe('abort where the operation runs', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('pool-scaling', FAST, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('a cluster abort finds nothing to abort when only a pool is busy', async () => {
    const c = firstCluster(sim);
    const r = await raw(sim, 'POST', clusterPath(c, '/abort'));
    expect(r.status).toBe(409);
    // The cluster's own latest operation is its create (every cluster keeps it), long finished.
    expect(flatError(r.body).message).toMatch(
      /latest operation \(Creating, .*\) on the managed cluster .* already reached a terminal state \(Succeeded\); there is nothing to abort/,
    );
  });

  test('the agent pool abort cancels the pool operation; the cluster and other pools are untouched', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const poller = client.agentPools.abortLatestOperation(c.resourceGroup, c.name, 'user', {
      updateIntervalInMs: 100,
    });
    await poller.submitted();
    sim.advance(FAST.cancelSeconds);
    await poller.pollUntilDone();
    const pools = Object.fromEntries(
      (await client.managedClusters.get(c.resourceGroup, c.name)).agentPoolProfiles!.map((p) => [
        p.name,
        p.provisioningState,
      ]),
    );
    expect(pools).toEqual({ system: 'Succeeded', user: 'Canceled' });
    expect(
      (await raw(sim, 'GET', clusterPath(c, '/agentPools/user/operations/latest', PREVIEW))).body,
    ).toMatchObject({
      status: 'Canceled',
      operationType: 'PutAgentPool',
      subOperationType: 'Scaling',
    });
  });
});

describe('abort is refused on a Failed resource', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('failed-cluster', FAST);
  });
  afterAll(() => sim.stop());

  test('with 409 pointing at reconcile instead', async () => {
    const c = firstCluster(sim);
    for (const suffix of ['/abort', '/agentPools/user/abort']) {
      const r = await raw(sim, 'POST', clusterPath(c, suffix));
      expect(r.status).toBe(409);
      expect(flatError(r.body).message).toMatch(/Failed provisioning state .* Reconcile/);
    }
    expect((await admin(sim, 'GET', '/state')).status).toBe(200);
  });
});
