/**
 * The poll interval the simulator sends on operation status: by default `retryAfterSeconds` (1 s)
 * on the Azure-AsyncOperation and location URLs and nothing on operations/latest|{id}, as before;
 * `statusRetryAfterSeconds` (scenario or PATCH /_sim/settings) sends a longer one (ARM's guidance
 * for polling is 10 s and up) on every status answer of a running operation, in Retry-After seconds,
 * retry-after-ms, x-ms-retry-after-ms or an HTTP-date (`statusRetryAfterHeaders`). The answers that
 * start an operation keep `retryAfterSeconds`.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import type { Clock } from '../../src/simulator/clock.ts';
import {
  admin,
  clusterPath,
  firstCluster,
  frozenClock,
  raw,
  simulator,
  FAST,
  type RawResponse,
} from '../helpers/simulator.ts';

const PREVIEW = '2026-08-02-preview';
const POLL_HEADERS = ['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms'];

/** The poll-interval headers of an answer, those it has. */
function pollHeaders(r: RawResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of POLL_HEADERS) {
    const v = r.headers.get(h);
    if (v !== null) out[h] = v;
  }
  return out;
}

/** A URL from a Location or Azure-AsyncOperation header, as a path on the simulator. */
const pathOf = (url: string | null): string => {
  const u = new URL(url!);
  return `${u.pathname}${u.search}`;
};

interface Probe {
  /** The answer that started the operation (POST abort, POST stop, POST runCommand). */
  start: RawResponse;
  /** Its status poll while it runs. */
  poll: RawResponse;
}

/** Every kind of status answer for a running operation, and the answers that started them. */
async function probeRunning(sim: Simulator): Promise<{
  abort: Probe & { location: RawResponse };
  latest: RawResponse;
  byId: RawResponse;
  poolLatest: RawResponse;
  stop: Probe;
  command: Probe;
}> {
  const c = firstCluster(sim);
  const path = (suffix: string): string => `/clusters/${c.resourceGroup}/${c.name}${suffix}`;
  // A pool scale that stays in progress until the test completes it.
  expect(
    (
      await admin(sim, 'POST', path('/operations'), {
        type: 'scale',
        pool: 'user',
        count: 5,
        stuckAtPercent: 50,
      })
    ).status,
  ).toBe(201);
  const poolLatest = await raw(
    sim,
    'GET',
    clusterPath(c, '/agentPools/user/operations/latest', PREVIEW),
  );
  expect(poolLatest.body).toMatchObject({ status: 'InProgress' });
  expect((await admin(sim, 'POST', path('/complete?pool=user'))).status).toBe(200);

  // A cluster upgrade, aborted: its abort's status URLs report InProgress while it is Canceling.
  expect(
    (
      await admin(sim, 'POST', path('/operations'), {
        type: 'upgrade',
        kubernetesVersion: '1.34.4',
        stuckAtPercent: 50,
      })
    ).status,
  ).toBe(201);
  const latest = await raw(sim, 'GET', clusterPath(c, '/operations/latest', PREVIEW));
  expect(latest.body).toMatchObject({ status: 'InProgress' });
  const id = (latest.body as { name: string }).name;
  const byId = await raw(sim, 'GET', clusterPath(c, `/operations/${id}`, PREVIEW));
  const abortStart = await raw(sim, 'POST', clusterPath(c, '/abort'));
  expect(abortStart.status).toBe(202);
  const abortPoll = await raw(sim, 'GET', pathOf(abortStart.headers.get('azure-asyncoperation')));
  const abortLocation = await raw(sim, 'GET', pathOf(abortStart.headers.get('location')));
  expect([abortPoll.body, abortLocation.body]).toMatchObject([
    { status: 'InProgress' },
    { status: 'InProgress' },
  ]);
  sim.advance(FAST.cancelSeconds);

  // A stop: its location (operationresults) URL answers 202 while it runs.
  const stopStart = await raw(sim, 'POST', clusterPath(c, '/stop'));
  expect(stopStart.status).toBe(202);
  const stopPoll = await raw(sim, 'GET', pathOf(stopStart.headers.get('location')));
  expect(stopPoll.status).toBe(202);
  sim.advance(FAST.durations.stop);
  expect((await raw(sim, 'GET', pathOf(stopStart.headers.get('location')))).status).toBe(204);
  const startAgain = await raw(sim, 'POST', clusterPath(c, '/start'));
  sim.advance(FAST.durations.start);
  expect((await raw(sim, 'GET', pathOf(startAgain.headers.get('location')))).status).toBe(204);

  // A run-command: its commandResults (location) URL answers 202 while it runs.
  const commandStart = await raw(sim, 'POST', clusterPath(c, '/runCommand'), {
    body: { command: 'kubectl get nodes' },
  });
  expect(commandStart.status).toBe(202);
  const commandPoll = await raw(sim, 'GET', pathOf(commandStart.headers.get('location')));
  expect(commandPoll.status).toBe(202);
  sim.advance(FAST.runCommandSeconds);

  return {
    abort: { start: abortStart, poll: abortPoll, location: abortLocation },
    latest,
    byId,
    poolLatest,
    stop: { start: stopStart, poll: stopPoll },
    command: { start: commandStart, poll: commandPoll },
  };
}

