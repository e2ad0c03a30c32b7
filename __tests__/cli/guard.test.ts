/**
 * `aks-guard check` and `aks-guard run` from a terminal, through the built bin, against the
 * simulator: flags named like the Action's inputs, environment credentials by default, az-style
 * output (JSON on stdout, progress on stderr), exit codes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, ROOT } from '../helpers/action.ts';
import { releaseWhenWaiting } from '../helpers/hold.ts';
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

/** Runs the CLI; `onErrLine` sees each stderr line (the progress) as it comes. */
function cli(
  args: string[],
  onErrLine?: (line: string) => void,
): Promise<{ code: number | null; out: string; err: string }> {
  const env = sim.env();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'dist/cli/index.js'),
        ...args,
        '--resource-group',
        env.AKS_RESOURCE_GROUP!,
        '--cluster-name',
        env.AKS_CLUSTER_NAME!,
        '--environment',
        'custom',
        '--arm-endpoint',
        sim.origin,
        '--authority-host',
        sim.origin,
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: ROOT,
          NODE_EXTRA_CA_CERTS: sim.caFile,
          AZURE_SUBSCRIPTION_ID: env.AZURE_SUBSCRIPTION_ID,
          AZURE_TENANT_ID: env.AZURE_TENANT_ID,
          AZURE_CLIENT_ID: env.AZURE_CLIENT_ID,
          AZURE_CLIENT_SECRET: env.AZURE_CLIENT_SECRET,
        },
      },
    );
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      if (!onErrLine) return;
      const lines = (partial + c).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onErrLine(line);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('aks-guard check / run', () => {
  test('check prints the outputs as JSON and exits 0', async () => {
    await sim.reset('idle', FAST);
    const r = await cli(['check']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as Record<string, string>;
    expect(out).toMatchObject({ result: 'succeeded', 'kubernetes-version': '1.34.2' });
    expect(r.err).toContain('Cluster aks-demo: Succeeded');
    // The secret from the environment never shows.
    expect(r.err + r.out).not.toContain(sim.env().AZURE_CLIENT_SECRET!);
  });

  test('run waits for a busy pool, then scales it; --output table', async () => {
    // The pool's scale is held until the CLI waits for it.
    await sim.reset('pool-scaling', {
      ...FAST,
      clusters: [{ operation: { startedSecondsAgo: 1, durationSeconds: 5, stuckAtPercent: 99 } }],
    });
    const pending = [...sim.state.clusters.values()][0]!.operations.at(-1)!.id;
    const since = sim.log.lastSeq;
    const release = releaseWhenWaiting(sim);
    const r = await cli(
      ['run', '--operation', 'scale', '--node-pool', 'user', '--node-count', '3', '-o', 'table'],
      release.onLine,
    );
    expect(release.released).toEqual([pending]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^result +succeeded$/m);
    expect(r.err).toMatch(/In progress: Scaling on node pool user/);
    expect(armWrites(sim, since)).toEqual(['AgentPools_CreateOrUpdate']);
  });

  test('a failing upgrade exits 1 with the diagnosis on stderr and in the JSON', async () => {
    await sim.reset('upgrade-fails-drain', FAST);
    const r = await cli(['run', '--operation', 'upgrade', '--kubernetes-version', '1.35']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as { result: string; diagnosis: { category: string } };
    expect(out.result).toBe('failed');
    expect(out.diagnosis.category).toBe('pod-drain-failure');
    expect(r.err).toMatch(/How to fix it:\n {2}1\. /);
  });

  test('bad flags and bad inputs exit 2 before any request', async () => {
    const since = sim.log.lastSeq;
    const bad = await cli(['run', '--operation', 'upgrayed']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/operation.*upgrayed/);
    const unknown = await cli(['check', '--frobnicate', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/frobnicate/);
    expect(sim.log.list(since).filter((e) => e.service === 'arm')).toEqual([]);
  });
});
