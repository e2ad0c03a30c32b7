/**
 * The built Action meets AKS's 409 for a write that races another writer's operation, in every
 * wording AKS uses and in both shapes (flat, as AKS sends it, and wrapped), and handles each the
 * same way: re-read after the 412 the other writer's change causes, take the 409 for "another
 * operation", wait for that operation, then write once. The other writer's operation is held
 * (POST …/race with stuckAtPercent) until the run has shown it waits for it.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { admin, FAST, simulator } from '../helpers/simulator.ts';
import { runAction } from '../helpers/action.ts';
import { releaseWhenWaiting } from '../helpers/hold.ts';
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

const SCALE = { operation: 'scale', 'node-pool': 'user', 'node-count': '3' };
const UPGRADE = { operation: 'upgrade', 'kubernetes-version': '1.34.4' };

/**
 * The classic wording in both shapes on a pool write; the two wordings added from public pastes on
 * the cluster write they were seen on (an upgrade while a pool scales): EtagMismatch
 * (Azure/terraform-azurerm-aks#604) and "(nodepool1 - Updating)" (Azure/azure-workload-identity#417).
 */
const CASES = [
  {
    name: 'classic, flat',
    settings: { conflictWording: 'classic', aksErrorShape: 'flat' },
    inputs: SCALE,
    seen: /\(409: Operation is not allowed: Another agentpool operation \(Scaling\) is in progress, please wait/,
  },
  {
    name: 'classic, wrapped',
    settings: { conflictWording: 'classic', aksErrorShape: 'wrapped' },
    inputs: SCALE,
    seen: /\(409: Operation is not allowed: Another agentpool operation \(Scaling\) is in progress, please wait/,
  },
  {
    name: 'EtagMismatch "Another operation is in progress", flat, on an upgrade',
    settings: { conflictWording: 'etag-mismatch', aksErrorShape: 'flat' },
    inputs: UPGRADE,
    seen: /\(409: Operation is not allowed: Another operation is in progress\)/,
  },
  {
    name: '"Another operation (user - Scaling)", flat, on an upgrade',
    settings: { conflictWording: 'pool-and-verb', aksErrorShape: 'flat' },
    inputs: UPGRADE,
    seen: /\(409: Operation is not allowed: Another operation \(user - Scaling\) is in progress/,
  },
];

describe('a write that races another writer meets a 409, in each wording and shape', () => {
  test.each(CASES)(
    '$name: waits for the other operation, then writes once',
    async ({ settings, inputs, seen }) => {
      await sim.reset('idle', { ...FAST, ...settings });
      // The other writer scales the user pool just before this run's write, held until it waits.
      await admin(sim, 'POST', '/clusters/rg-aks-guard-demo/aks-demo/race', {
        type: 'scale',
        pool: 'user',
        count: 4,
        durationSeconds: 3,
        stuckAtPercent: 99,
        startedBy: 'another pipeline',
      });
      const since = sim.log.lastSeq;
      const release = releaseWhenWaiting(sim);
      const run = await runAction(sim, inputs, { onLine: release.onLine });

      expect(release.released).toHaveLength(1);
      expect([run.code, run.outputs.result]).toEqual([0, 'succeeded']);
      const writes = sim.log
        .list(since)
        .filter((e) => e.service === 'arm' && e.method !== 'GET')
        .map((e) => e.status);
      // The other writer's change may cost a 412 first; then one 409, a wait, and one write.
      expect(writes.slice(-2)).toEqual([409, 200]);
      expect(writes.filter((s) => s === 409 || s < 300)).toEqual([409, 200]);
      expect(writes.filter((s) => s !== 412 && s !== 409 && s !== 200)).toEqual([]);
      expect(run.stdout).toMatch(
        /::warning::The write met another operation that started after the check/,
      );
      // The warning quotes AKS's message: this wording, read from this shape.
      expect(run.stdout).toMatch(seen);
      if (inputs === SCALE) expect(cluster().pools.find((p) => p.name === 'user')!.count).toBe(3);
      else expect(cluster().kubernetesVersion).toBe('1.34.4');
    },
  );
});
