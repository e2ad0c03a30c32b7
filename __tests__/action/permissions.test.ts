/**
 * The README's permissions table is enough: a principal holding only the actions it lists for an
 * operation (plus the pre-flight's) runs that operation; without them ARM answers 403 and the run
 * names the missing action, having written nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, ROOT, runAction } from '../helpers/action.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(90_000);

const PREFIX = 'Microsoft.ContainerService/managedClusters';
const RG_SCOPE =
  '/subscriptions/0f3c6a2e-9b7d-4e1f-8a5c-2d4b6e8f1a3c/resourceGroups/rg-aks-guard-demo';

/** The table: first cell → the actions named in the second, with the provider prefix. */
function permissionsTable(): Map<string, string[]> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Permissions'));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = /^\| (.+?) \| (.+) \|$/.exec(line);
    if (!cells || cells[1] === 'operation' || cells[1]!.startsWith('---')) continue;
    const actions = [...cells[2]!.matchAll(/`([a-zA-Z/]+)`/g)]
      .map((m) => m[1]!)
      .filter((a) => a === 'read' || a === 'write' || a.includes('/'))
      .map((a) => `${PREFIX}/${a}`);
    for (const op of [...cells[1]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!))
      rows.set(op, actions);
    if (cells[1]!.startsWith('every run')) rows.set('pre-flight', actions);
  }
  return rows;
}

const table = permissionsTable();

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

/** The scenario, with the CI principal holding exactly these actions on the resource group. */
function onlyActions(scenario: Record<string, unknown>, actions: string[]) {
  return {
    ...FAST,
    ...scenario,
    principals: [{ roleAssignments: [{ role: { actions }, scope: RG_SCOPE }] }],
  };
}

const cases: [string, string, Record<string, string>, Record<string, unknown>][] = [
  ['check', 'idle', { operation: 'check' }, {}],
  ['upgrade', 'idle', { operation: 'upgrade', 'kubernetes-version': '1.35' }, {}],
  ['upgrade-node-image', 'idle', { operation: 'upgrade-node-image', 'node-pool': 'user' }, {}],
  ['scale', 'idle', { operation: 'scale', 'node-pool': 'user', 'node-count': '3' }, {}],
  ['stop', 'idle', { operation: 'stop' }, {}],
  ['start', 'stopped-cluster', { operation: 'start' }, {}],
  ['reconcile', 'idle', { operation: 'reconcile' }, {}],
  ['abort', 'pool-scaling', { operation: 'abort', 'node-pool': 'user' }, {}],
  ['run-command', 'idle', { operation: 'run-command', command: 'kubectl get nodes' }, {}],
];

describe('the permissions table', () => {
  test('has a row for the pre-flight and for every operation', () => {
    expect(table.get('pre-flight')!.length).toBeGreaterThan(0);
    for (const op of cases.map((c) => c[0])) expect([op, table.has(op)]).toEqual([op, true]);
  });

  test.each(cases)(
    '%s succeeds with the actions listed for it',
    async (op, scenario, inputs, extra) => {
      const actions = [...table.get('pre-flight')!, ...table.get(op)!];
      await sim.reset(scenario, onlyActions(extra, actions));
      const since = sim.log.lastSeq;
      const run = await runAction(sim, {
        ...inputs,
        'auth-type': 'service-principal',
        'client-secret': sim.servicePrincipal.secret,
      });
      expect({ op, code: run.code, result: run.outputs.result }).toEqual({
        op,
        code: 0,
        result: op === 'abort' ? 'aborted' : 'succeeded',
      });
      expect(sim.log.list(since).filter((e) => e.status === 403)).toEqual([]);
    },
  );

  test('without the write action, scale is refused by ARM with the missing action named', async () => {
    await sim.reset(
      'idle',
      onlyActions({}, [...table.get('pre-flight')!, `${PREFIX}/agentPools/read`]),
    );
    const since = sim.log.lastSeq;
    const run = await runAction(sim, {
      operation: 'scale',
      'node-pool': 'user',
      'node-count': '3',
      'auth-type': 'service-principal',
      'client-secret': sim.servicePrincipal.secret,
    });
    expect(run.code).toBe(1);
    expect(run.outputs['error-code']).toBe('AuthorizationFailed');
    expect(run.stdout).toMatch(/::error[^:]*::.*agentPools\/write/);
    expect(armWrites(sim, since).filter((w) => !w.startsWith('AgentPools_CreateOrUpdate'))).toEqual(
      [],
    );
    expect(sim.state.clusters.values().next().value!.pools[1]!.count).toBe(2);
  });
});
