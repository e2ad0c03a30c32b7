/**
 * The built Azure DevOps task (tasks/AksGuardV1/dist/index.js), spawned the way the agent runs it,
 * against the simulator: service principal connections (secret and certificate), the same guard
 * behaviour as the Action, output variables, the summary attachment and the result; bad inputs and
 * bad service connections fail the task with a clear message and no write.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites } from '../helpers/action.ts';
import { releaseWhenWaiting } from '../helpers/hold.ts';
import { runTask, taskJson, type ServiceConnection } from '../../scripts/lib/task-runner.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { createCertificateCredential } from '../../src/simulator/identity/certificates.ts';

// Generous: a loaded CI machine runs these slowly, and nothing here races the clock.
jest.setTimeout(150_000);

const CONNECTION_ID = '1f0c2a9e-4b3d-4c5e-9f7a-6b8c0d2e4f61';

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
});

/** A ServicePrincipal (secret) connection to the simulator's direct endpoints, as Azure Stack Hub. */
function spConnection(over: Partial<ServiceConnection> = {}): ServiceConnection {
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
    ...over,
  };
}

function inputs(extra: Record<string, string>): Record<string, string> {
  const env = sim.env();
  return {
    azureSubscription: CONNECTION_ID,
    resourceGroup: env.AKS_RESOURCE_GROUP!,
    clusterName: env.AKS_CLUSTER_NAME!,
    ...extra,
  };
}

const common = () => ({ extraEnv: { NODE_EXTRA_CA_CERTS: sim.caFile } });

/**
 * Upgrades stop at 50% and never finish by themselves: operationTimeout, a cancellation or an
 * abort is always what ends them, however slowly the task runs.
 */
const HELD_UPGRADE = {
  ...FAST,
  durations: { ...FAST.durations, upgrade: 600 },
  stuck: [{ operation: 'upgrade', atPercent: 50 }],
};

describe('task.json', () => {
  test('declares both Node handlers, a Node24-capable agent, and mirrors the Action’s inputs', () => {
    const t = taskJson() as Record<string, unknown> & {
      execution: Record<string, { target: string }>;
      inputs: { name: string; type: string }[];
      outputVariables: { name: string }[];
      minimumAgentVersion: string;
    };
    expect(t.name).toBe('AksGuard');
    expect(t.category).toBe('Deploy');
    expect(Object.keys(t.execution).sort()).toEqual(['Node20_1', 'Node24']);
    // Node24 handlers run on agents from 4.265.1.
    const [major, minor, patch] = t.minimumAgentVersion.split('.').map(Number) as [
      number,
      number,
      number,
    ];
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(4_265_001);
    expect(t.inputs.find((i) => i.name === 'azureSubscription')!.type).toBe(
      'connectedService:AzureRM',
    );
    for (const name of [
      'resourceGroup',
      'clusterName',
      'operation',
      'onPending',
      'kubernetesVersion',
      'nodePool',
      'nodeCount',
    ])
      expect(t.inputs.map((i) => i.name)).toContain(name);
    expect(t.outputVariables.map((o) => o.name)).toContain('diagnosisCategory');
  });
});

