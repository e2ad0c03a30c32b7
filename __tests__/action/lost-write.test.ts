/**
 * A write that ARM applies but whose answer is lost (the connection is reset before the response,
 * or in the middle of its body). The SDK retries and meets 412 or 409 caused by the run's own
 * write; the guard must recognise its own operation, adopt it (operation-id set, waited for as its
 * own) and never abort it or write again — whatever on-pending says.
 *
 * The run's operation is held (a `stuck` rule) until the Action has said it adopted it, so the
 * "still in progress" path is taken however fast or slow the machine is.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { runAction } from '../helpers/action.ts';
import { complete } from '../helpers/hold.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import type { Operation } from '../../src/simulator/aks/model.ts';

jest.setTimeout(120_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

const cluster = () => [...sim.state.clusters.values()][0]!;

interface Case {
  name: string;
  kind: 'scale' | 'upgrade' | 'upgrade-node-image';
  inputs: Record<string, string>;
  /** The write whose answer is lost. */
  write: { method: string; path: string };
  /** The request-log name of that write. */
  operation: string;
}

const CASES: Case[] = [
  {
    name: 'scale',
    kind: 'scale',
    inputs: { operation: 'scale', 'node-pool': 'user', 'node-count': '3' },
    write: { method: 'PUT', path: '/agentPools/user\\?' },
    operation: 'AgentPools_CreateOrUpdate',
  },
  {
    name: 'cluster upgrade',
    kind: 'upgrade',
    inputs: { operation: 'upgrade', 'kubernetes-version': '1.34.4' },
    write: { method: 'PUT', path: '/managedClusters/[^/?]+\\?' },
    operation: 'ManagedClusters_CreateOrUpdate',
  },
  {
    name: 'node-image upgrade',
    kind: 'upgrade-node-image',
    inputs: { operation: 'upgrade-node-image', 'node-pool': 'user' },
    write: { method: 'POST', path: '/agentPools/user/upgradeNodeImageVersion\\?' },
    operation: 'AgentPools_UpgradeNodeImageVersion',
  },
];

/** Accepted writes (2xx, answer delivered or not) of this name since `since`. */
function accepted(since: number, operation: string) {
  return sim.log
    .list(since)
    .filter((e) => e.operation === operation && e.status >= 200 && e.status < 300);
}

async function lostWrite(c: Case, onPending: string, how: 'drop-response' | 'truncate-response') {
  await sim.reset('idle', { ...FAST, stuck: [{ operation: c.kind, atPercent: 50 }] });
  sim.faults.add({ match: c.write, action: how, times: 1 });
  const before = new Set(cluster().operations.map((o) => o.id));
  const since = sim.log.lastSeq;
  const own = (): Operation | undefined => cluster().operations.find((o) => !before.has(o.id));
  let released = false;
  const run = await runAction(
    sim,
    { ...c.inputs, 'on-pending': onPending },
    {
      // Let the run's own operation finish once the Action has said it is its own (or, should it
      // not recognise it, once it waits for it anyway, so a wrong run fails instead of hanging).
      onLine: (line) => {
        if (!released && /this run's own change|: InProgress\b/.test(line)) {
          const op = own();
          if (op) released = complete(sim, op.id);
        }
      },
    },
  );
  return { run, since, own: own(), released };
}

describe.each(CASES)('a lost answer to the $name write', (c) => {
  test.each(['wait', 'abort', 'fail'])(
    'on-pending %s: one write, no abort, its own operation adopted and waited for',
    async (onPending) => {
      const { run, since, own, released } = await lostWrite(c, onPending, 'drop-response');
      expect(sim.log.list(since).some((e) => e.responseLost === 'drop-response')).toBe(true);
      expect(released).toBe(true);
      expect(run.code).toBe(0);
      expect(run.outputs.result).toBe('succeeded');
      expect(own).toBeDefined();
      expect(run.outputs['operation-id']).toBe(own!.id);
      expect(own!.status).toBe('Succeeded');
      expect(accepted(since, c.operation)).toHaveLength(1);
      expect(sim.log.list(since).filter((e) => e.path.endsWith('/abort'))).toEqual([]);
      expect(cluster().operations.filter((o) => o.status === 'Canceled')).toEqual([]);
      expect(run.outputs['aborted-operation-id']).toBe('');
      expect(run.summary).not.toMatch(/nothing was written/i);
    },
  );
});

test('a cut-off answer body after the write was applied: the started operation is adopted', async () => {
  const { run, since, own } = await lostWrite(CASES[0]!, 'abort', 'truncate-response');
  expect(sim.log.list(since).some((e) => e.responseLost === 'truncate-response')).toBe(true);
  expect(run.code).toBe(0);
  expect(run.outputs.result).toBe('succeeded');
  expect(run.outputs['operation-id']).toBe(own!.id);
  expect(accepted(since, CASES[0]!.operation)).toHaveLength(1);
  expect(sim.log.list(since).filter((e) => e.path.endsWith('/abort'))).toEqual([]);
});

test('a lost answer to a scale that then fails: reported as its own failure, not as done', async () => {
  // The pool shows the requested count at once and ends Failed: the change is on the resource but
  // was not made, so the run must fail with the operation's error, not call it finished.
  await sim.reset('idle', {
    ...FAST,
    failures: [
      {
        operation: 'scale',
        atPercent: 0,
        times: 1,
        error: {
          code: 'QuotaExceeded',
          message:
            'Operation could not be completed as it results in exceeding approved standardDSv3Family Cores quota. Location: eastus, Current Limit: 10, Current Usage: 8, Additional Required: 2, (Minimum) New Limit Required: 10.',
        },
      },
    ],
  });
  sim.faults.add({ match: CASES[0]!.write, action: 'drop-response', times: 1 });
  const since = sim.log.lastSeq;
  const run = await runAction(sim, { ...CASES[0]!.inputs, 'on-pending': 'abort' });
  const failed = cluster().operations.find((o) => o.status === 'Failed');
  expect(failed).toBeDefined();
  expect(run.code).toBe(1);
  expect(run.outputs.result).toBe('failed');
  expect(run.outputs['operation-id']).toBe(failed!.id);
  expect(run.outputs['error-code']).toBe('QuotaExceeded');
  expect(run.outputs['diagnosis-category']).toMatch(/quota/);
  expect(accepted(since, CASES[0]!.operation)).toHaveLength(1);
  expect(sim.log.list(since).filter((e) => e.path.endsWith('/abort'))).toEqual([]);
});

test('a genuine race is still a race: another writer’s scale is waited for, then the write goes', async () => {
  // A 409 that the run's write did not cause: the pool now shows someone else's count.
  await sim.reset('idle', FAST);
  sim.state.races.push({
    clusterKey: [...sim.state.clusters.keys()][0]!,
    spec: { type: 'scale', pool: 'user', count: 5 },
    durationMs: 1000,
    startedBy: 'another pipeline',
    remaining: 1,
  });
  const since = sim.log.lastSeq;
  const run = await runAction(sim, { operation: 'scale', 'node-pool': 'user', 'node-count': '3' });
  expect(run.code).toBe(0);
  expect(run.log.join('\n')).not.toMatch(/this run's own change/);
  expect(accepted(since, 'AgentPools_CreateOrUpdate')).toHaveLength(1);
  expect(cluster().pools.find((p) => p.name === 'user')!.count).toBe(3);
});
