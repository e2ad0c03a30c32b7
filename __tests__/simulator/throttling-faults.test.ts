import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { flatError } from '../helpers/error-shapes.ts';
import {
  admin,
  aksClient,
  armToken,
  clusterPath,
  firstCluster,
  frozenClock,
  raw,
  simulator,
  FAST,
} from '../helpers/simulator.ts';

// Buckets refill with simulated time, which stands still here: the counts cannot drift however
// slowly the requests go, and a bucket refills only when the test moves the clock.
describe('ARM throttling (throttling-storm: 10 reads, refilled at 1/s)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('throttling-storm', FAST, { clock: frozenClock() });
  });
  afterAll(() => sim.stop());

  test('every answer counts down x-ms-ratelimit-remaining-subscription-reads; an empty bucket answers 429 with Retry-After', async () => {
    const c = firstCluster(sim);
    const token = await armToken(sim);
    const remaining: (string | null)[] = [];
    const global: (string | null)[] = [];
    let throttled;
    for (let i = 0; i < 12 && !throttled; i++) {
      const r = await raw(sim, 'GET', clusterPath(c), { token });
      if (r.status === 429) throttled = r;
      else {
        remaining.push(r.headers.get('x-ms-ratelimit-remaining-subscription-reads'));
        global.push(r.headers.get('x-ms-ratelimit-remaining-subscription-global-reads'));
      }
    }
    expect(remaining.slice(0, 3)).toEqual(['9', '8', '7']);
    // The subscription's global bucket, shared by all principals, is 15 times one principal's.
    expect(global.slice(0, 3)).toEqual(['149', '148', '147']);
    expect(throttled?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(throttled?.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('0');
    expect((throttled?.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'SubscriptionRequestsThrottled',
      message: expect.stringContaining("Number of 'read' requests for subscription"),
    });
  });

  test("the SDK's retry policy honours Retry-After and the read then succeeds", async () => {
    const c = firstCluster(sim);
    const token = await armToken(sim);
    // Empty the bucket first.
    for (let i = 0; i < 12; i++) await raw(sim, 'GET', clusterPath(c), { token });
    const since = sim.log.lastSeq;
    // As the SDK's read is answered 429 (Retry-After: 1), a second passes for the simulator; the
    // SDK itself waits that second in real time before it reads again.
    let refilled = false;
    const off = sim.log.onRecord((e) => {
      if (!refilled && e.operation === 'ManagedClusters_Get' && e.status === 429) {
        refilled = true;
        sim.advance(1);
      }
    });
    const started = Date.now();
    let mc;
    try {
      mc = await aksClient(sim).managedClusters.get(c.resourceGroup, c.name);
    } finally {
      off();
    }
    expect(mc.name).toBe(c.name);
    const statuses = sim.log
      .list(since)
      .filter((e) => e.operation === 'ManagedClusters_Get')
      .map((e) => e.status);
    expect(statuses[0]).toBe(429);
    expect(statuses.at(-1)).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('AKS limits writes per cluster', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator(
      'idle',
      { ...FAST, throttling: { clusterWrites: { capacity: 3, refillPerSecond: 0.01 } } },
      { clock: frozenClock() },
    );
  });
  afterAll(() => sim.stop());

  test('the fourth accepted write in a burst gets 429 Throttled with Retry-After', async () => {
    const c = firstCluster(sim);
    const token = await armToken(sim);
    const statuses: number[] = [];
    let last;
    for (const pool of ['user', 'system', 'extra1', 'extra2']) {
      last = await raw(sim, 'PUT', clusterPath(c, `/agentPools/${pool}`), {
        token,
        body: { properties: { count: 3, mode: pool === 'system' ? 'System' : 'User' } },
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 201, 429]);
    expect(flatError(last?.body).code).toBe('Throttled');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('injected faults (flaky-arm)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator('flaky-arm', FAST);
  });
  afterAll(() => sim.stop());

  test('503s with Retry-After and a dropped connection are retried by the SDK until the read succeeds', async () => {
    const c = firstCluster(sim);
    const mc = await aksClient(sim).managedClusters.get(c.resourceGroup, c.name);
    expect(mc.provisioningState).toBe('Succeeded');
    const gets = sim.log
      .list()
      .filter((e) => e.method === 'GET' && e.path.endsWith(`/managedClusters/${c.name}`));
    expect(gets.map((e) => e.status)).toEqual([503, 503, 0, 200]);
    expect(gets[2]?.dropped).toBe(true);
    expect(gets.every((e) => e.durationMs >= 290)).toBe(true);
  });

  test('faults can be added and cleared at run time through the admin API', async () => {
    const c = firstCluster(sim);
    expect(
      (
        await admin(sim, 'POST', '/faults', {
          match: { path: '/upgradeProfiles/' },
          action: 'error',
          status: 500,
          times: 1,
        })
      ).status,
    ).toBe(201);
    const token = await armToken(sim);
    const first = await raw(sim, 'GET', clusterPath(c, '/upgradeProfiles/default'), { token });
    expect([first.status, (first.body as { error: { code: string } }).error.code]).toEqual([
      500,
      'InternalServerError',
    ]);
    expect(
      (await raw(sim, 'GET', clusterPath(c, '/upgradeProfiles/default'), { token })).status,
    ).toBe(200);
    expect((await admin(sim, 'DELETE', '/faults')).status).toBe(204);
    expect(
      (await admin(sim, 'POST', '/faults', { match: { path: '(' }, action: 'error' })).status,
    ).toBe(400);
  });
});
