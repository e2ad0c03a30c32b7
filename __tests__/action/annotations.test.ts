/**
 * The step's one error annotation is titled with what went wrong: a request aks-guard refuses
 * before writing is an invalid parameter, and a cancelled job says so, never "Unrecognized error".
 */
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction } from '../helpers/action.ts';
import { githubCommands } from '../helpers/runner-commands.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(120_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

/** The titles of the error annotations, as the runner reads them (properties are %-escaped). */
function errorTitles(stdout: string): string[] {
  return githubCommands(stdout)
    .filter((c) => c.name === 'error')
    .map((c) => /(?:^|,)title=([^,]*)/.exec(c.props)?.[1] ?? '')
    .map((t) => t.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%'));
}

test('a System pool scaled to 0 is refused as an invalid parameter, before any write', async () => {
  await sim.reset('idle', FAST);
  const since = sim.log.lastSeq;
  const run = await runAction(sim, {
    operation: 'scale',
    'node-pool': 'system',
    'node-count': '0',
  });
  expect(run.code).toBe(1);
  expect(run.outputs['error-code']).toBe('InvalidNodeCount');
  expect(run.outputs['diagnosis-category']).toBe('invalid-parameter');
  const titles = errorTitles(run.stdout);
  expect(titles).toHaveLength(1);
  expect(titles[0]).toMatch(/^aks-guard: /);
  expect(titles[0]).not.toMatch(/Unrecognized/i);
  expect(armWrites(sim, since)).toEqual([]);
});

test('a cancelled job is titled as such, with no diagnosis', async () => {
  await sim.reset('idle', {
    ...FAST,
    durations: { ...FAST.durations, upgrade: 600 },
    stuck: [{ operation: 'upgrade', atPercent: 50 }],
  });
  const run = await runAction(
    sim,
    { operation: 'upgrade', 'kubernetes-version': '1.35' },
    { interrupt: { signal: 'SIGINT', when: (out) => out.includes('::group::Waiting:') } },
  );
  expect(run.code).toBe(1);
  expect(run.outputs['error-code']).toBe('Cancelled');
  expect(run.outputs['diagnosis-category']).toBe('');
  expect(errorTitles(run.stdout)).toEqual(['aks-guard: the job was cancelled']);
});