describe('the task against the simulator', () => {
  test('a scale with a service principal secret: output variables, summary, Succeeded', async () => {
    await sim.reset('idle', FAST);
    const since = sim.log.lastSeq;
    const run = await runTask(inputs({ operation: 'scale', nodePool: 'user', nodeCount: '3' }), {
      connection: spConnection(),
      ...common(),
    });
    expect(run.code).toBe(0);
    expect(run.result).toBe('Succeeded');
    expect(run.outputs).toMatchObject({ result: 'succeeded', provisioningState: 'Succeeded' });
    expect(run.outputs.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
    expect(run.attachments).toHaveLength(1);
    expect(run.attachments[0]!.type).toBe('Distributedtask.Core.Summary');
    expect(run.attachments[0]!.content).toContain('aks-demo');
    expect(run.attachments[0]!.content).not.toContain('```mermaid');
    // The secret is registered before anything could print it, and never printed.
    expect(run.secrets).toContain(sim.servicePrincipal.secret);
    const visible = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('##vso[task.setsecret]'))
      .join('\n');
    expect(visible).not.toContain(sim.servicePrincipal.secret);
  });

  test('waits for a busy pool like the Action, then scales', async () => {
    // The pool's scale is held until the task waits for it.
    await sim.reset('pool-scaling', {
      ...FAST,
      clusters: [{ operation: { startedSecondsAgo: 1, durationSeconds: 5, stuckAtPercent: 99 } }],
    });
    const pending = [...sim.state.clusters.values()][0]!.operations.at(-1)!.id;
    const release = releaseWhenWaiting(sim);
    const run = await runTask(inputs({ operation: 'scale', nodePool: 'user', nodeCount: '3' }), {
      connection: spConnection(),
      ...common(),
      onLine: release.onLine,
    });
    expect(release.released).toEqual([pending]);
    expect(run.result).toBe('Succeeded');
    expect(run.outputs.pendingOperation).toMatch(/node pool user/);
  });

  test('a failing upgrade: Failed, with the diagnosis in the output variables and the summary', async () => {
    await sim.reset('upgrade-fails-drain', FAST);
    const run = await runTask(inputs({ operation: 'upgrade', kubernetesVersion: '1.35' }), {
      connection: spConnection(),
      ...common(),
    });
    expect(run.code).toBe(0);
    expect(run.result).toBe('Failed');
    expect(run.outputs.diagnosisCategory).toBe('pod-drain-failure');
    expect(run.attachments[0]!.content).toContain('### Diagnosis');
    expect(run.issues.filter((i) => i.type === 'error')).toHaveLength(1);
  });

  test('aborting another pipeline’s operation succeeds with issues', async () => {
    await sim.reset('cluster-upgrading', HELD_UPGRADE);
    const run = await runTask(
      inputs({ operation: 'scale', nodePool: 'user', nodeCount: '3', onPending: 'abort' }),
      { connection: spConnection(), ...common() },
    );
    expect(run.result).toBe('SucceededWithIssues');
    expect(run.outputs.abortedOperationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.issues.some((i) => i.type === 'warning' && /Aborted/.test(i.message))).toBe(true);
  });
});

describe('bad inputs and bad service connections', () => {
  test('bad inputs are named with the task’s input names; nothing is sent', async () => {
    const since = sim.log.lastSeq;
    const run = await runTask(
      inputs({ operation: 'upgrayed', onPending: 'later', nodeCount: 'x', abortAfter: '10m' }),
      { connection: spConnection(), ...common() },
    );
    expect(run.result).toBe('Failed');
    expect(run.outputs.errorCode).toBe('InvalidInput');
    expect(run.resultMessage).toMatch(/"operation"/);
    expect(run.resultMessage).toMatch(/"onPending"/);
    expect(run.resultMessage).not.toMatch(/on-pending/);
    expect(sim.log.list(since)).toEqual([]);
  });

  test.each([
    ['an unsupported scheme', { scheme: 'PublishProfile' }, /PublishProfile.*not support/],
    ['no subscription', { data: { environment: 'AzureCloud' } }, /does not name a subscription/],
    ['a wrong secret', undefined, /AADSTS7000215/],
  ])('%s fails the task with a clear message', async (_, over, message) => {
    const connection =
      over === undefined
        ? spConnection({
            parameters: { ...spConnection().parameters, serviceprincipalkey: 'wrong-secret' },
          })
        : spConnection(over);
    const since = sim.log.lastSeq;
    const run = await runTask(inputs({ operation: 'scale', nodePool: 'user', nodeCount: '3' }), {
      connection,
      ...common(),
    });
    expect(run.result).toBe('Failed');
    expect(run.resultMessage).toMatch(message);
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('a missing service connection input', async () => {
    const run = await runTask(inputs({ azureSubscription: '' }), {
      connection: spConnection(),
      ...common(),
    });
    expect(run.result).toBe('Failed');
    expect(run.resultMessage).toMatch(/azureSubscription/);
  });
});

describe('the guard’s policies through the task', () => {
  test('dry run: nothing written, result dry-run, plan warnings as issues', async () => {
    await sim.reset('cluster-upgrading', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runTask(
      inputs({ operation: 'scale', nodePool: 'user', nodeCount: '5', dryRun: 'true' }),
      { connection: spConnection(), ...common() },
    );
    // The plan carries a warning (the pool's unfinished upgrade), so: with issues.
    expect(run.result).toBe('SucceededWithIssues');
    expect(run.issues[0]!.message).toMatch(/unfinished upgrade/);
    expect(run.outputs.result).toBe('dry-run');
    expect(armWrites(sim, since)).toEqual([]);
  });

  test('a Failed cluster reconciled first with onFailed reconcile', async () => {
    await sim.reset('failed-cluster', FAST);
    const since = sim.log.lastSeq;
    const run = await runTask(
      inputs({ operation: 'scale', nodePool: 'user', nodeCount: '3', onFailed: 'reconcile' }),
      { connection: spConnection(), ...common() },
    );
    expect(run.outputs.result).toBe('succeeded');
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_CreateOrUpdate',
      'AgentPools_CreateOrUpdate',
    ]);
  });

  test('operationTimeout with onTimeout abort aborts the operation this run started', async () => {
    await sim.reset('idle', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runTask(
      inputs({
        operation: 'upgrade',
        kubernetesVersion: '1.35',
        operationTimeout: '3s',
        onTimeout: 'abort',
      }),
      { connection: spConnection(), ...common() },
    );
    expect(run.result).toBe('Failed');
    expect(run.outputs.result).toBe('aborted');
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_CreateOrUpdate',
      'ManagedClusters_AbortLatestOperation',
    ]);
  });

  test('cancellation (the agent sends SIGINT) with onCancel abort', async () => {
    await sim.reset('idle', HELD_UPGRADE);
    const since = sim.log.lastSeq;
    const run = await runTask(
      inputs({ operation: 'upgrade', kubernetesVersion: '1.35', onCancel: 'abort' }),
      {
        connection: spConnection(),
        ...common(),
        interrupt: { signal: 'SIGINT', when: (out) => out.includes('##[group]Waiting:') },
      },
    );
    expect(run.result).toBe('Failed');
    expect(run.outputs.result).toBe('aborted');
    expect(armWrites(sim, since)).toEqual([
      'ManagedClusters_CreateOrUpdate',
      'ManagedClusters_AbortLatestOperation',
    ]);
    expect(run.attachments).toHaveLength(1);
  });
});

