/**
 * runCommand (`az aks command invoke`): results, and the failures of the troubleshooting article
 * "Resolve az aks command invoke failures" as a client sees them.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { RunCommandResult } from '@azure/arm-containerservice';
import type { Simulator } from '../../src/simulator/index.ts';
import { flatError } from '../helpers/error-shapes.ts';
import {
  aksClient,
  armErrorOf,
  clusterPath,
  firstCluster,
  raw,
  simulator,
  FAST,
} from '../helpers/simulator.ts';

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('run-command-failures', FAST);
});
afterAll(() => sim.stop());

async function invoke(
  command: string,
): Promise<RunCommandResult | { error: ReturnType<typeof armErrorOf> }> {
  const c = firstCluster(sim);
  try {
    return await aksClient(sim).managedClusters.runCommand(
      c.resourceGroup,
      c.name,
      { command },
      { updateIntervalInMs: 100 },
    );
  } catch (err) {
    return { error: armErrorOf(err) };
  }
}

describe('commands that run', () => {
  test('kubectl get nodes is answered from the simulated pools', async () => {
    const r = (await invoke('kubectl get nodes')) as RunCommandResult;
    expect(r).toMatchObject({ provisioningState: 'succeeded', exitCode: 0 });
    const lines = r.logs!.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[4])).toEqual(Array(5).fill('v1.34.2'));
    expect(lines.filter((l) => l.startsWith('aks-user-'))).toHaveLength(2);
    expect(r.startedAt).toBeInstanceOf(Date);
    expect(r.finishedAt!.getTime()).toBeGreaterThanOrEqual(r.startedAt!.getTime());
  });

  test('a command the scenario does not script is accepted and says so', async () => {
    const r = (await invoke('kubectl rollout restart deploy/web')) as RunCommandResult;
    expect(r).toMatchObject({ provisioningState: 'succeeded', exitCode: 0 });
    expect(r.logs).toContain('this scenario scripts no output');
  });
});

describe('the four causes of "az aks command invoke" failures', () => {
  test('cause 1: the command pod does not start (KubernetesOperationError, "did not start within 30s")', async () => {
    const r = (await invoke('kubectl get pods -n slow')) as {
      error: ReturnType<typeof armErrorOf>;
    };
    expect(r.error.code).toBe('KubernetesOperationError');
    expect(r.error.message).toMatch(
      /^Failed to run command due to cluster perf issue, container command-[0-9a-f]{32} in aks-command namespace did not start within 30s on your cluster/,
    );
  });

  test('cause 1, as az shows it: the result is gone and the service answers 404 with no body ("Not Found")', async () => {
    const c = firstCluster(sim);
    const client = aksClient(sim);
    const poller = client.managedClusters.runCommand(
      c.resourceGroup,
      c.name,
      { command: 'kubectl logs web-0' },
      { updateIntervalInMs: 100 },
    );
    const err = await poller.pollUntilDone().catch((e: unknown) => e);
    expect(armErrorOf(err).statusCode).toBe(404);
  });

  test('cause 2: an admission policy (Gatekeeper) denies the command pod', async () => {
    const r = (await invoke('kubectl apply -f deploy.yaml')) as {
      error: ReturnType<typeof armErrorOf>;
    };
    expect(r.error.message).toMatch(
      /^Failed to run command in managed cluster due to kubernetes failure\. details: admission webhook "validation\.gatekeeper\.sh" denied the request: /,
    );
  });

  test('cause 3: Kubernetes RBAC forbids it: the command runs and exits 1 with "Error from server (Forbidden)"', async () => {
    const r = (await invoke('kubectl get ns')) as RunCommandResult;
    expect(r).toMatchObject({ provisioningState: 'succeeded', exitCode: 1 });
    expect(r.logs).toMatch(
      /^Error from server \(Forbidden\): namespaces is forbidden: User ".+" cannot list resource "namespaces" in API group "" at the cluster scope/,
    );
  });

  test('a command AKS reports as failed carries its reason', async () => {
    expect(await invoke('helm upgrade web ./chart')).toMatchObject({
      provisioningState: 'failed',
      reason: 'ImagePullBackoff',
    });
  });

  test('run-command needs the runCommand action and a running cluster, and a non-empty command', async () => {
    const c = firstCluster(sim);
    const empty = await raw(sim, 'POST', clusterPath(c, '/runCommand'), {
      body: { command: '  ' },
    });
    expect([empty.status, flatError(empty.body).code]).toEqual([400, 'InvalidParameter']);
    await sim.reset('stopped-cluster', FAST);
    const stopped = await raw(sim, 'POST', clusterPath(c, '/runCommand'), {
      body: { command: 'kubectl get nodes' },
    });
    expect([stopped.status, flatError(stopped.body).message]).toEqual([
      400,
      expect.stringContaining('is stopped'),
    ]);
  });
});
