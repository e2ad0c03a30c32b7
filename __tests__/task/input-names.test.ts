/**
 * The task names its inputs as task.json does, in every text it lets out: with `onPending: fail`
 * against a busy cluster, the result message, the summary attachment and the remediation steps
 * (the `diagnosis` output variable) say `onPending`, never the Action's `on-pending`; the `az`
 * commands in the remediation keep az's own flags.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites } from '../helpers/action.ts';
import { runTask, type ServiceConnection } from '../../scripts/lib/task-runner.ts';
import type { Simulator } from '../../src/simulator/index.ts';

// Generous: a loaded CI machine runs these slowly, and nothing here races the clock.
jest.setTimeout(150_000);

const CONNECTION_ID = '3a5c7e9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d';

let sim: Simulator;
beforeAll(async () => {
  // The cluster's upgrade stops at 99% and never ends by itself: it is in progress whenever the
  // task looks, however slowly it starts.
  sim = await simulator('cluster-upgrading', {
    ...FAST,
    clusters: [{ operation: { stuckAtPercent: 99 } }],
  });
});
afterAll(async () => {
  await sim.stop();
});

function connection(): ServiceConnection {
  const sp = sim.servicePrincipal;
  return {
    id: CONNECTION_ID,
    url: `${sim.origin}/`,
    scheme: 'ServicePrincipal',
    parameters: {
      serviceprincipalid: sp.appId,
      tenantid: sp.tenantId,
      serviceprincipalkey: sp.secret,
      authenticationType: 'spnKey',
    },
    data: {
      subscriptionId: sim.env().AZURE_SUBSCRIPTION_ID!,
      environment: 'AzureStack',
      activeDirectoryAuthority: `${sim.origin}/`,
    },
  };
}

describe('the task names inputs as task.json does', () => {
  test('onPending fail on a busy cluster: message, summary and remediation say onPending', async () => {
    const env = sim.env();
    const since = sim.log.lastSeq;
    const run = await runTask(
      {
        azureSubscription: CONNECTION_ID,
        resourceGroup: env.AKS_RESOURCE_GROUP!,
        clusterName: env.AKS_CLUSTER_NAME!,
        operation: 'upgrade',
        kubernetesVersion: '1.35',
        onPending: 'fail',
      },
      { connection: connection(), extraEnv: { NODE_EXTRA_CA_CERTS: sim.caFile } },
    );
    expect(run.result).toBe('Failed');
    expect(run.outputs.errorCode).toBe('OperationInProgress');
    expect(armWrites(sim, since)).toEqual([]);

    const message = run.resultMessage ?? '';
    expect(message).toContain('is in progress, and onPending is "fail"');
    const summary = run.attachments[0]?.content ?? '';
    expect(summary).toContain('onPending fail, onFailed fail, onTimeout fail');
    const remediation = (JSON.parse(run.outputs.diagnosis!) as { remediation: string[] })
      .remediation;
    const pipelineStep = remediation.find((s) => s.startsWith('With aks-guard'));
    expect(pipelineStep).toBe(
      'With aks-guard, re-run with `onPending: wait` (and a longer `waitTimeout`) to wait for it automatically, or `onPending: abort` (optionally `abortAfter: 30m`) to abort it first.',
    );
    // The summary shows the same steps.
    expect(summary).toContain('`onPending: wait`');

    for (const text of [message, summary, remediation.join('\n')]) {
      expect(text).not.toContain('on-pending');
      expect(text).not.toMatch(/(?<![-\w])(wait-timeout|abort-after|on-failed|on-timeout)\b/);
    }
    // Commands are az's, with az's flags.
    expect(remediation.join('\n')).toContain(
      `az aks nodepool operation-abort -g ${env.AKS_RESOURCE_GROUP!} --cluster-name ${env.AKS_CLUSTER_NAME!}`,
    );
  });
  test('the run’s own log lines say onPending too (a dry run that would stop)', async () => {
    const env = sim.env();
    const since = sim.log.lastSeq;
    const run = await runTask(
      {
        azureSubscription: CONNECTION_ID,
        resourceGroup: env.AKS_RESOURCE_GROUP!,
        clusterName: env.AKS_CLUSTER_NAME!,
        operation: 'upgrade',
        kubernetesVersion: '1.35',
        onPending: 'fail',
        dryRun: 'true',
      },
      { connection: connection(), extraEnv: { NODE_EXTRA_CA_CERTS: sim.caFile } },
    );
    expect(armWrites(sim, since)).toEqual([]);
    expect(run.outputs.result).toBe('dry-run');
    expect(run.stdout).toContain('Would stop here: onPending is "fail".');
    const lines = run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret'));
    expect(lines.filter((l) => l.includes('on-pending'))).toEqual([]);
  });
});