// Simulated time stands still: every operation is running exactly as long as the test says.
describe('Retry-After on operation status', () => {
  let sim: Simulator;
  let clock: Clock;
  let probed: Awaited<ReturnType<typeof probeRunning>> | undefined;
  beforeAll(async () => {
    clock = frozenClock();
    sim = await simulator('idle', { ...FAST, retryAfterSeconds: 1 }, { clock });
  });
  afterAll(() => sim.stop());

  test('by default: retryAfterSeconds on the status URLs, nothing on operations/latest or operations/{id}', async () => {
    const p = await probeRunning(sim);
    for (const r of [p.abort.poll, p.abort.location, p.stop.poll, p.command.poll])
      expect(pollHeaders(r)).toEqual({ 'retry-after': '1' });
    for (const r of [p.latest, p.byId, p.poolLatest]) expect(pollHeaders(r)).toEqual({});
  });

  test('statusRetryAfterSeconds 10 (PATCH /_sim/settings): 10 s on every status answer of a running operation, 1 s still on the answers that start one', async () => {
    const set = await admin(sim, 'PATCH', '/settings', { statusRetryAfterSeconds: 10 });
    expect(set.body).toMatchObject({ retryAfterSeconds: 1, statusRetryAfterSeconds: 10 });
    const p = (probed = await probeRunning(sim));
    for (const r of [
      p.abort.poll,
      p.abort.location,
      p.latest,
      p.byId,
      p.poolLatest,
      p.stop.poll,
      p.command.poll,
    ])
      expect(pollHeaders(r)).toEqual({ 'retry-after': '10' });
    for (const r of [p.abort.start, p.stop.start, p.command.start])
      expect(pollHeaders(r)).toEqual({ 'retry-after': '1' });
  });

  test('finished operations carry no poll interval', async () => {
    const c = firstCluster(sim);
    const latest = await raw(sim, 'GET', clusterPath(c, '/operations/latest', PREVIEW));
    expect(latest.body).toMatchObject({ status: 'Succeeded' });
    const id = (latest.body as { name: string }).name;
    const byId = await raw(sim, 'GET', clusterPath(c, `/operations/${id}`, PREVIEW));
    const abort = await raw(
      sim,
      'GET',
      pathOf(probed!.abort.start.headers.get('azure-asyncoperation')),
    );
    expect(abort.body).toMatchObject({ status: 'Succeeded' });
    const stop = await raw(sim, 'GET', pathOf(probed!.stop.start.headers.get('location')));
    expect(stop.status).toBe(204);
    for (const r of [latest, byId, abort, stop]) expect(pollHeaders(r)).toEqual({});
  });

  test('retry-after-ms, x-ms-retry-after-ms and an HTTP-date, from the simulated clock', async () => {
    await admin(sim, 'PATCH', '/settings', {
      statusRetryAfterSeconds: 2.5,
      statusRetryAfterHeaders: ['retry-after-ms', 'x-ms-retry-after-ms'],
    });
    const p = await probeRunning(sim);
    for (const r of [p.abort.poll, p.latest, p.stop.poll])
      expect(pollHeaders(r)).toEqual({ 'retry-after-ms': '2500', 'x-ms-retry-after-ms': '2500' });

    await admin(sim, 'PATCH', '/settings', {
      statusRetryAfterSeconds: 12,
      statusRetryAfterHeaders: ['retry-after-date'],
    });
    const asked = clock.now();
    const d = await probeRunning(sim);
    for (const r of [d.abort.poll, d.latest, d.poolLatest, d.stop.poll, d.command.poll]) {
      const date = r.headers.get('retry-after')!;
      expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      // Whole seconds, rounded up: never sooner than asked. The clock moved on inside the probe.
      expect(Date.parse(date) - asked).toBeGreaterThanOrEqual(12_000);
      expect(Date.parse(date) - asked).toBeLessThan(13_000 + 3_000);
    }
  });

  test('null goes back to the default; bad values are refused', async () => {
    const back = await admin(sim, 'PATCH', '/settings', {
      statusRetryAfterSeconds: null,
      statusRetryAfterHeaders: ['retry-after'],
    });
    expect(back.body).not.toHaveProperty('statusRetryAfterSeconds');
    const p = await probeRunning(sim);
    expect(pollHeaders(p.abort.poll)).toEqual({ 'retry-after': '1' });
    expect(pollHeaders(p.latest)).toEqual({});
    for (const bad of [
      { statusRetryAfterSeconds: -1 },
      { statusRetryAfterSeconds: '10' },
      { statusRetryAfterHeaders: [] },
      { statusRetryAfterHeaders: ['retry-after-seconds'] },
    ])
      expect((await admin(sim, 'PATCH', '/settings', bad)).status).toBe(400);
  });
});

describe('statusRetryAfterSeconds in a scenario', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator(
      'idle',
      { ...FAST, retryAfterSeconds: 2, statusRetryAfterSeconds: 10 },
      { clock: frozenClock() },
    );
  });
  afterAll(() => sim.stop());

  test('sets the interval from the start', async () => {
    const p = await probeRunning(sim);
    expect(pollHeaders(p.abort.start)).toEqual({ 'retry-after': '2' });
    for (const r of [p.abort.poll, p.latest, p.stop.poll])
      expect(pollHeaders(r)).toEqual({ 'retry-after': '10' });
  });

  test('is checked like the rest of the scenario', async () => {
    await expect(sim.reset('idle', { statusRetryAfterSeconds: -5 })).rejects.toThrow(
      /statusRetryAfterSeconds/,
    );
  });
});
