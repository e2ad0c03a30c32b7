/** The simulator's pure parts, without HTTP: versions, scenario overlays, the operation engine, buckets, faults. */
import { describe, expect, test } from '@jest/globals';
import { Clock } from '../../src/simulator/clock.ts';
import { DEFAULT_VERSION_CATALOG, VersionCatalog } from '../../src/simulator/aks/versions.ts';
import { overlay } from '../../src/simulator/scenario/load.ts';
import { AksEngine } from '../../src/simulator/aks/engine.ts';
import { clusterUpgradePlan } from '../../src/simulator/aks/plans.ts';
import { newETag, type ClusterState, type PoolState } from '../../src/simulator/aks/model.ts';
import { Throttler } from '../../src/simulator/arm/throttle.ts';
import { FaultInjector } from '../../src/simulator/faults.ts';
import type { SimRequest } from '../../src/simulator/net/http-kit.ts';

describe('version catalog', () => {
  const catalog = new VersionCatalog(DEFAULT_VERSION_CATALOG);

  test('resolves a minor to its newest patch, "" to the default, and refuses what the region lacks', () => {
    expect(catalog.resolve('1.34')).toBe('1.34.4');
    expect(catalog.resolve('')).toBe('1.34.4');
    expect(catalog.resolve('1.35.1')).toBe('1.35.1');
    expect(catalog.resolve('1.29.9')).toBeUndefined();
    expect(catalog.resolve('latest')).toBeUndefined();
  });

  test('upgrades: later patches and the next minor, never a skip or a downgrade', () => {
    expect(catalog.upgradesFrom('1.34.2')).toEqual(['1.34.4', '1.35.1', '1.35.3']);
    expect(catalog.upgradeRefusal('1.34.2', '1.36.0')).toBe('skip');
    expect(catalog.upgradeRefusal('1.34.2', '1.33.5')).toBe('downgrade');
    expect(catalog.upgradeRefusal('1.34.2', '1.35.3')).toBeUndefined();
  });
});

describe('scenario overlay', () => {
  test('objects merge by key, arrays element by element, scalars are replaced', () => {
    expect(
      overlay(
        { a: 1, list: [{ x: 1, y: 2 }, { x: 3 }], o: { p: 1 } },
        { list: [{ y: 9 }], o: { q: 2 }, a: 5 },
      ),
    ).toEqual({
      a: 5,
      list: [{ x: 1, y: 9 }, { x: 3 }],
      o: { p: 1, q: 2 },
    });
  });
});

function cluster(): ClusterState {
  const pool = (name: string): PoolState => ({
    name,
    mode: 'User',
    count: 2,
    vmSize: 'Standard_D4ds_v5',
    osType: 'Linux',
    osSKU: 'Ubuntu',
    orchestratorVersion: '1.34.2',
    currentOrchestratorVersion: '1.34.2',
    nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202610.15.0',
    enableAutoScaling: false,
    maxPods: 110,
    provisioningState: 'Succeeded',
    powerState: 'Running',
    eTag: newETag(),
    extra: {},
  });
  return {
    subscriptionId: 's',
    resourceGroup: 'rg',
    name: 'c',
    location: 'eastus',
    tags: {},
    sku: {},
    kubernetesVersion: '1.34.2',
    currentKubernetesVersion: '1.34.2',
    provisioningState: 'Succeeded',
    powerState: 'Running',
    eTag: newETag(),
    dnsPrefix: 'c',
    fqdnSuffix: 'x',
    nodeResourceGroup: 'MC_rg_c_eastus',
    extra: {},
    pools: [pool('a'), pool('b')],
    operations: [],
    commands: new Map(),
  };
}