describe('a service principal certificate connection', () => {
  test('signs in with a client assertion signed by the certificate; the key never shows', async () => {
    await sim.reset('idle', FAST);
    const pem = await sim.addCertificate();
    const sp = sim.servicePrincipal;
    const since = sim.log.lastSeq;
    const run = await runTask(inputs({ operation: 'check' }), {
      connection: spConnection({
        parameters: {
          serviceprincipalid: sp.appId,
          tenantid: sp.tenantId,
          authenticationType: 'spnCertificate',
          servicePrincipalCertificate: pem,
        },
      }),
      ...common(),
    });
    expect([run.result, run.resultMessage]).toEqual(['Succeeded', expect.any(String)]);
    expect(sim.log.list(since).some((e) => e.operation === 'Entra_Token' && e.status === 200)).toBe(
      true,
    );
    const keyLine = pem.split('\n').find((l) => l.length > 40 && !l.startsWith('-----'))!;
    const visible = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('##vso[task.setsecret]'))
      .join('\n');
    expect(visible).not.toContain(keyLine);
  });

  test('a certificate Entra does not know is refused with its error', async () => {
    await sim.reset('idle', FAST);
    // A certificate of its own that was never registered (a reset keeps registered ones).
    const { pem } = await createCertificateCredential('aks-guard-ci');
    const sp = sim.servicePrincipal;
    const run = await runTask(inputs({ operation: 'check' }), {
      connection: spConnection({
        parameters: {
          serviceprincipalid: sp.appId,
          tenantid: sp.tenantId,
          authenticationType: 'spnCertificate',
          servicePrincipalCertificate: pem,
        },
      }),
      ...common(),
    });
    expect(run.result).toBe('Failed');
    expect(run.resultMessage).toMatch(/AADSTS700027/);
  });
});

describe('a managed identity connection (self-hosted agent)', () => {
  test('gets its token from the instance metadata service', async () => {
    await sim.reset('idle', FAST);
    const since = sim.log.lastSeq;
    const run = await runTask(inputs({ operation: 'check' }), {
      connection: {
        id: CONNECTION_ID,
        url: 'https://management.azure.com/',
        scheme: 'ManagedServiceIdentity',
        parameters: { tenantid: sim.servicePrincipal.tenantId },
        data: {
          subscriptionId: sim.env().AZURE_SUBSCRIPTION_ID!,
          environment: 'AzureCloud',
          msiclientId: '6c8e0a2b-4d6f-4b1a-9e3c-5a7b9d1f3e5a',
        },
      },
      extraEnv: {
        NODE_EXTRA_CA_CERTS: sim.caFile,
        HTTPS_PROXY: sim.proxyUrl,
        NO_PROXY: '127.0.0.1',
        AZURE_POD_IDENTITY_AUTHORITY_HOST: sim.env().AKS_SIM_IMDS_ENDPOINT!,
      },
    });
    expect(run.result).toBe('Succeeded');
    const log = sim.log.list(since);
    expect(log.some((e) => e.operation === 'IMDS_Token')).toBe(true);
    expect(new Set(log.filter((e) => e.service === 'arm').map((e) => e.principal))).toEqual(
      new Set(['aks-guard-runner']),
    );
  });
});
