/**
 * The task with a WorkloadIdentityFederation service connection, as the agent hands it over
 * (the simulator's taskEnv()): the OIDC token from Azure DevOps, exchanged at Entra for ARM tokens,
 * fresh for every token request so long waits outlive the 10-minute OIDC tokens; direct and through
 * the proxy with default endpoints; and the sticky pull-request thread comment.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites } from '../helpers/action.ts';
import { releaseWhen } from '../helpers/hold.ts';
import { runTask, type TaskRun } from '../../scripts/lib/task-runner.ts';
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

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  const env = sim.env();
  return {
    azureSubscription: sim.azureDevOps.serviceConnections[0]!.id,
    resourceGroup: env.AKS_RESOURCE_GROUP!,
    clusterName: env.AKS_CLUSTER_NAME!,
    ...extra,
  };
}

function agent(direct = true, extra: Record<string, string> = {}) {
  return {
    agentEnv: { ...sim.azureDevOps.taskEnv({ direct }), ...extra },
    extraEnv: {
      NODE_EXTRA_CA_CERTS: sim.caFile,
      ...(direct ? {} : { HTTPS_PROXY: sim.proxyUrl }),
    },
  };
}

describe('workload identity federation', () => {
  test.each([
    ['direct', true],
    ['through the proxy with default endpoints', false],
  ])('signs in with the Azure DevOps OIDC token (%s)', async (_, direct) => {
    await sim.reset('idle', FAST);
    const since = sim.log.lastSeq;
    const run = await runTask(
      inputs({ operation: 'scale', nodePool: 'user', nodeCount: '3' }),
      agent(direct),
    );
    expect(run.result).toBe('Succeeded');
    const log = sim.log.list(since);
    expect(log.some((e) => e.operation === 'AzureDevOps_OidcToken' && e.status === 200)).toBe(true);
    expect(log.filter((e) => e.service === 'entra' && e.status >= 400)).toEqual([]);
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
    // The job's access token is masked and never printed.
    const token = sim.azureDevOps.accessToken;
    expect(run.secrets).toContain(token);
    expect(
      run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('##vso[task.setsecret]'))
        .join('\n'),
    ).not.toContain(token);
  });

  test('a wait longer than the OIDC and access tokens live keeps getting fresh ones', async () => {
    // Tokens live 8 s; the operation is held (at 99%, polled every 2 s) until the task has read
    // the cluster successfully more than two lifetimes after its first access token.
    const lifetime = 8;
    await sim.reset('cluster-upgrading', {
      ...FAST,
      tokenLifetimeSeconds: lifetime,
      azureDevOps: { oidcTokenLifetimeSeconds: lifetime },
      clusters: [{ operation: { startedSecondsAgo: 30, durationSeconds: 14, stuckAtPercent: 99 } }],
    });
    const pending = [...sim.state.clusters.values()][0]!.operations.at(-1)!.id;
    const since = sim.log.lastSeq;
    const hold = releaseWhen(sim, pending, () => {
      const log = sim.log.list(since);
      const first = log.find((e) => e.operation === 'Entra_Token' && e.status === 200);
      if (!first) return false;
      const expired = Date.parse(first.time) + (2 * lifetime + 1) * 1000;
      return log.some(
        (e) => e.service === 'arm' && e.status === 200 && Date.parse(e.time) >= expired,
      );
    });
    let run: TaskRun;
    try {
      run = await runTask(
        inputs({ operation: 'scale', nodePool: 'user', nodeCount: '3' }),
        agent(),
      );
    } finally {
      hold.stop();
    }
    expect(hold.released).toBe(true);
    expect(run.result).toBe('Succeeded');
    const log = sim.log.list(since);
    expect(log.filter((e) => e.status === 401)).toEqual([]);
    expect(log.filter((e) => e.operation === 'AzureDevOps_OidcToken').length).toBeGreaterThan(2);
  });

  test('without the job’s access token the task fails saying so, before any ARM request', async () => {
    const since = sim.log.lastSeq;
    const run = await runTask(inputs({ operation: 'check' }), {
      ...agent(),
      extraEnv: {
        NODE_EXTRA_CA_CERTS: sim.caFile,
        SECRET_SYSTEM_ACCESSTOKEN: undefined,
        ENDPOINT_AUTH_SYSTEMVSSCONNECTION: undefined,
        ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: undefined,
      },
    });
    expect(run.result).toBe('Failed');
    expect(run.resultMessage).toMatch(/System\.AccessToken/);
    expect(sim.log.list(since).filter((e) => e.service === 'arm')).toEqual([]);
  });
});

describe('the pull-request thread comment', () => {
  const marked = () =>
    sim.azureDevOps.threads.filter((t) =>
      t.comments.some((c) => c.content.includes('<!-- aks-guard:')),
    );

  test('is created on the first run and updated in place on the next', async () => {
    await sim.reset('failed-pool', FAST);
    const pr = { SYSTEM_PULLREQUEST_PULLREQUESTID: '12' };
    const first = await runTask(
      inputs({ operation: 'report', commentOnPullRequest: 'true' }),
      agent(true, pr),
    );
    expect(first.result).toBe('Succeeded');
    expect(marked()).toHaveLength(1);
    const id = marked()[0]!.id;
    const second = await runTask(
      inputs({ operation: 'upgrade-node-image', nodePool: 'user', commentOnPullRequest: 'true' }),
      agent(true, pr),
    );
    expect(second.result).toBe('Failed');
    expect(marked()).toHaveLength(1);
    expect(marked()[0]!.id).toBe(id);
    expect(marked()[0]!.comments[0]!.content).toContain('Diagnosis:');
  });

  test('a build identity that cannot comment: a warning, and the run goes on', async () => {
    await sim.reset('idle', FAST);
    const run = await runTask(
      inputs({ operation: 'check', commentOnPullRequest: 'true' }),
      agent(true, {
        SYSTEM_PULLREQUEST_PULLREQUESTID: '13',
        ...sim.azureDevOps.taskEnv({ direct: true, readOnly: true }),
      }),
    );
    expect(run.result).toBe('SucceededWithIssues');
    expect(
      run.issues.some((i) => i.type === 'warning' && /Contribute to pull requests/.test(i.message)),
    ).toBe(true);
    expect(marked()).toHaveLength(0);
  });
});
