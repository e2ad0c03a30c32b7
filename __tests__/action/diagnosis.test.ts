/**
 * Diagnosis and reporting through the built Action: failing operations explained on the job
 * summary with this cluster's names, a Failed cluster explained by the operation that failed it,
 * the report operation, the sticky pull-request comment, and hostile strings from Azure kept inert.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { admin, FAST, simulator } from '../helpers/simulator.ts';
import { armWrites, runAction, type ActionRun } from '../helpers/action.ts';
import type { Simulator } from '../../src/simulator/index.ts';

jest.setTimeout(90_000);

let sim: Simulator;
beforeAll(async () => {
  sim = await simulator('idle', FAST);
});
afterAll(async () => {
  await sim.stop();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Temp folders for event payloads, removed after this file's tests. */
const temps: string[] = [];
function eventDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aks-guard-event-'));
  temps.push(dir);
  return dir;
}

interface DiagnosisJson {
  category: string;
  title: string;
  remediation: string[];
  facts: Record<string, string>;
}

function diagnosisOf(run: ActionRun): DiagnosisJson {
  expect(run.outputs.diagnosis).not.toBe('');
  return JSON.parse(run.outputs.diagnosis!) as DiagnosisJson;
}

describe('a failing operation is diagnosed on the summary', () => {
  test.each([
    [
      'upgrade-fails-drain',
      { operation: 'upgrade', 'kubernetes-version': '1.35' },
      'pod-drain-failure',
    ],
    [
      'upgrade-fails-quota',
      { operation: 'upgrade', 'kubernetes-version': '1.35' },
      'quota-exceeded',
    ],
    [
      'scale-fails-subnet',
      { operation: 'scale', 'node-pool': 'user', 'node-count': '5' },
      'subnet-capacity',
    ],
    [
      'node-image-fails-outbound',
      { operation: 'upgrade-node-image', 'node-pool': 'user' },
      'outbound-connectivity',
    ],
  ])('%s → %s', async (scenario, inputs, category) => {
    await sim.reset(scenario, FAST);
    const run = await runAction(sim, inputs);
    expect(run.code).toBe(1);
    expect(run.outputs['diagnosis-category']).toBe(category);
    const d = diagnosisOf(run);
    expect(d.category).toBe(category);
    // The commands are filled in with this cluster's names.
    expect(d.remediation.join('\n')).toMatch(/rg-aks-guard-demo/);
    expect(run.summary).toContain(`### Diagnosis: ${d.title}`);
    expect(run.summary).toContain('**How to fix it**');
    expect(run.summary).toMatch(/<details><summary>The error as Azure returned it<\/summary>/);
    // One annotation, titled with the diagnosis.
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    const title = /^::error title=([^:]*)::/.exec(errors[0]!)![1]!;
    expect(decodeURIComponent(title)).toBe(`aks-guard: ${d.title}`);
  });

  test('the drain diagnosis names the pod and the node', async () => {
    await sim.reset('upgrade-fails-drain', FAST);
    const run = await runAction(sim, { operation: 'upgrade', 'kubernetes-version': '1.35' });
    const d = diagnosisOf(run);
    expect(d.facts.pod).toBe('checkout-7d9f8b6c5d-x2k4p');
    expect(d.facts.node).toMatch(/^aks-/);
  });
});

test('a Failed cluster found at pre-flight is explained by the operation that failed it', async () => {
  await sim.reset('failed-cluster', FAST);
  const since = sim.log.lastSeq;
  const run = await runAction(sim, { operation: 'scale', 'node-pool': 'user', 'node-count': '3' });
  expect(run.code).toBe(1);
  expect(run.outputs['diagnosis-category']).toBe('pod-drain-failure');
  const d = diagnosisOf(run);
  expect(d.remediation.at(-1)).toMatch(
    /on-failed: reconcile|az aks update -g rg-aks-guard-demo -n aks-demo/,
  );
  expect(run.summary).toMatch(/is in the Failed state because its last operation failed/);
  expect(armWrites(sim, since)).toEqual([]);
});