describe('operation engine', () => {
  const durations = {
    create: 10,
    upgrade: 100,
    scale: 10,
    'upgrade-node-image': 10,
    start: 10,
    stop: 10,
    reconcile: 10,
    delete: 10,
  };
  const ms = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v * 1000])) as typeof durations;

  function upgrade(engine: AksEngine, c: ClusterState) {
    return engine.start(
      c,
      clusterUpgradePlan(
        c,
        '1.35.3',
        c.pools.map((pool) => ({ pool, version: '1.35.3' })),
        '202611.02.0',
        'test',
      ),
    );
  }

  test('progress follows the clock; stages land in order (control plane, then each pool)', () => {
    const clock = Clock.frozen();
    const engine = new AksEngine(clock, {
      durationsMs: ms(durations),
      cancelDurationMs: 2000,
      failures: [],
      stuck: [],
    });
    const c = cluster();
    const op = upgrade(engine, c);
    expect([c.provisioningState, engine.percentComplete(op)]).toEqual(['Upgrading', 0]);
    clock.advance(40_000);
    engine.advance(c);
    expect(engine.percentComplete(op)).toBe(40);
    expect([c.currentKubernetesVersion, c.pools[0]!.currentOrchestratorVersion]).toEqual([
      '1.35.3',
      '1.34.2',
    ]);
    clock.advance(60_000);
    engine.advance(c);
    expect([
      op.status,
      c.provisioningState,
      c.pools.map((p) => p.currentOrchestratorVersion),
    ]).toEqual(['Succeeded', 'Succeeded', ['1.35.3', '1.35.3']]);
    expect(op.endMs).toBe(op.startMs + 100_000);
  });

  test('a failure rule ends the operation exactly at its percentage, with placeholders filled', () => {
    const clock = Clock.frozen();
    const engine = new AksEngine(clock, {
      durationsMs: ms(durations),
      cancelDurationMs: 2000,
      failures: [
        {
          operation: 'upgrade',
          atPercent: 50,
          error: { code: 'UpgradeFailed', message: 'Drain node {node} of {cluster} failed' },
        },
      ],
      stuck: [],
    });
    const c = cluster();
    const op = upgrade(engine, c);
    clock.advance(90_000);
    engine.advance(c);
    expect([op.status, op.endMs! - op.startMs, op.error?.message]).toEqual([
      'Failed',
      50_000,
      'Drain node aks-a-12345678-vmss000000 of c failed',
    ]);
    expect([c.provisioningState, c.pools.map((p) => p.provisioningState)]).toEqual([
      'Failed',
      ['Failed', 'Failed'],
    ]);
  });

  test('cancel: Canceling at once, Canceled after the cancel delay, progress frozen', () => {
    const clock = Clock.frozen();
    const engine = new AksEngine(clock, {
      durationsMs: ms(durations),
      cancelDurationMs: 2000,
      failures: [],
      stuck: [],
    });
    const c = cluster();
    const op = upgrade(engine, c);
    clock.advance(70_000);
    engine.cancel(c, op);
    expect([op.status, c.provisioningState, engine.percentComplete(op)]).toEqual([
      'Canceling',
      'Canceling',
      70,
    ]);
    clock.advance(1_999);
    engine.advance(c);
    expect(op.status).toBe('Canceling');
    clock.advance(1);
    engine.advance(c);
    expect([op.status, c.provisioningState, engine.percentComplete(op)]).toEqual([
      'Canceled',
      'Canceled',
      70,
    ]);
    expect(c.pools.map((p) => [p.currentOrchestratorVersion, p.provisioningState])).toEqual([
      ['1.35.3', 'Succeeded'],
      ['1.34.2', 'Canceled'],
    ]);
  });
});

describe('throttling buckets', () => {
  test('drain, answer 429 with the seconds until a token, and refill with time', () => {
    const clock = Clock.frozen();
    const t = new Throttler(clock, {
      reads: { capacity: 2, refillPerSecond: 0.5 },
      writes: { capacity: 1, refillPerSecond: 1 },
      clusterWrites: { capacity: 1, refillPerSecond: 1 },
    });
    expect(t.charge('read', 'p', 's')['x-ms-ratelimit-remaining-subscription-reads']).toBe('1');
    expect(t.charge('read', 'p', 's')['x-ms-ratelimit-remaining-subscription-reads']).toBe('0');
    let err: unknown;
    try {
      t.charge('read', 'p', 's');
    } catch (e) {
      err = e;
    }
    expect(
      (err as { response: { status: number; headers: Record<string, string> } }).response,
    ).toMatchObject({ status: 429, headers: { 'Retry-After': '2' } });
    expect(
      t.charge('read', 'other-principal', 's')['x-ms-ratelimit-remaining-subscription-reads'],
    ).toBe('1');
    clock.advance(2000);
    expect(t.charge('read', 'p', 's')['x-ms-ratelimit-remaining-subscription-reads']).toBe('0');
  });
});

describe('fault rules', () => {
  const req = (path: string): SimRequest => ({
    method: 'GET',
    url: new URL(`https://h${path}`),
    host: 'h',
    origin: 'https://h',
    headers: {},
    body: Buffer.alloc(0),
  });

  test('skip and times count matching requests per rule, whichever rule answers', async () => {
    const f = new FaultInjector();
    f.add({ match: { path: '/x' }, action: 'error', status: 503, times: 1 });
    f.add({ match: { path: '/x' }, action: 'drop', skip: 1, times: 1 });
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const a = await f.before(req('/x'));
      answers.push(typeof a === 'string' ? a : (a?.status ?? 'pass'));
    }
    expect(answers).toEqual([503, 'drop', 'pass', 'pass']);
    expect(await f.before(req('/y'))).toBeUndefined();
  });
});
