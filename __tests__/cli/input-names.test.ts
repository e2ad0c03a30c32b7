/**
 * The CLI names its inputs as flags, in every text it lets out: with `--on-pending fail` against a
 * busy cluster, the error, the diagnosis (stderr and the JSON on stdout) and the summary file say
 * `--on-pending` (`--on-pending wait`), never the Action's `on-pending: wait`; the `az` commands
 * in the remediation keep az's own flags.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, ROOT } from '../helpers/action.ts';
import type { Simulator } from '../../src/simulator/index.ts';

// Generous: a loaded CI machine runs these slowly, and nothing here races the clock.
jest.setTimeout(150_000);

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  // The cluster's upgrade stops at 99% and never ends by itself: it is in progress whenever the
  // CLI looks, however slowly it starts.
  sim = await simulator('cluster-upgrading', {
    ...FAST,
    clusters: [{ operation: { stuckAtPercent: 99 } }],
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-cli-names-'));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
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
          HOME: dir,
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
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** `on-pending` and friends as the Action spells them: not part of a flag. */
const ACTION_SPELLING = /(?<![-\w])(on-pending|wait-timeout|abort-after|on-failed|on-timeout)\b/;

describe('the CLI names inputs as flags', () => {
  test('--on-pending fail on a busy cluster: error, diagnosis and summary say --on-pending', async () => {
    const env = sim.env();
    const summaryFile = path.join(dir, 'summary.md');
    const since = sim.log.lastSeq;
    const r = await cli([
      'run',
      '--operation',
      'upgrade',
      '--kubernetes-version',
      '1.35',
      '--on-pending',
      'fail',
      '--summary-file',
      summaryFile,
    ]);
    expect(r.code).toBe(1);
    expect(armWrites(sim, since)).toEqual([]);
    const result = JSON.parse(r.out) as {
      'error-code': string;
      diagnosis: { remediation: string[] };
    };
    expect(result['error-code']).toBe('OperationInProgress');

    const error = r.err.split('\n').find((l) => l.startsWith('ERROR: '))!;
    expect(error).toContain('is in progress, and --on-pending is "fail"');
    const remediation = result.diagnosis.remediation;
    expect(remediation.find((s) => s.startsWith('With aks-guard'))).toBe(
      'With aks-guard, re-run with `--on-pending wait` (and a longer `--wait-timeout`) to wait for it automatically, or `--on-pending abort` (optionally `--abort-after 30m`) to abort it first.',
    );
    // The diagnosis on stderr is the same.
    expect(r.err).toContain('`--on-pending wait`');
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toContain('--on-pending fail, --on-failed fail, --on-timeout fail');
    expect(summary).toContain('`--on-pending wait`');

    for (const text of [r.err, summary, remediation.join('\n')]) {
      expect(text).not.toMatch(ACTION_SPELLING);
      expect(text).not.toMatch(/onPending|waitTimeout/);
    }
    // Commands are az's, with az's flags.
    expect(remediation.join('\n')).toContain(
      `az aks nodepool operation-abort -g ${env.AKS_RESOURCE_GROUP!} --cluster-name ${env.AKS_CLUSTER_NAME!}`,
    );
  });
});