describe('operation: report', () => {
  test('versions, upgrades, pools, the latest operation, and why a pool is Failed; nothing written', async () => {
    await sim.reset('failed-pool', FAST);
    const since = sim.log.lastSeq;
    const run = await runAction(sim, { operation: 'report' });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('succeeded');
    expect(armWrites(sim, since)).toEqual([]);
    expect(run.summary).toContain('### Cluster report: aks-demo');
    expect(run.summary).toMatch(/\| upgrades available \| .*1\.35\.3/);
    expect(run.summary).toContain('#### Node pools');
    expect(run.summary).toMatch(/\| user \| User \| 2 \|/);
    expect(run.summary).toContain('#### node pool user is Failed');
    expect(run.summary).toMatch(/Diagnosis: .*\n\n\*\*outbound-connectivity\*\*/);
  });
});

describe('the sticky pull-request comment', () => {
  function prEvent(number: number): Record<string, string> {
    const file = path.join(eventDir(), 'event.json');
    writeFileSync(
      file,
      JSON.stringify({ action: 'synchronize', number, pull_request: { number } }),
    );
    return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file };
  }
  const marked = () => sim.github.rest.comments.filter((c) => c.body.includes('<!-- aks-guard:'));

  test('is created on the first run and updated in place on the next', async () => {
    await sim.reset('failed-pool', FAST);
    const first = await runAction(
      sim,
      { operation: 'report', 'comment-on-pr': 'true' },
      { env: prEvent(7) },
    );
    expect(first.code).toBe(0);
    expect(marked()).toHaveLength(1);
    const id = marked()[0]!.id;
    expect(marked()[0]!.body).toContain('Cluster report: aks-demo');

    const second = await runAction(
      sim,
      { operation: 'upgrade-node-image', 'node-pool': 'user', 'comment-on-pr': 'true' },
      { env: prEvent(7) },
    );
    expect(second.code).toBe(1);
    expect(marked()).toHaveLength(1);
    expect(marked()[0]!.id).toBe(id);
    expect(marked()[0]!.body).toContain('Diagnosis:');
    expect(second.stdout).toMatch(/Pull-request comment updated/);
  });

  test('on a push, or with a read-only token, the run says why and does not fail', async () => {
    await sim.reset('idle', FAST);
    const push = await runAction(sim, { operation: 'check', 'comment-on-pr': 'true' });
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/not a pull request; no comment/);
    const fork = await runAction(
      sim,
      { operation: 'check', 'comment-on-pr': 'true', 'github-token': sim.github.readToken },
      { env: prEvent(8) },
    );
    expect(fork.code).toBe(0);
    expect(fork.stdout).toMatch(/::warning::No pull-request comment: .*read-only/);
    expect(marked()).toHaveLength(0);
  });
});

test('hostile strings from Azure are rendered inert', async () => {
  await sim.reset('idle', FAST);
  const hostile =
    '<img src=x onerror=alert(1)> @octocat | broken | table [click](javascript:alert(1)) **bold** `code`\n# heading\n- item <script>alert(2)</script>';
  await admin(sim, 'POST', '/failures', {
    operation: 'scale',
    atPercent: 10,
    error: { code: 'Hostile<b>Code</b>', message: hostile },
  });
  const run = await runAction(
    sim,
    { operation: 'scale', 'node-pool': 'user', 'node-count': '3', 'comment-on-pr': 'true' },
    {
      env: (() => {
        const dir = eventDir();
        writeFileSync(path.join(dir, 'e.json'), JSON.stringify({ pull_request: { number: 9 } }));
        return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path.join(dir, 'e.json') };
      })(),
    },
  );
  expect(run.code).toBe(1);
  const comment = sim.github.rest.comments.find((c) => c.body.includes('<!-- aks-guard:'))!.body;
  for (const doc of [run.summary, comment]) {
    // Outside fenced code blocks nothing is live HTML, a link, or a mention.
    const prose = doc.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
    expect(prose).not.toMatch(/<img|<script|<b>/i);
    expect(prose).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(prose).not.toMatch(/@octocat/);
    expect(prose).not.toMatch(/^# heading/m);
    // Every table row still has as many cells as its header.
    for (const block of prose.split('\n\n').filter((b) => b.startsWith('|'))) {
      const rows = block.trim().split('\n');
      const cells = (r: string) => r.split(/(?<!\\)\|/).length;
      for (const r of rows) expect(cells(r)).toBe(cells(rows[0]!));
    }
  }
});
