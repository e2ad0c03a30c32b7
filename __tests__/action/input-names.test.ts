/**
 * The Action names its inputs as action.yml does, in every text it lets out: with
 * `on-pending: fail` against a busy cluster, the error annotation, the job summary and the
 * remediation steps (the `diagnosis` output) say `on-pending`, never the task's `onPending` or
 * the CLI's `--on-pending`.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction } from '../helpers/action.ts';
import type { Simulator } from '../../src/simulator/index.ts';

// Generous: a loaded CI machine runs these slowly, and nothing here races the clock.
jest.setTimeout(150_000);

let sim: Simulator;
beforeAll(async () => {
  // The cluster's upgrade stops at 99% and never ends by itself: it is in progress whenever the
  // Action looks, however slowly it starts.
  sim = await simulator('cluster-upgrading', {
    ...FAST,
    clusters: [{ operation: { stuckAtPercent: 99 } }],
  });
});
afterAll(async () => {
  await sim.stop();
});

describe('the Action names inputs as action.yml does', () => {
  test('on-pending fail on a busy cluster: annotation, summary and remediation say on-pending', async () => {
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'upgrade',
      'kubernetes-version': '1.35',
      'on-pending': 'fail',
    });
    expect(run.code).toBe(1);
    expect(run.outputs['error-code']).toBe('OperationInProgress');
    expect(armWrites(sim, since)).toEqual([]);

    const error = run.stdout.split('\n').find((l) => l.startsWith('::error'))!;
    expect(error).toContain('is in progress, and on-pending is "fail"');
    const remediation = (JSON.parse(run.outputs.diagnosis!) as { remediation: string[] })
      .remediation;
    expect(remediation.find((s) => s.startsWith('With aks-guard'))).toBe(
      'With aks-guard, re-run with `on-pending: wait` (and a longer `wait-timeout`) to wait for it automatically, or `on-pending: abort` (optionally `abort-after: 30m`) to abort it first.',
    );
    expect(run.summary).toContain('on-pending fail, on-failed fail, on-timeout fail');
    expect(run.summary).toContain('`on-pending: wait`');
    for (const text of [error, run.summary, remediation.join('\n')]) {
      expect(text).not.toMatch(/onPending|waitTimeout|--on-pending|--wait-timeout/);
    }
  });
});
