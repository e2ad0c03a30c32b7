/**
 * Text from Azure or the cluster never becomes a workflow command: hostile run-command output,
 * hostile ARM error messages (an abort's 409, a failed operation) and hostile fields of
 * operations/latest go through the built Action and the built task, and the lines each runner
 * would interpret are read back the way that runner reads them (../helpers/runner-commands.ts).
 *
 * Every forged command below carries data that starts with PWNED; the product's own commands
 * (annotations, debug lines, outputs) may quote hostile text, but always after their own words.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { runAction } from '../helpers/action.ts';
import { agentCommands, githubCommands, type RunnerCommand } from '../helpers/runner-commands.ts';
import { runTask } from '../../scripts/lib/task-runner.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(150_000);

const HOSTILE = [
  '::add-mask::PWNED-mask',
  '::error title=PWNED::PWNED-annotation',
  '   ::set-output name=result::PWNED-output',
  '::stop-commands::PWNED-stop',
  '::warning::PWNED-warning',
  'text then ##[add-mask]PWNED-v1-mask',
  '##vso[task.complete result=Succeeded;]PWNED-forged-result',
  'x ##vso[task.setvariable variable=result;isOutput=true]PWNED-variable',
  '##vso[task.setsecret]PWNED-secret',
  '##[error]PWNED-format',
].join('\n');

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

/** Commands a runner would run that hostile text made: their data or properties start with it. */
function forged(commands: RunnerCommand[]): RunnerCommand[] {
  return commands.filter(
    (c) => c.data.trimStart().startsWith('PWNED') || /PWNED/.test(c.props) || /PWNED/.test(c.name),
  );
}

interface Situation {
  name: string;
  prepare(): Promise<void>;
  action: Record<string, string>;
  task: Record<string, string>;
  failed: boolean;
}

const SITUATIONS: Situation[] = [
  {
    name: 'run-command output',
    prepare: () =>
      sim.reset('idle', { ...FAST, runCommands: [{ match: '.*', exitCode: 0, logs: HOSTILE }] }),
    action: { operation: 'run-command', command: 'kubectl get pods' },
    task: { operation: 'run-command', command: 'kubectl get pods' },
    failed: false,
  },
  {
    name: 'an abort answered 409 with a hostile message',
    prepare: async () => {
      await sim.reset('cluster-upgrading', {
        ...FAST,
        clusters: [{ operation: { stuckAtPercent: 99 } }],
      });
      sim.faults.add({
        match: { method: 'POST', path: '/abort' },
        action: 'error',
        status: 409,
        code: 'OperationNotAllowed',
        message: `There is no running operation to abort.\n${HOSTILE}`,
        times: 1,
      });
    },
    action: { operation: 'scale', 'node-pool': 'user', 'node-count': '3', 'on-pending': 'abort' },
    task: { operation: 'scale', nodePool: 'user', nodeCount: '3', onPending: 'abort' },
    failed: false,
  },
  {
    name: 'operations/latest with a hostile operation type and status',
    prepare: async () => {
      await sim.reset('idle', FAST);
      sim.faults.add({
        match: { method: 'GET', path: '/managedClusters/[^/]+/operations/latest' },
        action: 'respond',
        status: 200,
        body: {
          id: 'x',
          name: '00000000-0000-0000-0000-000000000001',
          status: `Succeeded\n${HOSTILE}`,
          percentComplete: 100,
          operationType: `Upgrade\n${HOSTILE}`,
          subOperationType: `Upgrading\n${HOSTILE}`,
          startTime: '2026-11-24T10:00:00Z',
          endTime: '2026-11-24T10:10:00Z',
        },
      });
    },
    action: { operation: 'check' },
    task: { operation: 'check' },
    failed: false,
  },
  {
    name: 'a failed operation whose error message is hostile',
    prepare: () =>
      sim.reset('idle', {
        ...FAST,
        failures: [
          {
            operation: 'scale',
            atPercent: 10,
            error: {
              code: 'QuotaExceeded',
              message: `Operation could not be completed.\n${HOSTILE}`,
            },
          },
        ],
      }),
    action: { operation: 'scale', 'node-pool': 'user', 'node-count': '3' },
    task: { operation: 'scale', nodePool: 'user', nodeCount: '3' },
    failed: true,
  },
];

describe.each(SITUATIONS)('$name', (s) => {
  test('GitHub: no workflow command comes out of it', async () => {
    await s.prepare();
    const run = await runAction(sim, s.action);
    const commands = githubCommands(run.stdout);
    expect(forged(commands)).toEqual([]);
    // The text is still shown (as text), and the run ends as it should.
    expect(run.stdout).toContain('PWNED');
    expect(run.outputs.result).toBe(s.failed ? 'failed' : 'succeeded');
    expect(commands.filter((c) => c.name === 'error')).toHaveLength(s.failed ? 1 : 0);
    expect(commands.filter((c) => c.name === 'add-mask').map((c) => c.data)).not.toContainEqual(
      expect.stringContaining('PWNED'),
    );
  });

  test('Azure Pipelines: no logging command comes out of it', async () => {
    await s.prepare();
    const env = sim.env();
    const run = await runTask(
      {
        azureSubscription: sim.azureDevOps.serviceConnections[0]!.id,
        resourceGroup: env.AKS_RESOURCE_GROUP!,
        clusterName: env.AKS_CLUSTER_NAME!,
        ...s.task,
      },
      {
        agentEnv: sim.azureDevOps.taskEnv({ direct: true }),
        extraEnv: { NODE_EXTRA_CA_CERTS: sim.caFile },
      },
    );
    const commands = agentCommands(run.stdout);
    expect(forged(commands)).toEqual([]);
    expect(run.stdout).toContain('PWNED');
    const complete = commands.filter((c) => c.name === 'task.complete');
    expect(complete).toHaveLength(1);
    expect(complete[0]!.props).toMatch(s.failed ? /result=Failed/ : /result=Succeeded/);
    expect(run.outputs.result).toBe(s.failed ? 'failed' : 'succeeded');
    expect(run.secrets.join('\n')).not.toContain('PWNED');
  });
});
