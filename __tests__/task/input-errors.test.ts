/**
 * Inputs that must be refused before anything is sent, through the built bundles: run-command
 * `files` outside the workspace (the Action, the task, the CLI), and a service connection whose
 * fields are not GUIDs, named as the connection and its field rather than as non-existent inputs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { ROOT, runAction } from '../helpers/action.ts';
import { runTask, type ServiceConnection } from '../../scripts/lib/task-runner.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(120_000);

const CONNECTION_ID = '6f0e3c1a-2b4d-4e5f-8a9b-0c1d2e3f4a5b';
let sim: Simulator;
let workspace: string;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
  workspace = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-workspace-'));
  writeFileSync(path.join(workspace, 'deploy.yaml'), 'kind: ConfigMap\n');
  symlinkSync('/etc/passwd', path.join(workspace, 'innocent.yaml'));
});
afterAll(async () => {
  await sim.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const armRequests = (since: number) => sim.log.list(since).filter((e) => e.service === 'arm');

function spConnection(
  over: { parameters?: Record<string, string>; data?: Record<string, string> } = {},
): ServiceConnection {
  const sp = sim.servicePrincipal;
  const env = sim.env();
  return {
    id: CONNECTION_ID,
    url: `${sim.origin}/`,
    scheme: 'ServicePrincipal',
    parameters: {
      serviceprincipalid: sp.appId,
      tenantid: sp.tenantId,
      serviceprincipalkey: sp.secret,
      authenticationType: 'spnKey',
      ...over.parameters,
    },
    data: {
      subscriptionId: env.AZURE_SUBSCRIPTION_ID!,
      subscriptionName: 'sim',
      environment: 'AzureCloud',
      activeDirectoryAuthority: `${sim.origin}/`,
      ...over.data,
    },
  };
}

function taskInputs(extra: Record<string, string>): Record<string, string> {
  const env = sim.env();
  return {
    azureSubscription: CONNECTION_ID,
    resourceGroup: env.AKS_RESOURCE_GROUP!,
    clusterName: env.AKS_CLUSTER_NAME!,
    ...extra,
  };
}

const OUTSIDE = ['/etc/shadow', '../../../../etc/passwd', 'innocent.yaml'];

describe('run-command files outside the workspace', () => {
  test.each(OUTSIDE)('the Action refuses %s before any ARM request', async (file) => {
    const since = sim.log.lastSeq;
    const run = await runAction(
      sim,
      { operation: 'run-command', command: 'kubectl apply -f x', files: file },
      { env: { GITHUB_WORKSPACE: workspace } },
    );
    expect(run.code).toBe(1);
    expect(run.outputs['error-code']).toBe('InvalidInput');
    expect(run.stdout).toMatch(/::error[^:]*::.*files.*outside the workspace/);
    expect(armRequests(since)).toEqual([]);
  });

  test('the Action accepts a file inside the workspace', async () => {
    const run = await runAction(
      sim,
      { operation: 'run-command', command: 'kubectl apply -f deploy.yaml', files: 'deploy.yaml' },
      { env: { GITHUB_WORKSPACE: workspace } },
    );
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
  });

  test.each(OUTSIDE)('the task refuses %s, naming the input as the task does', async (file) => {
    const since = sim.log.lastSeq;
    const run = await runTask(
      taskInputs({ operation: 'run-command', command: 'ls', files: file }),
      {
        connection: spConnection(),
        extraEnv: { NODE_EXTRA_CA_CERTS: sim.caFile, BUILD_SOURCESDIRECTORY: workspace },
      },
    );
    expect(run.result).toBe('Failed');
    expect(run.resultMessage).toMatch(/files.*outside the workspace/);
    expect(run.outputs.errorCode).toBe('InvalidInput');
    expect(armRequests(since)).toEqual([]);
  });

  test('the CLI refuses a file outside its working directory, naming the flag', () => {
    const env = sim.env();
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'dist/cli/index.js'),
        'run',
        '--operation',
        'run-command',
        '--command',
        'ls',
        '--files',
        '/etc/passwd',
        '--resource-group',
        env.AKS_RESOURCE_GROUP!,
        '--cluster-name',
        env.AKS_CLUSTER_NAME!,
      ],
      { cwd: workspace, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: workspace } },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--files.*\/etc\/passwd.*outside/);
  });
});

describe('a service connection with fields that are not GUIDs', () => {
  test.each([
    [{ data: { subscriptionId: 'abc' } }, /its subscription ID "abc" is not a GUID/],
    [{ parameters: { tenantid: 'contoso' } }, /its tenant ID "contoso" is not a GUID/],
  ])('%j: the connection and its field are named', async (over, message) => {
    const since = sim.log.lastSeq;
    const run = await runTask(taskInputs({ operation: 'check' }), {
      connection: spConnection(over),
      extraEnv: { NODE_EXTRA_CA_CERTS: sim.caFile },
    });
    expect(run.result).toBe('Failed');
    expect(run.resultMessage).toMatch(new RegExp(`Service connection "${CONNECTION_ID}"`));
    expect(run.resultMessage).toMatch(message);
    expect(run.resultMessage).not.toMatch(/\b(subscriptionId|tenantId|clientSecret)\b/);
    expect(run.outputs.errorCode).toBe('InvalidServiceConnection');
    expect(sim.log.list(since)).toEqual([]);
  });
});
