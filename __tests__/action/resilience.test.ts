/**
 * The built Action on a bad day: ARM throttling, server errors and dropped connections, tokens that
 * expire during a long wait, and secrets that must never show up in the log, outputs or summary.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction, type ActionRun } from '../helpers/action.ts';
import { releaseWhen, releaseWhenWaiting } from '../helpers/hold.ts';
import type { Simulator } from '../../src/simulator/index.ts';

// Generous: a loaded CI machine runs these slowly, and nothing here races the clock.
jest.setTimeout(150_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

const cluster = () => [...sim.state.clusters.values()][0]!;

/** Exactly one accepted write of this kind, whatever was retried. */
function acceptedWrites(since: number): string[] {
  return sim.log
    .list(since)
    .filter((e) => e.service === 'arm' && e.method !== 'GET' && e.status < 300)
    .map((e) => e.operation ?? e.path);
}

describe('throttling and faults', () => {
  test('a 429 storm: reads and writes are retried after Retry-After, one write lands', async () => {
    await sim.reset('throttling-storm', FAST);
    // Small token buckets throughout, and the first two writes answered 429 on top.
    sim.faults.add({
      match: { method: 'PUT' },
      action: 'error',
      status: 429,
      code: 'TooManyRequests',
      message: 'The request is being throttled.',
      retryAfterSeconds: 1,
      times: 2,
    });
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(acceptedWrites(since)).toEqual(['AgentPools_CreateOrUpdate']);
    expect(sim.log.list(since).filter((e) => e.status === 429).length).toBeGreaterThanOrEqual(2);
    expect(cluster().pools.find((p) => p.name === 'user')!.count).toBe(3);
  });

  test('503s, latency and a dropped connection on the way to ARM', async () => {
    await sim.reset('flaky-arm', FAST);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'upgrade', 'kubernetes-version': '1.35' });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(sim.log.list(since).some((e) => e.dropped)).toBe(true);
    expect(sim.log.list(since).some((e) => e.status === 503)).toBe(true);
    expect(acceptedWrites(since)).toEqual(['ManagedClusters_CreateOrUpdate']);
  });

  test('a 500 and a dropped connection on the write itself: retried, applied once', async () => {
    await sim.reset('idle', FAST);
    sim.faults.add({ match: { method: 'PUT' }, action: 'error', status: 500, times: 1 });
    sim.faults.add({ match: { method: 'PUT' }, action: 'drop', times: 1 });
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '4',
    });
    expect(run.code).toBe(0);
    expect(acceptedWrites(since)).toEqual(['AgentPools_CreateOrUpdate']);
    expect(cluster().operations.filter((o) => o.kind === 'scale').length).toBe(1);
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
  });
});

describe('tokens during a long wait', () => {
  // Tokens live 8 s; the wait lasts until the run has read the cluster successfully more than a
  // lifetime after its first access token: by then its first tokens have expired mid-wait.
  const LIFETIME = 8;

  test('access tokens and GitHub OIDC tokens that expire mid-wait are renewed', async () => {
    await sim.reset('cluster-upgrading', {
      ...FAST,
      tokenLifetimeSeconds: LIFETIME,
      github: { oidcTokenLifetimeSeconds: LIFETIME },
      // Held at 99% (polled every 2 s) until released.
      clusters: [{ operation: { startedSecondsAgo: 30, durationSeconds: 14, stuckAtPercent: 99 } }],
    });
    const pending = cluster().operations.at(-1)!.id;
    const since = sim.log.lastSeq;
    const hold = releaseWhen(sim, pending, () => {
      const log = sim.log.list(since);
      const first = log.find((e) => e.operation === 'Entra_Token' && e.status === 200);
      if (!first) return false;
      const expired = Date.parse(first.time) + (LIFETIME + 1) * 1000;
      return log.some(
        (e) => e.service === 'arm' && e.status === 200 && Date.parse(e.time) >= expired,
      );
    });
    let run: ActionRun;
    try {
      run = await runAction(sim, { operation: 'scale', 'node-pool': 'user', 'node-count': '3' });
    } finally {
      hold.stop();
    }
    expect(hold.released).toBe(true);
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    const log = sim.log.list(since);
    expect(log.filter((e) => e.status === 401)).toEqual([]);
    expect(log.filter((e) => e.operation === 'Entra_Token').length).toBeGreaterThan(1);
    expect(log.filter((e) => e.operation === 'GitHubOidc_IdToken').length).toBeGreaterThan(1);
    // Every token came from a fresh assertion: Entra saw no expired one.
    expect(log.filter((e) => e.service === 'entra' && e.status >= 400)).toEqual([]);
  });
});

describe('secrets', () => {
  function leaks(run: ActionRun, secret: string): string[] {
    const where: string[] = [];
    const visible = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    if (visible.includes(secret)) where.push('log');
    if (run.stderr.includes(secret)) where.push('stderr');
    if (run.summary.includes(secret)) where.push('summary');
    if (Object.values(run.outputs).some((v) => v.includes(secret))) where.push('outputs');
    return where;
  }

  test('client secret, OIDC tokens and access tokens are masked and never printed', async () => {
    await sim.reset('upgrade-fails-drain', FAST);
    const secret = sim.servicePrincipal.secret;
    const run = await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'auth-type': 'service-principal',
      'client-secret': secret,
    });
    expect(run.code).toBe(1);
    expect(run.masks).toContain(secret);
    expect(leaks(run, secret)).toEqual([]);
    const jwts = run.masks.filter((m) => /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(m));
    expect(jwts.length).toBeGreaterThan(0);
    for (const jwt of jwts) expect(leaks(run, jwt)).toEqual([]);
  });

  test('with OIDC, the GitHub token and the access tokens are masked', async () => {
    await sim.reset('idle', FAST);
    const run = await runAction(sim, { operation: 'check' }, { mode: 'proxy' });
    expect(run.code).toBe(0);
    const jwts = run.masks.filter((m) => /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(m));
    const audiences = jwts.map(
      (j) =>
        (JSON.parse(Buffer.from(j.split('.')[1]!, 'base64url').toString()) as { aud: string }).aud,
    );
    expect(audiences).toContain('api://AzureADTokenExchange');
    expect(audiences.some((a) => a.startsWith('https://management.'))).toBe(true);
    for (const jwt of jwts) expect(leaks(run, jwt)).toEqual([]);
  });
});

describe('through the proxy with the default endpoints', () => {
  test('an upgrade while a pool is busy, with the bundle unmodified', async () => {
    // The pool's scale is held until the run waits for it.
    await sim.reset('pool-scaling', {
      ...FAST,
      clusters: [{ operation: { startedSecondsAgo: 1, durationSeconds: 5, stuckAtPercent: 99 } }],
    });
    const pending = cluster().operations.at(-1)!.id;
    const since = sim.log.lastSeq;
    const release = releaseWhenWaiting(sim);
    const run = await runAction(
      sim,
      { operation: 'upgrade', 'kubernetes-version': '1.35' },
      { mode: 'proxy', onLine: release.onLine },
    );
    expect(release.released).toEqual([pending]);
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(run.outputs['pending-operation']).toMatch(/node pool user/);
    const hosts = new Set(sim.log.list(since).map((e) => e.host));
    expect(hosts).toContain('management.azure.com');
    expect(hosts).toContain('login.microsoftonline.com');
    expect(acceptedWrites(since)).toEqual(['ManagedClusters_CreateOrUpdate']);
  });
});
