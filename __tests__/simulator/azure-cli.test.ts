/**
 * The real Azure CLI (Debian's azure-cli 2.45) against the simulator through its proxy: proof that
 * an unmodified client with default endpoints accepts the simulator. `.ci/run` installs az; where
 * it is missing this suite is skipped and says so.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/index.ts';
import { admin, simulator, FAST } from '../helpers/simulator.ts';
import { azEnv, azInstalled } from '../../scripts/lib/az.ts';

const run = promisify(execFile);

const available = azInstalled();
const suite = available ? describe : describe.skip;
const title = available
  ? 'Azure CLI against the simulator'
  : 'Azure CLI against the simulator (SKIPPED: `az` is not installed; `apt-get install azure-cli` to run it, as .ci/run does)';

suite(title, () => {
  let sim: Simulator;
  let configDir: string;
  let env: NodeJS.ProcessEnv;

  async function az(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run('az', [...args, '--only-show-errors'], {
        env,
        timeout: 120000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === 'number' ? e.code : 1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      };
    }
  }

  beforeAll(async () => {
    // Retry-After 1: az polls every second instead of its default 30.
    sim = await simulator('idle', { ...FAST, retryAfterSeconds: 1, durations: { upgrade: 2 } });
    configDir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-az-'));
    env = azEnv(sim, configDir);
  }, 60000);
  afterAll(async () => {
    await sim.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  test('az login --service-principal signs in through the proxy and lists the subscription', async () => {
    const r = await az(
      'login',
      '--service-principal',
      '-u',
      env.AZURE_CLIENT_ID!,
      // One argument: a generated secret may start with "-", which az would read as an option.
      `--password=${env.AZURE_CLIENT_SECRET!}`,
      '--tenant',
      env.AZURE_TENANT_ID!,
      '-o',
      'json',
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      expect.objectContaining({
        id: env.AZURE_SUBSCRIPTION_ID,
        tenantId: env.AZURE_TENANT_ID,
        state: 'Enabled',
      }),
    ]);
  }, 120000);

  test('az aks show reads the cluster', async () => {
    const r = await az(
      'aks',
      'show',
      '-g',
      env.AKS_RESOURCE_GROUP!,
      '-n',
      env.AKS_CLUSTER_NAME!,
      '-o',
      'json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: 'aks-demo',
      provisioningState: 'Succeeded',
      kubernetesVersion: '1.34.2',
    });
  }, 120000);

  test('az aks upgrade runs the long-running operation to the end, polling the simulator', async () => {
    const r = await az(
      'aks',
      'upgrade',
      '-g',
      env.AKS_RESOURCE_GROUP!,
      '-n',
      env.AKS_CLUSTER_NAME!,
      '--kubernetes-version',
      '1.34.4',
      '--yes',
      '-o',
      'json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      provisioningState: 'Succeeded',
      currentKubernetesVersion: '1.34.4',
    });
    expect(sim.log.counts()['AsyncOperation_Get']).toBeGreaterThan(0);
  }, 120000);

  test('az aks upgrade on a busy cluster fails with OperationNotAllowed, as pipelines see it today', async () => {
    const started = await admin(
      sim,
      'POST',
      `/clusters/${env.AKS_RESOURCE_GROUP}/${env.AKS_CLUSTER_NAME}/operations`,
      { type: 'scale', count: 4, durationSeconds: 300 },
    );
    expect(started.status).toBe(201);
    const r = await az(
      'aks',
      'upgrade',
      '-g',
      env.AKS_RESOURCE_GROUP!,
      '-n',
      env.AKS_CLUSTER_NAME!,
      '--kubernetes-version',
      '1.35.3',
      '--yes',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      '(OperationNotAllowed) Operation is not allowed: Another operation (Scaling) is in progress, please wait for it to finish before starting a new operation.',
    );
  }, 120000);

  test('az login --identity through MSI_ENDPOINT (Cloud Shell style) signs in as the managed identity', async () => {
    const msi = {
      ...env,
      MSI_ENDPOINT: env.AKS_SIM_MSI_ENDPOINT,
      AZURE_CONFIG_DIR: mkdtempSync(path.join(os.tmpdir(), 'aks-guard-az-msi-')),
    };
    const saved = env;
    env = msi;
    try {
      const r = await az('login', '--identity', '-o', 'json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([
        expect.objectContaining({
          id: saved.AZURE_SUBSCRIPTION_ID,
          user: expect.objectContaining({ type: 'servicePrincipal' }),
        }),
      ]);
      expect(sim.log.counts()['MsiEndpoint_Token']).toBeGreaterThan(0);
    } finally {
      rmSync(msi.AZURE_CONFIG_DIR, { recursive: true, force: true });
      env = saved;
    }
  }, 120000);

  test('a broken MSI endpoint reproduces "Failed to connect to MSI" (cause 4 of the command invoke article)', async () => {
    sim.faults.add({ match: { path: '^/msi/token' }, action: 'error', status: 400 });
    const msi = {
      ...env,
      MSI_ENDPOINT: env.AKS_SIM_MSI_ENDPOINT,
      AZURE_CONFIG_DIR: mkdtempSync(path.join(os.tmpdir(), 'aks-guard-az-msi-')),
    };
    const saved = env;
    env = msi;
    try {
      const r = await az('login', '--identity');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        'Failed to connect to MSI. Please make sure MSI is configured correctly.',
      );
      expect(r.stderr).toContain('Get Token request returned');
      expect(r.stderr).toContain('400');
    } finally {
      sim.faults.clear();
      rmSync(msi.AZURE_CONFIG_DIR, { recursive: true, force: true });
      env = saved;
    }
  }, 120000);
});
