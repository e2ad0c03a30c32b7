/**
 * Short read failures do not end a run: a 429 without Retry-After, four 503s in a row, or the
 * OIDC endpoint failing once while the run waits for its own operation; four 429s at pre-flight.
 * The run's operation is held until the blips have been served, so the wait is still going on
 * when they happen, however slow the machine.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction } from '../helpers/action.ts';
import { complete } from '../helpers/hold.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import type { LoggedRequest } from '../../src/simulator/request-log.ts';

jest.setTimeout(150_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

const cluster = () => [...sim.state.clusters.values()][0]!;
/** Scales reach 99% at once and stay there (polled every few seconds) until released. */
const HELD_SCALE = { ...FAST, stuck: [{ operation: 'scale', atPercent: 99 }] };
const SCALE = { operation: 'scale', 'node-pool': 'user', 'node-count': '3' };

/**
 * Once the run waits for its own operation, `inject` adds the faults; once `served` says the
 * faults have all been answered, the held operation completes.
 */
async function waitWithBlips(
  inject: () => void,
  served: (log: LoggedRequest[]) => boolean,
  inputs: Record<string, string> = SCALE,
) {
  const since = sim.log.lastSeq;
  let injected = false;
  let released = false;
  const off = sim.log.onRecord(() => {
    if (!injected || released) return;
    if (!served(sim.log.list(since))) return;
    const op = cluster().operations.at(-1);
    if (op) released = complete(sim, op.id);
  });
  try {
    const run = await runAction(sim, inputs, {
      onLine: (line) => {
        if (!injected && /^::group::Waiting:/.test(line)) {
          injected = true;
          inject();
        }
      },
    });
    return { run, since, released };
  } finally {
    off();
  }
}

describe('while waiting for its own operation', () => {
  test('a 429 without Retry-After and then four 503s: the wait goes on, the run succeeds', async () => {
    await sim.reset('idle', HELD_SCALE);
    const statusPath = '/agentPools/user/operations/';
    const { run, since, released } = await waitWithBlips(
      () => {
        sim.faults.add({
          match: { method: 'GET', path: statusPath },
          action: 'error',
          status: 429,
          times: 1,
        });
        sim.faults.add({
          match: { method: 'GET', path: statusPath },
          action: 'error',
          status: 503,
          skip: 1,
          times: 4,
        });
      },
      (log) => log.filter((e) => e.status === 503).length >= 4,
    );
    expect(sim.log.list(since).filter((e) => e.status === 429)).toHaveLength(1);
    expect(sim.log.list(since).filter((e) => e.status === 503).length).toBeGreaterThanOrEqual(4);
    expect(released).toBe(true);
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
    expect(run.log.join('\n')).toMatch(/could not read its status/);
  });

  test('the OIDC endpoint failing once mid-wait: the next token request gets one, the run succeeds', async () => {
    // Access tokens live 4 s, so the wait keeps signing in with fresh OIDC tokens.
    await sim.reset('idle', {
      ...HELD_SCALE,
      tokenLifetimeSeconds: 4,
      github: { oidcTokenLifetimeSeconds: 60 },
    });
    const { run, since, released } = await waitWithBlips(
      () => sim.faults.add({ match: { path: '/idtoken' }, action: 'error', status: 500, times: 1 }),
      (log) => {
        const failed = log.findIndex((e) => e.path.endsWith('/idtoken') && e.status === 500);
        return (
          failed >= 0 && log.slice(failed).some((e) => e.service === 'arm' && e.status === 200)
        );
      },
    );
    expect(sim.log.list(since).some((e) => e.path.endsWith('/idtoken') && e.status === 500)).toBe(
      true,
    );
    expect(released).toBe(true);
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
  });
});

test('four 429s at pre-flight: backed off and retried, the run goes on', async () => {
  await sim.reset('idle', FAST);
  sim.faults.add({
    match: { method: 'GET', path: '/managedClusters/[^/]+\\?' },
    action: 'error',
    status: 429,
    times: 4,
  });
  const since = sim.log.lastSeq;
  const run = await runAction(sim, SCALE);
  expect(sim.log.list(since).filter((e) => e.status === 429)).toHaveLength(4);
  expect(run.code).toBe(0);
  expect(run.outputs.result).toBe('succeeded');
  expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
});
