/**
 * The job's System.AccessToken never leaves the task: when the Azure DevOps OIDC endpoint answers
 * with an empty body, AzurePipelinesCredential puts the whole response, request headers included
 * (`authorization: Bearer <System.AccessToken>`), into its error. That error becomes the run's
 * message; it must reach the summary attachment, the pull-request thread, the outputs and the log
 * redacted, with every debug switch on. The agent masks its log, but not attachments or threads.
 */
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { runTask } from '../../scripts/lib/task-runner.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(150_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

test.each([200, 401, 403, 404, 500])(
  'the OIDC endpoint answers %i with an empty body: the token is in no attachment, thread, output or log line',
  async (status) => {
    await sim.reset('idle', FAST);
    sim.faults.add({ match: { path: '/oidctoken' }, action: 'respond', status, body: '' });
    const token = sim.azureDevOps.accessToken;
    const connection = sim.azureDevOps.serviceConnections[0]!;
    const env = sim.env();
    const run = await runTask(
      {
        azureSubscription: connection.id,
        resourceGroup: env.AKS_RESOURCE_GROUP!,
        clusterName: env.AKS_CLUSTER_NAME!,
        operation: 'scale',
        nodePool: 'user',
        nodeCount: '3',
        commentOnPullRequest: 'true',
        // Bounds the retries of a sign-in that meets a 5xx before anything is written.
        waitTimeout: '5s',
      },
      {
        agentEnv: {
          ...sim.azureDevOps.taskEnv({ direct: true }),
          SYSTEM_PULLREQUEST_PULLREQUESTID: '21',
        },
        extraEnv: {
          NODE_EXTRA_CA_CERTS: sim.caFile,
          // Every debug switch there is.
          SYSTEM_DEBUG: 'true',
          AZURE_LOG_LEVEL: 'verbose',
          AKS_GUARD_DEBUG: '1',
          DEBUG: '*',
        },
      },
    );
    expect(run.result).toBe('Failed');
    expect(run.resultMessage).toMatch(/Signing in to Azure failed: AzurePipelinesCredential/);
    // It went wrong where the test says: the OIDC endpoint, not ARM.
    expect(sim.log.list().some((e) => e.path.endsWith('/oidctoken') && e.status === status)).toBe(
      true,
    );

    const attachment = run.attachments.map((a) => a.content).join('\n');
    expect(attachment).toContain('Signing in to Azure failed');
    expect(attachment).not.toContain(token);
    const threads = sim.azureDevOps.threads.flatMap((t) => t.comments.map((c) => c.content));
    expect(threads.join('\n')).toContain('Signing in to Azure failed');
    expect(threads.join('\n')).not.toContain(token);
    expect(Object.values(run.outputs).join('\n')).not.toContain(token);
    expect(run.resultMessage).not.toContain(token);
    // The log: only in the agent's own setsecret command (its masking).
    const outside = `${run.stdout}\n${run.stderr}`
      .split('\n')
      .filter((l) => !l.startsWith('##vso[task.setsecret]'));
    expect(outside.join('\n')).not.toContain(token);
    expect(run.secrets).toContain(token);
    // Nothing shaped like a bearer token survived in what is posted.
    expect(`${attachment}\n${threads.join('\n')}`).not.toMatch(/Bearer\s+ey/i);
  },
);
