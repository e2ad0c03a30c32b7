/** The named scenarios load and mean what they say, and `npm run sim` serves them. */
import { spawn, execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { listScenarios, loadScenario, startSimulator } from '../../src/simulator/index.ts';
import { clusterSnapshot } from '../../src/simulator/admin.ts';

const CLI = path.resolve(import.meta.dirname, '../../src/simulator/cli.ts');
const run = promisify(execFile);

type Snapshot = ReturnType<typeof clusterSnapshot> & {
  provisioningState: string;
  powerState: string;
  pools: { name: string; provisioningState: string }[];
  operations: {
    kind: string;
    status: string;
    percentComplete: number;
    error?: { code: string };
  }[];
};

async function snapshot(name: string): Promise<Snapshot> {
  const sim = await startSimulator({ scenario: name });
  try {
    return clusterSnapshot(sim.state, [...sim.state.clusters.values()][0]!) as Snapshot;
  } finally {
    await sim.stop();
  }
}

describe('named scenarios', () => {
  test('every scenario file is valid and described', () => {
    const all = listScenarios();
    expect(all.length).toBeGreaterThanOrEqual(15);
    for (const s of all) {
      expect(s.description.length).toBeGreaterThan(20);
      expect(() => loadScenario(s.name)).not.toThrow();
    }
  });

  test.each([
    ['idle', 'Succeeded', 'Running', ['Succeeded', 'Succeeded'], undefined],
    [
      'cluster-upgrading',
      'Upgrading',
      'Running',
      ['Upgrading', 'Upgrading'],
      { status: 'InProgress', percentComplete: 40 },
    ],
    [
      'pool-scaling',
      'Succeeded',
      'Running',
      ['Succeeded', 'Scaling'],
      { status: 'InProgress', percentComplete: 33 },
    ],
    [
      'stuck-operation',
      'Upgrading',
      'Running',
      ['Upgrading', 'Upgrading'],
      { status: 'InProgress', percentComplete: 63 },
    ],
    [
      'failed-cluster',
      'Failed',
      'Running',
      ['Succeeded', 'Failed'],
      { status: 'Failed', error: { code: 'UpgradeFailed' } },
    ],
    [
      'failed-pool',
      'Succeeded',
      'Running',
      ['Succeeded', 'Failed'],
      { status: 'Failed', error: { code: 'VMExtensionProvisioningError' } },
    ],
    ['stopped-cluster', 'Succeeded', 'Stopped', ['Succeeded', 'Succeeded'], undefined],
  ])(
    '%s: cluster %s / %s, pools %j, latest operation %j',
    async (name, state, power, pools, op) => {
      const s = await snapshot(name);
      expect([s.provisioningState, s.powerState, s.pools.map((p) => p.provisioningState)]).toEqual([
        state,
        power,
        pools,
      ]);
      // Every cluster keeps its create (AKS keeps past operations): the oldest one, long done.
      expect(s.operations[0]).toMatchObject({ kind: 'create', status: 'Succeeded' });
      if (op) expect(s.operations.at(-1)).toMatchObject(op);
      else expect(s.operations).toHaveLength(1);
    },
  );

  test('a bad scenario is reported with what is wrong and where', () => {
    expect(() => loadScenario('no-such-scenario')).toThrow(
      /Unknown scenario "no-such-scenario"\. Known scenarios: .*idle/,
    );
    expect(() => loadScenario('idle', { clusters: [{ pools: [{ name: 'Bad_Name' }] }] })).toThrow(
      /pool names are 1-12 lowercase letters and digits[\s\S]*clusters\[0\]\.pools\[0\]\.name/,
    );
  });
});

describe('npm run sim', () => {
  test('--list names the scenarios', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--list']);
    for (const s of listScenarios()) expect(stdout).toContain(s.name);
  });

  test('prints KEY=value lines to export, serves until interrupted, then stops cleanly', async () => {
    const child = spawn(process.execPath, [CLI, '--scenario', 'cluster-upgrading'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('AKS_SIM_ADMIN_URL=')) resolve();
      });
      child.on('exit', () => reject(new Error(`sim exited early: ${stderr}`)));
    });
    const env = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => [
          l.slice(0, l.indexOf('=')),
          l.slice(l.indexOf('=') + 1).replace(/^'(.*)'$/, '$1'),
        ]),
    );
    for (const key of [
      'HTTPS_PROXY',
      'NODE_EXTRA_CA_CERTS',
      'REQUESTS_CA_BUNDLE',
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_ID',
      'AZURE_CLIENT_SECRET',
      'AZURE_SUBSCRIPTION_ID',
      'AKS_RESOURCE_GROUP',
      'AKS_CLUSTER_NAME',
      'AKS_SIM_ARM_ENDPOINT',
      'AKS_SIM_AUTHORITY_HOST',
    ]) {
      expect([key, env[key]]).toEqual([key, expect.stringMatching(/\S/)]);
    }
    expect(env.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('scenario "cluster-upgrading"');
    expect(stderr).toContain('stopped');
  });

  test('an unknown scenario or a bad flag exits 2 with a message naming it', async () => {
    const bad = await run(process.execPath, [CLI, '--scenario', 'nope']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Unknown scenario "nope"'),
    });
    const flag = await run(process.execPath, [CLI, '--port', 'eighty']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(flag).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--port must be a port number'),
    });
  });
});
